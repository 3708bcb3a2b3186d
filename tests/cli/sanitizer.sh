# shellcheck shell=bash
# Sourced by the CLI test scripts: every AddressSanitizer, LeakSanitizer or
# UndefinedBehaviorSanitizer report of the commands they run goes to a file
# of its own ($SAN_DIR/asan.PID, ubsan.PID) instead of stderr, and
# san_check fails the script when any such file exists, whatever the exit
# code of the command that wrote it. In a build without sanitizers the
# variables are ignored and no file appears.
SAN_DIR="$(mktemp -d /tmp/wjr-san-XXXXXX)"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:log_path=$SAN_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$SAN_DIR/ubsan"

# san_check: print every report and return 1 if there is one; then forget them.
san_check() {
    local f found=0
    for f in "$SAN_DIR"/*; do
        [[ -e "$f" ]] || continue
        echo "FAIL sanitizer report $(basename "$f"):" >&2
        sed 's/^/    /' "$f" >&2
        rm -f "$f"
        found=1
    done
    return "$found"
}
