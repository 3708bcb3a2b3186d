/*
 * runner_poll.c - poll_trial_status(): the status of the runner's trials,
 * from one query RPC for all their jobs whatever their number (a cheaper
 * state-only RPC first where the backend has one). A failed query changes
 * nothing: the last known statuses come back marked stale. Each record
 * found goes to runner_settle.c; a job the controller no longer lists is
 * settled there by its exit record or by accounting.
 */
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"
#include "state.h"
#include "util.h"

static int collect_result(wjr_poll_result **out, wjr_runner *r, const int64_t *indices,
                          size_t count)
{
    wjr_poll_result *res = calloc(1, sizeof(*res));
    size_t i, n = indices ? count : r->n_trials;

    *out = NULL;
    if (res == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    res->indices = calloc(n ? n : 1, sizeof(int64_t));
    res->statuses = calloc(n ? n : 1, sizeof(wjr_trial_status));
    if (res->indices == NULL || res->statuses == NULL) {
        wjr_poll_result_free(res);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const trial *t = indices ? wjr__find_trial(r, indices[i]) : r->trials[i];
        if (t == NULL)
            continue;
        res->indices[res->count] = t->info.index;
        res->statuses[res->count] = t->info.status;
        res->count++;
    }
    *out = res;
    return 0;
}

/* Every index of a caller's list is a trial of this runner. */
int wjr__check_indices(const wjr_runner *r, const int64_t *indices, size_t count)
{
    size_t i;

    for (i = 0; indices && i < count; i++)
        if (wjr__find_trial(r, indices[i]) == NULL)
            return wjr_error_set(WJR_ENOTFOUND, "trial %lld is not tracked by this runner",
                                 (long long)indices[i]);
    return 0;
}

/*
 * Can the poll settle on states alone? Yes when every live trial has its
 * job in the light answer, in the state it was in at the last poll, and
 * that state says "still running" without a warning to give. A job that
 * changed state (it started: its start time; it was requeued: its restart
 * count), ended, is held, preempted or unknown needs the full records.
 */
static int light_answer_suffices(const wjr_job_list *jobs, trial **live, size_t n_live)
{
    job_map m = {NULL, NULL, 0};
    size_t i, pos;
    int packed, ok = wjr__index_records(&m, jobs) == 0;

    for (i = 0; ok && i < n_live; i++) {
        const wjr_job_record *j;
        wjr_state_verdict v;
        uint32_t state;

        if (!wjr__find_record(&m, jobs, live[i], &pos, &packed)) {
            ok = 0; /* ended and forgotten, or never seen: the full path settles it */
            break;
        }
        j = &jobs->jobs[pos];
        state = packed ? (uint32_t)WJR_JOB_PENDING : j->state;
        if (state != live[i]->state_word || live[i]->info.slurm_state == NULL) {
            ok = 0;
            break;
        }
        v = wjr_state_map(state, 1);
        ok = v.status == WJR_TRIAL_RUNNING && !v.held && !v.unknown &&
             (state & WJR_JOB_STATE_BASE) != WJR_JOB_PREEMPTED;
    }
    wjr__job_map_free(&m);
    return ok;
}

/*
 * The job records of a poll. Where the backend has a state-only call
 * (Slurm 23.11.5 and later), ask it first for the live trials' jobs; most
 * polls end there, with one cheap RPC. The full query follows only when a
 * state needs the whole record. A controller that does not answer, or an
 * interrupt, fails the poll at once, without a second wait.
 */
static int query_live(wjr_runner *r, wjr_job_list *jobs, trial **live, size_t n_live)
{
    uint32_t *ids;
    size_t i, k, n_ids = 0;
    int error;

    if (r->backend->query_states == NULL)
        return r->backend->query(jobs, r->backend);
    ids = calloc(n_live, sizeof(*ids));
    if (ids == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n_live; i++) {
        const trial *t = live[i];
        uint32_t id = t->info.run.array_task_id != WJR_NO_TASK ? t->info.run.array_job_id
                                                               : t->info.run.slurm_job_id;
        if (id == 0) {
            n_ids = 0; /* a job id not known yet: only the full query finds it */
            break;
        }
        for (k = 0; k < n_ids && ids[k] != id; k++)
            ;
        if (k == n_ids)
            ids[n_ids++] = id;
    }
    if (n_ids > 0) {
        error = r->backend->query_states(jobs, r->backend, ids, n_ids);
        if (error == WJR_ETIMEOUT || error == WJR_EUNREACHABLE || error == WJR_EINTERRUPTED) {
            free(ids);
            return error;
        }
        if (error == 0 && light_answer_suffices(jobs, live, n_live)) {
            free(ids);
            return 0;
        }
        wjr_job_list_clear(jobs);
    }
    free(ids);
    return r->backend->query(jobs, r->backend);
}

int wjr_runner_poll(wjr_poll_result **out, wjr_runner *r, const int64_t *indices, size_t count)
{
    wjr_job_list jobs = {0, NULL, NULL, NULL};
    job_map m = {NULL, NULL, 0};
    trial **live = NULL, **vanished = NULL;
    size_t n_live = 0, n_vanished = 0, i, pos, n_changed = 0;
    char *warning = NULL;
    int error = 0, stale = 0;

    *out = NULL;
    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_poll: no runner");
    error = wjr__check_indices(r, indices, count);
    if (error < 0)
        return error;
    live = calloc(r->n_trials ? r->n_trials : 1, sizeof(*live));
    if (live == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < (indices ? count : r->n_trials); i++) {
        trial *t = indices ? wjr__find_trial(r, indices[i]) : r->trials[i];
        /* an index listed twice is polled once */
        if (t->sub == SUB_SUBMITTED && !wjr_trial_status_is_terminal(t->info.status) &&
            !t->in_poll) {
            t->in_poll = 1;
            live[n_live++] = t;
        }
    }
    for (i = 0; i < n_live; i++)
        live[i]->in_poll = 0;
    if (n_live == 0)
        goto result;

    error = query_live(r, &jobs, live, n_live);
    if (error < 0) {
        /* a failed poll never makes a trial terminal: keep what we know */
        stale = 1;
        warning = wjr_asprintf("could not poll Slurm, statuses are the last known ones: %s",
                               wjr_error_last());
        wjr__runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL, "%s", warning ? warning : "poll failed");
        error = 0;
        goto result;
    }
    error = wjr__index_records(&m, &jobs);
    if (error < 0)
        goto done;
    vanished = calloc(n_live, sizeof(*vanished));
    if (vanished == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n_live; i++) {
        trial *t = live[i];
        int packed, found = wjr__find_record(&m, &jobs, t, &pos, &packed);
        if (found) {
            n_changed += (size_t)wjr__apply_record(r, t, &jobs.jobs[pos], packed);
        } else if (wjr__settle_by_exit_record(r, t)) {
            n_changed++;
        } else {
            vanished[n_vanished++] = t;
        }
    }
    if (n_vanished > 0) {
        int settled = wjr__settle_by_accounting(r, vanished, n_vanished);
        if (settled < 0) {
            stale = 1;
            warning = wjr_asprintf("%zu job(s) are no longer known to slurmctld and accounting "
                                   "could not be asked (%s); they stay RUNNING for now",
                                   n_vanished, wjr_error_last());
            wjr__runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL, "%s", warning ? warning : "");
        } else {
            n_changed += (size_t)settled;
        }
    }
    for (i = 0; i < n_live; i++)
        if (live[i]->retry_due)
            wjr__retry_trial(r, live[i]);
    if (n_changed > 0) {
        error = wjr__checkpoint(r);
        if (error < 0)
            goto done;
    }
result:
    error = collect_result(out, r, indices, count);
    if (error == 0) {
        (*out)->stale = stale;
        (*out)->warning = warning;
        warning = NULL;
    }
done:
    free(warning);
    free(live);
    free(vanished);
    wjr__job_map_free(&m);
    wjr_job_list_clear(&jobs);
    return error;
}

int wjr_poll_result_to_json(char **out, const wjr_poll_result *res)
{
    static const wjr_trial_status order[] = {WJR_TRIAL_RUNNING, WJR_TRIAL_COMPLETED,
                                             WJR_TRIAL_FAILED, WJR_TRIAL_ABANDONED,
                                             WJR_TRIAL_EARLY_STOPPED};
    wjr_buf b = WJR_BUF_INIT;
    size_t s, i;
    int first;

    wjr_buf_puts(&b, "{");
    for (s = 0; s < sizeof(order) / sizeof(order[0]); s++) {
        wjr_buf_printf(&b, "%s\"%s\": [", s ? ", " : "", wjr_trial_status_name(order[s]));
        first = 1;
        for (i = 0; i < res->count; i++) {
            if (res->statuses[i] != order[s])
                continue;
            wjr_buf_printf(&b, "%s%lld", first ? "" : ", ", (long long)res->indices[i]);
            first = 0;
        }
        wjr_buf_puts(&b, "]");
    }
    wjr_buf_puts(&b, "}");
    return wjr_buf_detach(out, &b);
}

void wjr_poll_result_free(wjr_poll_result *res)
{
    if (res == NULL)
        return;
    free(res->indices);
    free(res->statuses);
    free(res->warning);
    free(res);
}
