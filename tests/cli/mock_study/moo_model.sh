#!/bin/sh
# usage: moo_model.sh X Y TRIAL_DIR: two objectives in conflict along x,
# both worse with y (see moo.yaml).
awk -v x="$1" -v y="$2" 'BEGIN { printf "{\"f1\": %.17g, \"f2\": %.17g}\n", x, 1 - x + y }' \
    >"$3/metrics.json"
