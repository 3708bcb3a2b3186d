/*
 * runner_reconcile.c - reconcile(): trials an interrupted caller left
 * "submitting" are found again. Their idempotency keys are looked up in
 * slurmctld, then in accounting, and their trial directories are read
 * (start marker, exit record, slurm-*.out) for a job that ran and was
 * forgotten; jobs found are adopted. The look-ups are repeated until the
 * lookup wait after the submission has passed, since a slow controller may
 * accept a request whose answer was lost. Only trials with no job anywhere
 * become unsubmitted again, for the caller to run.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence.h"
#include "runner_int.h"
#include "util.h"

/* Adopt the job named by the trial's key from a list of jobs, if it is there. */
static int adopt_by_key(wjr_runner *r, trial *t, const wjr_job_list *jobs, const char *where)
{
    size_t k;

    for (k = 0; k < jobs->count; k++) {
        const wjr_job_record *j = &jobs->jobs[k];
        uint32_t id = j->array_job_id ? j->array_job_id : j->job_id;
        if (j->name == NULL || t->key == NULL || strcmp(j->name, t->key) != 0)
            continue;
        if (t->planned_task != WJR_NO_TASK)
            wjr__mark_submitted(r, t, 0, id, t->planned_task, j->submit_time);
        else
            wjr__mark_submitted(r, t, id, 0, WJR_NO_TASK, j->submit_time);
        wjr__runner_log(r, WJR_LOG_INFO, t->info.index,
                        "reconciled: %s found in %s as job %s, not submitting again", t->key, where,
                        t->info.run.job_id);
        return 1;
    }
    return 0;
}

/* Adopt the job that the trial directory shows has started (start marker,
 * exit record, slurm-*.out) although no controller or database knows it. */
static int adopt_by_evidence(wjr_runner *r, trial *t)
{
    char *id = NULL, *source = NULL, *under;
    unsigned long a, task;

    if (!wjr_trial_evidence(&id, &source, t->info.run.trial_dir, t->key))
        return 0;
    under = id ? strchr(id, '_') : NULL;
    if (id && under) {
        a = strtoul(id, NULL, 10);
        task = strtoul(under + 1, NULL, 10);
        wjr__mark_submitted(r, t, 0, (uint32_t)a, (uint32_t)task, t->intent_time);
    } else if (id) {
        wjr__mark_submitted(r, t, (uint32_t)strtoul(id, NULL, 10), 0, WJR_NO_TASK, t->intent_time);
    }
    if (id) {
        wjr__runner_log(r, WJR_LOG_WARNING, t->info.index,
                        "reconciled: neither slurmctld nor accounting knows %s, but %s shows that "
                        "job %s started; not submitting again",
                        t->key, source, t->info.run.job_id);
    } else {
        /* a job ran, but which one cannot be told: never run it again */
        wjr__set_text(&t->info.run.job_id, "unknown");
        t->sub = SUB_SUBMITTED;
        t->info.slurm_state = wjr__intern(r, "UNKNOWN");
        wjr__finalize(r, t, WJR_TRIAL_FAILED, "UNKNOWN", -1, 0, NULL, 0,
                      "a job of the trial started (its directory holds a start marker or Slurm "
                      "output) but no job id can be found; not submitted again");
    }
    free(id);
    free(source);
    return 1;
}

/* Seconds to keep looking for the keys of @p pending: until lookup_wait
 * after the latest of their submissions. */
static double reconcile_wait(const wjr_runner *r, trial **pending, size_t n)
{
    int64_t latest = 0, now = (int64_t)time(NULL);
    double left;
    size_t i;

    for (i = 0; i < n; i++)
        if (pending[i]->intent_time > latest)
            latest = pending[i]->intent_time;
    left = (double)(latest - now) + r->lookup_wait;
    if (left > r->lookup_wait)
        left = r->lookup_wait; /* an intent in the future: a clock moved back */
    return left > 0 ? left : 0;
}

/*
 * One round of look-ups for the trials still 'submitting': slurmctld, then
 * accounting, then each trial directory. Returns how many are still not
 * found anywhere, or an error when a source that exists cannot be asked.
 */
static int reconcile_round(size_t *left, int *changed, wjr_runner *r, trial **pending, size_t n,
                           const char **names)
{
    wjr_job_list jobs = {0, NULL, NULL, NULL}, acct = {0, NULL, NULL, NULL};
    size_t i, n_names = 0;
    int64_t since = INT64_MAX;
    int error;

    *left = 0;
    error = r->backend->query(&jobs, r->backend);
    if (error < 0)
        return wjr_error_prefix("cannot reconcile %zu trial(s) left 'submitting'", n);
    for (i = 0; i < n; i++) {
        trial *t = pending[i];
        if (t->sub != SUB_SUBMITTING)
            continue;
        if (adopt_by_key(r, t, &jobs, "slurmctld")) {
            *changed = 1;
            continue;
        }
        wjr__add_key_once(names, &n_names, t->key);
        if (t->intent_time > 0 && t->intent_time < since)
            since = t->intent_time;
    }
    wjr_job_list_clear(&jobs);
    if (n_names == 0)
        return 0;
    /* slurmctld may have purged a finished job: ask accounting */
    error = r->backend->accounting(&acct, r->backend, names, n_names,
                                   since == INT64_MAX ? 0 : since - 60);
    if (error < 0 && error != WJR_ENOTFOUND)
        return wjr_error_prefix("cannot reconcile: accounting");
    for (i = 0; i < n; i++) {
        trial *t = pending[i];
        if (t->sub != SUB_SUBMITTING)
            continue;
        if (adopt_by_key(r, t, &acct, "accounting") || adopt_by_evidence(r, t))
            *changed = 1;
        else
            (*left)++;
    }
    wjr_job_list_clear(&acct);
    return 0;
}

int wjr_runner_reconcile(int64_t **unsubmitted, size_t *n_unsubmitted, wjr_runner *r)
{
    trial **pending = NULL;
    const char **names = NULL;
    size_t n = 0, i, left = 0, n_out = 0;
    double deadline;
    int64_t *outv = NULL;
    int error = 0, changed = 0;

    if (unsubmitted)
        *unsubmitted = NULL;
    if (n_unsubmitted)
        *n_unsubmitted = 0;
    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_reconcile: no runner");
    for (i = 0; i < r->n_trials; i++)
        if (r->trials[i]->sub == SUB_SUBMITTING)
            n++;
    if (n == 0)
        goto collect;
    pending = calloc(n, sizeof(*pending));
    names = calloc(n, sizeof(*names));
    if (pending == NULL || names == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    n = 0;
    for (i = 0; i < r->n_trials; i++)
        if (r->trials[i]->sub == SUB_SUBMITTING)
            pending[n++] = r->trials[i];

    /* a slow controller may still accept a request whose answer was lost:
     * look again until the lookup wait after the last submission */
    deadline = wjr_monotonic() + reconcile_wait(r, pending, n);
    for (;;) {
        error = reconcile_round(&left, &changed, r, pending, n, names);
        if (error < 0)
            goto done;
        if (left == 0 || wjr_monotonic() >= deadline)
            break;
        wjr__nap_until(deadline);
    }
    for (i = 0; i < n; i++) {
        trial *t = pending[i];
        if (t->sub != SUB_SUBMITTING)
            continue;
        wjr__runner_log(r, WJR_LOG_INFO, t->info.index,
                        "reconciled: %s was never accepted and no job of it started; it can be "
                        "submitted",
                        t->key);
        wjr__mark_unsubmitted(r, t, NULL);
        pending[n_out++] = t; /* reset by this call: reported to the caller */
        changed = 1;
    }
    if (changed) {
        error = wjr__checkpoint(r);
        if (error < 0)
            goto done;
    }
collect:
    /* only the trials this call reset, not those refused or never tried;
     * writing into pending is safe: n_out never passes the loop's i */
    if (unsubmitted && n_out > 0) {
        outv = calloc(n_out, sizeof(*outv));
        if (outv == NULL) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            goto done;
        }
        for (i = 0; i < n_out; i++)
            outv[i] = pending[i]->info.index;
        *unsubmitted = outv;
    }
    if (n_unsubmitted)
        *n_unsubmitted = n_out;
done:
    free(pending);
    free(names);
    return error;
}
