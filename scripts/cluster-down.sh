#!/usr/bin/env bash
# Stops wjr's local Slurm cluster (slurmd, slurmctld, slurmdbd, MariaDB,
# munged, and the second cluster's slurmctld and slurmd of
# scripts/cluster-second.sh when it was made), each by its pid file under the
# runtime folder, and waits for them to exit. Jobs still running are left to
# slurmstepd and picked up again by the next cluster-up.sh, unless --wipe is
# given: then all jobs are cancelled, their leftover slurmstepd processes
# (of both clusters) are killed and RUNDIR is removed.
#
#   usage: scripts/cluster-down.sh [--wipe] [RUNDIR]      (as root)
#   RUNDIR: argument, else $WJR_CLUSTER_DIR, else /tmp/wjr-cluster
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

wipe=0
dir_arg=""
for arg in "$@"; do
    case "$arg" in
        --wipe) wipe=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        -*) die "unknown option $arg" ;;
        *) dir_arg="$arg" ;;
    esac
done

require_root
cluster_paths "$(cluster_resolve_dir "$dir_arg")"

if [[ ! -d "$RUNDIR" ]]; then
    log "no cluster at $RUNDIR"
    exit 0
fi
# Refuse to stop or wipe what cluster-up.sh did not make.
require_marker

# slurmstepd processes of this cluster and of its second one
# (cluster-second.sh): they inherit SLURM_CONF from slurmd.
cluster_stepds() {
    local p
    for p in /proc/[0-9]*; do
        [[ "$(cat "$p/comm" 2>/dev/null)" == slurmstepd ]] || continue
        if tr '\0' '\n' 2>/dev/null <"$p/environ" |
            grep -qxF -e "SLURM_CONF=$SLURM_CONF_FILE" -e "SLURM_CONF=$RUNDIR/second/etc/slurm.conf"; then
            printf '%s\n' "${p#/proc/}"
        fi
    done
}

# --wipe: cancels every job of the cluster SLURM_CONF names, and waits a
# little for them to end. $1: what to call its jobs in the log.
cancel_jobs() {
    local jobs i
    jobs="$(bounded 10 squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ')" || jobs=""
    if [[ -n "${jobs// /}" ]]; then
        log "cancelling $1: $jobs"
        # shellcheck disable=SC2086  # one word per job id
        bounded 15 scancel $jobs >&2 || true
        for ((i = 0; i < 100; i++)); do
            [[ -z "$(bounded 10 squeue -h -t R,CG -o '%A' 2>/dev/null)" ]] && break
            sleep 0.2
        done
    fi
}
if ((wipe)) && daemon_alive slurmctld && ctld_up; then
    cancel_jobs jobs
fi
if ((wipe)) && [[ -r "$RUNDIR/second/etc/slurm.conf" ]] &&
    SLURM_CONF="$RUNDIR/second/etc/slurm.conf" ctld_up; then
    SLURM_CONF="$RUNDIR/second/etc/slurm.conf" cancel_jobs "the second cluster's jobs"
fi

# the second cluster of scripts/cluster-second.sh, when one was made here
if [[ -d "$RUNDIR/second" ]]; then
    bash "$SCRIPT_DIR/cluster-second.sh" down "$RUNDIR" || true
fi
stop_daemon slurmd
stop_daemon slurmctld
stop_daemon slurmdbd 60
stop_daemon mariadbd 60
stop_daemon munged

if ((wipe)); then
    stepds="$(cluster_stepds | tr '\n' ' ')"
    if [[ -n "${stepds// /}" ]]; then
        log "killing leftover slurmstepd: $stepds"
        # shellcheck disable=SC2086  # one word per pid
        kill -KILL $stepds 2>/dev/null || true
    fi
    log "removing $RUNDIR"
    rm -rf "$RUNDIR"
fi
log "cluster at $RUNDIR is down"
