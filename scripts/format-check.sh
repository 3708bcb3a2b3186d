#!/usr/bin/env bash
# Checks that every C source and header is formatted as .clang-format says.
# With --fix, reformats them in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find src include tests examples -name '*.[ch]')
if [ "${1:-}" = "--fix" ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
bad=0
for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format: $f is not clang-formatted (scripts/format-check.sh --fix)" >&2
        bad=1
    fi
done
if [ "$bad" -eq 0 ]; then
    echo "format: ${#files[@]} files ok"
fi
exit "$bad"
