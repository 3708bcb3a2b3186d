#!/usr/bin/env bash
# Test roots for the Slurm majors this machine's Debian does not ship: a
# minbase debootstrap root per major, with that major's libslurm, daemons,
# munge, MariaDB and wjr's build and test packages installed, and the means
# to run the project's test script inside it (chroot, with /proc, /sys and
# /dev mounted in a private mount namespace, so nothing leaks to the host).
#
#   usage: scripts/slurm-root.sh build MAJOR     make the root (or reuse it)
#          scripts/slurm-root.sh test MAJOR [ARGS...]
#                                                 copy this tree into the root
#                                                 and run scripts/test.sh
#                                                 --slurm host ARGS there
#          scripts/slurm-root.sh run MAJOR CMD...
#                                                 copy this tree into the root
#                                                 and run CMD in it (from /wjr)
#          scripts/slurm-root.sh shell MAJOR     an interactive shell inside
#          scripts/slurm-root.sh path MAJOR      print the root's folder
#          scripts/slurm-root.sh majors          list the majors it knows
#
# MAJOR is 24.11 (Debian 13, trixie) or 26.05 (Debian unstable, sid).
# Roots are cached under $WJR_ROOTS_DIR (default /var/cache/wjr/roots), one
# folder per major, and made again from scratch when their suite or package
# list changes (a stamp file records both). One command at a time uses a root
# (a lock file beside it): a second waits for the first. Each root's cluster runs on its
# own ports and its own runtime folder inside the root, so clusters of
# different majors can run one after another or side by side. As root.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
ROOTS_DIR="${WJR_ROOTS_DIR:-/var/cache/wjr/roots}"
MIRROR="${WJR_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() { printf '[root] %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# The suite and cluster ports of each major. The host's own cluster (22.05)
# uses the default port base 16817.
major_suite() {
    case "$1" in
        24.11) echo trixie ;;
        26.05) echo sid ;;
        *) return 1 ;;
    esac
}
major_port_base() {
    case "$1" in
        24.11) echo 16827 ;;
        26.05) echo 16837 ;;
        *) return 1 ;;
    esac
}

# What the root needs: wjr's build and test packages (scripts/packages.txt,
# which deps.sh installs on the host too) and the cluster's daemons.
package_list() {
    {
        sed 's/#.*//' "$SCRIPT_DIR/packages.txt"
        echo munge mariadb-server mariadb-client slurmdbd slurmctld slurmd slurm-client
        echo procps iproute2 ca-certificates git
    } | tr -s ' \t\n' '\n' | sed '/^$/d' | sort -u
}

stamp_text() { # MAJOR: what the root was made from
    printf 'suite=%s\nmirror=%s\n' "$(major_suite "$1")" "$MIRROR"
    package_list
}

root_path() { printf '%s/%s\n' "$ROOTS_DIR" "$1"; }

# Runs a command in the root with /proc, /sys and /dev mounted, in a private
# mount namespace: the mounts vanish with the command, even on a crash.
in_root() { # ROOT CMD...
    local root="$1"
    shift
    # the root's lock (fd 9) stays with this script, not with the daemons
    unshare -m --propagation private -- bash -c '
        set -e
        root="$1"; shift
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --rbind /dev "$root/dev"
        exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            LANG=C.UTF-8 CI="${CI:-}" WJR_JOBS="${WJR_JOBS:-}" "$@"
    ' bash "$root" "$@" 9>&-
}

build_root() { # MAJOR
    local major="$1" suite root stamp tmp
    suite="$(major_suite "$major")" || die "unknown Slurm major '$major' (known: 24.11 26.05)"
    root="$(root_path "$major")"
    stamp="$root.stamp"
    if [[ -x "$root/usr/bin/apt-get" && -r "$stamp" ]] && [[ "$(cat "$stamp")" == "$(stamp_text "$major")" ]]; then
        log "$major: reusing $root"
        return 0
    fi
    command -v debootstrap >/dev/null || {
        log "installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2 ||
            { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2; }
    }
    log "$major: making a Debian $suite root in $root (about a minute)"
    mkdir -p "$ROOTS_DIR"
    tmp="$root.new"
    rm -rf "$tmp" "$stamp"
    # sid's Release file may be past its Valid-Until date: debootstrap does not
    # check it, apt inside the root is told not to (check-valid-until=no).
    if ! debootstrap --variant=minbase "$suite" "$tmp" "$MIRROR" >"$ROOTS_DIR/$major.debootstrap.log" 2>&1; then
        tail -n 20 "$ROOTS_DIR/$major.debootstrap.log" >&2
        die "$major: debootstrap failed (log: $ROOTS_DIR/$major.debootstrap.log)"
    fi
    cat >"$tmp/etc/apt/sources.list" <<EOF
deb [check-valid-until=no] $MIRROR $suite main
EOF
    printf 'Acquire::Check-Valid-Until "false";\n' >"$tmp/etc/apt/apt.conf.d/99wjr-valid-until"
    # daemons must not start inside the root while packages are installed
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
    log "$major: installing Slurm and the build packages"
    # shellcheck disable=SC2046
    if ! in_root "$tmp" bash -c 'export DEBIAN_FRONTEND=noninteractive;
            apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' \
        bash $(package_list) >"$ROOTS_DIR/$major.install.log" 2>&1; then
        tail -n 20 "$ROOTS_DIR/$major.install.log" >&2
        die "$major: package install failed (log: $ROOTS_DIR/$major.install.log)"
    fi
    in_root "$tmp" apt-get clean >/dev/null 2>&1 || true
    rm -rf "$root"
    mv "$tmp" "$root"
    stamp_text "$major" >"$stamp"
    log "$major: ready, $(in_root "$root" dpkg-query -W -f='${Version}' libslurm-dev 2>/dev/null || echo '?')"
}

copy_tree() { # ROOT: a copy of this tree (tracked and untracked, not ignored) at ROOT/wjr
    local root="$1"
    rm -rf "$root/wjr"
    mkdir -p "$root/wjr"
    if git -C "$SRC_DIR" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$SRC_DIR" && git ls-files -z --cached --others --exclude-standard |
            xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
            tar --null -T - -cf -) | tar -C "$root/wjr" -xf -
    else
        (cd "$SRC_DIR" && tar --exclude='./build*' -cf - .) | tar -C "$root/wjr" -xf -
    fi
}

run_tests() { # MAJOR ARGS...
    local major="$1" root port
    shift
    build_root "$major"
    root="$(root_path "$major")"
    port="$(major_port_base "$major")"
    copy_tree "$root"
    log "$major: running scripts/test.sh --slurm host $* in $root"
    in_root "$root" bash -c 'cd /wjr && WJR_CLUSTER_PORT_BASE="$1" WJR_CLUSTER_DIR=/tmp/wjr-cluster-$2 \
        WJR_SLURM_LABEL="$2" exec scripts/test.sh --slurm host "${@:3}"' bash "$port" "$major" "$@"
}

[[ "$(id -u)" -eq 0 ]] || die "must run as root (debootstrap, chroot, mounts)"

# lock_root MAJOR: hold the root's lock until this script exits
lock_root() {
    mkdir -p "$ROOTS_DIR"
    exec 9>"$ROOTS_DIR/$1.lock"
    if ! flock -n 9; then
        log "$1: waiting for another command using this root"
        flock 9
    fi
}
case "${1:-}" in
    build | test | run | shell) [[ -n "${2:-}" ]] && lock_root "$2" ;;
esac
case "${1:-}" in
    build) build_root "${2:?usage: $0 build MAJOR}" ;;
    test)
        major="${2:?usage: $0 test MAJOR [ARGS...]}"
        shift 2
        run_tests "$major" "$@"
        ;;
    run)
        major="${2:?usage: $0 run MAJOR CMD...}"
        shift 2
        build_root "$major"
        copy_tree "$(root_path "$major")"
        in_root "$(root_path "$major")" bash -c 'cd /wjr && exec "$@"' bash "$@"
        ;;
    shell)
        build_root "${2:?usage: $0 shell MAJOR}"
        in_root "$(root_path "$2")" bash
        ;;
    path) root_path "${2:?usage: $0 path MAJOR}" ;;
    majors) echo "24.11 26.05" ;;
    -h | --help | "") sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (build, test, shell, path, majors)" ;;
esac
