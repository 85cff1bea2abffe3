#!/usr/bin/env bash
# The house rules a reviewer should not have to check by hand:
#  1. every C++ file is formatted as .clang-format says;
#  2. every #include points down the layers, never up:
#       core -> aws -> spec -> report -> job -> app -> lambda -> cli
#     (a file may include its own layer and those to its left), and only
#     tests (*_test.cc, tests/, fuzz/) include src/testing/;
#  3. the bounds of scripts/check-bounds.py (function length, nesting, the
#     orchestrator's size).
# Usage: scripts/check-style.sh   (exit 1 with the offending files listed)
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
mapfile -t files < <(git ls-files '*.cc' '*.h')

if ! out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "check-style: not formatted as .clang-format says (run: clang-format -i FILE):"
  echo "$out" | grep 'error:' | cut -d: -f1 | sort -u | sed 's/^/  /'
  status=1
fi

rank() {
  case "$1" in
    core) echo 0 ;; aws) echo 1 ;; spec) echo 2 ;; report) echo 3 ;; job) echo 4 ;; app) echo 5 ;;
    lambda) echo 6 ;; cli) echo 7 ;;
    testing) echo 9 ;; *) echo -1 ;;
  esac
}
for f in "${files[@]}"; do
  [[ "$f" == src/* ]] || continue
  layer=$(echo "$f" | cut -d/ -f2)
  own=$(rank "$layer")
  [ "$own" -ge 0 ] || continue
  is_test=0
  [[ "$f" == *_test.cc || "$layer" == testing ]] && is_test=1
  while IFS= read -r inc; do
    target=$(echo "$inc" | sed -E 's/^#include "([^/"]+)\/.*/\1/')
    t=$(rank "$target")
    [ "$t" -ge 0 ] || continue
    if [ "$target" = testing ]; then
      if [ "$is_test" = 0 ]; then
        echo "check-style: $f includes $inc: src/testing/ is for tests only"
        status=1
      fi
    elif [ "$layer" != testing ] && [ "$t" -gt "$own" ]; then
      echo "check-style: $f ($layer) includes $inc ($target): includes must point down the layers"
      status=1
    fi
  done < <(grep -E '^#include "[a-z]+/' "$f" || true)
done

# 3. The bounds that keep the house livable (scripts/check-bounds.py): no
#    function over 120 lines outside data tables, control flow at most 5
#    deep, the run's orchestrator (src/job/snapshot_job.cc) under 400 lines.
if ! python3 scripts/check-bounds.py "${files[@]}"; then
  status=1
fi

[ "$status" = 0 ] && echo "check-style: ${#files[@]} files formatted, includes point down the layers, within the bounds"
exit "$status"
