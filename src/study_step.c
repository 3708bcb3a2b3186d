/*
 * study_step.c - the driver's step (wjr_study_step): reconcile when a
 * submission's outcome is unknown, poll every trial, cancel the trials past
 * their time to live, log what changed, stop the study when too many
 * trials failed, generate trials up to the number allowed to wait (SOBOL,
 * RANDOM, GPEI) and submit them, and finish the study when every trial has
 * ended.
 *
 * The step never sleeps: the caller (the CLI) waits between steps, for
 * the delay the step proposes, and handles signals. A transient
 * controller outage keeps the last known statuses and submits nothing
 * until reconciled; the store is written when anything changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "study_driver.h"
#include "study_step.h"
#include "study_store.h"
#include "study_view.h"
#include "util.h"

#define MAX_DELAY           30.0
#define MAX_SUBMIT_FAILURES 20

static int transient(int error)
{
    return error == WJR_EUNREACHABLE || error == WJR_ETIMEOUT;
}

static int poll_all(wjr_study *s)
{
    wjr_poll_result *res = NULL;
    int error;

    error = wjr_runner_poll(&res, s->runner, NULL, 0);
    if (transient(error)) {
        if (!s->stale)
            wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                           "poll got no answer (%s): keeping the last known statuses",
                           wjr_error_last());
        s->stale = 1;
        return 0;
    }
    if (error < 0)
        return error;
    /* a stale poll was logged by the runner already: not said twice */
    s->stale = res->stale;
    wjr_poll_result_free(res);
    return 0;
}

/* Cancel trials running past ttl_seconds_for_trials, in one request for
 * all of them; they become FAILED (the runner keeps them ABANDONED, and
 * the study's status wins). */
static void enforce_ttl(wjr_study *s)
{
    double now = wjr_now();
    int64_t *late;
    char *why = NULL;
    size_t i, n = 0;

    if (s->config->ttl_seconds <= 0 || s->n_trials == 0)
        return;
    late = calloc(s->n_trials, sizeof(*late));
    if (late == NULL) {
        wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL, "ttl check skipped: out of memory");
        return;
    }
    for (i = 0; i < s->n_trials; i++) {
        study_trial *t = &s->trials[i];
        const wjr_trial_info *info = wjr__study_runner_info(s, t->index);

        if (t->overridden || info == NULL || !wjr__study_submitted(info) ||
            wjr_trial_status_is_terminal(info->status) || info->run.submit_time <= 0 ||
            now - (double)info->run.submit_time <= s->config->ttl_seconds)
            continue;
        late[n++] = t->index;
    }
    if (n == 0)
        goto done;
    /* the runner logs each cancelled job with this reason; the study's
     * verdict, FAILED as in BOA, is the one status line */
    why = wjr_asprintf("ttl exceeded (%.0f s)", s->config->ttl_seconds);
    if (why == NULL || wjr_runner_stop_many(NULL, s->runner, late, n, why) < 0) {
        wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                       "ttl exceeded for %zu trial(s) but cancel "
                       "failed: %s",
                       n, why != NULL ? wjr_error_last() : "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        study_trial *t = wjr__study_find_trial(s, late[i]);
        t->overridden = 1;
        t->override = WJR_TRIAL_FAILED;
        wjr__store_touch(s, t);
        free(t->override_reason);
        t->override_reason = wjr_strdup(why);
        wjr__study_log(s, WJR_LOG_WARNING, t->index, "FAILED: %s", t->override_reason);
    }
done:
    free(why);
    free(late);
}

/* Log status changes; returns 1 when any trial changed. */
int wjr__study_note_changes(wjr_study *s)
{
    int changed = 0;
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        study_trial *t = &s->trials[i];
        wjr_trial_status now;
        wjr_study_trial view;

        if (t->settled)
            continue; /* nothing about it changes any more */
        now = wjr__study_trial_status(s, t);
        if (now != t->last) {
            changed = 1;
            /* The runner logs each outcome itself; this is the study's trace. */
            wjr__study_trial_view(&view, s, t);
            wjr__study_log(s, WJR_LOG_DEBUG, t->index, "%s -> %s%s%s",
                           wjr_trial_status_name(t->last), wjr_trial_status_name(now),
                           view.reason != NULL ? ": " : "", view.reason != NULL ? view.reason : "");
            t->last = now;
        }
        wjr__study_settle(s, t);
    }
    return changed;
}

/*
 * Ax's failure-rate rule: once min_failed_trials_for_failure_rate_check
 * (5 unless the configuration says) trials went bad
 * (FAILED or ABANDONED), or at the end whatever their number, a bad share
 * of all the study's trials above tolerated_trial_failure_rate stops the
 * study: nothing more is submitted, and the trials in flight are polled
 * until they end (wjr_study_step), so that their outcomes are recorded.
 */
static void check_failure_rate(wjr_study *s)
{
    wjr_study_progress p;
    int64_t bad, trials = (int64_t)s->n_trials;
    int end = (trials >= s->config->total_trials || s->used_up) && wjr__study_all_terminal(s);

    memset(&p, 0, sizeof(p));
    wjr__study_count(&p, s);
    bad = p.failed + p.abandoned;
    if (bad == 0 || (bad < s->config->min_failed_for_rate && !end))
        return;
    if ((double)bad / (double)trials > s->config->tolerated_failure_rate) {
        char *copy = wjr__store_config_copy(s);

        s->state = WJR_STUDY_FAILED;
        s->changed = 1;
        wjr__study_log(
            s, WJR_LOG_ERROR, WJR_NO_TRIAL,
            "%lld of %lld trials failed or were abandoned, more than the tolerated rate %g: "
            "the study stops: nothing more is submitted, and the trials in flight are "
            "collected as they end (to go on, raise scheduler.tolerated_trial_failure_rate "
            "in %s and resume)",
            (long long)bad, (long long)trials, s->config->tolerated_failure_rate,
            copy != NULL ? copy : "the study's copy of its configuration");
        free(copy);
    }
}

/* Record a generated trial made by `step`; takes params. */
static int add_generated(wjr_study *s, json_t *params, wjr_model model)
{
    char *text = wjr_json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int error;

    json_decref(params);
    if (text == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = wjr__study_add_trial(s, wjr__study_next_index(s), text);
    if (error < 0)
        return error;
    s->trials[s->n_trials - 1].step = wjr__model_name(model);
    wjr__study_log(s, WJR_LOG_INFO, s->trials[s->n_trials - 1].index, "generated by %s",
                   wjr__model_name(model));
    s->drawn++;
    s->changed = 1;
    return 0;
}

/* The next `count` trials from a GPEI step, in one batch (kriging believer
 * keeps them apart), bounded by the step's end. When fewer untried points
 * are left than asked for, the batch shrinks to one; when none is left
 * (every combination of a discrete space tried, or none found within the
 * parameter constraints), the study generates nothing more and ends when
 * its trials in flight have. */
static int generate_gpei(wjr_study *s, int64_t step, int64_t count)
{
    const wjr_study_config *c = s->config;
    json_t **batch;
    int64_t start = 0, k;
    int error = 0;

    for (k = 0; k < step; k++)
        start += c->steps[k].num_trials;
    if (c->steps[step].num_trials > 0 && count > start + c->steps[step].num_trials - s->drawn)
        count = start + c->steps[step].num_trials - s->drawn;
    batch = calloc((size_t)count, sizeof(*batch));
    if (batch == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = wjr__study_gpei_suggest(batch, s, (size_t)step, (size_t)count, wjr__study_next_index(s),
                                    wjr__study_log_dispatch, s);
    if (error == WJR_ESTATE && count > 1) {
        count = 1;
        error = wjr__study_gpei_suggest(batch, s, (size_t)step, 1, wjr__study_next_index(s),
                                        wjr__study_log_dispatch, s);
    }
    if (error == WJR_ESTATE) {
        wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                       "GPEI finds no point left to try (%s): the study generates no more trials "
                       "and ends with %zu",
                       wjr_error_last(), s->n_trials);
        s->used_up = 1;
        s->changed = 1;
        free(batch);
        return 0;
    }
    if (error < 0)
        wjr__study_log(s, WJR_LOG_ERROR, WJR_NO_TRIAL, "GPEI could not suggest a trial: %s",
                       wjr_error_last());
    for (k = 0; k < count; k++) {
        if (error == 0)
            error = add_generated(s, batch[k], WJR_MODEL_GPEI);
        else
            json_decref(batch[k]);
    }
    free(batch);
    return error;
}

/* Finished trials a GPEI step waits for before it suggests: half the
 * trials of the steps before it (like Ax's min_trials_observed), so that
 * the model has data rather than guessing quasi-random points. Failed
 * trials count, so that a study whose first trials fail cannot wait
 * forever. */
static int64_t gpei_wants(const wjr_study_config *c, int64_t step)
{
    int64_t before = 0, k;

    for (k = 0; k < step; k++)
        before += c->steps[k].num_trials;
    return (before + 1) / 2;
}

/* The trials in flight the study may have while `step` generates:
 * max_pending_trials, or the step's own max_parallelism when smaller. */
static int64_t flight_cap(const wjr_study_config *c, int64_t step)
{
    int64_t own = step >= 0 ? c->steps[step].max_parallelism : -1;

    return own > 0 && own < c->max_pending_trials ? own : c->max_pending_trials;
}

/* Generate trials up to max_pending_trials unfinished (or the step's
 * max_parallelism) and total_trials. */
static int generate(wjr_study *s)
{
    const wjr_study_config *c = s->config;
    wjr_study_progress p;
    int64_t unfinished;
    int error;

    memset(&p, 0, sizeof(p));
    wjr__study_count(&p, s);
    unfinished = p.pending + p.running;
    while ((int64_t)s->n_trials < c->total_trials &&
           unfinished < flight_cap(c, wjr__config_step_of(c, s->drawn)) && !s->used_up) {
        int64_t step = wjr__config_step_of(c, s->drawn);
        int64_t before = (int64_t)s->n_trials;
        json_t *params = NULL;

        if (step >= 0 && c->steps[step].model == WJR_MODEL_GPEI) {
            int64_t room = c->total_trials - (int64_t)s->n_trials;
            if (room > flight_cap(c, step) - unfinished)
                room = flight_cap(c, step) - unfinished;
            if (p.completed + p.failed + p.abandoned < gpei_wants(c, step))
                break; /* wait for data, as Ax's min_trials_observed does */
            error = generate_gpei(s, step, room);
        } else {
            error = wjr_generator_draw(&params, s->gen, s->drawn);
            if (error == 0)
                error = add_generated(s, params, c->steps[step].model);
        }
        if (error < 0)
            return error;
        unfinished += (int64_t)s->n_trials - before;
    }
    return 0;
}

/* The trial's write_configs hook failed: it cannot run, so it is FAILED,
 * with the hook's message, and counts toward the tolerated failure rate
 * (a hook that fails for every trial stops the study there). */
static int hook_failed(wjr_study *s, int64_t index)
{
    study_trial *t = wjr__study_find_trial(s, index);

    if (t == NULL)
        return 0;
    t->overridden = 1;
    t->override = WJR_TRIAL_FAILED;
    free(t->override_reason);
    t->override_reason = wjr_strdup(wjr_error_last());
    wjr__store_touch(s, t);
    wjr__study_log(s, WJR_LOG_WARNING, index, "FAILED: %s",
                   t->override_reason != NULL ? t->override_reason : "write_configs failed");
    return t->override_reason != NULL ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

/* What the driver makes of a failed submission; refused is the index of
 * the trial whose job was refused, or WJR_NO_TRIAL. */
static int submit_error(wjr_study *s, int error, int64_t refused)
{
    if (error == WJR_ETIMEOUT) {
        wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                       "submission outcome unknown (%s): reconciling before the next one",
                       wjr_error_last());
        s->reconciled = 0;
        return 0;
    }
    if (error == WJR_EUNREACHABLE && ++s->submit_failures <= MAX_SUBMIT_FAILURES) {
        wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL, "cannot submit now (%s): retrying later",
                       wjr_error_last());
        return 0;
    }
    /* the runner has logged Slurm's answer already */
    wjr__study_log(s, WJR_LOG_DEBUG, WJR_NO_TRIAL, "submission failed: %s", wjr_error_last());
    if (error == WJR_ESLURM) {
        /* refused: the options the user can change are in the copy; a job
         * whose options come from its trial's values can be given up */
        const study_trial *t = wjr__study_find_trial(s, refused);
        char *copy = wjr__store_config_copy(s), *why = wjr_strdup(wjr_error_last());
        char *values =
            t != NULL ? wjr_config_slurm_trial_values(s->config, wjr__study_params(s, t)) : NULL;

        if (copy != NULL && why != NULL && values != NULL)
            wjr_error_set(error,
                          "%s (trial %lld asks for %s: edit the slurm section of %s, with which "
                          "the study submits, or abandon the trial with `wjr cancel %s %lld`; "
                          "then resume)",
                          why, (long long)refused, values, copy, s->dir, (long long)refused);
        else if (copy != NULL && why != NULL)
            wjr_error_set(error,
                          "%s (the study submits with the slurm section of %s: edit it there, "
                          "then resume)",
                          why, copy);
        free(values);
        free(copy);
        free(why);
    }
    return error;
}

static int submit_pending(wjr_study *s)
{
    wjr_trial_spec *specs = NULL;
    size_t n = 0, i, done = 0;
    int64_t refused = WJR_NO_TRIAL;
    int error = 0;

    specs = calloc(s->n_trials + 1, sizeof(*specs));
    if (specs == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < s->n_trials; i++) {
        if (!wjr__study_needs_submit(s, &s->trials[i]))
            continue;
        specs[n].index = s->trials[i].index;
        specs[n].params_json = wjr__study_params(s, &s->trials[i]);
        n++;
    }
    if (n == 0)
        goto done;
    /* The runner checkpoints before every submit RPC, so the parameters
     * (already in s->trials) are durable before any job can exist. The
     * runner logs each submission itself. */
    if (s->config->run_trials_in_batches && n > 1) {
        error = wjr_runner_run_multiple(&done, s->runner, specs, n);
        refused = done < n ? specs[done].index : WJR_NO_TRIAL;
    }
    /* one at a time, or again so after a hook failed for a trial of the
     * batch (none of it was submitted): that trial fails, the others go */
    if (!(s->config->run_trials_in_batches && n > 1) || (error == WJR_EHOOK && done == 0)) {
        error = 0;
        for (i = 0; i < n && error == 0; i++) {
            refused = specs[i].index;
            error = wjr_runner_run(NULL, s->runner, &specs[i]);
            if (error == WJR_EHOOK)
                error = hook_failed(s, specs[i].index);
        }
    }
    if (error == 0)
        s->submit_failures = 0;
    else
        error = submit_error(s, error, refused);
    /* the runner holds the parameters of every trial it took */
    for (i = 0; i < n; i++) {
        study_trial *t = wjr__study_find_trial(s, specs[i].index);
        if (t != NULL)
            wjr__study_share_params(s, t);
    }
done:
    free(specs);
    return error;
}

/* Some trial is with Slurm (or being submitted) and has not ended. */
static int in_flight(const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        wjr_trial_status st = wjr__study_trial_status(s, &s->trials[i]);
        if (st != WJR_TRIAL_CANDIDATE && !wjr_trial_status_is_terminal(st))
            return 1;
    }
    return 0;
}

int wjr_study_step(wjr_study_progress *out, wjr_study *s)
{
    const wjr_study_config *c = s->config;
    int error;

    error = wjr__study_writable(s);
    if (error == 0)
        error = wjr__study_whole(s, "wjr_study_step");
    if (error == 0 && s->fixed_changed) {
        int named = s->fixed_change != NULL && *s->fixed_change != '\0';
        /* what changed last: a long list may be cut, the advice is not */
        error =
            wjr_error_set(WJR_ECONFIG,
                          "%s: its parameters, metrics, constraints or generation steps were "
                          "changed since the study began, which its trials cannot follow: "
                          "undo that change (scheduler.total_trials and the slurm section may "
                          "change), or start a new study with it%s%s",
                          c->path, named ? ". What changed: " : "", named ? s->fixed_change : "");
    }
    if (error < 0)
        return error;
    wjr__store_heartbeat(s, 1);
    if (c->n_params == 0 || c->total_trials < 1)
        return wjr_error_set(WJR_ESTATE,
                             "%s: a driven study needs parameters and "
                             "scheduler.total_trials (this one is for wjr submit)",
                             c->path);
    s->changed = 0;
    /* a stopped study still collects its trials in flight */
    if (s->state == WJR_STUDY_RUNNING || in_flight(s)) {
        if (!s->reconciled) {
            error = wjr_study_reconcile(s);
            if (transient(error)) {
                wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                               "cannot reconcile yet (%s): submitting nothing until it can",
                               wjr_error_last());
                error = 0;
            }
            if (error < 0)
                goto done;
        }
        error = poll_all(s);
        if (error < 0)
            goto done;
        enforce_ttl(s);
        if (wjr__study_note_changes(s))
            s->changed = 1;
        if (s->state == WJR_STUDY_RUNNING)
            check_failure_rate(s);
    }
    if (s->state == WJR_STUDY_RUNNING && s->reconciled) {
        error = generate(s);
        if (error == 0)
            error = submit_pending(s);
        if (error < 0)
            goto done;
        if (wjr__study_note_changes(s))
            s->changed = 1;
        if (((int64_t)s->n_trials >= c->total_trials || s->used_up) && wjr__study_all_terminal(s)) {
            s->state = WJR_STUDY_FINISHED;
            s->changed = 1;
            wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "study finished: %zu trials",
                           s->n_trials);
        }
    }
    if (s->changed)
        s->delay = c->init_seconds_between_polls;
    else
        s->delay = s->delay * 1.5 > MAX_DELAY ? MAX_DELAY : s->delay * 1.5;
done:
    /* An idle poll writes nothing: the runner's checkpoints keep the journal
     * current, and results.csv only follows what changed. */
    if (error < 0 || s->changed || s->results_stale || wjr__store_pending(s)) {
        int saved = wjr__store_persist(s);
        if (error == 0)
            error = saved;
    }
    if (out != NULL)
        wjr_study_get_progress(out, s);
    return error;
}
