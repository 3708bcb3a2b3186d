/*
 * bench_bare.c - the floor for submission: a bare slurm_submit_batch_job
 * loop, what any libslurm caller must at least do (script, user, group,
 * environment, working directory, output path, name). With "array" it
 * submits N tasks as arrays of at most 1000 (array_inx "0-999"), one RPC
 * each. Prints one line of key=value results.
 *
 *   bench_bare single|array N DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>

#include "bench.h"

extern char **environ;

int main(int argc, char **argv)
{
    job_desc_msg_t d;
    submit_response_msg_t *resp = NULL;
    char out[4096], name[64], inx[32];
    long n, i, chunk = 1;
    int array, env_size = 0, rpcs = 0;
    double t0, c0, wall, cpu;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_bare single|array N DIR\n");
        return 2;
    }
    array = strcmp(argv[1], "array") == 0;
    n = atol(argv[2]);
    slurm_init(NULL);
    while (environ[env_size])
        env_size++;
    snprintf(out, sizeof(out), "%s/slurm-%%j.out", argv[3]);
    t0 = bench_wall();
    c0 = bench_cpu();
    for (i = 0; i < n; i += chunk) {
        chunk = array ? (n - i > 1000 ? 1000 : n - i) : 1;
        slurm_init_job_desc_msg(&d);
        snprintf(name, sizeof(name), "bare-%ld", i);
        d.name = name;
        d.script = "#!/bin/sh\ntrue\n";
        d.user_id = getuid();
        d.group_id = getgid();
        d.min_nodes = 1;
        d.environment = environ;
        d.env_size = (uint32_t)env_size;
        d.work_dir = argv[3];
        d.std_out = out;
        if (array) {
            snprintf(inx, sizeof(inx), "0-%ld", chunk - 1);
            d.array_inx = inx;
        }
        rpcs++;
        if (slurm_submit_batch_job(&d, &resp) != SLURM_SUCCESS) {
            fprintf(stderr, "bench_bare: %s\n", slurm_strerror(errno));
            return 1;
        }
        slurm_free_submit_response_response_msg(resp);
    }
    wall = bench_wall() - t0;
    cpu = bench_cpu() - c0;
    printf("mode=bare_%s n=%ld wall_s=%.6f cpu_s=%.6f per_trial_ms=%.4f rpcs=%d\n", argv[1], n,
           wall, cpu, wall * 1000.0 / (double)n, rpcs);
    slurm_fini();
    return 0;
}
