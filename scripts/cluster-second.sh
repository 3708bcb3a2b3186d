#!/usr/bin/env bash
# Runs a second Slurm cluster, named wjr2, beside wjr's local cluster and
# behind the same slurmdbd and munged, as a site's clusters share one
# accounting database: what sbatch -M and wjr's slurm.clusters reach. Its
# slurmctld and slurmd (node localhost, 2 CPUs, job ids from 500000) use the
# first cluster's slurm.conf with another name, ports PORT_BASE+4 and +5
# (PORT_BASE: the first cluster's slurmctld port, WJR_CLUSTER_PORT_BASE), and
# their own state, spool, pid and log files under RUNDIR/second. It starts
# no munged, MariaDB or slurmdbd of its own.
#
#   usage: scripts/cluster-second.sh up|down|status [RUNDIR]      (as root)
#   RUNDIR: the first cluster's (argument, else $WJR_CLUSTER_DIR, else
#   /tmp/wjr-cluster), whose munged and slurmdbd must answer for `up`.
#
# `up` is idempotent: it registers wjr2 with slurmdbd when missing (sacctmgr
# add cluster, which also gives root its association there, as for wjr),
# starts what is not running, and waits (WJR_CLUSTER_TIMEOUT s, default 90)
# until slurmdbd lists wjr2's ControlHost and ControlPort (what
# slurmdb_get_info_cluster and sbatch -M look up), slurmd registered, and
# sinfo -M wjr2 sees the node usable. `down` stops the two daemons, nothing
# else, and is a no-op when they do not run. `status` exits 0 when both run
# and wjr2 answers through slurmdbd. SLURM_CONF stays the first cluster's:
# the second is reached with -M wjr2 (or its own RUNDIR/second/etc/slurm.conf).
# scripts/cluster-down.sh stops it too.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

NAME=wjr2
CPUS2=2
FIRST_JOB_ID=500000
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
FIRST_CONF="$SLURM_CONF_FILE"
TOP="$RUNDIR/second"
CONF2="$TOP/etc/slurm.conf"
TIMEOUT="${WJR_CLUSTER_TIMEOUT:-90}"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "WJR_CLUSTER_TIMEOUT must be a whole number, not '$TIMEOUT'"
START_TIME=$SECONDS

# The second cluster's daemons, by their own pid and log files
# (cluster-lib.sh's helpers read RUN and LOG), for the call given.
# shellcheck disable=SC2034  # LOG is read by cluster-lib.sh
with_second() {
    local saved_run="$RUN" saved_log="$LOG" rc=0
    RUN="$TOP/run"
    LOG="$TOP/log"
    "$@" || rc=$?
    RUN="$saved_run"
    LOG="$saved_log"
    return "$rc"
}

# ---------------------------------------------------------------- probes
# Straight to wjr2's slurmctld, by its own slurm.conf.
ctld2_up() { SLURM_CONF="$CONF2" bounded 10 scontrol ping 2>/dev/null | grep -q 'is UP'; }
node2_state() { SLURM_CONF="$CONF2" bounded 10 sinfo -h -N -n localhost -o '%T' 2>/dev/null | head -n 1; }
# As sbatch -M does: the first cluster's slurm.conf, wjr2 found through slurmdbd.
node2_state_via_dbd() {
    bounded 15 sinfo -M "$NAME" -h -N -n localhost -o '%T' 2>/dev/null | head -n 1
}
usable_state() {
    case "$1" in
        idle | mixed | allocated | completing | idle+* | mixed+* | allocated+*) return 0 ;;
        *) return 1 ;;
    esac
}
# slurmdbd's record of wjr2's controller, "HOST|PORT" ("|" until a slurmctld
# of wjr2 first registered). slurmdbd keeps it after that slurmctld stops.
registration() {
    bounded 15 sacctmgr -n -P show cluster "$NAME" format=controlhost,controlport 2>/dev/null | head -n 1
}
registered_ok() {
    local reg
    reg="$(registration)"
    [[ "${reg%%|*}" != "" && "${reg#*|}" == "$PORT_CTLD2" ]]
}
# When wjr2's slurmd last registered with its slurmctld (seconds since the
# epoch), 0 when it never did.
slurmd2_start() {
    local t
    t="$(SLURM_CONF="$CONF2" bounded 10 scontrol show node localhost 2>/dev/null |
        tr ' ' '\n' | sed -n 's/^SlurmdStartTime=//p' | head -n 1)"
    # ("None" before the first registration; date -d "" would be midnight)
    if [[ "$t" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]] && date -d "$t" +%s 2>/dev/null; then
        return 0
    fi
    echo 0
}
cluster_known() {
    bounded 15 sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx "$NAME"
}

# ---------------------------------------------------------------- down
if [[ "$action" == down ]]; then
    if [[ ! -d "$TOP" ]]; then
        log "no second cluster under $RUNDIR"
        exit 0
    fi
    require_marker
    log "$NAME: stopping its slurmd and slurmctld ($TOP)"
    with_second stop_daemon slurmd
    with_second stop_daemon slurmctld
    log "$NAME is down"
    exit 0
fi

# ---------------------------------------------------------------- status
if [[ "$action" == status ]]; then
    ok=1
    for d in slurmctld slurmd; do
        if pid="$(with_second daemon_pid "$d")"; then
            log "$NAME $d: running (pid $pid, log $TOP/log/$d.log)"
        else
            log "$NAME $d: not running (log $TOP/log/$d.log)"
            ok=0
        fi
    done
    log "$NAME node: '$(node2_state)'; through slurmdbd (sinfo -M $NAME): '$(node2_state_via_dbd)'"
    log "$NAME in slurmdbd (ControlHost|ControlPort): '$(registration)'"
    ((ok)) && usable_state "$(node2_state_via_dbd)"
    exit
fi

# ---------------------------------------------------------------- up
# The first cluster: its folder, munged and slurmdbd must answer.
[[ -r "$FIRST_CONF" ]] || die "no $FIRST_CONF: bring the first cluster up first (scripts/cluster-up.sh)"
require_marker
daemon_alive munged ||
    die "the first cluster's munged does not run (log: $LOG/munged.log): run scripts/cluster-up.sh first"
munge -n -S "$MUNGE_SOCKET" 2>/dev/null | bounded 10 unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1 ||
    die "the first cluster's munged does not answer on $MUNGE_SOCKET (log: $LOG/munged.log)"
daemon_alive slurmdbd ||
    die "the first cluster's slurmdbd does not run (log: $LOG/slurmdbd.log): run scripts/cluster-up.sh first"
bounded 15 sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1 ||
    die "the first cluster's slurmdbd does not answer sacctmgr (log: $LOG/slurmdbd.log)"

port_base="$(sed -n 's/^SlurmctldPort=\([0-9]*\)$/\1/p' "$FIRST_CONF" | head -n 1)"
[[ -n "$port_base" ]] || die "no SlurmctldPort in $FIRST_CONF"
PORT_CTLD2=$((port_base + 4))
PORT_SLURMD2=$((port_base + 5))

mkdir -p "$TOP/etc" "$TOP/run" "$TOP/log" "$TOP/spool/slurmctld" "$TOP/spool/slurmd"
chmod 755 "$TOP" "$TOP/etc" "$TOP/run" "$TOP/log" "$TOP/spool"

# Fails unless FILE holds each "KEY VALUE" of stdin exactly once as KEY=VALUE,
# the node line names CPUS2, and no daemon file of the first cluster is left.
check_conf() {
    local file="$1" key want got
    while read -r key want; do
        got="$(grep "^$key=" "$file" || true)"
        if [[ "$got" != "$key=$want" ]]; then
            log "error: $file: expected the one line '$key=$want', found '${got//$'\n'/ | }'"
            return 1
        fi
    done
    grep -q "^NodeName=localhost .*CPUs=$CPUS2 " "$file" || {
        log "error: $file: the node line does not declare CPUs=$CPUS2"
        return 1
    }
    if grep -nF -e "=$RUNDIR/spool/" -e "=$RUNDIR/log/" -e "=$RUNDIR/run/slurm" "$file" >&2; then
        log "error: $file: the lines above would share the first cluster's files"
        return 1
    fi
}

# The first cluster's configuration (cluster-up.sh rendered it from
# slurm/slurm.conf.in), another cluster: its name, ports, job ids and daemon
# files. Accounting, munge, plugstack, partitions and timeouts stay the same.
# gres.conf sits beside slurm.conf, where slurmd reads it.
render_conf() {
    local tmp="$CONF2.tmp.$$"
    sed -e "s|^ClusterName=.*|ClusterName=$NAME|" \
        -e "s|^SlurmctldPort=.*|SlurmctldPort=$PORT_CTLD2|" \
        -e "s|^SlurmdPort=.*|SlurmdPort=$PORT_SLURMD2|" \
        -e "s|^StateSaveLocation=.*|StateSaveLocation=$TOP/spool/slurmctld|" \
        -e "s|^SlurmdSpoolDir=.*|SlurmdSpoolDir=$TOP/spool/slurmd|" \
        -e "s|^SlurmctldPidFile=.*|SlurmctldPidFile=$TOP/run/slurmctld.pid|" \
        -e "s|^SlurmdPidFile=.*|SlurmdPidFile=$TOP/run/slurmd.pid|" \
        -e "s|^SlurmctldLogFile=.*|SlurmctldLogFile=$TOP/log/slurmctld.log|" \
        -e "s|^SlurmdLogFile=.*|SlurmdLogFile=$TOP/log/slurmd.log|" \
        -e "s|^\(NodeName=localhost .*\)CPUs=[0-9]*|\1CPUs=$CPUS2|" \
        -e '/^FirstJobId=/d' \
        "$FIRST_CONF" >"$tmp"
    printf '# %s: job ids far above the first cluster'\''s\nFirstJobId=%s\n' \
        "scripts/cluster-second.sh" "$FIRST_JOB_ID" >>"$tmp"
    check_conf "$tmp" <<EOF || { rm -f "$tmp"; die "cannot derive $NAME's slurm.conf from $FIRST_CONF"; }
ClusterName $NAME
SlurmctldPort $PORT_CTLD2
SlurmdPort $PORT_SLURMD2
StateSaveLocation $TOP/spool/slurmctld
SlurmdSpoolDir $TOP/spool/slurmd
SlurmctldPidFile $TOP/run/slurmctld.pid
SlurmdPidFile $TOP/run/slurmd.pid
SlurmctldLogFile $TOP/log/slurmctld.log
SlurmdLogFile $TOP/log/slurmd.log
FirstJobId $FIRST_JOB_ID
EOF
    chmod 644 "$tmp"
    if [[ -e "$CONF2" ]] && cmp -s "$tmp" "$CONF2"; then
        rm -f "$tmp"
    else
        [[ -e "$CONF2" ]] && log "updated $CONF2 (daemons already running keep the old one until down and up)"
        mv -f "$tmp" "$CONF2"
    fi
    if [[ -e "$ETC/gres.conf" ]]; then
        cp -f "$ETC/gres.conf" "$TOP/etc/gres.conf"
    fi
}
render_conf

# slurmdbd: the cluster, and root's association on it. `sacctmgr add cluster`
# creates account root with user root there, which is all cluster-up.sh
# gives root on wjr; the association is added back only if someone removed it.
if ! cluster_known; then
    log "sacctmgr: registering cluster $NAME"
    bounded 30 sacctmgr -i add cluster "$NAME" >&2 ||
        die "sacctmgr add cluster $NAME failed (slurmdbd log: $LOG/slurmdbd.log)"
fi
if ! bounded 15 sacctmgr -n -P show assoc cluster="$NAME" user=root format=account 2>/dev/null | grep -q .; then
    log "sacctmgr: adding user root to account root on $NAME"
    bounded 30 sacctmgr -i add user root account=root cluster="$NAME" >&2 ||
        die "sacctmgr add user root cluster=$NAME failed (slurmdbd log: $LOG/slurmdbd.log)"
fi

# Fails with the daemon's name, its log and the log's last lines.
fail2() {
    local name="$1"
    shift
    with_second show_log_tail "$name" 15
    if [[ -s "$TOP/log/$name.out" ]]; then
        log "last lines of $TOP/log/$name.out:"
        tail -n 10 "$TOP/log/$name.out" | sed 's/^/    /' >&2
    fi
    die "$NAME $name: $* (log: $TOP/log/$name.log)"
}

# Starts daemon NAME of wjr2 (self-daemonizing, stdio to its .out file) unless
# it runs, refusing a TCP port taken by another program, and waits (bounded)
# until its pid file names a live process. Succeeds only when it started it.
start2() {
    local name="$1" port="$2" i
    shift 2
    with_second daemon_alive "$name" && return 1
    if port_in_use "$port"; then
        die "$NAME $name: TCP port $port is already in use by another program (another cluster? WJR_CLUSTER_PORT_BASE of cluster-up.sh moves both)"
    fi
    log "$NAME $name: starting"
    rm -f "$TOP/run/$name.pid"
    SLURM_CONF="$CONF2" setsid "$@" </dev/null >>"$TOP/log/$name.out" 2>&1 ||
        fail2 "$name" "failed to start"
    for ((i = 0; i < 150; i++)); do
        with_second daemon_alive "$name" && break
        sleep 0.1
    done
    with_second daemon_alive "$name" || fail2 "$name" "did not stay up"
    log "$NAME $name: running (pid $(with_second daemon_pid "$name"))"
}

# ---------------------------------------------------------------- slurmctld
start2 slurmctld "$PORT_CTLD2" slurmctld || true
end=$((SECONDS + 30))
until ctld2_up; do
    with_second daemon_alive slurmctld || fail2 slurmctld "died"
    ((SECONDS < end)) || fail2 slurmctld "does not answer on port $PORT_CTLD2 after 30s"
    sleep 0.5
done

# ---------------------------------------------------------------- slurmd
# A slurmd started here counts once it registered (its SlurmdStartTime);
# slurmctld shows the node idle from its saved state before that.
slurmd_since=0
if start2 slurmd "$PORT_SLURMD2" slurmd -N localhost; then
    slurmd_since=$(($(date +%s) - 1))
fi

# ---------------------------------------------------------------- ready
end=$((START_TIME + TIMEOUT))
next_resume=0
stuck_since=0
slurmd_restarted=0
while :; do
    st="$(node2_state)"
    reg_ok=0
    registered_ok && reg_ok=1
    slurmd_ok=0
    (($(slurmd2_start) >= slurmd_since)) && slurmd_ok=1
    dbd_st=""
    ((reg_ok && slurmd_ok)) && usable_state "$st" && dbd_st="$(node2_state_via_dbd)"
    usable_state "$dbd_st" && break
    if ((SECONDS >= end)); then
        log "$NAME node: '$st'; through slurmdbd: '$dbd_st'; ControlHost|ControlPort in slurmdbd: '$(registration)'"
        if ((!reg_ok)); then
            with_second show_log_tail slurmctld 10
            die "slurmdbd does not list $NAME's controller at port $PORT_CTLD2 after ${TIMEOUT}s (logs: $TOP/log/slurmctld.log, $LOG/slurmdbd.log)"
        elif ((!slurmd_ok)) || ! usable_state "$st"; then
            with_second show_log_tail slurmctld 10
            fail2 slurmd "the node did not register as usable after ${TIMEOUT}s"
        fi
        die "sinfo -M $NAME does not reach $NAME's slurmctld through slurmdbd after ${TIMEOUT}s (logs: $TOP/log/slurmctld.log, $LOG/slurmdbd.log)"
    fi
    with_second daemon_alive slurmctld || fail2 slurmctld "died"
    with_second daemon_alive slurmd || fail2 slurmd "died"
    # A node left DOWN or DRAINED (by a test, or while slurmd was away):
    # slurmctld keeps it so until told. (INVAL, after a bad registration,
    # cannot be resumed: a slurmd restart below registers it anew.)
    if ((SECONDS >= next_resume)) && [[ "$st" == down* || "$st" == drain* ]]; then
        log "$NAME node is '$st': resuming it"
        SLURM_CONF="$CONF2" bounded 10 scontrol update nodename=localhost state=resume >&2 || true
        next_resume=$((SECONDS + 15))
    fi
    # Not usable for 20s although slurmd runs (not responding, or a slurmd
    # that does not register): restart slurmd once, which registers at once.
    if usable_state "$st" && ((slurmd_ok)); then
        stuck_since=0
    else
        ((stuck_since)) || stuck_since=$SECONDS
        if ((SECONDS - stuck_since >= 20 && !slurmd_restarted)); then
            log "$NAME node is '$st' for 20s: restarting slurmd"
            with_second stop_daemon slurmd
            start2 slurmd "$PORT_SLURMD2" slurmd -N localhost || true
            slurmd_since=$(($(date +%s) - 1))
            slurmd_restarted=1
        fi
    fi
    sleep 0.5
done
log "$NAME up after $((SECONDS - START_TIME))s (ports $PORT_CTLD2-$PORT_SLURMD2, node $dbd_st, controller $(registration) in slurmdbd): sbatch -M $NAME reaches it"
