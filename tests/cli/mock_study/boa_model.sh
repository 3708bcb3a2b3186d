#!/bin/sh
# usage: boa_model.sh W X TRIAL_DIR: reports metrics.json (a rises with x,
# b falls, with a standard error); trial 3 stops early through TrialStatus.yml.
w=$1
x=$2
d=$3
printf '%s' "$w" >"$d/w.txt"
i=$(basename "$d" | sed 's/^0*\(.\)/\1/')
b=$(awk -v x="$x" 'BEGIN { printf "%.17g", 1 - x }')
printf '{"a": {"a": [%s, 1]}, "b": {"mean": %s, "sem": 0.125}, "note": 5}\n' "$x" "$b" \
    >"$d/metrics.json"
if [ "$i" = 3 ]; then
    printf 'TrialStatus: EARLY_STOPPED\n' >"$d/TrialStatus.yml"
fi
