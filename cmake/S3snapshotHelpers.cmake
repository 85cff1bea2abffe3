# Compiler flags shared by every target of the project.
function(s3snapshot_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # GUARDED_BY, REQUIRES, ... (src/core/mutex.h) checked at compile time.
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(S3SNAPSHOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(S3SNAPSHOT_SANITIZERS)
    # Undefined behaviour aborts, so a test that meets it fails.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                           -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all)
  endif()
  if(S3SNAPSHOT_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# One unit-test executable: gtest-discovered, labelled `unit`.
function(s3snapshot_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  s3snapshot_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    S3SNAPSHOT_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
  # Test files are built for the compiler's speed, not the program's: -O0 and
  # line tables only halve each one's build (precompiled gtest, gmock and json
  # headers saved under a tenth and cost more than that; measured in
  # docs/development.md). The code under test keeps the build type's flags:
  # it is linked in from the libraries.
  target_compile_options(${name} PRIVATE -O0 -g1)
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
endfunction()
