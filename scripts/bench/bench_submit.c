/*
 * bench_submit.c - measures submitting N trials to slurmctld from one
 * process, and prints one line of key=value results.
 *
 *   bench_submit run N DIR      wjr_runner_run() once per trial (N jobs)
 *   bench_submit multiple N DIR wjr_runner_run_multiple() of all N trials
 *                               (arrays of at most MaxArraySize tasks)
 *   bench_submit run-nofiles N DIR, bench_submit multiple-nofiles N DIR
 *                               the same with a minimal wrapper whose
 *                               write_configs is NULL (bench.h): no trial
 *                               directory or trial files, only the runner
 *
 * The floor, a bare slurm_submit_batch_job loop, is bench_bare.c.
 *
 * Times include everything the runner does per trial (parameter check, the
 * trial directory's files unless -nofiles, the batch script, the
 * environment, the RPC), but no checkpoint callback. The -nofiles modes
 * split run()'s time over the bare loop into the runner's own work and the
 * file system's. RPCs are the backend's own count; the driver reads
 * slurmctld's count from sdiag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    wjr_runner *runner;
    wjr_trial_spec *specs;
    char(*params)[160];
    const char *mode;
    long n, i;
    int files;
    size_t submitted = 0;
    double t0, c0, wall, cpu;
    int error;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_submit run|multiple|run-nofiles|multiple-nofiles N DIR\n");
        return 2;
    }
    mode = argv[1];
    n = atol(argv[2]);
    files = strstr(mode, "-nofiles") == NULL;
    runner = bench_runner_files(argv[3], NULL, files);
    specs = calloc((size_t)n, sizeof(*specs));
    params = calloc((size_t)n, sizeof(*params));
    if (specs == NULL || params == NULL)
        return 1;
    for (i = 0; i < n; i++) {
        bench_params(params[i], sizeof(params[i]), i);
        specs[i].index = i;
        specs[i].params_json = params[i];
    }
    /* the clock includes what a fresh runner learns once (MaxArraySize and
     * the cluster name: one REQUEST_BUILD_INFO), as in real use */
    t0 = bench_wall();
    c0 = bench_cpu();
    if (strcmp(mode, "run") == 0 || strcmp(mode, "run-nofiles") == 0) {
        for (i = 0; i < n; i++) {
            error = wjr_runner_run(NULL, runner, &specs[i]);
            if (error < 0)
                bench_die("wjr_runner_run", error);
        }
        submitted = (size_t)n;
    } else if (strcmp(mode, "multiple") == 0 || strcmp(mode, "multiple-nofiles") == 0) {
        error = wjr_runner_run_multiple(&submitted, runner, specs, (size_t)n);
        if (error < 0)
            bench_die("wjr_runner_run_multiple", error);
    } else {
        fprintf(stderr, "bench_submit: unknown mode %s\n", mode);
        return 2;
    }
    wall = bench_wall() - t0;
    cpu = bench_cpu() - c0;
    printf("mode=%s n=%ld submitted=%zu wall_s=%.6f cpu_s=%.6f per_trial_ms=%.4f "
           "backend_rpcs=%llu\n",
           mode, n, submitted, wall, cpu, wall * 1000.0 / (double)n,
           (unsigned long long)wjr_backend_rpc_count(wjr_runner_backend(runner)));
    wjr_runner_free(runner);
    free(specs);
    free(params);
    return 0;
}
