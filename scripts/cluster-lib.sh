# shellcheck shell=bash
# Shared helpers for the scripts/cluster-*.sh scripts that run wjr's local
# single-node Slurm cluster (munged, MariaDB, slurmdbd, slurmctld, slurmd).
# Sourced, never run. Everything of one cluster lives under one runtime folder.

# Where the cluster lives: first argument, else $WJR_CLUSTER_DIR, else default.
cluster_resolve_dir() {
    local dir="${1:-${WJR_CLUSTER_DIR:-/tmp/wjr-cluster}}"
    case "$dir" in
        /*) ;;
        *) dir="$PWD/$dir" ;;
    esac
    # Drop a trailing slash so that paths in the configs stay tidy.
    while [[ "$dir" == */ && "$dir" != / ]]; do dir="${dir%/}"; done
    printf '%s\n' "$dir"
}

# Sets the paths of one cluster from its runtime folder (used by the scripts
# that source this file).
# shellcheck disable=SC2034
cluster_paths() {
    RUNDIR="$1"
    ETC="$RUNDIR/etc"
    RUN="$RUNDIR/run"
    LOG="$RUNDIR/log"
    SPOOL="$RUNDIR/spool"
    SLURM_CONF_FILE="$ETC/slurm.conf"
    MY_CNF="$ETC/my.cnf"
    MUNGE_SOCKET="$RUN/munge.socket"
    export SLURM_CONF="$SLURM_CONF_FILE"
    # A job's environment or an enclosing allocation must not steer the
    # clients used by these scripts.
    unset SLURM_JOB_ID SLURM_JOBID SLURM_CLUSTERS SLURM_TIME_FORMAT
}

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() {
    if [[ "$(id -u)" -ne 0 ]]; then
        die "must run as root (the daemons and jobs run as root): try 'sudo $0'"
    fi
}

# The process name each daemon shows in /proc/PID/comm, and its pid file.
daemon_comm() {
    case "$1" in
        munged) echo munged ;;
        mariadbd) echo mariadbd ;;
        slurmdbd) echo slurmdbd ;;
        slurmctld) echo slurmctld ;;
        slurmd) echo slurmd ;;
        *) return 1 ;;
    esac
}
daemon_pidfile() {
    case "$1" in
        munged) echo "$RUN/munged.pid" ;;
        mariadbd) echo "$RUN/mysqld.pid" ;;
        slurmdbd) echo "$RUN/slurmdbd.pid" ;;
        slurmctld) echo "$RUN/slurmctld.pid" ;;
        slurmd) echo "$RUN/slurmd.pid" ;;
        *) return 1 ;;
    esac
}
daemon_logfile() {
    case "$1" in
        munged) echo "$LOG/munged.log" ;;
        mariadbd) echo "$LOG/mysqld.log" ;;
        slurmdbd) echo "$LOG/slurmdbd.log" ;;
        slurmctld) echo "$LOG/slurmctld.log" ;;
        slurmd) echo "$LOG/slurmd.log" ;;
        *) return 1 ;;
    esac
}

# True when process PID exists and is not a zombie (an exited daemon stays a
# zombie until init reaps it, which can take seconds in a container).
pid_running() {
    local state
    state="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Prints the pid of a daemon of this cluster when it is alive, else fails.
# A pid file whose process is gone, or now belongs to another program, counts
# as not running.
daemon_pid() {
    local name="$1" pidfile pid comm
    pidfile="$(daemon_pidfile "$name")"
    [[ -r "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' <"$pidfile")"
    [[ -n "$pid" ]] || return 1
    pid_running "$pid" || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
    # comm is cut to 15 characters; slurmctld-wlm and slurmd-wlm show as such.
    case "$comm" in
        "$(daemon_comm "$name")"*) ;;
        *) return 1 ;;
    esac
    printf '%s\n' "$pid"
}

daemon_alive() { daemon_pid "$1" >/dev/null; }

# Prints the last lines of a daemon's log to stderr.
show_log_tail() {
    local name="$1" file
    file="$(daemon_logfile "$name")"
    if [[ -s "$file" ]]; then
        log "last lines of $file:"
        tail -n "${2:-25}" "$file" | sed 's/^/    /' >&2
    else
        log "no log at $file"
    fi
}

# Sends SIGTERM to a daemon and waits (bounded) for it to exit, then SIGKILL.
stop_daemon() {
    local name="$1" wait_s="${2:-30}" pid i
    if ! pid="$(daemon_pid "$name")"; then
        log "$name: not running"
        rm -f "$(daemon_pidfile "$name")"
        return 0
    fi
    log "$name: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true # in case it was stopped (SIGSTOP)
    for ((i = 0; i < wait_s * 10; i++)); do
        pid_running "$pid" || break
        sleep 0.1
    done
    if pid_running "$pid"; then
        log "$name: still alive after ${wait_s}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            pid_running "$pid" || break
            sleep 0.1
        done
    fi
    rm -f "$(daemon_pidfile "$name")"
}

# True when some program listens on TCP port PORT (IPv4 or IPv6).
port_in_use() {
    local hex
    hex="$(printf '%04X' "$1")"
    awk -v hex="$hex" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == hex) found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Runs a client command with a time bound; its output is kept.
bounded() {
    local secs="$1"
    shift
    timeout --kill-after=5 "$secs" "$@"
}

# True when slurmctld answers.
ctld_up() {
    bounded 10 scontrol ping 2>/dev/null | grep -q 'is UP'
}

# The node's state as sinfo reports it (e.g. idle, mixed, down*), or nothing.
node_state() {
    bounded 10 sinfo -h -N -n localhost -o '%T' 2>/dev/null | head -n 1
}

# True when the node can run jobs: responding and not down or drained.
node_usable() {
    local st
    st="$(node_state)"
    case "$st" in
        idle | mixed | allocated | completing | idle+* | mixed+* | allocated+*) return 0 ;;
        *) return 1 ;;
    esac
}

# True when slurmdbd answers and knows the cluster.
dbd_up() {
    bounded 15 sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx wjr
}

# The marker that says this runtime folder's cluster was made by cluster-up.sh.
# Scripts and tests that stop daemons, down nodes or run jobs check it, so
# that they never act on a cluster they did not start (a site's SLURM_CONF).
cluster_marker() { printf '%s\n' "$ETC/wjr-cluster"; }
write_marker() {
    printf 'made_by=scripts/cluster-up.sh\nrundir=%s\n' "$RUNDIR" >"$(cluster_marker)"
}
require_marker() {
    if ! grep -qxF "rundir=$RUNDIR" "$(cluster_marker)" 2>/dev/null; then
        die "$RUNDIR holds no cluster made by scripts/cluster-up.sh (no $(cluster_marker)): refusing to touch it"
    fi
}

print_export() {
    printf 'export SLURM_CONF=%q\n' "$SLURM_CONF_FILE"
}
