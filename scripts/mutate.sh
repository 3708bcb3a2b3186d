#!/usr/bin/env bash
# Mutation testing: does the mocked suite catch small deliberate bugs?
#
# Each line of the list (tests/mutations.txt) names a file, a snippet that
# occurs exactly once in it, its replacement and what the change breaks.
# For each one this script puts the mutation into a copy of the tree (never
# the working tree), rebuilds the copy and runs the mocked-Slurm suite
# (ctest label "unit", less the slow valgrind, install and header tests).
# A mutation is KILLED when a test fails, SURVIVED when all pass. It
# reports the killed share and the survivors; the target is >= 95%.
#
# Usage: scripts/mutate.sh [--fast N] [--budget SECONDS] [--list FILE] [--report FILE]
#   --fast N     a fixed subset of N mutations spread evenly over the list
#                (the test command's step), stopping when the budget is spent
#   --budget S   seconds to spend on mutants (default: none; 600 with --fast)
#   --report F   also write the result as Markdown to F (see MUTATION.md)
# Exit: 0 when the killed share reaches the target (with --fast: every
# mutant run was killed), 1 otherwise, 2 on a bad list or a broken baseline.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIST="$ROOT/tests/mutations.txt"
FAST=0
BUDGET=0
REPORT=""
TARGET=95
JOBS="${WJR_JOBS:-2}"
while [ $# -gt 0 ]; do
    case "$1" in
    --fast) FAST="$2"; shift 2 ;;
    --budget) BUDGET="$2"; shift 2 ;;
    --list) LIST="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --report) REPORT="$2"; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutate: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ "$FAST" -gt 0 ] && [ "$BUDGET" -eq 0 ] && BUDGET=600

WORK="$(mktemp -d "${TMPDIR:-/tmp}/wjr-mutate.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TREE="$WORK/tree"
mkdir -p "$TREE"

# the tree as it is, committed or not, without build folders
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - -cf -) | tar -xf - -C "$TREE"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD)"
if [ -n "$(git -C "$ROOT" status --porcelain)" ]; then
    COMMIT="$COMMIT-dirty"
fi

# the list: name <TAB> file <TAB> original <TAB> replacement <TAB> what it breaks
mapfile -t ALL < <(grep -v -e '^#' -e '^[[:space:]]*$' "$LIST")
N_ALL=${#ALL[@]}
if [ "$N_ALL" -eq 0 ]; then
    echo "mutate: no mutation in $LIST" >&2
    exit 2
fi
PICK=()
if [ "$FAST" -gt 0 ] && [ "$FAST" -lt "$N_ALL" ]; then
    for ((i = 0; i < FAST; i++)); do PICK+=($((i * N_ALL / FAST))); done
else
    for ((i = 0; i < N_ALL; i++)); do PICK+=("$i"); done
fi

# apply FILE ORIGINAL REPLACEMENT inside the copy: exactly one occurrence
apply() {
    python3 - "$TREE/$1" "$2" "$3" <<'EOF'
import sys
def dec(s):  # the list's escapes: \n newline, \t tab, \\ backslash
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
path, old, new = sys.argv[1], dec(sys.argv[2]), dec(sys.argv[3])
text = open(path, encoding="utf-8").read()
n = text.count(old)
if n != 1:
    print(f"mutate: {n} occurrences of the snippet in {path}", file=sys.stderr)
    sys.exit(1)
open(path, "w", encoding="utf-8").write(text.replace(old, new))
EOF
}

suite() {
    (cd "$TREE/build" && ctest -L '^unit$' -E '^(cli_valgrind_.*|unit\.install|unit\.headers)$' \
        --timeout 120 -j"$JOBS" --stop-on-failure >"$WORK/ctest.log" 2>&1)
}

# every line of the list, not only those picked, still finds its snippet
# exactly once: a list that the code moved away from fails here, in the
# test command's short run, rather than in the next full run
printf '%s\n' "${ALL[@]}" | python3 -c '
import sys
def dec(s):  # as apply() reads them
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)
stale = 0
for line in sys.stdin.read().splitlines():
    f = line.split("\t")
    if len(f) != 5:
        continue  # reported as malformed when its turn comes
    try:
        n = open(sys.argv[1] + "/" + f[1], encoding="utf-8").read().count(dec(f[2]))
    except OSError:
        n = 0
    if n != 1:
        print("mutate: %s: the snippet occurs %d times in %s" % (f[0], n, f[1]), file=sys.stderr)
        stale += 1
sys.exit(1 if stale else 0)
' "$TREE" || exit 2

echo "mutate: building a copy of the tree at $COMMIT in $TREE"
cmake -S "$TREE" -B "$TREE/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWJR_WERROR=OFF >"$WORK/cmake.log" 2>&1 ||
    { cat "$WORK/cmake.log" >&2; exit 2; }
cmake --build "$TREE/build" -j"$JOBS" >"$WORK/build.log" 2>&1 ||
    { tail -30 "$WORK/build.log" >&2; exit 2; }
if ! suite; then
    echo "mutate: the suite fails on the unmutated tree; nothing to measure" >&2
    grep -E 'Failed|\*\*\*' "$WORK/ctest.log" >&2 || true
    exit 2
fi

start=$(date +%s)
killed=0
survived=0
bad=0
ran=0
rows=()
survivors=()
for i in "${PICK[@]}"; do
    if [ "$BUDGET" -gt 0 ] && [ $(($(date +%s) - start)) -ge "$BUDGET" ]; then
        echo "mutate: the budget of ${BUDGET}s is spent; $ran of ${#PICK[@]} mutants ran"
        break
    fi
    line="${ALL[$i]}"
    fields=()
    for _ in 1 2 3 4; do
        fields+=("${line%%$'\t'*}")
        line="${line#*$'\t'}"
    done
    name="${fields[0]}" file="${fields[1]}" from="${fields[2]}" to="${fields[3]}" what="$line"
    tabs="${ALL[$i]//[^$'\t']/}"
    if [ "${#tabs}" -ne 4 ] || [ -z "$what" ]; then
        echo "mutate: malformed line $((i + 1)) of the list: ${ALL[$i]}" >&2
        exit 2
    fi
    cp -p "$TREE/$file" "$WORK/orig"
    if ! apply "$file" "$from" "$to"; then
        echo "mutate: $name: the snippet is not found exactly once in $file" >&2
        exit 2
    fi
    t0=$(date +%s)
    detail=""
    if ! cmake --build "$TREE/build" -j"$JOBS" >"$WORK/build.log" 2>&1; then
        verdict="NO-BUILD"
        bad=$((bad + 1))
    elif suite; then
        verdict="SURVIVED"
        survived=$((survived + 1))
        survivors+=("$name ($file): $what")
    else
        by="$(grep -Eo '[0-9]+ - [^ ]+ \(' "$WORK/ctest.log" | head -1 | sed -E 's/^[0-9]+ - //; s/ \($//')"
        verdict="KILLED"
        detail="${by:+by $by}"
        killed=$((killed + 1))
    fi
    cp -p "$WORK/orig" "$TREE/$file"
    touch "$TREE/$file"
    ran=$((ran + 1))
    printf '%-9s %-28s %4ss  %s\n' "$verdict" "$name" $(($(date +%s) - t0)) "$detail"
    rows+=("| $name | \`$file\` | $what | $verdict $detail |")
done

if [ $((killed + survived)) -eq 0 ]; then
    echo "mutate: no mutant was tested" >&2
    exit 1
fi
share=$((100 * killed / (killed + survived)))
echo
summary="$killed of $((killed + survived)) mutants killed ($share%), $survived survived"
[ "$bad" -gt 0 ] && summary="$summary, $bad did not build"
echo "mutate: $summary"
for s in "${survivors[@]+"${survivors[@]}"}"; do echo "  survivor: $s"; done

if [ -n "$REPORT" ]; then
    {
        echo "# Mutation testing"
        echo
        echo "\`scripts/mutate.sh\` ran the $ran mutations of \`tests/mutations.txt\` at commit"
        echo "\`$COMMIT\` on $(date -u +%Y-%m-%d). Each one was put in a copy of the tree, which"
        echo "was rebuilt and given the mocked-Slurm suite (ctest label \`unit\`, less"
        echo "\`cli_valgrind_*\`, \`unit.install\` and \`unit.headers\`)."
        echo
        echo "**$summary.**"
        echo
        echo "| mutation | file | what it breaks | result |"
        echo "|---|---|---|---|"
        printf '%s\n' "${rows[@]}"
    } >"$REPORT"
    echo "mutate: wrote $REPORT"
fi

if [ "$FAST" -gt 0 ]; then
    [ "$survived" -eq 0 ] && [ "$bad" -eq 0 ]
else
    [ "$share" -ge "$TARGET" ] && [ "$bad" -eq 0 ]
fi
