#!/usr/bin/env bash
# Reports the health of each part of wjr's local Slurm cluster: daemons alive
# (by pid file), munge round trip, MariaDB ping, slurmdbd (sacctmgr),
# slurmctld (scontrol ping, sdiag) and the node (sinfo).
# Exits 0 only when all are healthy.
#
#   usage: scripts/cluster-status.sh [RUNDIR]      (as root, to read pid files)
#   RUNDIR: argument, else $WJR_CLUSTER_DIR, else /tmp/wjr-cluster
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=cluster-lib.sh source-path=SCRIPTDIR
. "$SCRIPT_DIR/cluster-lib.sh"

cluster_paths "$(cluster_resolve_dir "${1:-}")"

bad=0
report() { # report NAME OK|FAIL DETAIL
    printf '%-10s %-4s %s\n' "$1" "$2" "$3"
    [[ "$2" == ok ]] || bad=1
}

if [[ ! -r "$SLURM_CONF_FILE" ]]; then
    report config FAIL "no $SLURM_CONF_FILE"
    exit 1
fi
report config ok "$SLURM_CONF_FILE"

for d in munged mariadbd slurmdbd slurmctld slurmd; do
    if pid="$(daemon_pid "$d")"; then
        report "$d" ok "pid $pid"
    elif [[ -e "$(daemon_pidfile "$d")" && ! -r "$(daemon_pidfile "$d")" ]]; then
        report "$d" FAIL "cannot read $(daemon_pidfile "$d") (run as root)"
    else
        report "$d" FAIL "not running (log: $(daemon_logfile "$d"))"
    fi
done

if munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1; then
    report munge ok "credential round trip on $MUNGE_SOCKET"
else
    report munge FAIL "no credential round trip on $MUNGE_SOCKET"
fi

if bounded 10 mariadb-admin --defaults-file="$MY_CNF" -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
    report mariadb ok "answers on $RUN/mysqld.sock"
else
    report mariadb FAIL "no answer on $RUN/mysqld.sock"
fi

if dbd_up; then
    report sacctmgr ok "slurmdbd answers, cluster wjr registered"
else
    report sacctmgr FAIL "slurmdbd does not answer or cluster wjr not registered"
fi

if ping_out="$(bounded 10 scontrol ping 2>&1)" && grep -q 'is UP' <<<"$ping_out"; then
    report scontrol ok "$ping_out"
else
    report scontrol FAIL "$(grep -m1 -e 'Slurmctld' -e 'error' <<<"${ping_out:-no answer}" || echo "${ping_out:-no answer}" | head -n 1)"
fi

if sdiag_out="$(bounded 10 sdiag 2>&1)"; then
    report sdiag ok "$(grep -m1 'Jobs submitted' <<<"$sdiag_out" | tr -s ' ')"
else
    report sdiag FAIL "$(tail -n 1 <<<"$sdiag_out")"
fi

if node_usable; then
    report sinfo ok "node localhost $(node_state)"
else
    report sinfo FAIL "node localhost '$(node_state)'"
fi

exit "$bad"
