# Sourced by the optimizer benchmarks (gpei.sh, moo.sh): builds libwjr
# alone (Release, no CLI or tests) in build-bench-gpei and one benchmark
# program against it, and tells whether Debian's python3-optuna is there.
#   opt_build NAME: compiles scripts/bench/NAME.c to $OUT/NAME
#   have_optuna: exit status 0 when `import optuna` works in $PY
# Needs ROOT, OUT, PY and a log function.

BUILD="$ROOT/build-bench-gpei" # the library alone: not the CLI build the other benches share

opt_build() {
    mkdir -p "$OUT"
    log "building libwjr (Release) in $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWJR_BUILD_TESTS=OFF \
        -DWJR_BUILD_CLI=OFF -DWJR_BUILD_EXAMPLES=OFF >/dev/null
    cmake --build "$BUILD" -j2 --target wjr >/dev/null
    # shellcheck disable=SC2046
    cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -I"$ROOT/include" -o "$OUT/$1" \
        "$ROOT/scripts/bench/$1.c" -L"$BUILD" -Wl,-rpath,"$BUILD" -lwjr \
        $(pkg-config --libs gsl) -lm
}

have_optuna() {
    "$PY" -c 'import optuna' 2>/dev/null
}
