/*
 * bench_state.h - builds a runner's JSON text (the format of
 * wjr_runner_to_json) for trials the benchmark did not submit through the
 * runner: live trials from a job-id file written by `bench_poll submit`,
 * and completed trials with metrics. The header of the text (backend and
 * wrapper settings) comes from a real runner's to_json, so only the trial
 * records are synthetic. Header-only, shared by bench_poll.c and
 * bench_memory.c.
 */
#ifndef WJR_BENCH_STATE_H
#define WJR_BENCH_STATE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define BENCH_STUDY "bench"

typedef struct bench_job {
    long long index;
    unsigned job_id;       /* single job, or 0 */
    unsigned array_job_id; /* array, or 0 */
    long task;             /* array task id, or -1 */
} bench_job;

/* Read "index job_id array_job_id task" lines. */
static inline bench_job *bench_read_jobs(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    size_t cap = 1024;
    bench_job *v = malloc(cap * sizeof(*v));

    *n = 0;
    if (f == NULL || v == NULL) {
        perror(path);
        exit(1);
    }
    for (;;) {
        bench_job j;
        if (fscanf(f, "%lld %u %u %ld", &j.index, &j.job_id, &j.array_job_id, &j.task) != 4)
            break;
        if (*n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof(*v));
            if (v == NULL)
                exit(1);
        }
        v[(*n)++] = j;
    }
    fclose(f);
    return v;
}

typedef struct bench_text {
    char *p;
    size_t len, cap;
} bench_text;

static inline void bt_put(bench_text *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1 << 16;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            exit(1);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/*
 * The runner JSON: @p live pending jobs (indices from the job list) and
 * @p n_done completed trials with metrics, indices after the live ones.
 * Returns a malloc'd text.
 */
static inline char *bench_runner_json(const char *experiment_dir, const bench_job *live,
                                      size_t n_live, size_t n_done)
{
    wjr_runner *r = bench_runner(experiment_dir, BENCH_STUDY);
    bench_text b = {NULL, 0, 0};
    char *head = NULL, rec[1024], params[160], jid[48], key[64], extra[64];
    long long t = 1700000000LL, next = 0;
    size_t i, hl;
    int error, n;

    error = wjr_runner_to_json(&head, r);
    if (error < 0)
        bench_die("wjr_runner_to_json", error);
    wjr_runner_free(r);
    hl = strlen(head);
    /* the empty runner ends with "[]}\n": keep "...\"trials\":[" */
    while (hl > 0 && head[hl - 1] != '[')
        hl--;
    bt_put(&b, head, hl);
    free(head);
    for (i = 0; i < n_live; i++) {
        const bench_job *j = &live[i];
        bench_params(params, sizeof(params), j->index);
        if (j->array_job_id) {
            snprintf(jid, sizeof(jid), "%u_%ld", j->array_job_id, j->task);
            snprintf(key, sizeof(key), "wjr-" BENCH_STUDY "-a%u", j->array_job_id);
            snprintf(extra, sizeof(extra), ",\"array_task_id\":%ld", j->task);
        } else {
            snprintf(jid, sizeof(jid), "%u", j->job_id);
            snprintf(key, sizeof(key), "wjr-" BENCH_STUDY "-%lld", j->index);
            extra[0] = '\0';
        }
        n = snprintf(rec, sizeof(rec),
                     "%s\n{\"index\":%lld,\"status\":\"RUNNING\",\"submission\":\"submitted\","
                     "\"parameters\":%s,\"key\":\"%s\"%s%s,\"intent_time\":%lld,"
                     "\"job_id\":\"%s\",\"slurm_job_id\":%u,\"array_job_id\":%u%s,"
                     "\"submit_time\":%lld,\"end_time\":0,\"state_word\":0,"
                     "\"slurm_state\":\"PENDING\",\"reason\":null,\"exit_code\":-1,\"signal\":0,"
                     "\"metrics\":null,\"partition\":null,\"cluster\":\"wjr\"}",
                     b.p[b.len - 1] == '[' ? "" : ",", j->index, params, key,
                     j->array_job_id ? ",\"planned_task\":" : "",
                     j->array_job_id ? strchr(jid, '_') + 1 : "", t, jid, j->job_id,
                     j->array_job_id, extra, t);
        bt_put(&b, rec, (size_t)n);
        if (j->index >= next)
            next = j->index + 1;
    }
    for (i = 0; i < n_done; i++) {
        long long idx = next + (long long)i;
        bench_params(params, sizeof(params), idx);
        n = snprintf(rec, sizeof(rec),
                     "%s\n{\"index\":%lld,\"status\":\"COMPLETED\",\"submission\":\"submitted\","
                     "\"parameters\":%s,\"key\":\"wjr-" BENCH_STUDY "-%lld\",\"intent_time\":%lld,"
                     "\"job_id\":\"%lld\",\"slurm_job_id\":%lld,\"array_job_id\":0,"
                     "\"submit_time\":%lld,\"end_time\":%lld,\"state_word\":3,"
                     "\"slurm_state\":\"COMPLETED\",\"reason\":null,\"exit_code\":0,\"signal\":0,"
                     "\"metrics\":{\"branin\":{\"mean\":%.17g,\"sem\":null}},"
                     "\"partition\":null,\"cluster\":\"wjr\"}",
                     b.p[b.len - 1] == '[' ? "" : ",", idx, params, idx, t, 100000 + idx,
                     100000 + idx, t, t + 60, 0.397887 + (double)(idx % 1000) / 7.0);
        bt_put(&b, rec, (size_t)n);
    }
    bt_put(&b, "]}\n", 3);
    /* exactly the text's size, as a reader of study.json would hold it */
    return realloc(b.p, b.len + 1);
}

#endif
