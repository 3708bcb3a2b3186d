#!/usr/bin/env bash
# Prints the line that points Slurm clients and libslurm at wjr's local
# cluster, for: eval "$(scripts/cluster-env.sh [RUNDIR])"
# Fails (printing nothing on stdout) when the cluster has no config yet.
#
#   usage: scripts/cluster-env.sh [RUNDIR]
#   RUNDIR: argument, else $WJR_CLUSTER_DIR, else /tmp/wjr-cluster
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

cluster_paths "$(cluster_resolve_dir "${1:-}")"
[[ -r "$SLURM_CONF_FILE" ]] || die "no cluster config at $SLURM_CONF_FILE: run scripts/cluster-up.sh first"
print_export
