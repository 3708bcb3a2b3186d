#!/usr/bin/env bash
# Installs what wjr needs to build and test on Debian 12 (as root): the
# compiler and CMake, libslurm, libconfig, jansson, GSL, cmocka, and the
# tools of the test suite (python3 for the example model, clang-format,
# cppcheck, valgrind, jq). Does nothing when everything is there already.
set -euo pipefail

PACKAGES="$(sed 's/#.*//' "$(dirname "$0")/packages.txt" | tr -s ' \t\n' ' ')"

missing=()
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
