#!/usr/bin/env bash
# Stops or starts only slurmctld of wjr's local Slurm cluster, to simulate a
# controller outage or restart. The other daemons and the running jobs stay.
# stop: SIGTERM (slurmctld saves its state) and wait for the exit.
# start: start slurmctld with the same state folder (jobs are recovered) and
# wait until it answers and slurmd has registered again. restart: both.
#
#   usage: scripts/cluster-ctld.sh stop|start|restart [RUNDIR]      (as root)
#   RUNDIR: argument, else $WJR_CLUSTER_DIR, else /tmp/wjr-cluster
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

action="${1:-}"
case "$action" in
    stop | start | restart) ;;
    *) die "usage: $0 stop|start|restart [RUNDIR]" ;;
esac
require_root
cluster_paths "$(cluster_resolve_dir "${2:-}")"
[[ -r "$SLURM_CONF_FILE" ]] || die "no cluster config at $SLURM_CONF_FILE: run scripts/cluster-up.sh first"
require_marker

start_ctld() {
    local i port
    if daemon_alive slurmctld; then
        log "slurmctld: already running (pid $(daemon_pid slurmctld))"
    else
        port="$(sed -n 's/^SlurmctldPort=//p' "$SLURM_CONF_FILE")"
        if [[ -n "$port" ]] && port_in_use "$port"; then
            die "slurmctld: TCP port $port is already in use by another program"
        fi
        log "slurmctld: starting"
        rm -f "$(daemon_pidfile slurmctld)"
        setsid slurmctld </dev/null >>"$LOG/slurmctld.out" 2>&1 || {
            show_log_tail slurmctld
            die "slurmctld failed to start"
        }
    fi
    for ((i = 0; i < 60; i++)); do
        if daemon_alive slurmctld && ctld_up; then
            log "slurmctld: up (pid $(daemon_pid slurmctld))"
            break
        fi
        sleep 0.5
    done
    if ((i == 60)); then
        show_log_tail slurmctld
        die "slurmctld does not answer after 30s"
    fi
    # A restarted slurmctld shows the node as 'unknown' until slurmd has
    # registered again (a few seconds): wait for that too, but only warn.
    for ((i = 0; i < 60; i++)); do
        node_usable && return 0
        sleep 0.5
    done
    log "warning: slurmctld is up but node localhost is '$(node_state)'"
}

case "$action" in
    stop) stop_daemon slurmctld ;;
    start) start_ctld ;;
    restart)
        stop_daemon slurmctld
        start_ctld
        ;;
esac
