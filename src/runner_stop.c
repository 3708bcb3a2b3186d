/*
 * runner_stop.c - stop(): a trial's job or array task cancelled and the
 * trial ABANDONED; and stop() for many trials with one cancel request per
 * job array (its tasks as ranges) and per single job, or one for all of
 * them where the backend can. A trial still being submitted is not
 * stopped (reconcile first), and when the controller refuses nothing is
 * marked: a later poll shows what was cancelled.
 */
#include <stdlib.h>
#include <time.h>

#include "runner_int.h"
#include "util.h"

/* The trial's job is cancelled (or it had none): ABANDONED, with why. The
 * log line says what the runner did, not a verdict: a caller may give the
 * trial its own (the study's ttl makes it FAILED) and says so itself. */
static void abandon(wjr_runner *r, trial *t, const char *reason)
{
    t->info.status = WJR_TRIAL_ABANDONED;
    t->info.end_time = (int64_t)time(NULL);
    if (t->sub == SUB_SUBMITTED)
        t->info.slurm_state = wjr__intern(r, "CANCELLED");
    wjr__set_text(&t->info.reason, reason ? reason : "stopped");
    wjr__trial_touch(r, t);
    if (t->sub == SUB_SUBMITTED)
        wjr__runner_log(r, WJR_LOG_INFO, t->info.index, "job %s cancelled: %s", t->info.run.job_id,
                        t->info.reason);
    else
        wjr__runner_log(r, WJR_LOG_INFO, t->info.index, "stopped before submission: %s",
                        t->info.reason);
}

int wjr_runner_stop(wjr_runner *r, int64_t index, const char *reason)
{
    trial *t = r ? wjr__find_trial(r, index) : NULL;
    int error;

    if (t == NULL)
        return wjr_error_set(WJR_ENOTFOUND, "trial %lld is not tracked by this runner",
                             (long long)index);
    if (wjr_trial_status_is_terminal(t->info.status))
        return 0;
    if (t->sub == SUB_SUBMITTING)
        return wjr_error_set(WJR_ESTATE,
                             "trial %lld is being submitted; reconcile before stopping it",
                             (long long)index);
    if (t->sub == SUB_SUBMITTED) {
        uint32_t id = t->info.run.array_task_id != WJR_NO_TASK ? t->info.run.array_job_id
                                                               : t->info.run.slurm_job_id;
        error = r->backend->cancel(r->backend, id, t->info.run.array_task_id);
        if (error < 0 && error != WJR_ENOTFOUND)
            return wjr_error_prefix("cannot stop trial %lld", (long long)index);
    }
    abandon(r, t, reason);
    return wjr__checkpoint(r);
}

/* One job or array task to cancel, sorted by job, then task. */
typedef struct kill_target {
    uint32_t job;
    uint32_t task;
    trial *t;
} kill_target;

static int cmp_kill_target(const void *a, const void *b)
{
    const kill_target *x = a, *y = b;

    if (x->job != y->job)
        return x->job < y->job ? -1 : 1;
    if (x->task != y->task)
        return x->task < y->task ? -1 : 1;
    return 0;
}

/* Slurm job id expressions for sorted targets: "123" for a job, and one
 * "456_[0-3,7]" per array for its tasks. ids[] gets malloc'd strings. */
static size_t kill_expressions(char **ids, const kill_target *k, size_t n)
{
    size_t i = 0, out = 0;

    while (i < n) {
        wjr_buf b = WJR_BUF_INIT;
        size_t j = i;

        if (k[i].task == WJR_NO_TASK) {
            wjr_buf_printf(&b, "%u", (unsigned)k[i].job);
            i++;
        } else {
            wjr_buf_printf(&b, "%u_[", (unsigned)k[i].job);
            while (i < n && k[i].job == k[j].job && k[i].task != WJR_NO_TASK) {
                size_t e = i;
                while (e + 1 < n && k[e + 1].job == k[i].job && k[e + 1].task == k[e].task + 1)
                    e++;
                wjr_buf_printf(&b, i > j ? ",%u" : "%u", (unsigned)k[i].task);
                if (e > i)
                    wjr_buf_printf(&b, "-%u", (unsigned)k[e].task);
                i = e + 1;
            }
            wjr_buf_puts(&b, "]");
        }
        ids[out] = NULL;
        wjr_buf_detach(&ids[out], &b);
        out++;
    }
    return out;
}

int wjr_runner_stop_many(size_t *stopped, wjr_runner *r, const int64_t *indices, size_t count,
                         const char *reason)
{
    kill_target *targets = NULL;
    trial **stop = NULL;
    char **ids = NULL;
    size_t i, n = 0, n_kill = 0, n_ids = 0, n_marked = 0;
    int error = 0;

    if (stopped)
        *stopped = 0;
    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_stop_many: no runner");
    error = wjr__check_indices(r, indices, count);
    if (error < 0)
        return error;
    stop = calloc(r->n_trials ? r->n_trials : 1, sizeof(*stop));
    targets = calloc(r->n_trials ? r->n_trials : 1, sizeof(*targets));
    if (stop == NULL || targets == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < (indices ? count : r->n_trials); i++) {
        trial *t = indices ? wjr__find_trial(r, indices[i]) : r->trials[i];
        if (wjr_trial_status_is_terminal(t->info.status) || t->in_poll)
            continue;
        if (t->sub == SUB_SUBMITTING) {
            error = wjr_error_set(WJR_ESTATE,
                                  "trial %lld is being submitted; reconcile before stopping it",
                                  (long long)t->info.index);
            goto done;
        }
        t->in_poll = 1; /* an index listed twice is stopped once */
        stop[n++] = t;
        n_marked = n;
        if (t->sub == SUB_SUBMITTED) {
            kill_target *k = &targets[n_kill++];
            k->task = t->info.run.array_task_id;
            k->job = k->task != WJR_NO_TASK ? t->info.run.array_job_id : t->info.run.slurm_job_id;
            k->t = t;
        }
    }
    for (i = 0; i < n; i++)
        stop[i]->in_poll = 0;
    n_marked = 0;
    if (n_kill > 0) {
        qsort(targets, n_kill, sizeof(*targets), cmp_kill_target);
        ids = calloc(n_kill, sizeof(*ids));
        if (ids == NULL) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            goto done;
        }
        n_ids = kill_expressions(ids, targets, n_kill);
        for (i = 0; i < n_ids; i++)
            if (ids[i] == NULL) {
                error = wjr_error_set(WJR_ENOMEM, "out of memory");
                goto done;
            }
        error = r->backend->cancel_many(r->backend, (const char *const *)ids, n_ids);
        if (error < 0) {
            /* nothing is marked: the next poll sees what was cancelled */
            wjr_error_prefix("cannot stop %zu trial(s)", n);
            goto done;
        }
    }
    for (i = 0; i < n; i++)
        abandon(r, stop[i], reason);
    if (stopped)
        *stopped = n;
    if (n > 0)
        error = wjr__checkpoint(r);
done:
    for (i = 0; i < n_marked; i++)
        stop[i]->in_poll = 0;
    for (i = 0; ids && i < n_ids; i++)
        free(ids[i]);
    free(ids);
    free(targets);
    free(stop);
    return error;
}
