/*
 * bench_poll.c - measures one poll of N tracked trials whose jobs are
 * queued (the node is drained, so they stay PENDING).
 *
 *   bench_poll submit single|array N DIR IDS  submit N jobs (one per trial,
 *        or arrays of 1000) through libslurm with the names, comments and
 *        paths the runner would give them; write "index job array task"
 *        lines to IDS. Not timed: only the set-up.
 *   bench_poll poll IDS DIR REPS   rebuild a runner tracking those trials
 *        (wjr_runner_from_json) and time REPS calls of wjr_runner_poll:
 *        wall time, CPU time of this process (getrusage) and the backend's
 *        RPC count per poll.
 *   bench_poll floor REPS          the same for a bare slurm_load_job_user
 *        (what any poller must at least receive and unpack).
 *   bench_poll floor-states IDS REPS   the same for a bare
 *        slurm_load_job_state of the jobs in IDS (Slurm 23.11.5 and later;
 *        earlier releases print "unsupported").
 *
 * Prints one "poll ..." line per repetition, then a "result ..." line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>

#include "bench_state.h"

extern char **environ;

/* 25.11 moved the new job's id into a slurm_step_id_t */
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(25, 11, 0)
#define SUBMITTED_ID(resp) ((resp)->step_id.job_id)
#else
#define SUBMITTED_ID(resp) ((resp)->job_id)
#endif

static int do_submit(const char *layout, long n, const char *dir, const char *ids)
{
    FILE *f = fopen(ids, "w");
    job_desc_msg_t d;
    submit_response_msg_t *resp = NULL;
    char out[4096], name[64], comment[64], inx[32];
    int array = strcmp(layout, "array") == 0, env_size = 0;
    long i, k, chunk = 1;

    if (f == NULL) {
        perror(ids);
        return 1;
    }
    slurm_init(NULL);
    while (environ[env_size])
        env_size++;
    for (i = 0; i < n; i += chunk) {
        chunk = array ? (n - i > 1000 ? 1000 : n - i) : 1;
        slurm_init_job_desc_msg(&d);
        if (array) {
            snprintf(name, sizeof(name), "wjr-" BENCH_STUDY "-a%ld", i);
            snprintf(comment, sizeof(comment), "wjr:" BENCH_STUDY ":%ld-%ld", i, i + chunk - 1);
            snprintf(out, sizeof(out), "%s/logs/slurm-%%A_%%a.out", dir);
            snprintf(inx, sizeof(inx), "0-%ld", chunk - 1);
            d.array_inx = inx;
        } else {
            snprintf(name, sizeof(name), "wjr-" BENCH_STUDY "-%ld", i);
            snprintf(comment, sizeof(comment), "wjr:" BENCH_STUDY ":%ld", i);
            snprintf(out, sizeof(out), "%s/%06ld/slurm-%%j.out", dir, i);
        }
        d.name = name;
        d.comment = comment;
        d.script = "#!/bin/sh\ntrue\n";
        d.user_id = getuid();
        d.group_id = getgid();
        d.min_nodes = 1;
        d.environment = environ;
        d.env_size = (uint32_t)env_size;
        d.work_dir = (char *)dir;
        d.std_out = out;
        if (slurm_submit_batch_job(&d, &resp) != SLURM_SUCCESS) {
            fprintf(stderr, "bench_poll: submit: %s\n", slurm_strerror(errno));
            return 1;
        }
        for (k = 0; k < chunk; k++) {
            if (array) /* the runner's job id of an array names it by its array job id */
                fprintf(f, "%ld 0 %u %ld\n", i + k, SUBMITTED_ID(resp), k);
            else
                fprintf(f, "%ld %u 0 -1\n", i, SUBMITTED_ID(resp));
        }
        slurm_free_submit_response_response_msg(resp);
    }
    fclose(f);
    slurm_fini();
    return 0;
}

static int do_poll(const char *ids, const char *dir, int reps)
{
    size_t n, k, running = 0;
    bench_job *jobs = bench_read_jobs(ids, &n);
    char *text = bench_runner_json(dir, jobs, n, 0);
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *r = NULL;
    wjr_poll_result *res = NULL;
    int error, i;

    ro.log = bench_log;
    error = wjr_runner_from_json(&r, text, &ro);
    if (error < 0)
        bench_die("wjr_runner_from_json", error);
    free(text);
    for (i = 0; i < reps; i++) {
        uint64_t rpc0 = wjr_backend_rpc_count(wjr_runner_backend(r));
        double t0 = bench_wall(), c0 = bench_cpu();
        error = wjr_runner_poll(&res, r, NULL, 0);
        double wall = bench_wall() - t0, cpu = bench_cpu() - c0;
        if (error < 0)
            bench_die("wjr_runner_poll", error);
        running = 0;
        for (k = 0; k < res->count; k++)
            running += res->statuses[k] == WJR_TRIAL_RUNNING;
        printf("poll rep=%d n=%zu wall_ms=%.3f cpu_ms=%.3f rpcs=%llu running=%zu stale=%d\n", i, n,
               wall * 1e3, cpu * 1e3,
               (unsigned long long)(wjr_backend_rpc_count(wjr_runner_backend(r)) - rpc0), running,
               res->stale);
        if (res->stale || running != n) {
            fprintf(stderr, "bench_poll: expected %zu RUNNING trials, got %zu (stale %d)\n", n,
                    running, res->stale);
            return 1;
        }
        wjr_poll_result_free(res);
    }
    wjr_runner_free(r);
    free(jobs);
    return 0;
}

static int do_floor(int reps)
{
    job_info_msg_t *msg = NULL;
    int i;

    slurm_init(NULL);
    for (i = 0; i < reps; i++) {
        double t0 = bench_wall(), c0 = bench_cpu();
        if (slurm_load_job_user(&msg, getuid(), SHOW_ALL) != SLURM_SUCCESS) {
            fprintf(stderr, "bench_poll: %s\n", slurm_strerror(errno));
            return 1;
        }
        double wall = bench_wall() - t0, cpu = bench_cpu() - c0;
        printf("floor rep=%d records=%u wall_ms=%.3f cpu_ms=%.3f rpcs=1\n", i, msg->record_count,
               wall * 1e3, cpu * 1e3);
        slurm_free_job_info_msg(msg);
    }
    slurm_fini();
    return 0;
}

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 11, 5)
/* The distinct job ids (array job ids for tasks) of an IDS file. */
static size_t read_job_ids(uint32_t **out, const char *ids)
{
    FILE *f = fopen(ids, "r");
    long index, task;
    unsigned job, array;
    size_t n = 0, cap = 1024, k;
    uint32_t *v = malloc(cap * sizeof(*v));

    if (f == NULL || v == NULL) {
        perror(ids);
        exit(1);
    }
    while (fscanf(f, "%ld %u %u %ld", &index, &job, &array, &task) == 4) {
        uint32_t id = array ? array : job;
        for (k = n; k > 0 && v[k - 1] != id; k--)
            ;
        if (k > 0)
            continue;
        if (n == cap && (v = realloc(v, (cap *= 2) * sizeof(*v))) == NULL)
            exit(1);
        v[n++] = id;
    }
    fclose(f);
    *out = v;
    return n;
}

#endif

static int do_floor_states(const char *ids, int reps)
{
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 11, 5)
    job_state_response_msg_t *msg = NULL;
    slurm_selected_step_t *sel;
    uint32_t *jobs;
    size_t n = read_job_ids(&jobs, ids), k;
    int i;

    sel = calloc(n ? n : 1, sizeof(*sel));
    if (sel == NULL)
        return 1;
    for (k = 0; k < n; k++) {
        sel[k].array_task_id = NO_VAL;
        sel[k].het_job_offset = NO_VAL;
        sel[k].step_id.job_id = jobs[k];
        sel[k].step_id.step_id = NO_VAL;
        sel[k].step_id.step_het_comp = NO_VAL;
    }
    slurm_init(NULL);
    for (i = 0; i < reps; i++) {
        double t0 = bench_wall(), c0 = bench_cpu();
        if (slurm_load_job_state((int)n, sel, &msg) != SLURM_SUCCESS) {
            fprintf(stderr, "bench_poll: %s\n", slurm_strerror(errno));
            return 1;
        }
        double wall = bench_wall() - t0, cpu = bench_cpu() - c0;
        printf("floor-states rep=%d records=%u wall_ms=%.3f cpu_ms=%.3f rpcs=1\n", i,
               msg->jobs_count, wall * 1e3, cpu * 1e3);
        slurm_free_job_state_response_msg(msg);
    }
    slurm_fini();
    free(sel);
    free(jobs);
    return 0;
#else
    (void)ids;
    (void)reps;
    printf("floor-states unsupported\n");
    return 0;
#endif
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "submit") == 0)
        return do_submit(argv[2], atol(argv[3]), argv[4], argv[5]);
    if (argc == 5 && strcmp(argv[1], "poll") == 0)
        return do_poll(argv[2], argv[3], atoi(argv[4]));
    if (argc == 3 && strcmp(argv[1], "floor") == 0)
        return do_floor(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "floor-states") == 0)
        return do_floor_states(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: bench_poll submit single|array N DIR IDS | poll IDS DIR REPS | "
                    "floor REPS | floor-states IDS REPS\n");
    return 2;
}
