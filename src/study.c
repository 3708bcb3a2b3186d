/*
 * study.c - the study driver: an experiment directory and the step that
 * generates, submits and polls trials.
 *
 * The driver uses the runner through its public API only (wjr_runner_*),
 * exactly as an external optimizer would. Its durable state lives in the
 * store (study_store.c), written whenever the runner asks for a
 * checkpoint (before every submit RPC and after every change) and after
 * every step that changed something (an idle poll writes nothing); the
 * trials' parameters are written there before the runner sees them, so a
 * crash at any moment loses no trial, and reconciliation by the runner's
 * idempotency keys keeps any from running twice. The driver never sleeps:
 * the caller (the CLI) waits between steps and handles signals. The
 * read-only reports (status, results.csv) live in study_files.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wjr/runner.h"
#include "jsontext.h"
#include "study_int.h"
#include "study_store.h"
#include "study_view.h"
#include "util.h"

#define MAX_DELAY           30.0
#define MAX_SUBMIT_FAILURES 20

static void study_log(wjr_study *s, wjr_log_level level, int64_t trial, const char *fmt, ...)
    WJR_FORMAT(4, 5);

/* The runner's and the driver's records go to wjr.log and the caller's sink. */
static void log_dispatch(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    wjr_study *s = payload;

    if ((int)level < s->log_level)
        return;
    if (s->sink != NULL)
        wjr_log_file_sink_write(level, trial, message, s->sink);
    if (s->user_log != NULL)
        s->user_log(level, trial, message, s->user_payload);
}

static void study_log(wjr_study *s, wjr_log_level level, int64_t trial, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wjr_log_emitv(log_dispatch, s, level, trial, fmt, ap);
    va_end(ap);
}

static void log_nothing(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    WJR_UNUSED(level);
    WJR_UNUSED(trial);
    WJR_UNUSED(message);
    WJR_UNUSED(payload);
}

/* A trial the driver must (re)submit: generated, not submitted, not decided. */
static int needs_submit(const wjr_study *s, const study_trial *t)
{
    return !t->overridden && wjr__study_trial_status(s, t) == WJR_TRIAL_CANDIDATE;
}

/* ---- construction -------------------------------------------------------- */

static wjr_study *study_alloc(const wjr_study_options *opts)
{
    wjr_study *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    s->lock_fd = -1;
    s->log_level = WJR_LOG_INFO;
    if (opts != NULL) {
        s->flags = opts->flags;
        s->user_log = opts->log;
        s->user_payload = opts->log_payload;
        if (opts->log_level != 0)
            s->log_level = opts->log_level;
    }
    return s;
}

static void runner_opts_for(wjr_runner_options *ro, wjr_study *s)
{
    wjr_runner_options init = WJR_RUNNER_OPTIONS_INIT;

    *ro = init;
    ro->experiment_dir = s->dir;
    ro->log_level = (wjr_log_level)s->log_level;
    if (s->flags & WJR_STUDY_READONLY) {
        ro->log = log_nothing;
    } else {
        ro->log = log_dispatch;
        ro->log_payload = s;
        ro->checkpoint = wjr__store_checkpoint;
        ro->checkpoint_payload = s;
    }
}

static int open_sink(wjr_study *s)
{
    char *path;
    int error;

    if (s->flags & WJR_STUDY_READONLY)
        return 0;
    path = wjr_asprintf("%s/wjr.log", s->dir);
    if (path == NULL)
        return WJR_ENOMEM;
    error = wjr_log_file_sink_new((wjr_log_file_sink **)&s->sink, path, WJR_LOG_DEBUG);
    free(path);
    return error;
}

static long long fresh_seed(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)((ts.tv_nsec ^ (ts.tv_sec << 20) ^ (long)getpid()) & 0x7fffffff);
}

int wjr_study_create(wjr_study **out, const char *config_path, const wjr_study_options *opts)
{
    wjr_study *s = NULL;
    wjr_runner_options ro;
    int error;

    *out = NULL;
    s = study_alloc(opts);
    if (s == NULL)
        return WJR_ENOMEM;
    s->flags &= ~(unsigned)WJR_STUDY_READONLY;
    error = wjr_study_config_load(&s->config, config_path);
    if (error < 0)
        goto done;
    s->dir = wjr_strdup(s->config->experiment_dir);
    s->config_dir = wjr_strdup(s->config->dir);
    if (s->dir == NULL || s->config_dir == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    if (wjr__store_exists(s)) {
        error = wjr_error_set(WJR_EEXISTS,
                              "%s already holds a study: continue it with `wjr resume %s`, or "
                              "choose another experiment_dir",
                              s->dir, s->dir);
        goto done;
    }
    error = wjr_mkdir_p(s->dir, 0777);
    if (error == 0)
        error = wjr__store_lock(s, opts != NULL ? opts->command : NULL);
    if (error < 0)
        goto done;
    if (wjr__store_exists(s)) {
        error = wjr_error_set(WJR_EEXISTS,
                              "%s already holds a study: continue it with `wjr "
                              "resume %s`",
                              s->dir, s->dir);
        goto done;
    }
    error = open_sink(s);
    if (error == 0)
        error = wjr__store_copy_config(s, config_path);
    if (error < 0)
        goto done;
    s->seed = s->config->seed >= 0 ? s->config->seed : fresh_seed();
    s->config->seed = s->seed;
    error = wjr_generator_new(&s->gen, s->config);
    if (error < 0)
        goto done;
    runner_opts_for(&ro, s);
    error = wjr_study_config_new_runner(&s->runner, s->config, &ro);
    if (error < 0)
        goto done;
    s->reconciled = 1;
    s->delay = s->config->init_seconds_between_polls;
    error = wjr__store_persist(s);
    if (error < 0)
        goto done;
    study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "study %s created in %s from %s (seed %lld)",
              wjr_runner_study_id(s->runner), s->dir, s->config->path, s->seed);
done:
    if (error < 0) {
        wjr_study_free(s);
        return error;
    }
    *out = s;
    return 0;
}

int wjr_study_open(wjr_study **out, const char *dir, const wjr_study_options *opts)
{
    wjr_study *s = NULL;
    wjr_runner_options ro;
    size_t i;
    int error;

    *out = NULL;
    s = study_alloc(opts);
    if (s == NULL)
        return WJR_ENOMEM;
    s->dir = realpath(dir, NULL);
    if (s->dir == NULL) {
        error = wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EIO, "%s: %s", dir,
                              strerror(errno));
        goto done;
    }
    if (!(s->flags & WJR_STUDY_READONLY)) {
        error = wjr__store_lock(s, opts != NULL ? opts->command : NULL);
        if (error < 0)
            goto done;
    }
    runner_opts_for(&ro, s);
    error = wjr__store_load(s, dir, &ro);
    if (error == 0)
        error = wjr_generator_new(&s->gen, s->config);
    if (error == 0)
        error = open_sink(s);
    if (error < 0)
        goto done;
    for (i = 0; i < s->n_trials; i++)
        s->trials[i].last = wjr__study_trial_status(s, &s->trials[i]);
    s->delay = s->config->init_seconds_between_polls;
done:
    if (error < 0) {
        wjr_study_free(s);
        return error;
    }
    *out = s;
    return 0;
}

void wjr_study_free(wjr_study *s)
{
    size_t i;

    if (s == NULL)
        return;
    wjr_runner_free(s->runner);
    wjr_generator_free(s->gen);
    wjr_study_config_free(s->config);
    for (i = 0; i < s->n_trials; i++) {
        free(s->trials[i].params_json);
        free(s->trials[i].override_reason);
    }
    free(s->trials);
    wjr_log_file_sink_free(s->sink);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock; the file stays, naming the last holder */
    free(s->dir);
    free(s->config_dir);
    free(s);
}

const char *wjr_study_dir(const wjr_study *s)
{
    return s->dir;
}

const char *wjr_study_id(const wjr_study *s)
{
    return s->runner != NULL ? wjr_runner_study_id(s->runner) : NULL;
}

static int writable(const wjr_study *s)
{
    if (s->flags & WJR_STUDY_READONLY)
        return wjr_error_set(WJR_ESTATE, "the study was opened read-only");
    return 0;
}

int wjr_study_reconcile(wjr_study *s)
{
    int64_t *unsubmitted = NULL;
    size_t n = 0, i;
    int error;

    error = writable(s);
    if (error < 0)
        return error;
    error = wjr_runner_reconcile(&unsubmitted, &n, s->runner);
    if (error < 0)
        return error;
    for (i = 0; i < n; i++)
        study_log(s, WJR_LOG_INFO, unsubmitted[i],
                  "no job found for the interrupted submission: the trial will be submitted");
    free(unsubmitted);
    s->reconciled = 1;
    return wjr__store_save(s, s->runner);
}

/* ---- the driver's step --------------------------------------------------- */

static void count(wjr_study_progress *p, const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        switch (wjr__study_trial_status(s, &s->trials[i])) {
        case WJR_TRIAL_COMPLETED:
            p->completed++;
            break;
        case WJR_TRIAL_EARLY_STOPPED:
            p->early_stopped++;
            break;
        case WJR_TRIAL_FAILED:
            p->failed++;
            break;
        case WJR_TRIAL_ABANDONED:
            p->abandoned++;
            break;
        case WJR_TRIAL_CANDIDATE:
            p->pending++;
            break;
        default: {
            /* Waiting in Slurm's queue counts as pending for the user. */
            const wjr_trial_info *info = wjr__study_runner_info(s, s->trials[i].index);
            if (info != NULL && info->slurm_state != NULL &&
                strcmp(info->slurm_state, "PENDING") == 0)
                p->pending++;
            else
                p->running++;
            break;
        }
        }
    }
}

void wjr_study_get_progress(wjr_study_progress *out, const wjr_study *s)
{
    memset(out, 0, sizeof(*out));
    out->state = s->state;
    out->total = s->config->total_trials;
    out->generated = (int64_t)s->n_trials;
    count(out, s);
    out->best_index = wjr__study_best(&out->best_value, s);
    out->best_metric = wjr__study_objective(s) == NULL    ? NULL
                       : wjr__study_scalarized(s->config) ? "weighted_sum"
                                                          : wjr__study_objective(s)->name;
    out->stale = s->stale;
    out->next_delay = s->delay;
    out->changed = s->changed;
}

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
            study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                      "poll got no answer (%s): keeping the last known statuses", wjr_error_last());
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
 * all of them; they become FAILED. */
static void enforce_ttl(wjr_study *s)
{
    double now = wjr_now();
    int64_t *late;
    size_t i, n = 0;

    if (s->config->ttl_seconds <= 0 || s->n_trials == 0)
        return;
    late = calloc(s->n_trials, sizeof(*late));
    if (late == NULL) {
        study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL, "ttl check skipped: out of memory");
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
    if (n > 0 && wjr_runner_stop_many(NULL, s->runner, late, n, "ttl exceeded") < 0) {
        study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                  "ttl exceeded for %zu trial(s) but cancel "
                  "failed: %s",
                  n, wjr_error_last());
        n = 0;
    }
    for (i = 0; i < n; i++) {
        study_trial *t = wjr__study_find_trial(s, late[i]);
        t->overridden = 1;
        t->override = WJR_TRIAL_FAILED;
        free(t->override_reason);
        t->override_reason = wjr_asprintf("ttl exceeded (%.0f s)", s->config->ttl_seconds);
        study_log(s, WJR_LOG_WARNING, t->index, "FAILED: %s", t->override_reason);
    }
    free(late);
}

/* Log status changes; returns 1 when any trial changed. */
static int note_changes(wjr_study *s)
{
    int changed = 0;
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        study_trial *t = &s->trials[i];
        wjr_trial_status now = wjr__study_trial_status(s, t);
        wjr_study_trial view;

        if (now == t->last)
            continue;
        changed = 1;
        /* The runner logs each outcome itself; this is the study's trace. */
        wjr__study_trial_view(&view, s, t);
        study_log(s, WJR_LOG_DEBUG, t->index, "%s -> %s%s%s", wjr_trial_status_name(t->last),
                  wjr_trial_status_name(now), view.reason != NULL ? ": " : "",
                  view.reason != NULL ? view.reason : "");
        t->last = now;
    }
    return changed;
}

/* Ax's min_failed_trials_for_failure_rate_check (its default) */
#define MIN_FAILED_FOR_RATE_CHECK 5

static int all_terminal(const wjr_study *s);

/*
 * Ax's failure-rate rule: once MIN_FAILED_FOR_RATE_CHECK trials went bad
 * (FAILED or ABANDONED), or at the end whatever their number, a bad share
 * of all the study's trials above tolerated_trial_failure_rate stops the
 * study: nothing more is submitted, running jobs are left alone.
 */
static void check_failure_rate(wjr_study *s)
{
    wjr_study_progress p;
    int64_t bad, trials = (int64_t)s->n_trials;
    int end = trials >= s->config->total_trials && all_terminal(s);

    memset(&p, 0, sizeof(p));
    count(&p, s);
    bad = p.failed + p.abandoned;
    if (bad == 0 || (bad < MIN_FAILED_FOR_RATE_CHECK && !end))
        return;
    if ((double)bad / (double)trials > s->config->tolerated_failure_rate) {
        s->state = WJR_STUDY_FAILED;
        s->changed = 1;
        study_log(s, WJR_LOG_ERROR, WJR_NO_TRIAL,
                  "%lld of %lld trials failed or were abandoned, more than the tolerated rate %g: "
                  "the study stops (running jobs are left alone)",
                  (long long)bad, (long long)trials, s->config->tolerated_failure_rate);
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
    study_log(s, WJR_LOG_INFO, s->trials[s->n_trials - 1].index, "generated by %s",
              wjr__model_name(model));
    s->drawn++;
    s->changed = 1;
    return 0;
}

/* The next `count` trials from a GPEI step, in one batch (kriging believer
 * keeps them apart), bounded by the step's end. */
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
                                    log_dispatch, s);
    if (error < 0)
        study_log(s, WJR_LOG_ERROR, WJR_NO_TRIAL, "GPEI could not suggest a trial: %s",
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

/* Generate trials up to max_pending_trials unfinished and total_trials. */
static int generate(wjr_study *s)
{
    const wjr_study_config *c = s->config;
    wjr_study_progress p;
    int64_t unfinished;
    int error;

    memset(&p, 0, sizeof(p));
    count(&p, s);
    unfinished = p.pending + p.running;
    while ((int64_t)s->n_trials < c->total_trials && unfinished < c->max_pending_trials) {
        int64_t step = wjr__config_step_of(c, s->drawn);
        int64_t before = (int64_t)s->n_trials;
        json_t *params = NULL;

        if (step >= 0 && c->steps[step].model == WJR_MODEL_GPEI) {
            int64_t room = c->total_trials - (int64_t)s->n_trials;
            if (room > c->max_pending_trials - unfinished)
                room = c->max_pending_trials - unfinished;
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

/* Decide what a submission error means for the driver. */
static int submit_error(wjr_study *s, int error)
{
    if (error == WJR_ETIMEOUT) {
        study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                  "submission outcome unknown (%s): reconciling before the next one",
                  wjr_error_last());
        s->reconciled = 0;
        return 0;
    }
    if (error == WJR_EUNREACHABLE && ++s->submit_failures <= MAX_SUBMIT_FAILURES) {
        study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL, "cannot submit now (%s): retrying later",
                  wjr_error_last());
        return 0;
    }
    /* the runner has logged Slurm's answer already */
    study_log(s, WJR_LOG_DEBUG, WJR_NO_TRIAL, "submission failed: %s", wjr_error_last());
    return error;
}

static int submit_pending(wjr_study *s)
{
    wjr_trial_spec *specs = NULL;
    size_t n = 0, i, done = 0;
    int error = 0;

    specs = calloc(s->n_trials + 1, sizeof(*specs));
    if (specs == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < s->n_trials; i++) {
        if (!needs_submit(s, &s->trials[i]))
            continue;
        specs[n].index = s->trials[i].index;
        specs[n].params_json = s->trials[i].params_json;
        n++;
    }
    if (n == 0)
        goto done;
    /* The runner checkpoints before every submit RPC, so the parameters
     * (already in s->trials) are durable before any job can exist. The
     * runner logs each submission itself. */
    if (s->config->run_trials_in_batches && n > 1) {
        error = wjr_runner_run_multiple(&done, s->runner, specs, n);
    } else {
        for (i = 0; i < n && error == 0; i++)
            error = wjr_runner_run(NULL, s->runner, &specs[i]);
    }
    if (error == 0)
        s->submit_failures = 0;
    else
        error = submit_error(s, error);
done:
    free(specs);
    return error;
}

static int all_terminal(const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++)
        if (!wjr_trial_status_is_terminal(wjr__study_trial_status(s, &s->trials[i])))
            return 0;
    return 1;
}

int wjr_study_step(wjr_study_progress *out, wjr_study *s)
{
    const wjr_study_config *c = s->config;
    int error;

    error = writable(s);
    if (error < 0)
        return error;
    if (c->n_params == 0 || c->total_trials < 1)
        return wjr_error_set(WJR_ESTATE,
                             "%s: a driven study needs parameters and "
                             "scheduler.total_trials (this one is for wjr submit)",
                             c->path);
    s->changed = 0;
    if (s->state == WJR_STUDY_RUNNING) {
        if (!s->reconciled) {
            error = wjr_study_reconcile(s);
            if (transient(error)) {
                study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
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
        if (note_changes(s))
            s->changed = 1;
        check_failure_rate(s);
    }
    if (s->state == WJR_STUDY_RUNNING && s->reconciled) {
        error = generate(s);
        if (error == 0)
            error = submit_pending(s);
        if (error < 0)
            goto done;
        if (note_changes(s))
            s->changed = 1;
        if ((int64_t)s->n_trials >= c->total_trials && all_terminal(s)) {
            s->state = WJR_STUDY_FINISHED;
            s->changed = 1;
            study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "study finished: %zu trials", s->n_trials);
        }
    }
    if (s->changed)
        s->delay = c->init_seconds_between_polls;
    else
        s->delay = s->delay * 1.5 > MAX_DELAY ? MAX_DELAY : s->delay * 1.5;
done:
    /* An idle poll rewrites nothing: the runner's checkpoints keep study.json
     * current, and results.csv only follows what changed. */
    if (error < 0 || s->changed || s->results_stale) {
        int saved = wjr__store_persist(s);
        if (error == 0)
            error = saved;
    }
    if (out != NULL)
        wjr_study_get_progress(out, s);
    return error;
}

/* ---- external optimizers ------------------------------------------------- */

static int prepare_external(wjr_study *s)
{
    int error = writable(s);

    if (error == 0 && !s->reconciled)
        error = wjr_study_reconcile(s);
    return error;
}

/* Parse and check one parameters object; *out is canonical compact JSON. */
static int parse_params(char **out, const wjr_study *s, const char *text, size_t which)
{
    json_error_t jerr;
    json_t *params;
    int error;

    *out = NULL;
    params = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (params == NULL)
        return wjr_error_set(WJR_EINVALID, "parameters %zu: bad JSON at column %d: %s", which,
                             jerr.column, jerr.text);
    error = wjr_study_config_check_params(s->config, params);
    if (error < 0) {
        wjr_error_prefix("parameters %zu", which);
        goto done;
    }
    *out = wjr_json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (*out == NULL)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
done:
    json_decref(params);
    return error;
}

/* The runner's metadata of a trial as a JSON object, with "trial_index". */
static json_t *metadata_json(const wjr_study *s, int64_t index)
{
    const wjr_trial_info *info = wjr__study_runner_info(s, index);
    char *text = NULL;
    json_t *obj = NULL;

    if (info != NULL && wjr_run_metadata_to_json(&text, &info->run) == 0)
        obj = json_loads(text, 0, NULL);
    free(text);
    if (obj == NULL)
        obj = json_object();
    json_object_set_new(obj, "trial_index", json_integer(index));
    return obj;
}

/* A refused submission: the trial stays recorded, as ABANDONED with Slurm's reason. */
static void mark_refused(wjr_study *s, int64_t index)
{
    study_trial *t = wjr__study_find_trial(s, index);

    if (t == NULL || !needs_submit(s, t))
        return;
    t->overridden = 1;
    t->override = WJR_TRIAL_ABANDONED;
    t->override_reason = wjr_asprintf("submission refused: %s", wjr_error_last());
}

int wjr_study_submit_batch(char **out, wjr_study *s, const char *const *params_json, size_t count_)
{
    wjr_trial_spec *specs = NULL;
    json_t *result = NULL;
    size_t i, submitted = 0, n_before = s->n_trials;
    int64_t first;
    char why[1024] = "";
    int error;

    *out = NULL;
    error = prepare_external(s);
    if (error < 0)
        return error;
    if (count_ == 0)
        return wjr_error_set(WJR_EINVALID, "no parameters to submit");
    specs = calloc(count_, sizeof(*specs));
    if (specs == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    first = wjr__study_next_index(s);
    /* Every entry is checked before any trial is recorded. */
    for (i = 0; i < count_; i++) {
        char *canon = NULL;
        error = parse_params(&canon, s, params_json[i], i + 1);
        if (error < 0)
            goto done;
        specs[i].index = first + (int64_t)i;
        specs[i].params_json = canon;
    }
    for (i = 0; i < count_; i++) {
        char *canon = (char *)specs[i].params_json;

        specs[i].params_json = NULL; /* wjr__study_add_trial takes it, even on failure */
        error = wjr__study_add_trial(s, specs[i].index, canon);
        if (error < 0)
            goto done;
        specs[i].params_json = s->trials[s->n_trials - 1].params_json;
    }
    /* The runner checkpoints (study.json with these trials) before its RPC. */
    if (count_ == 1)
        error = wjr_runner_run(NULL, s->runner, &specs[0]);
    else
        error = wjr_runner_run_multiple(&submitted, s->runner, specs, count_);
    if (error == WJR_ESLURM || error == WJR_EUNREACHABLE)
        for (i = 0; i < count_; i++)
            mark_refused(s, specs[i].index);
    if (error < 0) /* the metadata below would overwrite the reason */
        snprintf(why, sizeof(why), "%s", wjr_error_last());
    result = json_object();
    for (i = 0; i < count_ && result != NULL; i++) {
        char key[32];
        snprintf(key, sizeof(key), "%lld", (long long)specs[i].index);
        json_object_set_new(result, key, metadata_json(s, specs[i].index));
    }
    if (error < 0)
        wjr_error_set(error, "%s", why);
    if (error == 0) {
        /* One trial: its metadata; several: {"<index>": metadata}. */
        json_t *shown = result;
        char key[32];
        snprintf(key, sizeof(key), "%lld", (long long)specs[0].index);
        if (count_ == 1)
            shown = json_object_get(result, key);
        *out = wjr_json_dumps(shown, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (*out == NULL)
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
    }
done:
    if (error < 0) {
        /* Parameters parsed but never recorded are ours to free. */
        for (i = 0; i < count_; i++)
            if (specs[i].params_json != NULL && wjr__study_find_trial(s, specs[i].index) == NULL)
                free((char *)specs[i].params_json);
    }
    if (s->n_trials > n_before) {
        int saved = wjr__store_persist(s);
        if (error == 0)
            error = saved;
    }
    json_decref(result);
    free(specs);
    return error;
}

int wjr_study_submit(char **out, wjr_study *s, const char *params_json)
{
    return wjr_study_submit_batch(out, s, &params_json, 1);
}

int wjr_study_poll(char **out, int *stale, wjr_study *s)
{
    wjr_poll_result *res = NULL;
    int error;

    *out = NULL;
    error = prepare_external(s);
    if (error < 0)
        return error;
    error = wjr_runner_poll(&res, s->runner, NULL, 0);
    if (error < 0)
        return error;
    if (stale != NULL)
        *stale = res->stale;
    error = wjr_poll_result_to_json(out, res);
    wjr_poll_result_free(res);
    note_changes(s);
    {
        int saved = wjr__store_persist(s);
        if (error == 0)
            error = saved;
    }
    return error;
}

int wjr_study_cancel(size_t *cancelled, wjr_study *s, const int64_t *indices, size_t n,
                     const char *reason)
{
    const char *why = reason != NULL ? reason : "cancelled";
    int64_t *live = NULL;
    size_t i, stopped = 0, n_live = 0, in_runner = 0;
    int error, first_error = 0;

    if (cancelled != NULL)
        *cancelled = 0;
    error = prepare_external(s);
    if (error < 0)
        return error;
    for (i = 0; i < n; i++)
        if (wjr__study_find_trial(s, indices[i]) == NULL)
            return wjr_error_set(WJR_ENOTFOUND, "no trial %lld in this study",
                                 (long long)indices[i]);
    live = calloc(s->n_trials ? s->n_trials : 1, sizeof(*live));
    if (live == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < s->n_trials; i++) {
        study_trial *t = &s->trials[i];
        wjr_trial_status st = wjr__study_trial_status(s, t);
        size_t k;

        if (n > 0) {
            for (k = 0; k < n && indices[k] != t->index; k++)
                ;
            if (k == n)
                continue;
        }
        if (wjr_trial_status_is_terminal(st))
            continue;
        if (st == WJR_TRIAL_CANDIDATE) {
            t->overridden = 1;
            t->override = WJR_TRIAL_ABANDONED;
            t->override_reason = wjr_strdup(why);
            stopped++;
            continue;
        }
        live[n_live++] = t->index;
    }
    /* one cancel request per array (or one in all), one checkpoint */
    if (n_live > 0) {
        error = wjr_runner_stop_many(&in_runner, s->runner, live, n_live, why);
        if (error < 0) {
            study_log(s, WJR_LOG_ERROR, WJR_NO_TRIAL, "cannot cancel %zu trial(s): %s", n_live,
                      wjr_error_last());
            first_error = error;
        }
        stopped += in_runner;
    }
    free(live);
    if (stopped > 0)
        study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "cancelled %zu trials", stopped);
    note_changes(s);
    if (cancelled != NULL)
        *cancelled = stopped;
    error = wjr__store_persist(s);
    return first_error < 0 ? first_error : error;
}

int wjr_study_check(wjr_cluster_info *info, wjr_study_config **config, const char *config_path)
{
    wjr_study_config *cfg = NULL;
    wjr_slurm_options so;
    wjr_backend *backend = NULL;
    int error;

    memset(info, 0, sizeof(*info));
    if (config != NULL)
        *config = NULL;
    error = wjr_study_config_load(&cfg, config_path);
    if (error < 0)
        goto done;
    wjr_study_config_slurm_options(&so, cfg);
    error = wjr_backend_slurm_new(&backend, &so);
    if (error < 0)
        goto done;
    error = wjr_backend_cluster_info(info, backend);
    if (error < 0)
        goto done;
    if (!info->partition_found)
        error = wjr_error_set(WJR_ESLURM, "partition \"%s\" does not exist on cluster %s",
                              cfg->partition != NULL ? cfg->partition : "(default)",
                              info->cluster_name != NULL ? info->cluster_name : "?");
    else
        error = wjr_config_slurm_check_cluster(cfg, info); /* resources vs the partition */
done:
    wjr_backend_free(backend);
    if (error == 0 && config != NULL) {
        *config = cfg;
        cfg = NULL;
    }
    wjr_study_config_free(cfg);
    return error;
}
