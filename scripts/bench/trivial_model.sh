#!/bin/sh
# The trivial model of the study benchmark: writes one metric to
# TRIAL_DIR/output.json (BOA ScriptWrapper convention) and exits.
printf '{"m": 0.5}\n' >"$1/output.json"
