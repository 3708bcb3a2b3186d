/*
 * runner_jobs.c - matching the controller's job records to trials: a hash
 * map from a job (a plain job's id, an array task's job and task id, an
 * array's record of packed pending tasks) to the record's position, so
 * that a poll costs one look-up per trial whatever the number of jobs; and
 * the distinct keys (job names) to ask accounting for. It changes no
 * trial.
 */
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"
#include "util.h"

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int map_init(job_map *m, size_t n)
{
    m->cap = 16;
    while (m->cap < n * 2 + 1)
        m->cap *= 2;
    m->keys = malloc(m->cap * sizeof(uint64_t));
    m->vals = malloc(m->cap * sizeof(size_t));
    if (m->keys == NULL || m->vals == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    memset(m->keys, 0xff, m->cap * sizeof(uint64_t));
    return 0;
}

static void map_put(job_map *m, uint64_t key, size_t val)
{
    size_t i = (size_t)mix(key) & (m->cap - 1);

    while (m->keys[i] != UINT64_MAX && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
}

static int map_get(const job_map *m, uint64_t key, size_t *val)
{
    size_t i = (size_t)mix(key) & (m->cap - 1);

    while (m->keys[i] != UINT64_MAX) {
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

void wjr__job_map_free(job_map *m)
{
    free(m->keys);
    free(m->vals);
}

#define KEY_JOB(id)    ((uint64_t)(id))
#define KEY_TASK(a, t) (((uint64_t)(a) << 32) | (uint64_t)(t) | (1ULL << 63))
/* an array's packed pending tasks; never a real task id, never the empty key */
#define KEY_PACKED(a) KEY_TASK(a, 0xfffffffeu)

/* Does a packed task string such as "3-9,12%4" or "0-99:2" hold task? */
static int task_str_has(const char *s, uint32_t task)
{
    const char *p = s;

    while (p && *p && *p != '%') {
        char *end;
        unsigned long lo = strtoul(p, &end, 10), hi = lo, step = 1;
        if (end == p)
            return 0;
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            p = end;
            if (*p == ':') {
                step = strtoul(p + 1, &end, 10);
                p = end;
                if (step == 0)
                    step = 1;
            }
        }
        if (task >= lo && task <= hi && (task - lo) % step == 0)
            return 1;
        if (*p == ',')
            p++;
        else
            break;
    }
    return 0;
}

int wjr__index_records(job_map *m, const wjr_job_list *jobs)
{
    size_t i;
    int error = map_init(m, jobs->count);

    if (error < 0)
        return error;
    for (i = 0; i < jobs->count; i++) {
        const wjr_job_record *j = &jobs->jobs[i];
        if (j->array_job_id && j->array_task_id != WJR_NO_TASK)
            map_put(m, KEY_TASK(j->array_job_id, j->array_task_id), i);
        else if (j->array_job_id && j->array_task_str)
            /* an array's packed pending tasks: one record per array */
            map_put(m, KEY_PACKED(j->array_job_id), i);
        else
            map_put(m, KEY_JOB(j->job_id), i);
    }
    return 0;
}

/*
 * The record of a trial's job in a map made by wjr__index_records. *packed is
 * set when the task is still pending inside its array's packed record.
 */
int wjr__find_record(const job_map *m, const wjr_job_list *jobs, const trial *t, size_t *pos,
                     int *packed)
{
    uint32_t task = t->info.run.array_task_id;

    *packed = 0;
    if (task == WJR_NO_TASK)
        return map_get(m, KEY_JOB(t->info.run.slurm_job_id), pos);
    if (map_get(m, KEY_TASK(t->info.run.array_job_id, task), pos))
        return 1;
    if (map_get(m, KEY_PACKED(t->info.run.array_job_id), pos) &&
        task_str_has(jobs->jobs[*pos].array_task_str, task)) {
        *packed = 1;
        return 1;
    }
    return 0;
}

void wjr__add_key_once(const char **keys, size_t *n, const char *key)
{
    size_t i;

    if (key == NULL)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return;
    keys[(*n)++] = key;
}
