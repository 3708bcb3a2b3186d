#!/usr/bin/env bash
# Golden tests of the `wjr` CLI that need no cluster: --help texts, usage
# errors and their exit codes, configuration errors with file:line.
#   usage: tests/cli/cli_golden.sh PATH/TO/wjr [--update]
# --update rewrites the golden files from the current output (review the diff).
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
UPDATE="${2:-}"
GOLDEN="$HERE/golden"
OUT="$(mktemp -d /tmp/wjr-cli-golden-XXXXXX)"
# shellcheck source=sanitizer.sh
. "$HERE/sanitizer.sh"
trap 'rm -rf "$OUT" "$SAN_DIR"' EXIT
# libslurm needs a configuration to load; this one names no controller.
export SLURM_CONF="$HERE/../study/data/slurm.conf"
failures=0

# check NAME EXIT ARGS...: run wjr in configs/, compare exit code, stdout, stderr.
check() {
    local name=$1 want=$2 rc=0
    shift 2
    (cd "$HERE/configs" && "$WJR" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err") || rc=$?
    if [[ -n "$UPDATE" ]]; then
        cp "$OUT/$name.out" "$GOLDEN/$name.out"
        cp "$OUT/$name.err" "$GOLDEN/$name.err"
    fi
    if [[ $rc -ne $want ]]; then
        echo "FAIL $name: exit $rc, expected $want" >&2
        cat "$OUT/$name.err" >&2
        failures=$((failures + 1))
        return
    fi
    if ! diff -u "$GOLDEN/$name.out" "$OUT/$name.out" >&2 ||
        ! diff -u "$GOLDEN/$name.err" "$OUT/$name.err" >&2; then
        echo "FAIL $name: output differs from $GOLDEN/$name.{out,err}" >&2
        failures=$((failures + 1))
        return
    fi
    echo "ok $name"
}

check help 0 --help
for cmd in run resume init submit poll status cancel results report check; do
    check "help_$cmd" 0 "$cmd" --help
done
check no_command 2
check unknown_command 2 frob
check unknown_command_typo 2 stauts
check run_no_config 2 run
check run_two_configs 2 run a.cfg b.cfg
check run_bad_option 2 run --frob typo.cfg
check submit_no_params 2 submit somedir
check submit_both 2 submit somedir --params '{}' --batch x.jsonl
check cancel_bad_index 2 cancel somedir 1 x2
check status_no_study 2 status /nonexistent-study-dir
# a BOA output_dir given for the study folder below it
check status_output_dir 2 status outdir
check results_no_study 2 results --csv /nonexistent-study-dir
check results_two_formats 2 results --csv --json somedir
check config_missing 2 check missing.cfg
check config_typo 2 check typo.cfg
check config_syntax 2 check syntax.cfg
check config_mixed 2 check mixed.cfg
check config_bounds 2 check bounds.cfg
check config_choice 2 check choice.cfg
check config_steps 2 check steps.cfg
check config_slurm 2 check slurm.cfg
check config_norun 2 check norun.cfg
check run_config_typo 2 run typo.cfg

rc=0
version="$("$WJR" --version)" || rc=$?
if [[ $rc -ne 0 || ! "$version" =~ ^wjr\ [0-9]+\.[0-9]+\.[0-9]+ ]]; then
    echo "FAIL version: '$version' ($rc)" >&2
    failures=$((failures + 1))
else
    echo "ok version"
fi

# No SLURM_CONF and no slurm.conf where libslurm looks (tried only on a
# machine that has neither, as the test machines): a sentence and exit 3
# (cluster unreachable), not libslurm's "fatal: Could not establish a
# configuration source" and exit 1.
if [[ ! -e /etc/slurm/slurm.conf && ! -e /run/slurm/conf/slurm.conf ]]; then
    rc=0
    (cd "$HERE/mock_study" && env -u SLURM_CONF "$WJR" check single.cfg) \
        >"$OUT/noconf.out" 2>"$OUT/noconf.err" || rc=$?
    if [[ $rc -eq 3 ]] && grep -q "^wjr check: no slurm.conf: SLURM_CONF is not set" "$OUT/noconf.err" &&
        ! grep -q "fatal" "$OUT/noconf.err"; then
        echo "ok no_slurm_conf"
    else
        echo "FAIL no_slurm_conf: exit $rc" >&2
        cat "$OUT/noconf.err" >&2
        failures=$((failures + 1))
    fi
else
    echo "ok no_slurm_conf (not tried: this machine has a slurm.conf where libslurm looks)"
fi

# Nothing may have been created by the failing commands.
if [[ -e "$HERE/configs/runs" ]]; then
    echo "FAIL: a failing command created $HERE/configs/runs" >&2
    rm -rf "$HERE/configs/runs"
    failures=$((failures + 1))
fi
san_check || failures=$((failures + 1))
[[ $failures -eq 0 ]] || { echo "$failures golden test(s) failed" >&2; exit 1; }
