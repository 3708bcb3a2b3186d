#!/bin/sh
# usage: model.sh WORD --x=X TRIAL_DIR. Trial i writes its output under
# name i%6 with extension i/6%3, and a status file every second trial.
set -e
word=$1
x=${2#--x=}
d=$3
i=$(basename "$d" | sed 's/^0*\(.\)/\1/')
printf '%s' "$word" >"$d/arg.txt"
set -- output outputs result results metric metrics
shift $((i % 6))
base=$1
set -- json yml yaml
shift $((i / 6 % 3))
ext=$1
value=$(awk -v x="$x" 'BEGIN { printf "%.10f", (x - 0.3) * (x - 0.3) }')
if [ "$ext" = json ]; then
    text="{\"metric\": $value}"
else
    text="metric: $value"
fi
case $((i % 4)) in
1) echo '{"trial_status": "COMPLETED"}' >"$d/trial_status.json" ;;
3) echo 'TrialStatus: COMPLETED' >"$d/TrialStatus.yaml" ;;
esac
if [ "$i" -eq 5 ]; then
    echo '{"Trial_Status": 7}' >"$d/trial_status.json"
fi
if [ "$i" -eq 2 ]; then
    # the output appears 4 s after the job ends
    printf '%s\n' "$text" >"$d/pending.tmp"
    setsid sh -c 'sleep 4; mv "$0" "$1"' "$d/pending.tmp" "$d/$base.$ext" \
        </dev/null >/dev/null 2>&1 &
    exit 0
fi
printf '%s\n' "$text" >"$d/$base.$ext"
