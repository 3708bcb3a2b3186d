#!/usr/bin/env bash
# Runs a second Slurm cluster, named wjr2, beside wjr's local cluster and
# behind the same slurmdbd and munged, as a site's clusters share one
# accounting database: what sbatch -M and wjr's slurm.clusters reach. Its
# slurmctld and slurmd (node localhost, 2 CPUs, job ids from 500000) use the
# first cluster's configuration with another name, ports PORT_BASE+4 and +5,
# and their own state, spool, pid and log files under RUNDIR/second.
#
#   usage: scripts/cluster-second.sh up|down|status [RUNDIR]      (as root)
#   RUNDIR: the first cluster's (argument, else $WJR_CLUSTER_DIR, else
#   /tmp/wjr-cluster), which must be up for `up`.
#
# `up` is idempotent and waits until slurmdbd lists wjr2's controller (what
# slurmdb_get_info_cluster and sbatch -M look up) and its node is idle.
# `down` stops the two daemons, and nothing else. SLURM_CONF stays the
# first cluster's: the second is reached with -M wjr2 (or its own file,
# RUNDIR/second/etc/slurm.conf).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

NAME=wjr2
action="${1:-}"
case "$action" in
    up | down | status) ;;
    -h | --help | "")
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        [[ -n "$action" ]] && exit 0 || exit 2
        ;;
    *) die "unknown action '$action': up, down or status" ;;
esac

require_root
cluster_paths "$(cluster_resolve_dir "${2:-}")"
require_marker
FIRST_CONF="$SLURM_CONF_FILE"
TOP="$RUNDIR/second"
CONF2="$TOP/etc/slurm.conf"

# The second cluster's daemons, by their own pid and log files
# (cluster-lib.sh's helpers read RUN and LOG) for the call given.
# shellcheck disable=SC2034  # LOG is read by cluster-lib.sh
with_second() {
    local saved="$RUN" rc=0
    RUN="$TOP/run"
    LOG="$TOP/log"
    "$@" || rc=$?
    RUN="$saved"
    LOG="$RUNDIR/log"
    return "$rc"
}

ctld2_up() { SLURM_CONF="$CONF2" bounded 10 scontrol ping 2>/dev/null | grep -q 'is UP'; }
node2_state() { SLURM_CONF="$CONF2" bounded 10 sinfo -h -N -n localhost -o '%T' 2>/dev/null | head -n 1; }
# slurmdbd's record of wjr2's controller: its port once slurmctld registered.
registered_port() {
    bounded 15 sacctmgr -n -P show cluster "$NAME" format=controlport 2>/dev/null | head -n 1
}

if [[ "$action" == down ]]; then
    with_second stop_daemon slurmd
    with_second stop_daemon slurmctld
    exit 0
fi
if [[ "$action" == status ]]; then
    for d in slurmctld slurmd; do
        if with_second daemon_alive "$d"; then
            log "$NAME $d: running"
        else
            log "$NAME $d: not running"
        fi
    done
    log "$NAME node: '$(node2_state)', registered port: '$(registered_port)'"
    with_second daemon_alive slurmctld && with_second daemon_alive slurmd
    exit
fi

[[ -r "$FIRST_CONF" ]] || die "no $FIRST_CONF: bring the first cluster up first (scripts/cluster-up.sh)"
if ! daemon_alive munged || ! daemon_alive slurmdbd; then
    die "the first cluster's munged and slurmdbd must run (scripts/cluster-up.sh)"
fi
port_base="$(sed -n 's/^SlurmctldPort=//p' "$FIRST_CONF")"
PORT_CTLD2=$((port_base + 4))
PORT_SLURMD2=$((port_base + 5))

mkdir -p "$TOP/etc" "$TOP/run" "$TOP/log" "$TOP/spool/slurmctld" "$TOP/spool/slurmd"
# The first cluster's configuration, another cluster: its name, ports,
# job ids and files; gres.conf sits beside slurm.conf, where slurmd reads it.
sed -e "s|^ClusterName=.*|ClusterName=$NAME|" \
    -e "s|^SlurmctldPort=.*|SlurmctldPort=$PORT_CTLD2|" \
    -e "s|^SlurmdPort=.*|SlurmdPort=$PORT_SLURMD2|" \
    -e "s|^StateSaveLocation=.*|StateSaveLocation=$TOP/spool/slurmctld|" \
    -e "s|^SlurmdSpoolDir=.*|SlurmdSpoolDir=$TOP/spool/slurmd|" \
    -e "s|^SlurmctldPidFile=.*|SlurmctldPidFile=$TOP/run/slurmctld.pid|" \
    -e "s|^SlurmdPidFile=.*|SlurmdPidFile=$TOP/run/slurmd.pid|" \
    -e "s|^SlurmctldLogFile=.*|SlurmctldLogFile=$TOP/log/slurmctld.log|" \
    -e "s|^SlurmdLogFile=.*|SlurmdLogFile=$TOP/log/slurmd.log|" \
    -e "s|^\(NodeName=localhost .*\)CPUs=[0-9]*|\1CPUs=2|" \
    "$FIRST_CONF" >"$CONF2.tmp"
printf 'FirstJobId=500000\n' >>"$CONF2.tmp"
mv -f "$CONF2.tmp" "$CONF2"
cp -f "$ETC/gres.conf" "$TOP/etc/gres.conf"

if ! bounded 15 sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx "$NAME"; then
    log "sacctmgr: registering cluster $NAME"
    bounded 30 sacctmgr -i add cluster "$NAME" >&2 || die "sacctmgr add cluster $NAME failed"
fi

start2() {
    local name="$1"
    shift
    if with_second daemon_alive "$name"; then
        return 0
    fi
    port_in_use "$1" && die "$NAME $name: TCP port $1 is already in use"
    shift
    log "$NAME $name: starting"
    rm -f "$TOP/run/$name.pid"
    SLURM_CONF="$CONF2" setsid "$@" </dev/null >>"$TOP/log/$name.out" 2>&1 ||
        die "$NAME $name failed to start (see $TOP/log/$name.log)"
}
start2 slurmctld "$PORT_CTLD2" slurmctld
end=$((SECONDS + 30))
until ctld2_up; do
    ((SECONDS < end)) || die "$NAME slurmctld does not answer on port $PORT_CTLD2 (see $TOP/log/slurmctld.log)"
    sleep 0.5
done
start2 slurmd "$PORT_SLURMD2" slurmd -N localhost

end=$((SECONDS + ${WJR_CLUSTER_TIMEOUT:-90}))
next_resume=0
until [[ "$(registered_port)" == "$PORT_CTLD2" ]] && [[ "$(node2_state)" == idle* ]]; do
    if ((SECONDS >= end)); then
        log "$NAME node: '$(node2_state)', registered port: '$(registered_port)'"
        with_second show_log_tail slurmctld 10
        with_second show_log_tail slurmd 10
        die "$NAME not ready after ${WJR_CLUSTER_TIMEOUT:-90}s"
    fi
    with_second daemon_alive slurmctld || die "$NAME slurmctld died (see $TOP/log/slurmctld.log)"
    with_second daemon_alive slurmd || die "$NAME slurmd died (see $TOP/log/slurmd.log)"
    st="$(node2_state)"
    if ((SECONDS >= next_resume)) && [[ "$st" == down* || "$st" == drain* ]]; then
        SLURM_CONF="$CONF2" bounded 10 scontrol update nodename=localhost state=resume >&2 || true
        next_resume=$((SECONDS + 15))
    fi
    sleep 0.5
done
log "$NAME up (ports $PORT_CTLD2-$PORT_SLURMD2, node $(node2_state)): sbatch -M $NAME reaches it"
