/*
 * study.c - a study: its creation in a new experiment directory, its
 * opening from one, its getters, its log and reconciliation.
 *
 * A study is a driver over a runner: it uses the runner through its
 * public API only (wjr_runner_*), exactly as an external optimizer would.
 * Its durable state lives in the store (study_store.c), written whenever
 * the runner asks for a checkpoint (before every submit RPC and after
 * every change) and after every step that changed something; the trials'
 * parameters are written there before the runner sees them, so a crash at
 * any moment loses no trial, and reconciliation by the runner's
 * idempotency keys keeps any from running twice. The driver's step is in
 * study_step.c, the API of external optimizers (submit, poll, cancel) in
 * study_submit.c, what trials look like in study_view.c and the read-only
 * reports (status, results) in study_files.c, the check of a
 * configuration against the cluster in study_check.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wjr/runner.h"
#include "backend.h"
#include "jsondiff.h"
#include "study_int.h"
#include "study_csv.h"
#include "study_driver.h"
#include "study_store.h"
#include "study_view.h"
#include "util.h"

#define MAX_DELAY           30.0
#define MAX_SUBMIT_FAILURES 20
void wjr__study_log_dispatch(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    wjr_study *s = payload;

    if ((int)level < s->log_level)
        return;
    if (s->sink != NULL)
        wjr_log_file_sink_write(level, trial, message, s->sink);
    if (s->user_log != NULL)
        s->user_log(level, trial, message, s->user_payload);
}

void wjr__study_log(wjr_study *s, wjr_log_level level, int64_t trial, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wjr_log_emitv(wjr__study_log_dispatch, s, level, trial, fmt, ap);
    va_end(ap);
}

static void log_nothing(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    WJR_UNUSED(level);
    WJR_UNUSED(trial);
    WJR_UNUSED(message);
    WJR_UNUSED(payload);
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
        ro->log = wjr__study_log_dispatch;
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

/* What a study cannot change once it has trials, as text in *text (the
 * caller frees), and its FNV-1a. */
static int fixed_digest(uint64_t *out, char **text, const wjr_study_config *c)
{
    *text = wjr__study_fixed_text(c);
    if (*text == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    *out = wjr_fnv1a(*text, strlen(*text));
    return 0;
}

/* s->fixed_change: what differs between the fixed text the study began
 * with and now's. Left NULL for a study older than the stored text. */
static int describe_fixed_change(wjr_study *s, const char *now)
{
    json_t *was_json, *now_json;

    if (s->fixed_text == NULL)
        return 0;
    was_json = json_loads(s->fixed_text, 0, NULL);
    now_json = json_loads(now, 0, NULL);
    if (was_json != NULL && now_json != NULL)
        s->fixed_change = wjr_json_diff(was_json, now_json, 4, 60);
    json_decref(was_json);
    json_decref(now_json);
    return was_json != NULL && now_json != NULL && s->fixed_change == NULL
               ? wjr_error_set(WJR_ENOMEM, "out of memory")
               : 0;
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
        /* driven now, resuming it would be refused too: say by whom */
        error = wjr__store_locked(s);
        if (error == WJR_ELOCKED)
            error = wjr_error_prefix("%s already holds a study, driven now", s->dir);
        else if (error == 0)
            error = wjr_error_set(WJR_EEXISTS,
                                  "%s already holds a study: continue it with `wjr resume %s`, "
                                  "or choose another experiment_dir",
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
    error = fixed_digest(&s->fixed_digest, &s->fixed_text, s->config);
    if (error < 0)
        goto done;
    s->has_fixed_digest = 1;
    s->seed = s->config->seed >= 0 ? s->config->seed : fresh_seed();
    s->config->seed = s->seed;
    s->sobol_origin = s->config->sobol_origin;
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
    wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "study %s created in %s from %s (seed %lld)",
                   wjr_runner_study_id(s->runner), s->dir, s->config->path, s->seed);
done:
    if (error < 0) {
        wjr_study_free(s);
        return error;
    }
    *out = s;
    return 0;
}

/*
 * The slurm section of the study's copy of its configuration, when it no
 * longer says what the recorded runner submits with (the user edited it,
 * e.g. after the controller refused a submission): later submissions use
 * it, jobs already in Slurm keep theirs, and the next save records it.
 */
static int adopt_slurm_section(wjr_study *s)
{
    wjr_slurm_options so;
    wjr_backend *backend = NULL;
    char *changes = NULL;
    int error;

    wjr_study_config_slurm_options(&so, s->config);
    error = wjr_backend_slurm_new(&backend, &so);
    if (error < 0)
        return wjr_error_prefix("%s", s->config->path);
    error = wjr_runner_set_backend(&changes, s->runner, backend);
    if (error == 0 && changes != NULL) {
        wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL,
                       "the slurm section of %s changed (%s): trials submitted from now on use "
                       "it, jobs already in Slurm keep theirs",
                       s->config->path, changes);
        error = wjr__store_save(s);
    }
    free(changes);
    return error;
}

/* The study keeps to its copy of the configuration: an edit of the file
 * it was created from does nothing, which a resumed study says. */
static void warn_source_changed(wjr_study *s)
{
    char *copy;

    if (!wjr__store_source_changed(s))
        return;
    copy = wjr__store_config_copy(s);
    wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                   "%s changed after the study was created from it: the study keeps to its own "
                   "copy %s (total_trials and the slurm section may change there)",
                   s->config_source, copy != NULL ? copy : "in its directory");
    free(copy);
}

/* A study stopped by its failure rate goes on when the rate was raised in
 * its copy of the configuration, as one whose total_trials was raised
 * does; otherwise a resume says why it submits nothing. */
static void reopen_failed(wjr_study *s)
{
    wjr_study_progress p;
    int64_t bad, trials = (int64_t)s->n_trials;
    char *copy;

    memset(&p, 0, sizeof(p));
    wjr__study_count(&p, s);
    bad = p.failed + p.abandoned;
    if (trials > 0 && (double)bad / (double)trials <= s->config->tolerated_failure_rate) {
        s->state = WJR_STUDY_RUNNING;
        wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL,
                       "scheduler.tolerated_trial_failure_rate is now %g: the study stopped by "
                       "its failure rate continues",
                       s->config->tolerated_failure_rate);
        return;
    }
    copy = wjr__store_config_copy(s);
    wjr__study_log(s, WJR_LOG_WARNING, WJR_NO_TRIAL,
                   "the study stopped at its failure rate (%lld of %lld trials failed or were "
                   "abandoned, more than tolerated_trial_failure_rate %g) and submits nothing "
                   "more; the trials' reasons say why they failed. To go on, fix the cause and "
                   "raise scheduler.tolerated_trial_failure_rate in %s, or start a new study",
                   (long long)bad, (long long)trials, s->config->tolerated_failure_rate,
                   copy != NULL ? copy : "the study's copy of the configuration");
    free(copy);
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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
    if (!is_dir(s->dir)) {
        error = wjr_error_set(WJR_ENOTFOUND, "%s: not a directory (give the experiment directory)",
                              dir);
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
    for (i = 0; i < s->n_trials; i++) {
        s->trials[i].last = wjr__study_trial_status(s, &s->trials[i]);
        wjr__study_settle(s, &s->trials[i]);
    }
    if (!(s->flags & WJR_STUDY_READONLY) && s->has_fixed_digest) {
        uint64_t now = 0;
        char *text = NULL;

        error = fixed_digest(&now, &text, s->config);
        s->fixed_changed = error == 0 && now != s->fixed_digest;
        if (s->fixed_changed) {
            error = describe_fixed_change(s, text);
        } else if (error == 0 && s->fixed_text == NULL) {
            s->fixed_text = text; /* a study older than the stored text: it is this one */
            text = NULL;
            wjr__store_header_changed(s);
        }
        free(text);
        if (error < 0)
            goto done;
    }
    if (!(s->flags & WJR_STUDY_READONLY)) {
        warn_source_changed(s);
        error = adopt_slurm_section(s);
        if (error < 0)
            goto done;
    }
    s->delay = s->config->init_seconds_between_polls;
    if (s->state == WJR_STUDY_FAILED && !(s->flags & (WJR_STUDY_READONLY | WJR_STUDY_SUBMIT_ONLY)))
        reopen_failed(s);
    if (s->state == WJR_STUDY_FINISHED &&
        !(s->flags & (WJR_STUDY_READONLY | WJR_STUDY_SUBMIT_ONLY)) &&
        s->config->total_trials > (int64_t)s->n_trials) {
        /* total_trials was raised in the study's configuration copy */
        s->state = WJR_STUDY_RUNNING;
        wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL,
                       "scheduler.total_trials is now %lld: the finished study continues",
                       (long long)s->config->total_trials);
    }
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
    if (s == NULL)
        return;
    wjr__store_free(s);
    wjr_runner_free(s->runner);
    wjr_generator_free(s->gen);
    wjr_study_config_free(s->config);
    wjr__study_trials_free(s);
    wjr__study_csv_free(s->csv);
    wjr_log_file_sink_free(s->sink);
    if (s->lock_fd >= 0) {
        wjr__store_heartbeat(s, 0); /* released: no driver runs */
        close(s->lock_fd);          /* releases the flock; the file stays, naming the last holder */
    }
    free(s->dir);
    free(s->config_dir);
    free(s->config_source);
    free(s->fixed_text);
    free(s->fixed_change);
    free(s);
}

const char *wjr_study_dir(const wjr_study *s)
{
    return s->dir;
}

char *wjr_study_config_copy(const wjr_study *s)
{
    return wjr__store_config_copy(s);
}

const char *wjr_study_id(const wjr_study *s)
{
    return s->runner != NULL ? wjr_runner_study_id(s->runner) : NULL;
}

int wjr__study_writable(const wjr_study *s)
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

    error = wjr__study_writable(s);
    if (error < 0)
        return error;
    error = wjr_runner_reconcile(&unsubmitted, &n, s->runner);
    if (error < 0)
        return error;
    for (i = 0; i < n; i++)
        wjr__study_log(s, WJR_LOG_INFO, unsubmitted[i],
                       "no job found for the interrupted submission: the trial will be submitted");
    free(unsubmitted);
    s->reconciled = 1;
    return wjr__store_save(s);
}

void wjr_study_get_progress(wjr_study_progress *out, const wjr_study *s)
{
    memset(out, 0, sizeof(*out));
    out->state = s->state;
    out->total = s->config->total_trials;
    out->generated = (int64_t)s->n_trials;
    wjr__study_count(out, s);
    out->best_index = wjr__study_best(&out->best_value, s);
    out->best_metric = wjr__study_objective(s) == NULL    ? NULL
                       : wjr__study_scalarized(s->config) ? "weighted_sum"
                                                          : wjr__study_objective(s)->name;
    out->objectives = (int)wjr__config_objectives(s->config);
    out->pareto_count = (int64_t)s->n_front;
    out->stale = s->stale;
    out->next_delay = s->delay;
    out->changed = s->changed;
}
