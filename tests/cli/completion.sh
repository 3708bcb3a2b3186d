#!/usr/bin/env bash
# The bash completion of contrib/bash-completion/wjr, sourced into bash
# without the bash-completion package: verbs as `wjr --help` lists them,
# each verb's options as its --help lists them, configuration files for
# run/init/check, study directories (not trial directories) for the others,
# and files after -o.
#   usage: tests/cli/completion.sh PATH/TO/wjr
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
W="$(mktemp -d /tmp/wjr-cli-completion-XXXXXX)"
trap 'rm -rf "$W"' EXIT
export SLURM_CONF="$HERE/../study/data/slurm.conf" LC_ALL=C
failures=0

# a study, two trial directories and its logs, a plain folder, configurations
mkdir -p "$W/runs/demo/000000" "$W/runs/demo/000001" "$W/runs/demo/logs" "$W/empty" "$W/nested/deeper"
echo '{}' >"$W/runs/demo/study.json"
touch "$W/a.cfg" "$W/b.yaml" "$W/notes.txt"
mkdir -p "$W/bin"
ln -s "$WJR" "$W/bin/wjr"
cd "$W" || exit 1

# complete WORDS...: COMPREPLY for the command line, sorted, one line
complete_line() {
    PATH="$W/bin:$PATH" bash --norc -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"
        _wjr; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
        _ "$HERE/../../contrib/bash-completion/wjr" "$@"
}
# expect WANT WORDS...: the completion of WORDS is exactly WANT
expect() {
    local want=$1 got
    shift
    got="$(complete_line "$@")"
    if [[ "${got% }" == "$want" ]]; then
        echo "ok [$*]"
    else
        echo "FAIL [$*]: '$got', expected '$want'" >&2
        failures=$((failures + 1))
    fi
}

verbs="$("$WJR" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' | sort | tr '\n' ' ')"
[[ "$verbs" == *"report "* && "$verbs" == *"status "* ]] || { echo "FAIL: wjr --help lists '$verbs'" >&2; exit 1; }
expect "${verbs% }" wjr ""
expect "report results resume" wjr re
expect "--help --version" wjr --
for verb in $verbs; do
    opts="$("$WJR" "$verb" --help | grep -oE '^  (-[a-zA-Z], )?--[a-z-]+' | tr -d ',' | tr -s ' ' '\n' | grep . | sort | tr '\n' ' ')"
    expect "${opts% }" wjr "$verb" -
done
expect "--csv --help --json" wjr results --
expect "--help --output -h -o" wjr report -
expect "a.cfg b.yaml bin empty nested runs" wjr run ""
expect "a.cfg" wjr check a
expect "nested runs" wjr status ""
expect "runs/demo" wjr report runs/
expect "runs/demo" wjr report -o x.html runs/d
expect "" wjr status runs/demo/
expect "notes.txt" wjr report -o no
expect "" wjr submit runs/demo --params ""

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
