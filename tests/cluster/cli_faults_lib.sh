# shellcheck shell=bash
# Shared by the fault-injection tests (cli_ctld_outage.sh, cli_dbd_down.sh,
# cli_enospc.sh), sourced after cli_lib.sh. They stop daemons, so they act
# only on a cluster that the project's scripts started: SLURM_CONF must be
# <RUNDIR>/etc/slurm.conf with RUNDIR = $WJR_CLUSTER_DIR (else
# /tmp/wjr-cluster, as scripts/cluster-up.sh uses), and that RUNDIR must
# hold the daemons' pid files. Anything else fails the test untouched.

RUNDIR="${WJR_CLUSTER_DIR:-/tmp/wjr-cluster}"
[[ "$(readlink -f "$SLURM_CONF")" == "$(readlink -f "$RUNDIR/etc/slurm.conf")" ]] ||
    fail "SLURM_CONF=$SLURM_CONF is not $RUNDIR/etc/slurm.conf: this test stops daemons and acts only on a cluster of scripts/cluster-up.sh (set WJR_CLUSTER_DIR)"
[[ -f "$RUNDIR/run/slurmctld.pid" ]] || fail "$RUNDIR/run/slurmctld.pid is missing: not a cluster of scripts/cluster-up.sh"

# pid of a daemon of this cluster, from its pid file; empty when not running.
daemon_pid_of() {
    local pid
    pid="$(cat "$RUNDIR/run/$1.pid" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1" ]] &&
        echo "$pid"
    return 0
}

ctld_stop() { "$ROOT/scripts/cluster-ctld.sh" stop "$RUNDIR" >/dev/null 2>&1 || fail "cannot stop slurmctld"; }
ctld_start() { "$ROOT/scripts/cluster-ctld.sh" start "$RUNDIR" >/dev/null 2>&1 || fail "cannot start slurmctld"; }

# slurmdbd: stopped with SIGTERM, started again as scripts/cluster-up.sh
# starts it (it reads slurmdbd.conf beside SLURM_CONF).
dbd_stop() {
    local pid i
    pid="$(daemon_pid_of slurmdbd)"
    [[ -n "$pid" ]] || fail "slurmdbd is not running"
    kill -TERM "$pid"
    for i in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    fail "slurmdbd did not stop"
}
dbd_start() {
    local i
    [[ -n "$(daemon_pid_of slurmdbd)" ]] && return 0
    rm -f "$RUNDIR/run/slurmdbd.pid"
    setsid slurmdbd </dev/null >>"$RUNDIR/log/slurmdbd.out" 2>&1 || fail "slurmdbd did not start"
    for i in $(seq 1 600); do
        timeout 10 sacctmgr -n -P show cluster format=cluster >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    fail "slurmdbd does not answer after a restart"
}
