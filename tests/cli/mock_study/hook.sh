#!/bin/sh
# write_configs of hook.cfg: refuses parameters with x1 above 5.
for d; do :; done
echo "$d" >>"$d/../hook.calls"
awk 'match($0, /"x1": *[-0-9.eE+]+/) { v = substr($0, RSTART, RLENGTH); sub(/.*: */, "", v)
    if (v + 0 > 5) { print "hook: x1 above 5" > "/dev/stderr"; exit 1 } }' "$d/parameters.json"
