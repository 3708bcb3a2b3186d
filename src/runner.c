/*
 * runner.c - the WrappedJobRunner's life cycle and its table of trials:
 * creation and free, the trials kept sorted by index, the pool of strings
 * many trials share, the log and checkpoint calls, settings and getters.
 *
 * The runner turns trials into jobs through a wrapper and a backend, and
 * jobs' states back into trial statuses. It keeps one record per trial:
 * its parameters, where its submission stands (unsubmitted, being
 * submitted under an idempotency key, submitted with a job id), its last
 * status and why. Its work is split by step: runner_submit.c (run,
 * run_multiple: announce, checkpoint, submit exactly once),
 * runner_poll.c, runner_jobs.c and runner_settle.c (one query for all
 * jobs; records matched to trials; outcomes),
 * runner_stop.c, runner_reconcile.c (trials an interrupted caller left
 * "submitting"), runner_json.c (to_dict/from_dict), runner_store.c (the
 * change log of the trials marked here by wjr__trial_touch, for a
 * journal). runner_int.h holds what they share. It knows no Slurm: states
 * go through state.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "jsondiff.h"
#include "retry.h"
#include "runner_int.h"
#include "runner_store.h"
#include "util.h"

/* Seconds a key is looked for after a submission whose answer was lost. */
#define WJR_DEFAULT_LOOKUP_WAIT 30.0

/* ---- the table ------------------------------------------------------------ */

void wjr__set_str(char **field, const char *value)
{
    char *copy = value ? wjr_strdup(value) : NULL;
    free(*field);
    *field = copy;
}

void wjr__set_text(const char **field, const char *value)
{
    char *copy = value ? wjr_strdup(value) : NULL;
    free((char *)*field);
    *field = copy;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

const char *wjr__intern(wjr_runner *r, const char *s)
{
    size_t i;

    if (s == NULL)
        return NULL;
    if ((r->pool_count + 1) * 2 > r->pool_cap) {
        size_t cap = r->pool_cap ? r->pool_cap * 2 : 64, k;
        char **pool = calloc(cap, sizeof(*pool));
        if (pool == NULL) {
            wjr_error_set(WJR_ENOMEM, "out of memory");
            return NULL;
        }
        for (k = 0; k < r->pool_cap; k++) {
            if (r->pool[k] == NULL)
                continue;
            i = (size_t)hash_str(r->pool[k]) & (cap - 1);
            while (pool[i])
                i = (i + 1) & (cap - 1);
            pool[i] = r->pool[k];
        }
        free(r->pool);
        r->pool = pool;
        r->pool_cap = cap;
    }
    i = (size_t)hash_str(s) & (r->pool_cap - 1);
    while (r->pool[i]) {
        if (strcmp(r->pool[i], s) == 0)
            return r->pool[i];
        i = (i + 1) & (r->pool_cap - 1);
    }
    r->pool[i] = wjr_strdup(s);
    if (r->pool[i])
        r->pool_count++;
    return r->pool[i];
}

void wjr__trial_touch(wjr_runner *r, trial *t)
{
    if (t->marked)
        return;
    /* room: a trial is listed once, and wjr__insert_trial keeps room for all */
    r->changed[r->n_changed++] = t;
    t->marked = 1;
}

int wjr__trial_key(wjr_runner *r, trial *t, const char *key, int shared)
{
    const char *k = key == NULL ? NULL : shared ? wjr__intern(r, key) : wjr_strdup(key);

    if (t->own_key)
        free((char *)t->key);
    t->key = k;
    t->own_key = k != NULL && !shared;
    return key != NULL && k == NULL ? WJR_ENOMEM : 0;
}

void wjr__trial_free(trial *t)
{
    if (t == NULL)
        return;
    if (t->own_key)
        free((char *)t->key);
    free((char *)t->info.params_json);
    free((char *)t->info.reason);
    free((char *)t->info.metrics_json);
    free((char *)t->info.run.job_id);
    free((char *)t->info.run.trial_dir);
    free(t->history);
    free(t);
}

void wjr__runner_log(wjr_runner *r, wjr_log_level level, int64_t index, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    wjr_log_emitv(r->log, r->log_payload, level, index, fmt, ap);
    va_end(ap);
}

void wjr_runner_log(wjr_runner *runner, wjr_log_level level, int64_t trial_index, const char *fmt,
                    ...)
{
    va_list ap;

    if (runner == NULL)
        return;
    va_start(ap, fmt);
    wjr_log_emitv(runner->log, runner->log_payload, level, trial_index, fmt, ap);
    va_end(ap);
}

static size_t find_pos(const wjr_runner *r, int64_t index, int *found)
{
    size_t lo = 0, hi = r->n_trials;

    /* appends are the common case */
    if (hi > 0 && r->trials[hi - 1]->info.index < index) {
        *found = 0;
        return hi;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->trials[mid]->info.index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < r->n_trials && r->trials[lo]->info.index == index;
    return lo;
}

trial *wjr__find_trial(const wjr_runner *r, int64_t index)
{
    int found;
    size_t pos = find_pos(r, index, &found);
    return found ? r->trials[pos] : NULL;
}

int wjr__insert_trial(wjr_runner *r, trial *t)
{
    int found;
    size_t pos = find_pos(r, t->info.index, &found);

    if (found)
        return wjr_error_set(WJR_EEXISTS, "trial %lld is already tracked",
                             (long long)t->info.index);
    if (r->n_trials == r->cap_trials) {
        int error = wjr__runner_reserve(r, r->cap_trials ? r->cap_trials * 2 : 64);
        if (error < 0)
            return error;
    }
    memmove(r->trials + pos + 1, r->trials + pos, (r->n_trials - pos) * sizeof(*r->trials));
    r->trials[pos] = t;
    r->n_trials++;
    return 0;
}

int wjr__runner_reserve(wjr_runner *r, size_t cap)
{
    trial **p;

    if (cap <= r->cap_trials)
        return 0;
    if (cap > SIZE_MAX / sizeof(*p))
        return wjr_error_set(WJR_ENOMEM, "out of memory: room for %zu trials", cap);
    p = realloc(r->trials, cap * sizeof(*p));
    if (p == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    r->trials = p;
    /* the change log never lists more trials than the table holds */
    p = realloc(r->changed, cap * sizeof(*p));
    if (p == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    r->changed = p;
    r->cap_trials = cap;
    return 0;
}

trial *wjr__trial_new(wjr_runner *r, int64_t index, const char *params_json)
{
    trial *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    t->info.index = index;
    t->info.status = WJR_TRIAL_CANDIDATE;
    t->info.exit_code = -1;
    t->info.run.array_task_id = WJR_NO_TASK;
    t->planned_task = WJR_NO_TASK;
    t->info.params_json = wjr_strdup(params_json);
    t->info.run.trial_dir = wjr_trial_dir_path(r->experiment_dir, index);
    if ((params_json && t->info.params_json == NULL) || t->info.run.trial_dir == NULL) {
        wjr__trial_free(t);
        return NULL;
    }
    return t;
}

void wjr__trial_ctx(wjr_trial_ctx *ctx, const wjr_runner *r, const trial *t)
{
    ctx->index = t->info.index;
    ctx->trial_dir = t->info.run.trial_dir;
    ctx->experiment_dir = r->experiment_dir;
    ctx->params_json = t->info.params_json;
    ctx->job_id = t->info.run.job_id;
    ctx->log = r->log;
    ctx->log_payload = r->log_payload;
    ctx->end_time = t->info.end_time;
}

int wjr__checkpoint(wjr_runner *r)
{
    int error;

    if (r->checkpoint == NULL)
        return 0;
    error = r->checkpoint(r, r->checkpoint_payload);
    if (error != 0)
        return wjr_error_prefix("checkpoint failed") < 0 ? wjr_error_last_code() : WJR_EIO;
    return 0;
}

/* ---- creation ----------------------------------------------------------- */

static char *generate_study_id(void)
{
    unsigned long long x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20) ^
                           (unsigned long long)(uintptr_t)&x;
    FILE *f = fopen("/dev/urandom", "rb");

    if (f) {
        if (fread(&x, sizeof(x), 1, f) != 1)
            x ^= (unsigned long long)clock();
        fclose(f);
    }
    return wjr_asprintf("%08llx", x & 0xffffffffULL);
}

static int valid_study_id(const char *id)
{
    size_t i;

    if (id == NULL || id[0] == '\0' || strlen(id) > 40)
        return 0;
    for (i = 0; id[i]; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int wjr_runner_new(wjr_runner **out, wjr_backend *backend, wjr_wrapper *wrapper,
                   const wjr_runner_options *opts)
{
    wjr_runner *r = NULL;
    char *log_path = NULL;
    int error = 0;

    *out = NULL;
    if (backend == NULL || wrapper == NULL || opts == NULL || opts->experiment_dir == NULL) {
        error = wjr_error_set(WJR_EINVALID, "wjr_runner_new needs a backend, a wrapper and an "
                                            "experiment directory");
        goto done;
    }
    /* version 1 ends before wrapper_factory, which only a load reads */
    if (opts->version != 1 && opts->version != WJR_RUNNER_OPTIONS_VERSION) {
        error = wjr_error_set(WJR_EINVALID, "wjr_runner_options: unsupported version %u",
                              opts->version);
        goto done;
    }
    if (wrapper->version != WJR_WRAPPER_VERSION || wrapper->run_model == NULL) {
        error = wjr_error_set(WJR_EINVALID, "the wrapper has no run_model or a wrong version");
        goto done;
    }
    if (opts->study_id && !valid_study_id(opts->study_id)) {
        error =
            wjr_error_set(WJR_EINVALID, "study id '%s' must be 1 to 40 letters, digits, '_' or '.'",
                          opts->study_id);
        goto done;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    r->backend = backend;
    r->wrapper = wrapper;
    backend = NULL;
    wrapper = NULL;
    r->experiment_dir = wjr_strdup(opts->experiment_dir);
    r->study_id = opts->study_id ? wjr_strdup(opts->study_id) : generate_study_id();
    if (r->experiment_dir == NULL || r->study_id == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    /* trailing slashes would double in trial paths */
    while (strlen(r->experiment_dir) > 1 && r->experiment_dir[strlen(r->experiment_dir) - 1] == '/')
        r->experiment_dir[strlen(r->experiment_dir) - 1] = '\0';
    error = wjr_mkdir_p(r->experiment_dir, 0755);
    if (error < 0)
        goto done;
    r->checkpoint = opts->checkpoint;
    r->checkpoint_payload = opts->checkpoint_payload;
    r->lookup_wait = WJR_DEFAULT_LOOKUP_WAIT;
    r->max_infra_retries = WJR_DEFAULT_INFRA_RETRIES;
    if (opts->log) {
        r->log = opts->log;
        r->log_payload = opts->log_payload;
    } else {
        log_path = wjr_asprintf("%s/wjr.log", r->experiment_dir);
        if (log_path == NULL) {
            error = WJR_ENOMEM;
            goto done;
        }
        error = wjr_log_file_sink_new(&r->own_sink, log_path,
                                      opts->log_level ? opts->log_level : WJR_LOG_INFO);
        if (error < 0)
            goto done;
        r->log = wjr_log_file_sink_write;
        r->log_payload = r->own_sink;
    }
done:
    free(log_path);
    wjr_backend_free(backend);
    wjr_wrapper_free(wrapper);
    if (error < 0) {
        wjr_runner_free(r);
        return error;
    }
    *out = r;
    return 0;
}

void wjr_runner_free(wjr_runner *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n_trials; i++)
        wjr__trial_free(r->trials[i]);
    free(r->trials);
    free(r->changed);
    free(r->saved_header);
    for (i = 0; i < r->pool_cap; i++)
        free(r->pool[i]);
    free(r->pool);
    wjr_backend_free(r->backend);
    wjr_wrapper_free(r->wrapper);
    wjr_log_file_sink_free(r->own_sink);
    free(r->experiment_dir);
    free(r->study_id);
    free(r);
}

void wjr_runner_set_infrastructure_retries(wjr_runner *r, int retries)
{
    if (r != NULL)
        r->max_infra_retries = retries < 0 ? 0 : retries;
}

void wjr_runner_set_lookup_wait(wjr_runner *r, double seconds)
{
    if (r)
        r->lookup_wait = seconds > 0 && seconds < 86400 ? seconds : 0;
}

/* ---- getters ------------------------------------------------------------- */

const wjr_trial_info *wjr_runner_trial(const wjr_runner *r, int64_t index)
{
    const trial *t = r ? wjr__find_trial(r, index) : NULL;

    if (t == NULL) {
        wjr_error_set(WJR_ENOTFOUND, "trial %lld is not tracked by this runner", (long long)index);
        return NULL;
    }
    return &t->info;
}

size_t wjr_runner_trial_count(const wjr_runner *r)
{
    return r ? r->n_trials : 0;
}

const wjr_trial_info *wjr_runner_trial_at(const wjr_runner *r, size_t i)
{
    if (r == NULL || i >= r->n_trials)
        return NULL;
    return &r->trials[i]->info;
}

const char *wjr_runner_study_id(const wjr_runner *r)
{
    return r ? r->study_id : NULL;
}

const char *wjr_runner_experiment_dir(const wjr_runner *r)
{
    return r ? r->experiment_dir : NULL;
}

wjr_backend *wjr_runner_backend(wjr_runner *r)
{
    return r ? r->backend : NULL;
}

/* What differs between two settings objects, member by member, joined by
 * "; "; *out = NULL when nothing does. */
static int settings_diff(char **out, const char *was_text, const char *now_text)
{
    json_t *was = json_loads(was_text, 0, NULL), *now = json_loads(now_text, 0, NULL);
    int error = 0;

    *out = NULL;
    if (was == NULL || now == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "backend settings: cannot compare");
        goto done;
    }
    *out = wjr_json_diff(was, now, SIZE_MAX, 0);
    if (*out == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
    } else if (**out == '\0') {
        free(*out);
        *out = NULL;
    }
done:
    json_decref(was);
    json_decref(now);
    return error;
}

int wjr_runner_set_backend(char **changes, wjr_runner *r, wjr_backend *backend)
{
    char *was = NULL, *now = NULL;
    int error;

    *changes = NULL;
    if (r == NULL || backend == NULL) {
        wjr_backend_free(backend);
        return wjr_error_set(WJR_EINVALID, "wjr_runner_set_backend: no runner or no backend");
    }
    if (strcmp(r->backend->type, backend->type) != 0) {
        error = wjr_error_set(WJR_EINVALID, "a %s backend cannot replace the runner's %s backend",
                              backend->type, r->backend->type);
        wjr_backend_free(backend);
        return error;
    }
    if (backend->learn_from != NULL)
        backend->learn_from(backend, r->backend);
    error = r->backend->to_json(&was, r->backend);
    if (error == 0)
        error = backend->to_json(&now, backend);
    if (error == 0 && strcmp(was, now) != 0)
        error = settings_diff(changes, was, now);
    if (error == 0 && *changes != NULL) {
        backend->rpc_count = r->backend->rpc_count;
        wjr_backend_free(r->backend);
        r->backend = backend;
    } else {
        wjr_backend_free(backend); /* the same settings, or an error */
    }
    free(was);
    free(now);
    return error;
}

int wjr_run_metadata_to_json(char **out, const wjr_run_metadata *m)
{
    json_t *o;

    *out = NULL;
    if (m == NULL || m->job_id == NULL)
        return wjr_error_set(WJR_EINVALID, "no run metadata: the trial is not submitted");
    o = json_object();
    json_object_set_new(o, "job_id", json_string(m->job_id));
    json_object_set_new(o, "slurm_job_id",
                        m->slurm_job_id ? json_integer(m->slurm_job_id) : json_null());
    json_object_set_new(o, "array_job_id",
                        m->array_job_id ? json_integer(m->array_job_id) : json_null());
    json_object_set_new(o, "array_task_id",
                        m->array_task_id != WJR_NO_TASK ? json_integer(m->array_task_id)
                                                        : json_null());
    json_object_set_new(o, "trial_dir", json_string(m->trial_dir ? m->trial_dir : ""));
    json_object_set_new(o, "submit_time", json_integer(m->submit_time));
    json_object_set_new(o, "cluster", m->cluster ? json_string(m->cluster) : json_null());
    json_object_set_new(o, "partition", m->partition ? json_string(m->partition) : json_null());
    *out = wjr_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}
