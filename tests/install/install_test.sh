#!/bin/sh
# Installs the built wjr into a temporary prefix and builds the minimal
# example against it twice: with pkg-config and with CMake's find_package.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build="$1"
src="$2"
tmp="$(mktemp -d /tmp/wjr-install.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in include/wjr.h include/wjr/runner.h bin/wjr share/man/man1/wjr.1 \
    share/bash-completion/completions/wjr; do
    [ -e "$tmp/prefix/$f" ] || { echo "install: $f is missing" >&2; exit 1; }
done
libdir="$(dirname "$(find "$tmp/prefix" -name 'libwjr.so' | head -1)")"
[ -n "$libdir" ] || { echo "install: libwjr.so is missing" >&2; exit 1; }

# pkg-config
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exists wjr
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "$src/examples/minimal/minimal.c" -o "$tmp/minimal-pc" \
    $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs wjr) -Wl,-rpath,"$libdir"
LD_LIBRARY_PATH="$libdir" "$tmp/minimal-pc" /nonexistent.cfg 2>"$tmp/err" && exit 1
grep -q "nonexistent.cfg" "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }

# CMake package
mkdir -p "$tmp/proj"
cp "$src/examples/minimal/minimal.c" "$tmp/proj/"
cat >"$tmp/proj/CMakeLists.txt" <<'EOT'
cmake_minimum_required(VERSION 3.18)
project(uses_wjr C)
find_package(wjr REQUIRED)
add_executable(minimal minimal.c)
target_link_libraries(minimal PRIVATE wjr::wjr)
EOT
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/proj/build" >/dev/null
echo "install: headers, library, wjr, wjr(1), bash completion, pkg-config and CMake package all work"
