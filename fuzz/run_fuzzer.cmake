# Runs one fuzzer for SECONDS over a scratch copy of its corpus (so the
# committed corpus only changes by hand). A crash fails the test; its input is
# left in WORK for turning into a regression test.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
# CORPUS: folders whose files seed the run (separated by "|": the committed
# corpus, plus the test data the unit tests already keep, so none is copied).
string(REPLACE "|" ";" folders "${CORPUS}")
foreach(folder ${folders})
  file(GLOB seeds ${folder}/*.xml ${folder}/*.json ${folder}/regression-* ${folder}/config* ${folder}/credentials*)
  if(seeds)
    file(COPY ${seeds} DESTINATION ${WORK}/corpus)
  endif()
endforeach()
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=1024
                        -artifact_prefix=${WORK}/ -print_final_stats=1 ${WORK}/corpus
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} found a crash (exit ${rc}); see ${WORK}")
endif()
