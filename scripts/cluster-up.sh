#!/usr/bin/env bash
# Brings up wjr's local single-node Slurm cluster (munged, MariaDB, slurmdbd,
# slurmctld, slurmd) with all state, logs, sockets and configs under one
# runtime folder, and prints the line to eval: export SLURM_CONF=RUNDIR/etc/slurm.conf
#
#   usage: scripts/cluster-up.sh [RUNDIR]      (as root)
#   RUNDIR: argument, else $WJR_CLUSTER_DIR, else /tmp/wjr-cluster
#
# Idempotent: starts only what is not running; when all is healthy it just
# prints the export line. Installs missing Debian packages with apt-get.
# Progress goes to stderr, only the export line to stdout.
# Optional environment:
#   WJR_CLUSTER_PORT_BASE  first of 4 TCP ports (default 16817): slurmctld,
#                          slurmd, slurmdbd, MariaDB (the Slurm daemons listen
#                          on all addresses, MariaDB on 127.0.0.1 only)
#   WJR_CLUSTER_CPUS       CPUs to declare for the node (default: slurmd -C)
#   WJR_CLUSTER_MEMORY     RealMemory in MB to declare (default: slurmd -C)
#   WJR_CLUSTER_MIN_JOB_AGE  MinJobAge in seconds (default 30); slurmctld
#                          forgets a finished job MinJobAge..2*MinJobAge s
#                          after its end (purge runs every max(10, MinJobAge) s
#                          when MinJobAge < 60)
#   WJR_CLUSTER_CRED_EXPIRE  job credential lifetime, also the wait before a
#                          requeued job may start again (default 30)
#   WJR_CLUSTER_MSG_TIMEOUT  MessageTimeout (default 10), about how long
#                          clients retry a slurmctld that is down
#   WJR_CLUSTER_TIMEOUT    seconds to wait for the cluster to be healthy (default 90)
#   WJR_CLUSTER_PACKAGES   Debian packages to make sure of
# The settings are saved in RUNDIR/etc/cluster.env and reused by later runs.
# They apply when the daemons start: to change those of a running cluster,
# run cluster-down.sh, then cluster-up.sh with the new values.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEMPLATE_DIR="$(cd "$SCRIPT_DIR/../slurm" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

case "${1:-}" in
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
esac

require_root
cluster_paths "$(cluster_resolve_dir "${1:-}")"

# Settings: the environment wins, else what this RUNDIR was made with
# (etc/cluster.env), else the defaults. Saved again below, so a later
# cluster-up.sh without the environment brings up the same cluster.
SETTINGS_FILE="$ETC/cluster.env"
setting() { # setting NAME DEFAULT: prints the value of WJR_CLUSTER_NAME
    local env_name="WJR_CLUSTER_$1" value=""
    if [[ -n "${!env_name:-}" ]]; then
        value="${!env_name}"
    elif [[ -r "$SETTINGS_FILE" ]]; then
        value="$(sed -n "s/^$env_name=//p" "$SETTINGS_FILE" | tail -n 1)"
    fi
    [[ -n "$value" ]] || value="$2"
    [[ "$value" =~ ^[0-9]+$ ]] || die "$env_name must be a whole number, not '$value'"
    printf '%s\n' "$value"
}
PORT_BASE="$(setting PORT_BASE 16817)"
PORT_CTLD=$((PORT_BASE))
PORT_SLURMD=$((PORT_BASE + 1))
PORT_DBD=$((PORT_BASE + 2))
PORT_MYSQL=$((PORT_BASE + 3))
MIN_JOB_AGE="$(setting MIN_JOB_AGE 30)"
CRED_EXPIRE="$(setting CRED_EXPIRE 30)"
MSG_TIMEOUT="$(setting MSG_TIMEOUT 10)"
TIMEOUT="${WJR_CLUSTER_TIMEOUT:-90}"
PACKAGES="${WJR_CLUSTER_PACKAGES:-munge mariadb-server mariadb-client slurmdbd slurmctld slurmd slurm-client libslurm-dev}"
DB_USER=slurm
START_TIME=$SECONDS

# Paths go into slurm.conf unquoted and into unix sockets (108 bytes at most).
if [[ ! "$RUNDIR" =~ ^/[A-Za-z0-9._/+-]+$ ]]; then
    die "runtime folder '$RUNDIR': use only letters, digits and . _ / + -"
fi
if ((${#RUNDIR} > 64)); then
    die "runtime folder '$RUNDIR' is too long (unix socket paths): 64 characters at most"
fi

# A folder that holds another cluster's slurm.conf is not ours to take.
if [[ -e "$SLURM_CONF_FILE" && ! -e "$(cluster_marker)" ]]; then
    die "$SLURM_CONF_FILE exists but was not made by this script (no $(cluster_marker)): choose another runtime folder"
fi

# Already running and healthy: nothing to do.
all_alive() {
    local d
    for d in munged mariadbd slurmdbd slurmctld slurmd; do
        daemon_alive "$d" || return 1
    done
}
if [[ -r "$SLURM_CONF_FILE" ]] && all_alive && ctld_up && node_usable && dbd_up; then
    log "already running and healthy in $RUNDIR"
    print_export
    exit 0
fi

fail() {
    local name="$1"
    shift
    log "error: $*"
    if [[ -n "$name" ]]; then
        show_log_tail "$name"
        if [[ -s "$LOG/$name.out" ]]; then
            log "last lines of $LOG/$name.out:"
            tail -n 10 "$LOG/$name.out" | sed 's/^/    /' >&2
        fi
    fi
    exit 1
}

# ---------------------------------------------------------------- packages
install_packages() {
    local missing=() p
    for p in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
            missing+=("$p")
        fi
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing missing packages: ${missing[*]}"
    # Keep the packages' maintainer scripts from starting the system-wide
    # daemons (/etc/init.d): this cluster runs its own.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    } >&2 || rc=$?
    ((made_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
}
install_packages

# ---------------------------------------------------------------- configs
mkdir -p "$ETC" "$RUN" "$LOG" "$SPOOL/slurmctld" "$SPOOL/slurmd" "$SPOOL/munge" "$RUNDIR/tmp" \
    "$RUNDIR/dev"
# The node's GPUs (gres.conf.in): character devices that are /dev/null (1:3),
# as slurmd wants a device file for each GPU.
for gpu in "$RUNDIR/dev/wjrgpu0" "$RUNDIR/dev/wjrgpu1"; do
    [[ -c "$gpu" ]] || { rm -f "$gpu" && mknod -m 666 "$gpu" c 1 3; } ||
        die "mknod $gpu failed: the node's GPUs need a device file"
done
chmod 755 "$RUNDIR" "$ETC" "$RUN" "$LOG" "$SPOOL"
chmod 700 "$SPOOL/munge"

node_fact() { # slurmd -C prints e.g. "NodeName=vm CPUs=2 ... RealMemory=24105"
    slurmd -C 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}
fact_cpus="$(node_fact CPUs)"
[[ -n "$fact_cpus" ]] || fact_cpus="$(nproc)"
fact_memory="$(node_fact RealMemory)"
[[ -n "$fact_memory" ]] || fact_memory=$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))
CPUS="$(setting CPUS "$fact_cpus")"
REAL_MEMORY="$(setting MEMORY "$fact_memory")"
CTLD_HOST="$(hostname -s)"
cat >"$SETTINGS_FILE.tmp" <<EOF
# Settings this cluster was made with (cluster-up.sh reads them back;
# WJR_CLUSTER_* in the environment override them).
WJR_CLUSTER_PORT_BASE=$PORT_BASE
WJR_CLUSTER_MIN_JOB_AGE=$MIN_JOB_AGE
WJR_CLUSTER_CRED_EXPIRE=$CRED_EXPIRE
WJR_CLUSTER_MSG_TIMEOUT=$MSG_TIMEOUT
WJR_CLUSTER_CPUS=$CPUS
WJR_CLUSTER_MEMORY=$REAL_MEMORY
EOF
mv -f "$SETTINGS_FILE.tmp" "$SETTINGS_FILE"

write_marker

DB_PASS_FILE="$ETC/db.pass"
if [[ ! -s "$DB_PASS_FILE" ]]; then
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$DB_PASS_FILE")
fi
DB_PASS="$(cat "$DB_PASS_FILE")"

# Writes TEMPLATE with the placeholders filled in to DEST (only when changed).
render() {
    local template="$1" dest="$2" mode="$3" tmp
    tmp="$(mktemp "$dest.XXXXXX")"
    sed -e "s|@RUNDIR@|$RUNDIR|g" \
        -e "s|@CTLD_HOST@|$CTLD_HOST|g" \
        -e "s|@PORT_CTLD@|$PORT_CTLD|g" \
        -e "s|@PORT_SLURMD@|$PORT_SLURMD|g" \
        -e "s|@PORT_DBD@|$PORT_DBD|g" \
        -e "s|@PORT_MYSQL@|$PORT_MYSQL|g" \
        -e "s|@CPUS@|$CPUS|g" \
        -e "s|@REAL_MEMORY@|$REAL_MEMORY|g" \
        -e "s|@MIN_JOB_AGE@|$MIN_JOB_AGE|g" \
        -e "s|@CRED_EXPIRE@|$CRED_EXPIRE|g" \
        -e "s|@MSG_TIMEOUT@|$MSG_TIMEOUT|g" \
        -e "s|@DB_USER@|$DB_USER|g" \
        -e "s|@DB_PASS@|$DB_PASS|g" \
        "$TEMPLATE_DIR/$template" >"$tmp"
    if grep -q '@[A-Z_]*@' "$tmp"; then
        rm -f "$tmp"
        die "unfilled placeholder in $TEMPLATE_DIR/$template"
    fi
    chmod "$mode" "$tmp"
    if [[ -e "$dest" ]] && cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
    else
        if [[ -e "$dest" ]]; then
            log "updated $dest (daemons already running keep the old one until restarted)"
        fi
        mv -f "$tmp" "$dest"
    fi
}
render slurm.conf.in "$SLURM_CONF_FILE" 644
render slurmdbd.conf.in "$ETC/slurmdbd.conf" 600
render plugstack.conf.in "$ETC/plugstack.conf" 644
render gres.conf.in "$ETC/gres.conf" 644
render my.cnf.in "$MY_CNF" 644

if [[ ! -s "$ETC/munge.key" ]]; then
    (umask 077 && dd if=/dev/urandom of="$ETC/munge.key" bs=1024 count=1 status=none)
    chmod 400 "$ETC/munge.key"
fi

# Waits up to $1 seconds for the command to succeed.
wait_for() {
    local secs="$1" end
    shift
    end=$((SECONDS + secs))
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.5
    done
}

# Fails when PORT, which daemon NAME is about to listen on, is taken already.
check_port() {
    if port_in_use "$2"; then
        fail "" "$1: TCP port $2 is already in use by another program (another cluster? set WJR_CLUSTER_PORT_BASE)"
    fi
}

# Starts a self-daemonizing program (detached, stdio to LOG/NAME.out) and waits
# until its pid file names a live process.
start_daemon() {
    local name="$1"
    shift
    log "$name: starting"
    rm -f "$(daemon_pidfile "$name")"
    setsid "$@" </dev/null >>"$LOG/$name.out" 2>&1 || fail "$name" "$name failed to start"
    wait_for 15 daemon_alive "$name" || fail "$name" "$name did not stay up"
    log "$name: running (pid $(daemon_pid "$name"))"
}

# ---------------------------------------------------------------- munged
munge_works() {
    munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1
}
if ! daemon_alive munged; then
    start_daemon munged munged --force --num-threads=10 \
        --socket="$MUNGE_SOCKET" --key-file="$ETC/munge.key" \
        --pid-file="$RUN/munged.pid" --log-file="$LOG/munged.log" \
        --seed-file="$SPOOL/munge/munged.seed"
fi
wait_for 10 munge_works || fail munged "munged does not answer on $MUNGE_SOCKET"

# ---------------------------------------------------------------- MariaDB
mysql_root() { mariadb --defaults-file="$MY_CNF" -uroot; }
mysql_up() { mariadb-admin --defaults-file="$MY_CNF" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }
if ! daemon_alive mariadbd; then
    if [[ ! -d "$RUNDIR/mysql/mysql" ]]; then
        log "mariadb: initializing $RUNDIR/mysql"
        rm -rf "$RUNDIR/mysql"
        mariadb-install-db --defaults-file="$MY_CNF" --skip-test-db \
            --auth-root-authentication-method=socket >>"$LOG/mariadbd.out" 2>&1 ||
            fail mariadbd "mariadb-install-db failed"
    fi
    check_port mariadbd "$PORT_MYSQL"
    log "mariadbd: starting"
    rm -f "$RUN/mysqld.pid"
    setsid mariadbd --defaults-file="$MY_CNF" </dev/null >>"$LOG/mariadbd.out" 2>&1 &
    mariadbd_launched=$!
    disown
fi
mysql_up_or_dead() {
    mysql_up && return 0
    if [[ -n "${mariadbd_launched:-}" ]] && ! pid_running "$mariadbd_launched"; then
        fail mariadbd "mariadbd exited"
    fi
    return 1
}
wait_for 60 mysql_up_or_dead || fail mariadbd "MariaDB does not answer on $RUN/mysqld.sock"
wait_for 10 daemon_alive mariadbd || fail mariadbd "no MariaDB pid file"
mysql_root <<SQL || fail mariadbd "cannot create the slurm_acct_db database and user"
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO '$DB_USER'@'localhost';
GRANT ALL ON slurm_acct_db.* TO '$DB_USER'@'127.0.0.1';
SQL

# ---------------------------------------------------------------- slurmdbd
dbd_answers() { bounded 15 sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1; }
if ! daemon_alive slurmdbd; then
    check_port slurmdbd "$PORT_DBD"
    start_daemon slurmdbd slurmdbd
fi
wait_for 60 dbd_answers || fail slurmdbd "slurmdbd does not answer on port $PORT_DBD"
if ! dbd_up; then
    log "sacctmgr: registering cluster wjr"
    bounded 30 sacctmgr -i add cluster wjr >&2 || fail slurmdbd "sacctmgr add cluster wjr failed"
fi

# ---------------------------------------------------------------- slurmctld
if ! daemon_alive slurmctld; then
    check_port slurmctld "$PORT_CTLD"
    start_daemon slurmctld slurmctld
fi
wait_for 30 ctld_up || fail slurmctld "slurmctld does not answer on port $PORT_CTLD"

# ---------------------------------------------------------------- slurmd
if ! daemon_alive slurmd; then
    check_port slurmd "$PORT_SLURMD"
    start_daemon slurmd slurmd -N localhost
fi

# ---------------------------------------------------------------- health
end=$((START_TIME + TIMEOUT))
next_resume=0
no_respond_since=0
slurmd_restarted=0
until node_usable && dbd_up; do
    if ((SECONDS >= end)); then
        log "node state: '$(node_state)'"
        for d in slurmd slurmctld slurmdbd; do show_log_tail "$d" 10; done
        die "cluster not healthy after ${TIMEOUT}s"
    fi
    for d in munged mariadbd slurmdbd slurmctld slurmd; do
        daemon_alive "$d" || fail "$d" "$d died"
    done
    # A node left DOWN or DRAINED by an earlier test, or set DOWN (not
    # responding) while munged or slurmd was away: slurmctld does not bring a
    # DOWN node back by itself until slurmd registers again, so resume it.
    st="$(node_state)"
    if ((SECONDS >= next_resume)) && [[ "$st" == down* || "$st" == drain* ]]; then
        log "node is '$st': resuming it"
        bounded 10 scontrol update nodename=localhost state=resume >&2 || true
        next_resume=$((SECONDS + 15))
    fi
    # Not responding (state ends in *) for a while although slurmd runs:
    # restart slurmd, which registers with slurmctld at once.
    if [[ "$st" == *'*' ]]; then
        ((no_respond_since)) || no_respond_since=$SECONDS
        if ((SECONDS - no_respond_since >= 15 && !slurmd_restarted)); then
            log "node is '$st' for 15s: restarting slurmd"
            stop_daemon slurmd
            start_daemon slurmd slurmd -N localhost
            slurmd_restarted=1
        fi
    else
        no_respond_since=0
    fi
    sleep 0.5
done

log "cluster up in $RUNDIR after $((SECONDS - START_TIME))s (node $(node_state), ports $PORT_CTLD-$PORT_MYSQL)"
print_export
