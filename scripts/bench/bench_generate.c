/*
 * bench_generate.c - times the generators (SOBOL, RANDOM) as a wjr command
 * meets them: each call of wjr_study_config_generate() starts a fresh
 * generator and redraws the step's points up to the one asked for. Prints
 * trials 0 to N-1's parameters, one JSON object per line, to stdout (to
 * compare two builds point for point) and "seconds_per_call=..." to
 * stderr.
 *
 *   bench_generate CONFIG N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <wjr/study.h>

int main(int argc, char **argv)
{
    wjr_study_config *cfg = NULL;
    struct timespec t0, t1;
    long i, n;

    if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: bench_generate CONFIG N\n");
        return 2;
    }
    if (wjr_study_config_load(&cfg, argv[1]) < 0) {
        fprintf(stderr, "bench_generate: %s\n", wjr_error_last());
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < n; i++) {
        char *params = NULL;
        if (wjr_study_config_generate(&params, cfg, i) < 0) {
            fprintf(stderr, "bench_generate: trial %ld: %s\n", i, wjr_error_last());
            wjr_study_config_free(cfg);
            return 1;
        }
        puts(params);
        free(params);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "seconds_per_call=%.4f\n",
            ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9) /
                (double)n);
    wjr_study_config_free(cfg);
    return 0;
}
