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
 *   bench_submit run-ckpt N DIR, bench_submit multiple-ckpt N DIR
 *                               the first two with a durable checkpoint
 *                               callback (bench.h: the runner's state
 *                               written, fsync'd and renamed each time it
 *                               asks), which is what the wjr CLI pays
 *
 * The floor, a bare slurm_submit_batch_job loop, is bench_bare.c.
 *
 * Times include everything the runner does per trial (parameter check, the
 * trial directory's files unless -nofiles, the batch script, the
 * environment, the RPC), and the checkpoints in the -ckpt modes. The -nofiles modes
 * split run()'s time over the bare loop into the runner's own work and the
 * file system's. RPCs are the backend's own count; the driver reads
 * slurmctld's count from sdiag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const modes[] = {"run",      "multiple",      "run-nofiles", "multiple-nofiles",
                                    "run-ckpt", "multiple-ckpt", NULL};

int main(int argc, char **argv)
{
    wjr_runner *runner;
    wjr_trial_spec *specs;
    char(*params)[160];
    const char *mode;
    long n, i;
    int files;
    char *ckpt = NULL;
    size_t submitted = 0;
    double t0, c0, wall, cpu;
    int error;

    for (i = 0; argc == 4 && modes[i] != NULL && strcmp(modes[i], argv[1]) != 0; i++)
        ;
    if (argc != 4 || modes[i] == NULL) {
        fprintf(stderr, "usage: bench_submit run|multiple[-nofiles|-ckpt] N DIR\n");
        return 2;
    }
    mode = argv[1];
    n = atol(argv[2]);
    files = strstr(mode, "-nofiles") == NULL;
    if (strstr(mode, "-ckpt") != NULL) {
        ckpt = malloc(strlen(argv[3]) + sizeof("/runner.json"));
        if (ckpt == NULL)
            return 1;
        sprintf(ckpt, "%s/runner.json", argv[3]);
    }
    runner = bench_runner_ckpt(argv[3], NULL, files, ckpt);
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
    if (strncmp(mode, "run", 3) == 0) {
        for (i = 0; i < n; i++) {
            error = wjr_runner_run(NULL, runner, &specs[i]);
            if (error < 0)
                bench_die("wjr_runner_run", error);
        }
        submitted = (size_t)n;
    } else {
        error = wjr_runner_run_multiple(&submitted, runner, specs, (size_t)n);
        if (error < 0)
            bench_die("wjr_runner_run_multiple", error);
    }
    wall = bench_wall() - t0;
    cpu = bench_cpu() - c0;
    printf("mode=%s n=%ld submitted=%zu wall_s=%.6f cpu_s=%.6f per_trial_ms=%.4f "
           "backend_rpcs=%llu\n",
           mode, n, submitted, wall, cpu, wall * 1000.0 / (double)n,
           (unsigned long long)wjr_backend_rpc_count(wjr_runner_backend(runner)));
    wjr_runner_free(runner);
    free(ckpt);
    free(specs);
    free(params);
    return 0;
}
