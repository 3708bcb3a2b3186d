/*
 * runner.c - the WrappedJobRunner: turns trials into jobs through a wrapper
 * and a backend, and jobs' states back into trial statuses.
 *
 * It keeps one record per trial: its parameters, where its submission
 * stands (unsubmitted, being submitted under an idempotency key, submitted
 * with a job id), its last status and why. Every submission is announced to
 * the checkpoint callback before the submit RPC, so that an interrupted
 * caller can find the job again by its key instead of submitting twice.
 * A poll is one query RPC for all jobs, whatever the number of trials; a
 * failed query changes nothing. Jobs the controller has forgotten are
 * settled by their exit record, then by accounting, never assumed done.
 * It knows no Slurm: states go through the table in state.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "backend.h"
#include "evidence.h"
#include "jsontext.h"
#include "script.h"
#include "retry.h"
#include "slurm_resources.h"
#include "state.h"
#include "trial_files.h"
#include "util.h"
#include "wjr/runner.h"

#define RUNNER_SCHEMA_VERSION 1

/* Seconds a key is looked for after a submission whose answer was lost,
 * and between two look-ups. */
#define WJR_DEFAULT_LOOKUP_WAIT 30.0
#define WJR_LOOKUP_INTERVAL     1.0

typedef enum { SUB_NONE = 0, SUB_SUBMITTING = 1, SUB_SUBMITTED = 2 } sub_state;

static const char *const sub_names[] = {"unsubmitted", "submitting", "submitted"};

typedef struct trial {
    wjr_trial_info info; /* the public view; its strings point at the fields below */
    char *params_json;
    char *reason;
    char *metrics_json;
    char *job_id_text;
    char *trial_dir;
    /* strings many trials share live once, in the runner's pool */
    const char *slurm_state;
    const char *partition;
    const char *cluster;
    const char *key; /* the job name it was (or is being) submitted under */
    sub_state sub;
    uint32_t planned_task; /* its array task id within that submission, or WJR_NO_TASK */
    int64_t intent_time;   /* when the submission was announced */
    uint32_t state_word;   /* last Slurm state word seen */
    int warned;            /* held/unknown warning given for state_word */
    int in_poll;           /* already listed in the poll under way */
    /* the cluster's failures (retry.c): resubmissions so far, attempts of
     * the earlier jobs, "attempt 1: job 12 NODE_FAIL; ..." */
    int retries;
    int prior_attempts;
    char *history;
    int retry_due; /* the poll under way resubmits it */
} trial;

struct wjr_runner {
    char *experiment_dir;
    char *study_id;
    wjr_backend *backend;
    wjr_wrapper *wrapper;
    wjr_log_fn log;
    void *log_payload;
    wjr_log_file_sink *own_sink;
    wjr_checkpoint_fn checkpoint;
    void *checkpoint_payload;
    trial **trials; /* sorted by index */
    size_t n_trials;
    size_t cap_trials;
    char **pool; /* interned strings: open addressing, NULL is empty */
    size_t pool_cap;
    size_t pool_count;
    double lookup_wait; /* seconds a lost submission's key is looked for */
    int max_infra_retries;
};

/* ---- small helpers ------------------------------------------------------ */

static void set_str(char **field, const char *value)
{
    char *copy = value ? wjr_strdup(value) : NULL;
    free(*field);
    *field = copy;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

/* The runner's one copy of s, for strings many trials share (Slurm states,
 * partition, cluster, array keys). NULL for NULL or out of memory. */
static const char *intern(wjr_runner *r, const char *s)
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

static void trial_sync(trial *t)
{
    t->info.params_json = t->params_json;
    t->info.slurm_state = t->slurm_state;
    t->info.reason = t->reason;
    t->info.metrics_json = t->metrics_json;
    t->info.run.job_id = t->job_id_text;
    t->info.run.trial_dir = t->trial_dir;
    t->info.run.partition = t->partition;
    t->info.run.cluster = t->cluster;
}

static void trial_free(trial *t)
{
    if (t == NULL)
        return;
    free(t->params_json);
    free(t->reason);
    free(t->metrics_json);
    free(t->job_id_text);
    free(t->trial_dir);
    free(t->history);
    free(t);
}

static void runner_log(wjr_runner *r, wjr_log_level level, int64_t index, const char *fmt, ...)
    WJR_FORMAT(4, 5);

static void runner_log(wjr_runner *r, wjr_log_level level, int64_t index, const char *fmt, ...)
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

static trial *find_trial(const wjr_runner *r, int64_t index)
{
    int found;
    size_t pos = find_pos(r, index, &found);
    return found ? r->trials[pos] : NULL;
}

static int insert_trial(wjr_runner *r, trial *t)
{
    int found;
    size_t pos = find_pos(r, t->info.index, &found);

    if (found)
        return wjr_error_set(WJR_EEXISTS, "trial %lld is already tracked",
                             (long long)t->info.index);
    if (r->n_trials == r->cap_trials) {
        size_t cap = r->cap_trials ? r->cap_trials * 2 : 64;
        trial **p = realloc(r->trials, cap * sizeof(*p));
        if (p == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        r->trials = p;
        r->cap_trials = cap;
    }
    memmove(r->trials + pos + 1, r->trials + pos, (r->n_trials - pos) * sizeof(*r->trials));
    r->trials[pos] = t;
    r->n_trials++;
    return 0;
}

static trial *trial_new(wjr_runner *r, int64_t index, const char *params_json)
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
    t->params_json = wjr_strdup(params_json);
    t->trial_dir = wjr_trial_dir_path(r->experiment_dir, index);
    if ((params_json && t->params_json == NULL) || t->trial_dir == NULL) {
        trial_free(t);
        return NULL;
    }
    trial_sync(t);
    return t;
}

static void trial_ctx(wjr_trial_ctx *ctx, const wjr_runner *r, const trial *t)
{
    ctx->index = t->info.index;
    ctx->trial_dir = t->trial_dir;
    ctx->experiment_dir = r->experiment_dir;
    ctx->params_json = t->params_json;
    ctx->job_id = t->job_id_text;
    ctx->log = r->log;
    ctx->log_payload = r->log_payload;
    ctx->end_time = t->info.end_time;
}

static int do_checkpoint(wjr_runner *r)
{
    int error;

    if (r->checkpoint == NULL)
        return 0;
    error = r->checkpoint(r, r->checkpoint_payload);
    if (error != 0)
        return wjr_error_prefix("checkpoint failed") < 0 ? wjr_error_last_code() : WJR_EIO;
    return 0;
}

/* Validate a parameters text: a JSON object, returned compact. */
static int normalise_params(char **out, const char *params_json, int64_t index)
{
    json_error_t jerr;
    json_t *p;

    *out = NULL;
    if (params_json == NULL)
        return wjr_error_set(WJR_EINVALID, "trial %lld: no parameters", (long long)index);
    p = json_loads(params_json, JSON_REJECT_DUPLICATES, &jerr);
    if (p == NULL)
        return wjr_error_set(WJR_EINVALID, "trial %lld: parameters are not valid JSON: %s",
                             (long long)index, jerr.text);
    if (!json_is_object(p)) {
        json_decref(p);
        return wjr_error_set(WJR_EINVALID, "trial %lld: parameters must be a JSON object",
                             (long long)index);
    }
    *out = wjr_json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(p);
    return *out ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
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
    if (opts->version != WJR_RUNNER_OPTIONS_VERSION) {
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
        trial_free(r->trials[i]);
    free(r->trials);
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

/* ---- submission ---------------------------------------------------------- */

/* A retry is a new submission: a key of its own, so that the job of the
 * earlier attempt is never taken for it. */
static char *single_key(const wjr_runner *r, const trial *t)
{
    if (t->retries > 0)
        return wjr_asprintf("wjr-%s-%lld-r%d", r->study_id, (long long)t->info.index, t->retries);
    return wjr_asprintf("wjr-%s-%lld", r->study_id, (long long)t->info.index);
}

/* A stdout/stderr path for Slurm: @p dir with every '%' doubled, so that
 * Slurm does not expand it (%u, %j, ...), then @p name, whose patterns
 * Slurm does expand. */
static char *slurm_path(const char *dir, const char *name)
{
    wjr_buf b = WJR_BUF_INIT;
    char *out = NULL;
    const char *p;

    if (dir == NULL)
        return NULL;
    for (p = dir; *p; p++) {
        if (*p == '%')
            wjr_buf_puts(&b, "%%");
        else
            wjr_buf_put(&b, p, 1);
    }
    wjr_buf_printf(&b, "/%s", name);
    wjr_buf_detach(&out, &b);
    return out;
}

/* "3,5-9,12": the trial indices of a submission, in task order. */
static void append_ranges(wjr_buf *b, const int64_t *idx, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (i > 0)
            wjr_buf_puts(b, ",");
        if (j > i)
            wjr_buf_printf(b, "%lld-%lld", (long long)idx[i], (long long)idx[j]);
        else
            wjr_buf_printf(b, "%lld", (long long)idx[i]);
        i = j + 1;
    }
}

static void mark_submitted(wjr_runner *r, trial *t, uint32_t job_id, uint32_t array_job_id,
                           uint32_t task, int64_t submit_time)
{
    char text[64];

    if (task != WJR_NO_TASK)
        snprintf(text, sizeof(text), "%u_%u", (unsigned)array_job_id, (unsigned)task);
    else
        snprintf(text, sizeof(text), "%u", (unsigned)job_id);
    set_str(&t->job_id_text, text);
    t->info.run.slurm_job_id = job_id;
    t->info.run.array_job_id = array_job_id;
    t->info.run.array_task_id = task;
    t->info.run.submit_time = submit_time;
    if (r->backend->partition(r->backend))
        t->partition = intern(r, r->backend->partition(r->backend));
    if (t->cluster == NULL && r->backend->cluster(r->backend))
        t->cluster = intern(r, r->backend->cluster(r->backend));
    t->sub = SUB_SUBMITTED;
    t->info.status = WJR_TRIAL_RUNNING;
    t->slurm_state = intern(r, "PENDING");
    set_str(&t->reason, NULL);
    trial_sync(t);
}

static void mark_unsubmitted(trial *t, const char *why)
{
    t->sub = SUB_NONE;
    t->key = NULL;
    t->planned_task = WJR_NO_TASK;
    t->info.status = WJR_TRIAL_CANDIDATE;
    set_str(&t->reason, why);
    trial_sync(t);
}

/* Look a key up in the controller: the job's id, 0 if it does not exist.
 * Fails when the controller cannot be asked. */
static int lookup_key_once(uint32_t *job_id, int64_t *submit_time, wjr_runner *r, const char *key)
{
    wjr_job_list jobs = {0, NULL, NULL, NULL};
    size_t i;
    int error;

    *job_id = 0;
    error = r->backend->query(&jobs, r->backend);
    if (error < 0)
        return error;
    for (i = 0; i < jobs.count; i++) {
        const wjr_job_record *j = &jobs.jobs[i];
        if (j->name && strcmp(j->name, key) == 0) {
            *job_id = j->array_job_id ? j->array_job_id : j->job_id;
            *submit_time = j->submit_time;
            break;
        }
    }
    wjr_job_list_clear(&jobs);
    return 0;
}

/* Sleep up to WJR_LOOKUP_INTERVAL, never past @p deadline (monotonic). */
static void nap_until(double deadline)
{
    double left = deadline - wjr_monotonic();
    struct timespec ts;

    if (left <= 0)
        return;
    if (left > WJR_LOOKUP_INTERVAL)
        left = WJR_LOOKUP_INTERVAL;
    ts.tv_sec = (time_t)left;
    ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}

/* Look a key up again and again until it is found or r->lookup_wait has
 * passed: a slow controller may accept a request after its answer was
 * lost. */
static int lookup_key(uint32_t *job_id, int64_t *submit_time, wjr_runner *r, const char *key)
{
    double deadline = wjr_monotonic() + r->lookup_wait;
    int error;

    for (;;) {
        error = lookup_key_once(job_id, submit_time, r, key);
        if (error < 0 || *job_id != 0 || wjr_monotonic() >= deadline)
            return error;
        nap_until(deadline);
    }
}

/*
 * Submit once, exactly: when the answer is lost, ask the controller
 * whether it has the key before trying again.
 */
static int submit_exactly_once(uint32_t *job_id, int64_t *submit_time, wjr_runner *r,
                               const wjr_job_spec *spec)
{
    int attempt, error = 0;

    for (attempt = 0; attempt < 3; attempt++) {
        *submit_time = (int64_t)time(NULL);
        error = r->backend->submit(job_id, r->backend, spec);
        if (error != WJR_ETIMEOUT)
            return error;
        runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL,
                   "submit of %s got no answer (%s); looking the job up before trying again",
                   spec->name, wjr_error_last());
        error = lookup_key(job_id, submit_time, r, spec->name);
        if (error < 0) {
            return wjr_error_set(WJR_ETIMEOUT,
                                 "submit of %s got no answer and the controller cannot be asked "
                                 "(%s); the trial stays 'submitting' until reconciled",
                                 spec->name, wjr_error_last());
        }
        if (*job_id != 0) {
            runner_log(r, WJR_LOG_INFO, WJR_NO_TRIAL,
                       "%s was accepted before the answer was lost: job %u", spec->name,
                       (unsigned)*job_id);
            return 0;
        }
    }
    return wjr_error_set(WJR_ETIMEOUT, "submit of %s timed out %d times", spec->name, attempt);
}

/* The options trial t takes from its parameters (slurm_resources.c), or
 * NULL; a value that does not fit leaves the trial unsubmitted. */
static int trial_resources(char **out, wjr_runner *r, trial *t)
{
    int error;

    *out = NULL;
    if (r->backend->resources == NULL)
        return 0;
    error = r->backend->resources(out, r->backend, t->params_json);
    if (error < 0) {
        wjr_error_prefix("trial %lld", (long long)t->info.index);
        runner_log(r, WJR_LOG_ERROR, t->info.index, "%s", wjr_error_last());
    }
    return error;
}

static int prepare_trial(trial **out, wjr_runner *r, const wjr_trial_spec *spec, int *created)
{
    trial *t = find_trial(r, spec->index);
    char *params = NULL;
    wjr_trial_ctx ctx;
    int error;

    *out = NULL;
    *created = 0;
    if (wjr_interrupted())
        return wjr_error_set(WJR_EINTERRUPTED, "interrupted: trial %lld is not submitted",
                             (long long)spec->index);
    if (spec->index < 0)
        return wjr_error_set(WJR_EINVALID, "trial index %lld is negative", (long long)spec->index);
    if (t && t->sub != SUB_NONE)
        return wjr_error_set(WJR_EEXISTS, "trial %lld was already submitted (%s)",
                             (long long)spec->index,
                             t->job_id_text ? t->job_id_text : "submitting");
    error = normalise_params(&params, spec->params_json, spec->index);
    if (error < 0)
        return error;
    if (t == NULL) {
        t = trial_new(r, spec->index, NULL);
        if (t == NULL) {
            free(params);
            return WJR_ENOMEM;
        }
        *created = 1;
    }
    free(t->params_json);
    t->params_json = params;
    trial_sync(t);
    trial_ctx(&ctx, r, t);
    if (r->wrapper->write_configs) {
        error = r->wrapper->write_configs(r->wrapper, &ctx);
        if (error < 0) {
            wjr_error_prefix("trial %lld: write_configs", (long long)spec->index);
            if (*created)
                trial_free(t);
            return error;
        }
    }
    *out = t;
    return 0;
}

static int submit_single(wjr_runner *r, trial *t);

int wjr_runner_run(const wjr_run_metadata **out, wjr_runner *r, const wjr_trial_spec *spec)
{
    trial *t = NULL;
    int error, created = 0;

    if (out)
        *out = NULL;
    if (r == NULL || spec == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_run: no runner or trial");
    error = prepare_trial(&t, r, spec, &created);
    if (error < 0)
        return error;
    if (created) {
        error = insert_trial(r, t);
        if (error < 0) {
            trial_free(t);
            return error;
        }
    }
    error = submit_single(r, t);
    if (error == 0 && out)
        *out = &t->info.run;
    return error;
}

/* Submit trial t (prepared, unsubmitted) as a single job: announced
 * before the RPC, then exactly once. */
static int submit_single(wjr_runner *r, trial *t)
{
    wjr_job_spec job;
    wjr_trial_ctx ctx;
    char *command = NULL, *script = NULL, *comment = NULL, *out_path = NULL, *err_path = NULL,
         *key = NULL, *res = NULL;
    uint32_t job_id = 0;
    int64_t submit_time = 0;
    int error;

    error = trial_resources(&res, r, t);
    if (error < 0)
        goto done;
    trial_ctx(&ctx, r, t);
    error = r->wrapper->run_model(&command, r->wrapper, &ctx);
    if (error < 0)
        goto done;
    error =
        wjr_script_build(&script, r->experiment_dir, r->study_id, &t->info.index, &command, 1, 0);
    if (error < 0)
        goto done;
    key = single_key(r, t);
    t->key = intern(r, key);
    comment = wjr_asprintf("wjr:%s:%lld", r->study_id, (long long)t->info.index);
    out_path = slurm_path(t->trial_dir, "slurm-%j.out");
    err_path = slurm_path(t->trial_dir, "slurm-%j.err");
    if (t->key == NULL || comment == NULL || out_path == NULL || err_path == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    /* announce before the RPC: an interrupted caller finds the job by key */
    t->sub = SUB_SUBMITTING;
    t->planned_task = WJR_NO_TASK;
    t->intent_time = (int64_t)time(NULL);
    error = do_checkpoint(r);
    if (error < 0) {
        mark_unsubmitted(t, NULL);
        goto done;
    }
    memset(&job, 0, sizeof(job));
    job.name = t->key;
    job.comment = comment;
    job.script = script;
    job.work_dir = t->trial_dir;
    job.std_out = out_path;
    job.std_err = err_path;
    job.resources = res;
    error = submit_exactly_once(&job_id, &submit_time, r, &job);
    if (error == WJR_ETIMEOUT) {
        runner_log(r, WJR_LOG_WARNING, t->info.index, "%s", wjr_error_last());
        goto done; /* stays SUBMITTING: reconcile decides */
    }
    if (error < 0) {
        runner_log(r, WJR_LOG_ERROR, t->info.index, "submission refused: %s", wjr_error_last());
        mark_unsubmitted(t, wjr_error_last());
        do_checkpoint(r);
        goto done;
    }
    mark_submitted(r, t, job_id, 0, WJR_NO_TASK, submit_time);
    runner_log(r, WJR_LOG_INFO, t->info.index, "submitted as job %s", t->job_id_text);
    error = do_checkpoint(r);
done:
    free(res);
    free(key);
    free(command);
    free(script);
    free(comment);
    free(out_path);
    free(err_path);
    return error;
}

/* Submit trials[0..n) as one array; n is below MaxArraySize. */
static int submit_array(wjr_runner *r, trial **ts, size_t n, const char *resources)
{
    wjr_job_spec job;
    wjr_trial_ctx ctx;
    wjr_buf comment = WJR_BUF_INIT;
    char **commands = calloc(n, sizeof(char *));
    int64_t *indices = calloc(n, sizeof(int64_t));
    char *script = NULL, *key = NULL, *comment_text = NULL, *out_path = NULL, *err_path = NULL,
         *logs = NULL, inx[64];
    uint32_t job_id = 0;
    int64_t submit_time = 0;
    size_t i;
    int error = 0;

    if (commands == NULL || indices == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        indices[i] = ts[i]->info.index;
        trial_ctx(&ctx, r, ts[i]);
        error = r->wrapper->run_model(&commands[i], r->wrapper, &ctx);
        if (error < 0)
            goto done;
    }
    error = wjr_script_build(&script, r->experiment_dir, r->study_id, indices, commands, n, 1);
    if (error < 0)
        goto done;
    if (ts[0]->retries > 0) /* an earlier array had this first trial: another key */
        key = wjr_asprintf("wjr-%s-a%lld-r%d", r->study_id, (long long)indices[0], ts[0]->retries);
    else
        key = wjr_asprintf("wjr-%s-a%lld", r->study_id, (long long)indices[0]);
    wjr_buf_printf(&comment, "wjr:%s:", r->study_id);
    append_ranges(&comment, indices, n);
    error = wjr_buf_detach(&comment_text, &comment);
    if (error < 0)
        goto done;
    logs = wjr_asprintf("%s/logs", r->experiment_dir);
    out_path = slurm_path(logs, "slurm-%A_%a.out");
    err_path = slurm_path(logs, "slurm-%A_%a.err");
    if (key == NULL || logs == NULL || out_path == NULL || err_path == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    error = wjr_mkdir_p(logs, 0755);
    if (error < 0)
        goto done;
    snprintf(inx, sizeof(inx), "0-%zu", n - 1);

    for (i = 0; i < n; i++) {
        ts[i]->key = intern(r, key);
        ts[i]->sub = SUB_SUBMITTING;
        ts[i]->planned_task = (uint32_t)i;
        ts[i]->intent_time = (int64_t)time(NULL);
    }
    error = do_checkpoint(r);
    if (error < 0) {
        for (i = 0; i < n; i++)
            mark_unsubmitted(ts[i], NULL);
        goto done;
    }
    memset(&job, 0, sizeof(job));
    job.name = key;
    job.comment = comment_text;
    job.script = script;
    job.work_dir = r->experiment_dir;
    job.std_out = out_path;
    job.std_err = err_path;
    job.array_inx = inx;
    job.resources = resources;
    error = submit_exactly_once(&job_id, &submit_time, r, &job);
    if (error == WJR_ETIMEOUT) {
        runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL, "%s", wjr_error_last());
        goto done;
    }
    if (error < 0) {
        runner_log(r, WJR_LOG_ERROR, WJR_NO_TRIAL, "array submission refused: %s",
                   wjr_error_last());
        for (i = 0; i < n; i++)
            mark_unsubmitted(ts[i], wjr_error_last());
        do_checkpoint(r);
        goto done;
    }
    for (i = 0; i < n; i++)
        mark_submitted(r, ts[i], 0, job_id, (uint32_t)i, submit_time);
    runner_log(r, WJR_LOG_INFO, WJR_NO_TRIAL, "submitted trials %s as job array %u (%zu tasks)",
               comment_text + strlen(r->study_id) + 5, (unsigned)job_id, n);
    error = do_checkpoint(r);
done:
    for (i = 0; commands && i < n; i++)
        free(commands[i]);
    free(commands);
    free(indices);
    free(script);
    free(key);
    free(comment_text);
    free(logs);
    free(out_path);
    free(err_path);
    return error;
}

static int cmp_index(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The same index twice in one batch would run one trial twice. */
static int check_unique(const wjr_trial_spec *specs, size_t count)
{
    int64_t *idx = malloc(count * sizeof(*idx));
    size_t i;
    int error = 0;

    if (idx == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < count; i++)
        idx[i] = specs[i].index;
    qsort(idx, count, sizeof(*idx), cmp_index);
    for (i = 1; i < count && error == 0; i++)
        if (idx[i] == idx[i - 1])
            error = wjr_error_set(WJR_EINVALID, "trial %lld is listed twice", (long long)idx[i]);
    free(idx);
    return error;
}

/* How many of res[0..n) share res[0]'s text, at most max. */
static size_t n_group(char *const *res, size_t n, size_t max)
{
    size_t k = 1;

    while (k < n && k < max &&
           (res[k] == res[0] || (res[k] && res[0] && strcmp(res[k], res[0]) == 0)))
        k++;
    return k;
}

int wjr_runner_run_multiple(size_t *submitted, wjr_runner *r, const wjr_trial_spec *specs,
                            size_t count)
{
    trial **ts = NULL;
    char **res = NULL;
    uint32_t max_array = 0;
    size_t i, j, done_count = 0, prepared = 0;
    int error = 0, created;

    if (submitted)
        *submitted = 0;
    if (r == NULL || (specs == NULL && count > 0))
        return wjr_error_set(WJR_EINVALID, "wjr_runner_run_multiple: no runner or trials");
    if (count == 0)
        return 0;
    error = check_unique(specs, count);
    if (error < 0)
        return error;
    error = r->backend->max_array_size(&max_array, r->backend);
    if (error < 0)
        return error;
    if (max_array < 1)
        max_array = 1;
    ts = calloc(count, sizeof(*ts));
    res = calloc(count, sizeof(*res));
    if (ts == NULL || res == NULL) {
        free(ts);
        free(res);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    /* write every trial's files first: bad input stops all before any submit */
    for (i = 0; i < count; i++) {
        error = prepare_trial(&ts[i], r, &specs[i], &created);
        if (error < 0)
            goto done;
        prepared++;
        if (created) {
            error = insert_trial(r, ts[i]);
            if (error < 0) {
                trial_free(ts[i]);
                ts[i] = NULL;
                prepared--;
                goto done;
            }
        }
    }
    /* trials whose parameters ask for other resources go in other arrays */
    for (i = 0; i < count; i++) {
        error = trial_resources(&res[i], r, ts[i]);
        if (error < 0)
            goto done;
    }
    error = wjr_res_group_sort((void **)ts, res, count);
    if (error < 0)
        goto done;
    /* task ids are 0..n-1 in each array and must stay below MaxArraySize */
    for (i = 0; i < count; i += n_group(res + i, count - i, (size_t)max_array)) {
        size_t n = n_group(res + i, count - i, (size_t)max_array);
        error = submit_array(r, ts + i, n, res[i]);
        if (error < 0)
            goto done;
        done_count += n;
    }
done:
    WJR_UNUSED(prepared);
    for (j = 0; j < count; j++)
        free(res[j]);
    free(res);
    free(ts);
    if (submitted)
        *submitted = done_count;
    return error;
}

/* ---- polling --------------------------------------------------------- */

/* A map from a 64-bit key to a record position: open addressing. */
typedef struct job_map {
    uint64_t *keys;
    size_t *vals;
    size_t cap;
} job_map;

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

static void map_free(job_map *m)
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

static void describe_failure(trial *t, const char *state, int exit_code, int sig,
                             const char *slurm_reason)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "Slurm state %s", state);

    if (exit_code >= 0 && n < (int)sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", exit code %d", exit_code);
    if (sig > 0 && n < (int)sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", signal %d", sig);
    if (slurm_reason && *slurm_reason && n < (int)sizeof(buf))
        snprintf(buf + n, sizeof(buf) - (size_t)n, " (%s)", slurm_reason);
    set_str(&t->reason, buf);
}

/*
 * A terminal status arrived: ask the wrapper, fetch the metrics, log.
 * @lost: when set, nobody knows the job's end, and this is the reason.
 */
/* Whether the wrapper call that just returned had a hook stopped by
 * wjr_interrupt(). */
static int hook_interrupted(void)
{
    return wjr_interrupted() && wjr_error_last_code() == WJR_EINTERRUPTED;
}

static void finalize(wjr_runner *r, trial *t, wjr_trial_status status, const char *state_name,
                     int exit_code, int sig, const char *slurm_reason, int64_t end_time,
                     const char *lost)
{
    wjr_trial_ctx ctx;
    char *why = NULL, *metrics = NULL;

    t->info.exit_code = exit_code;
    t->info.term_signal = sig;
    t->info.end_time = end_time > 0 ? end_time : (int64_t)time(NULL);
    trial_ctx(&ctx, r, t);
    if (status == WJR_TRIAL_COMPLETED && r->wrapper->set_trial_status) {
        int rc = r->wrapper->set_trial_status(&status, &why, r->wrapper, &ctx);
        /* a wrapper may turn its hook's error into a FAILED status: an
         * interrupted hook says nothing about the trial either way */
        if (hook_interrupted())
            goto interrupted;
        if (rc < 0) {
            status = WJR_TRIAL_FAILED;
            why = wjr_strdup(wjr_error_last());
        }
    }
    if ((status == WJR_TRIAL_COMPLETED || status == WJR_TRIAL_EARLY_STOPPED) &&
        r->wrapper->fetch_trial_data) {
        int rc = r->wrapper->fetch_trial_data(&metrics, r->wrapper, &ctx);
        if (hook_interrupted()) {
            free(metrics);
            goto interrupted;
        }
        if (rc < 0) {
            /* an early-stopped trial keeps its status without data */
            if (status == WJR_TRIAL_EARLY_STOPPED) {
                runner_log(r, WJR_LOG_WARNING, t->info.index, "EARLY_STOPPED without data: %s",
                           wjr_error_last());
            } else {
                status = WJR_TRIAL_FAILED;
                free(why);
                why = wjr_strdup(wjr_error_last());
            }
        } else {
            free(t->metrics_json);
            t->metrics_json = metrics;
        }
    }
    t->info.status = status;
    if (why) {
        set_str(&t->reason, why);
    } else if (lost) {
        set_str(&t->reason, lost);
    } else if (status == WJR_TRIAL_FAILED) {
        describe_failure(t, state_name, exit_code, sig, slurm_reason);
    } else if (status == WJR_TRIAL_ABANDONED && t->reason == NULL) {
        char buf[160];
        snprintf(buf, sizeof(buf), "Slurm state %s", state_name);
        set_str(&t->reason, buf);
    }
    free(why);
    trial_sync(t);
    if (status == WJR_TRIAL_COMPLETED)
        runner_log(r, WJR_LOG_INFO, t->info.index, "COMPLETED (job %s) %s", t->job_id_text,
                   t->metrics_json ? t->metrics_json : "");
    else
        runner_log(r, status == WJR_TRIAL_FAILED ? WJR_LOG_WARNING : WJR_LOG_INFO, t->info.index,
                   "%s (job %s): %s", wjr_trial_status_name(status), t->job_id_text,
                   t->reason ? t->reason : "");
    return;
interrupted:
    /* not settled: the trial keeps its status and a later poll finishes it */
    free(why);
    t->info.end_time = 0;
    runner_log(r, WJR_LOG_WARNING, t->info.index, "interrupted while settling job %s: %s",
               t->job_id_text, wjr_error_last());
}

/* Apply one job record to a trial. Returns 1 when the trial changed. */
/* Add the attempt that just ended to t's history. */
static void note_attempt(wjr_runner *r, trial *t, const char *state)
{
    char *h = wjr_asprintf("%s%sattempt %d: job %s %s", t->history ? t->history : "",
                           t->history ? "; " : "", t->info.attempt > 0 ? t->info.attempt : 1,
                           t->job_id_text ? t->job_id_text : "?", state);

    if (h != NULL) {
        free(t->history);
        t->history = h;
    }
    runner_log(r, WJR_LOG_WARNING, t->info.index,
               "job %s ended %s, a failure of the cluster: submitting the trial again (retry %d "
               "of %d)",
               t->job_id_text ? t->job_id_text : "?", state, t->retries + 1, r->max_infra_retries);
}

/* The final reason names every attempt. */
static void prepend_history(trial *t)
{
    char *why = wjr_asprintf("%s; attempt %d: %s", t->history,
                             t->info.attempt > 0 ? t->info.attempt : t->prior_attempts + 1,
                             t->reason ? t->reason : "failed");
    if (why != NULL) {
        free(t->reason);
        t->reason = why;
        trial_sync(t);
    }
}

/* Submit the trial again as a new single job (a key of its own). A refused
 * submission fails the trial; a lost answer leaves it to reconcile. */
static void retry_trial(wjr_runner *r, trial *t)
{
    char *why;
    int error;

    t->retry_due = 0;
    t->retries++;
    t->prior_attempts = t->info.attempt > 0 ? t->info.attempt : t->prior_attempts + 1;
    set_str(&t->job_id_text, NULL);
    memset(&t->info.run, 0, sizeof(t->info.run));
    t->info.run.array_task_id = WJR_NO_TASK;
    t->sub = SUB_NONE;
    t->state_word = 0;
    trial_sync(t);
    error = submit_single(r, t);
    if (error < 0 && error != WJR_ETIMEOUT && t->sub == SUB_NONE) {
        why = wjr_asprintf("%s; resubmission refused: %s", t->history ? t->history : "",
                           wjr_error_last());
        t->info.status = WJR_TRIAL_FAILED;
        t->info.end_time = (int64_t)time(NULL);
        set_str(&t->reason, why);
        free(why);
        trial_sync(t);
    }
}

static int apply_record(wjr_runner *r, trial *t, const wjr_job_record *j, int packed_pending)
{
    wjr_state_verdict v;
    char base_buf[32];
    uint32_t state = packed_pending ? (uint32_t)WJR_JOB_PENDING : j->state;
    int changed = state != t->state_word || t->slurm_state == NULL;

    v = wjr_state_map(state, j->will_requeue);
    if (changed) {
        /* text only on a change: polls of unchanged jobs stay cheap */
        char desc[256];
        wjr_state_describe(state, desc, sizeof(desc));
        t->warned = 0;
        t->slurm_state = intern(r, desc);
    }
    t->state_word = state;
    if (!packed_pending && t->prior_attempts + (int)j->restart_cnt + 1 > t->info.attempt) {
        changed |= t->info.attempt > t->prior_attempts; /* a requeue: record it */
        t->info.attempt = t->prior_attempts + (int)j->restart_cnt + 1;
    }
    if (!packed_pending && j->job_id && t->info.run.slurm_job_id == 0)
        t->info.run.slurm_job_id = j->job_id;
    /* a PENDING job's start_time is the scheduler's estimate, not a start */
    if (!packed_pending && j->start_time > 0 &&
        (state & WJR_JOB_STATE_BASE) != (uint32_t)WJR_JOB_PENDING)
        t->info.start_time = j->start_time;
    if (j->restart_cnt > t->info.restarts)
        t->info.restarts = j->restart_cnt;
    if ((v.held || v.unknown) && !t->warned) {
        t->warned = 1;
        runner_log(r, WJR_LOG_WARNING, t->info.index,
                   v.held ? "job %s is held by Slurm (%s): it will not run until released "
                            "(scontrol release)"
                          : "job %s is in a state wjr does not know (%s); treating it as running",
                   t->job_id_text, t->slurm_state);
    }
    if (v.status == WJR_TRIAL_FAILED && wjr_retry_is_infrastructure(state) &&
        t->retries < r->max_infra_retries) {
        /* the cluster's failure, not the model's: the same trial again */
        note_attempt(r, t, wjr_state_base_name(state, base_buf, sizeof(base_buf)));
        t->retry_due = 1;
        return 1;
    }
    if (wjr_trial_status_is_terminal(v.status)) {
        finalize(r, t, v.status, wjr_state_base_name(state, base_buf, sizeof(base_buf)),
                 j->exit_code, j->term_signal, j->reason, j->end_time, NULL);
        if (t->history && v.status == WJR_TRIAL_FAILED)
            prepend_history(t);
        return 1;
    }
    trial_sync(t);
    return changed;
}

/* The controller forgot the job: its exit record, if the script wrote one. */
static int settle_by_exit_record(wjr_runner *r, trial *t)
{
    char *text = NULL;
    json_t *doc = NULL;
    const char *job;
    int handled = 0, rc;

    /* a trial file: never blocking, bounded, no link out of the directory */
    if (wjr_trial_file_read(&text, NULL, t->trial_dir, WJR_EXIT_RECORD, 4096) < 0)
        goto done;
    doc = json_loads(text, 0, NULL);
    job = json_string_value(json_object_get(doc, "job_id"));
    /* a record of an earlier, requeued or reused run does not count */
    if (doc == NULL || job == NULL || t->job_id_text == NULL || strcmp(job, t->job_id_text) != 0)
        goto done;
    rc = (int)json_integer_value(json_object_get(doc, "exit_code"));
    if (t->info.start_time == 0)
        t->info.start_time = (int64_t)json_integer_value(json_object_get(doc, "start_time"));
    t->slurm_state = intern(r, rc == 0 ? "COMPLETED" : "FAILED");
    finalize(r, t, rc == 0 ? WJR_TRIAL_COMPLETED : WJR_TRIAL_FAILED,
             rc == 0 ? "COMPLETED" : "FAILED", rc, 0,
             "from the exit record; Slurm no longer knows the job",
             (int64_t)json_integer_value(json_object_get(doc, "end_time")), NULL);
    handled = 1;
done:
    json_decref(doc);
    free(text);
    return handled;
}

/* Append a key to a list of distinct keys. */
static void add_key_once(const char **keys, size_t *n, const char *key)
{
    size_t i;

    if (key == NULL)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return;
    keys[(*n)++] = key;
}

/* Nobody can say how the trial's job ended: FAILED, with why. */
static void mark_lost(wjr_runner *r, trial *t, const char *why)
{
    t->slurm_state = intern(r, "UNKNOWN");
    finalize(r, t, WJR_TRIAL_FAILED, "UNKNOWN", -1, 0, NULL, 0, why);
}

/* Index job records by (array job, task) or job id, as trials are looked up. */
static int index_records(job_map *m, const wjr_job_list *jobs)
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
 * The record of a trial's job in a map made by index_records. *packed is
 * set when the task is still pending inside its array's packed record.
 */
static int find_record(const job_map *m, const wjr_job_list *jobs, const trial *t, size_t *pos,
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

/* Settle forgotten jobs through accounting, one look-up for all of them. */
static int settle_by_accounting(wjr_runner *r, trial **vanished, size_t n)
{
    const char **names = calloc(n ? n : 1, sizeof(char *));
    wjr_job_list acct = {0, NULL, NULL, NULL};
    job_map m = {NULL, NULL, 0};
    int64_t since = INT64_MAX;
    size_t i, k = 0, pos, changed = 0;
    int packed;
    int error;

    if (names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        add_key_once(names, &k, vanished[i]->key);
        if (vanished[i]->info.run.submit_time > 0 && vanished[i]->info.run.submit_time < since)
            since = vanished[i]->info.run.submit_time;
    }
    if (since == INT64_MAX)
        since = 0;
    /* a minute of slack for clocks; the study id in the name keeps reused ids out */
    error = r->backend->accounting(&acct, r->backend, names, k, since > 60 ? since - 60 : 0);
    free(names);
    if (error == WJR_ENOTFOUND) {
        /* no accounting: nobody can say what became of these jobs */
        for (i = 0; i < n; i++)
            mark_lost(r, vanished[i],
                      "lost: Slurm no longer knows the job, it left no exit record and the "
                      "cluster has no accounting");
        return (int)n;
    }
    if (error < 0)
        return error;
    error = index_records(&m, &acct);
    if (error < 0)
        goto done;
    for (i = 0; i < n; i++) {
        trial *t = vanished[i];
        if (find_record(&m, &acct, t, &pos, &packed)) {
            runner_log(r, WJR_LOG_INFO, t->info.index, "slurmctld forgot job %s: asking accounting",
                       t->job_id_text);
            changed += (size_t)apply_record(r, t, &acct.jobs[pos], packed);
        } else {
            mark_lost(r, t,
                      "lost: neither slurmctld nor accounting knows the job, and it left no exit "
                      "record");
            changed++;
        }
    }
done:
    map_free(&m);
    wjr_job_list_clear(&acct);
    return error < 0 ? error : (int)changed;
}

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
        const trial *t = indices ? find_trial(r, indices[i]) : r->trials[i];
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
static int check_indices(const wjr_runner *r, const int64_t *indices, size_t count)
{
    size_t i;

    for (i = 0; indices && i < count; i++)
        if (find_trial(r, indices[i]) == NULL)
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
    int packed, ok = index_records(&m, jobs) == 0;

    for (i = 0; ok && i < n_live; i++) {
        const wjr_job_record *j;
        wjr_state_verdict v;
        uint32_t state;

        if (!find_record(&m, jobs, live[i], &pos, &packed)) {
            ok = 0; /* ended and forgotten, or never seen: the full path settles it */
            break;
        }
        j = &jobs->jobs[pos];
        state = packed ? (uint32_t)WJR_JOB_PENDING : j->state;
        if (state != live[i]->state_word || live[i]->slurm_state == NULL) {
            ok = 0;
            break;
        }
        v = wjr_state_map(state, 1);
        ok = v.status == WJR_TRIAL_RUNNING && !v.held && !v.unknown &&
             (state & WJR_JOB_STATE_BASE) != WJR_JOB_PREEMPTED;
    }
    map_free(&m);
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
    error = check_indices(r, indices, count);
    if (error < 0)
        return error;
    live = calloc(r->n_trials ? r->n_trials : 1, sizeof(*live));
    if (live == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < (indices ? count : r->n_trials); i++) {
        trial *t = indices ? find_trial(r, indices[i]) : r->trials[i];
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
        runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL, "%s", warning ? warning : "poll failed");
        error = 0;
        goto result;
    }
    error = index_records(&m, &jobs);
    if (error < 0)
        goto done;
    vanished = calloc(n_live, sizeof(*vanished));
    if (vanished == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n_live; i++) {
        trial *t = live[i];
        int packed, found = find_record(&m, &jobs, t, &pos, &packed);
        if (found) {
            n_changed += (size_t)apply_record(r, t, &jobs.jobs[pos], packed);
        } else if (settle_by_exit_record(r, t)) {
            n_changed++;
        } else {
            vanished[n_vanished++] = t;
        }
    }
    if (n_vanished > 0) {
        int settled = settle_by_accounting(r, vanished, n_vanished);
        if (settled < 0) {
            stale = 1;
            warning = wjr_asprintf("%zu job(s) are no longer known to slurmctld and accounting "
                                   "could not be asked (%s); they stay RUNNING for now",
                                   n_vanished, wjr_error_last());
            runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL, "%s", warning ? warning : "");
        } else {
            n_changed += (size_t)settled;
        }
    }
    for (i = 0; i < n_live; i++)
        if (live[i]->retry_due)
            retry_trial(r, live[i]);
    if (n_changed > 0) {
        error = do_checkpoint(r);
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
    map_free(&m);
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

/* ---- stop ------------------------------------------------------------------ */

int wjr_runner_stop(wjr_runner *r, int64_t index, const char *reason)
{
    trial *t = r ? find_trial(r, index) : NULL;
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
    t->info.status = WJR_TRIAL_ABANDONED;
    t->info.end_time = (int64_t)time(NULL);
    if (t->sub == SUB_SUBMITTED)
        t->slurm_state = intern(r, "CANCELLED");
    set_str(&t->reason, reason ? reason : "stopped");
    trial_sync(t);
    runner_log(r, WJR_LOG_INFO, index, "ABANDONED: %s", t->reason);
    return do_checkpoint(r);
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
    error = check_indices(r, indices, count);
    if (error < 0)
        return error;
    stop = calloc(r->n_trials ? r->n_trials : 1, sizeof(*stop));
    targets = calloc(r->n_trials ? r->n_trials : 1, sizeof(*targets));
    if (stop == NULL || targets == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < (indices ? count : r->n_trials); i++) {
        trial *t = indices ? find_trial(r, indices[i]) : r->trials[i];
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
    for (i = 0; i < n; i++) {
        trial *t = stop[i];
        t->info.status = WJR_TRIAL_ABANDONED;
        t->info.end_time = (int64_t)time(NULL);
        if (t->sub == SUB_SUBMITTED)
            t->slurm_state = intern(r, "CANCELLED");
        set_str(&t->reason, reason ? reason : "stopped");
        trial_sync(t);
        runner_log(r, WJR_LOG_INFO, t->info.index, "ABANDONED: %s", t->reason);
    }
    if (stopped)
        *stopped = n;
    if (n > 0)
        error = do_checkpoint(r);
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

/* ---- reconcile ----------------------------------------------------------- */

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
            mark_submitted(r, t, 0, id, t->planned_task, j->submit_time);
        else
            mark_submitted(r, t, id, 0, WJR_NO_TASK, j->submit_time);
        runner_log(r, WJR_LOG_INFO, t->info.index,
                   "reconciled: %s found in %s as job %s, not submitting again", t->key, where,
                   t->job_id_text);
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

    if (!wjr_trial_evidence(&id, &source, t->trial_dir, t->key))
        return 0;
    under = id ? strchr(id, '_') : NULL;
    if (id && under) {
        a = strtoul(id, NULL, 10);
        task = strtoul(under + 1, NULL, 10);
        mark_submitted(r, t, 0, (uint32_t)a, (uint32_t)task, t->intent_time);
    } else if (id) {
        mark_submitted(r, t, (uint32_t)strtoul(id, NULL, 10), 0, WJR_NO_TASK, t->intent_time);
    }
    if (id) {
        runner_log(r, WJR_LOG_WARNING, t->info.index,
                   "reconciled: neither slurmctld nor accounting knows %s, but %s shows that "
                   "job %s started; not submitting again",
                   t->key, source, t->job_id_text);
    } else {
        /* a job ran, but which one cannot be told: never run it again */
        set_str(&t->job_id_text, "unknown");
        t->sub = SUB_SUBMITTED;
        t->slurm_state = intern(r, "UNKNOWN");
        finalize(r, t, WJR_TRIAL_FAILED, "UNKNOWN", -1, 0, NULL, 0,
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
        add_key_once(names, &n_names, t->key);
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
        nap_until(deadline);
    }
    for (i = 0; i < n; i++) {
        trial *t = pending[i];
        if (t->sub != SUB_SUBMITTING)
            continue;
        runner_log(r, WJR_LOG_INFO, t->info.index,
                   "reconciled: %s was never accepted and no job of it started; it can be "
                   "submitted",
                   t->key);
        mark_unsubmitted(t, NULL);
        pending[n_out++] = t; /* reset by this call: reported to the caller */
        changed = 1;
    }
    if (changed) {
        error = do_checkpoint(r);
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
    const trial *t = r ? find_trial(r, index) : NULL;

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

/* ---- to_dict / from_dict ----------------------------------------------- */

/*
 * The runner's JSON is written and read without a jansson tree of the
 * whole document: a study of 100,000 trials must not need millions of
 * nodes. Trials go last, one per line, and fields with their default value
 * are left out. The reader takes the top-level object apart value by value
 * and parses one trial at a time.
 */

typedef struct json_out {
    wjr_buf buf;
    FILE *file; /* NULL: everything stays in buf */
    int failed;
} json_out;

static void out_flush(json_out *o, int force)
{
    if (o->file == NULL || (!force && o->buf.len < 65536))
        return;
    if (o->buf.len > 0 && fwrite(o->buf.ptr, 1, o->buf.len, o->file) != o->buf.len)
        o->failed = 1;
    o->buf.len = 0;
}

static void put_json_str(wjr_buf *b, const char *key, const char *v)
{
    json_t *s;
    char *enc;

    if (v == NULL)
        return;
    s = wjr_json_text(v); /* text that is not UTF-8 is kept as hex */
    enc = s ? wjr_json_dumps(s, JSON_ENCODE_ANY) : NULL;
    wjr_buf_printf(b, ",\"%s\":%s", key, enc ? enc : "null");
    free(enc);
    json_decref(s);
}

static void put_int(wjr_buf *b, const char *key, long long v, long long dflt)
{
    if (v != dflt)
        wjr_buf_printf(b, ",\"%s\":%lld", key, v);
}

static void emit_trial(wjr_buf *b, const trial *t, int first)
{
    wjr_buf_printf(b, "%s\n{\"index\":%lld,\"status\":\"%s\",\"submission\":\"%s\"",
                   first ? "" : ",", (long long)t->info.index,
                   wjr_trial_status_name(t->info.status), sub_names[t->sub]);
    wjr_buf_printf(b, ",\"parameters\":%s", t->params_json ? t->params_json : "null");
    put_json_str(b, "key", t->key);
    put_int(b, "planned_task", t->planned_task, WJR_NO_TASK);
    put_int(b, "intent_time", t->intent_time, 0);
    put_json_str(b, "job_id", t->job_id_text);
    put_int(b, "slurm_job_id", t->info.run.slurm_job_id, 0);
    put_int(b, "array_job_id", t->info.run.array_job_id, 0);
    put_int(b, "array_task_id", t->info.run.array_task_id, WJR_NO_TASK);
    put_int(b, "submit_time", t->info.run.submit_time, 0);
    put_int(b, "start_time", t->info.start_time, 0);
    put_int(b, "end_time", t->info.end_time, 0);
    put_int(b, "restarts", t->info.restarts, 0);
    put_int(b, "state_word", t->state_word, 0);
    put_json_str(b, "slurm_state", t->slurm_state);
    put_json_str(b, "reason", t->reason);
    put_int(b, "exit_code", t->info.exit_code, -1);
    put_int(b, "signal", t->info.term_signal, 0);
    put_int(b, "attempt", t->info.attempt, 0);
    put_int(b, "retries", t->retries, 0);
    put_int(b, "prior_attempts", t->prior_attempts, 0);
    put_json_str(b, "history", t->history);
    if (t->metrics_json)
        wjr_buf_printf(b, ",\"metrics\":%s", t->metrics_json);
    put_json_str(b, "partition", t->partition);
    put_json_str(b, "cluster", t->cluster);
    wjr_buf_puts(b, "}");
}

static int emit_runner(json_out *o, const wjr_runner *r)
{
    char *backend = NULL, *wrapper = NULL;
    size_t i;
    int error;

    error = r->backend->to_json(&backend, r->backend);
    if (error < 0)
        goto done;
    error = r->wrapper->to_json(&wrapper, r->wrapper);
    if (error < 0)
        goto done;
    wjr_buf_printf(&o->buf, "{\"__type\":\"WrappedJobRunner\",\"schema_version\":%d",
                   RUNNER_SCHEMA_VERSION);
    put_json_str(&o->buf, "study_id", r->study_id);
    put_json_str(&o->buf, "experiment_dir", r->experiment_dir);
    wjr_buf_printf(&o->buf, ",\"max_infrastructure_retries\":%d", r->max_infra_retries);
    wjr_buf_printf(&o->buf, ",\"backend\":{\"type\":\"%s\",\"settings\":%s}", r->backend->type,
                   backend);
    put_json_str(&o->buf, "wrapper_type", r->wrapper->type);
    wjr_buf_printf(&o->buf, ",\"wrapper\":%s,\"trials\":[", wrapper);
    for (i = 0; i < r->n_trials; i++) {
        emit_trial(&o->buf, r->trials[i], i == 0);
        out_flush(o, 0);
    }
    wjr_buf_puts(&o->buf, "]}\n");
    out_flush(o, 1);
    if (o->buf.oom)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
    else if (o->failed)
        error = wjr_error_set(WJR_EIO, "cannot write the runner's state: %s", strerror(errno));
done:
    free(backend);
    free(wrapper);
    return error;
}

int wjr_runner_to_json(char **out, const wjr_runner *r)
{
    json_out o = {WJR_BUF_INIT, NULL, 0};
    int error;

    *out = NULL;
    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_to_json: no runner");
    error = emit_runner(&o, r);
    if (error < 0) {
        wjr_buf_free(&o.buf);
        return error;
    }
    return wjr_buf_detach(out, &o.buf);
}

int wjr_runner_to_json_file(const wjr_runner *r, const char *path)
{
    json_out o = {WJR_BUF_INIT, NULL, 0};
    char *tmp = NULL;
    int error, fd;

    if (r == NULL || path == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_to_json_file: no runner or path");
    tmp = wjr_asprintf("%s.tmp.%ld", path, (long)getpid());
    if (tmp == NULL)
        return WJR_ENOMEM;
    o.file = fopen(tmp, "we");
    if (o.file == NULL) {
        error = wjr_error_set(WJR_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    error = emit_runner(&o, r);
    if (error == 0 && fflush(o.file) != 0)
        error = wjr_error_set(WJR_EIO, "cannot write %s: %s", tmp, strerror(errno));
    fd = fileno(o.file);
    if (error == 0 && fsync(fd) != 0)
        error = wjr_error_set(WJR_EIO, "cannot sync %s: %s", tmp, strerror(errno));
    if (fclose(o.file) != 0 && error == 0)
        error = wjr_error_set(WJR_EIO, "cannot write %s: %s", tmp, strerror(errno));
    o.file = NULL;
    if (error == 0 && rename(tmp, path) != 0)
        error = wjr_error_set(WJR_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    else if (error == 0)
        error = wjr_fsync_parent(path); /* the rename itself must survive a crash */
    if (error < 0)
        unlink(tmp);
done:
    wjr_buf_free(&o.buf);
    free(tmp);
    return error;
}

/* A source of JSON text: a string, or a file read through stdio. */
typedef struct json_src {
    const char *p;
    const char *end;
    FILE *f;
    long offset;
} json_src;

static int src_peek(json_src *s)
{
    int c;

    if (s->f == NULL)
        return s->p < s->end ? (unsigned char)*s->p : EOF;
    c = getc_unlocked(s->f);
    if (c != EOF)
        ungetc(c, s->f);
    return c;
}

static int src_get(json_src *s)
{
    int c;

    if (s->f == NULL)
        c = s->p < s->end ? (unsigned char)*s->p++ : EOF;
    else
        c = getc_unlocked(s->f);
    if (c != EOF)
        s->offset++;
    return c;
}

static void src_skip_ws(json_src *s)
{
    int c = src_peek(s);

    while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        src_get(s);
        c = src_peek(s);
    }
}

static int src_fail(json_src *s, const char *what)
{
    return wjr_error_set(WJR_EINVALID, "runner JSON: %s at byte %ld", what, s->offset);
}

/* Copy the raw text of one JSON value (any type) into b. */
static int src_capture(wjr_buf *b, json_src *s)
{
    int c = src_peek(s), depth = 0, in_str = 0;

    b->len = 0;
    if (c == EOF)
        return src_fail(s, "unexpected end");
    if (c != '{' && c != '[' && c != '"') {
        /* a number, true, false or null: up to the next delimiter */
        while (c != EOF && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\t' &&
               c != '\r') {
            char ch = (char)src_get(s);
            wjr_buf_put(b, &ch, 1);
            c = src_peek(s);
        }
        return b->len > 0 ? 0 : src_fail(s, "a value is missing");
    }
    for (;;) {
        char ch;
        c = src_get(s);
        if (c == EOF)
            return src_fail(s, "unexpected end inside a value");
        ch = (char)c;
        wjr_buf_put(b, &ch, 1);
        if (in_str) {
            if (c == '\\') {
                c = src_get(s);
                if (c == EOF)
                    return src_fail(s, "unexpected end inside a string");
                ch = (char)c;
                wjr_buf_put(b, &ch, 1);
            } else if (c == '"') {
                in_str = 0;
                if (depth == 0)
                    break;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                break;
        }
    }
    return b->oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;
}

static int src_value(json_t **out, wjr_buf *b, json_src *s)
{
    json_error_t jerr;
    int error = src_capture(b, s);

    *out = NULL;
    if (error < 0)
        return error;
    *out = json_loadb(b->ptr, b->len, JSON_DECODE_ANY, &jerr);
    if (*out == NULL)
        return wjr_error_set(WJR_EINVALID, "runner JSON: %s near byte %ld", jerr.text, s->offset);
    return 0;
}

static char *dump_or_null(json_t *v)
{
    if (v == NULL || json_is_null(v))
        return NULL;
    return wjr_json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

static int trial_from_json(trial **out, wjr_runner *r, json_t *o)
{
    trial *t;
    const char *s;
    json_t *v;
    size_t i;

    *out = NULL;
    v = json_object_get(o, "index");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return wjr_error_set(WJR_EINVALID, "runner JSON: a trial has no valid index");
    t = trial_new(r, (int64_t)json_integer_value(v), NULL);
    if (t == NULL)
        return WJR_ENOMEM;
    if (wjr_trial_status_parse(&t->info.status, json_string_value(json_object_get(o, "status"))) <
        0) {
        int64_t index = t->info.index;
        trial_free(t);
        return wjr_error_prefix("runner JSON: trial %lld", (long long)index);
    }
    s = json_string_value(json_object_get(o, "submission"));
    t->sub = SUB_NONE;
    for (i = 0; s && i < 3; i++)
        if (strcmp(s, sub_names[i]) == 0)
            t->sub = (sub_state)i;
    t->params_json = dump_or_null(json_object_get(o, "parameters"));
    t->metrics_json = dump_or_null(json_object_get(o, "metrics"));
    t->key = intern(r, json_string_value(json_object_get(o, "key")));
    v = json_object_get(o, "planned_task");
    t->planned_task = json_is_integer(v) ? (uint32_t)json_integer_value(v) : WJR_NO_TASK;
    t->intent_time = (int64_t)json_integer_value(json_object_get(o, "intent_time"));
    set_str(&t->job_id_text, json_string_value(json_object_get(o, "job_id")));
    t->info.run.slurm_job_id = (uint32_t)json_integer_value(json_object_get(o, "slurm_job_id"));
    t->info.run.array_job_id = (uint32_t)json_integer_value(json_object_get(o, "array_job_id"));
    v = json_object_get(o, "array_task_id");
    t->info.run.array_task_id = json_is_integer(v) ? (uint32_t)json_integer_value(v) : WJR_NO_TASK;
    t->info.run.submit_time = (int64_t)json_integer_value(json_object_get(o, "submit_time"));
    t->info.start_time = (int64_t)json_integer_value(json_object_get(o, "start_time"));
    t->info.end_time = (int64_t)json_integer_value(json_object_get(o, "end_time"));
    t->info.restarts = (uint32_t)json_integer_value(json_object_get(o, "restarts"));
    t->state_word = (uint32_t)json_integer_value(json_object_get(o, "state_word"));
    t->slurm_state = intern(r, json_string_value(json_object_get(o, "slurm_state")));
    free(t->reason);
    t->reason = wjr_json_text_get(json_object_get(o, "reason"));
    v = json_object_get(o, "exit_code");
    t->info.exit_code = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    t->info.term_signal = (int)json_integer_value(json_object_get(o, "signal"));
    t->info.attempt = (int)json_integer_value(json_object_get(o, "attempt"));
    t->retries = (int)json_integer_value(json_object_get(o, "retries"));
    t->prior_attempts = (int)json_integer_value(json_object_get(o, "prior_attempts"));
    set_str(&t->history, json_string_value(json_object_get(o, "history")));
    t->partition = intern(r, json_string_value(json_object_get(o, "partition")));
    t->cluster = intern(r, json_string_value(json_object_get(o, "cluster")));
    if (t->sub == SUB_SUBMITTED && t->job_id_text == NULL) {
        trial_free(t);
        return wjr_error_set(WJR_EINVALID, "runner JSON: submitted trial has no job id");
    }
    trial_sync(t);
    *out = t;
    return 0;
}

static int runner_from_header(wjr_runner **out, json_t *root, const wjr_runner_options *opts)
{
    wjr_runner_options o = WJR_RUNNER_OPTIONS_INIT;
    json_t *backend_o, *v;
    wjr_backend *backend = NULL;
    wjr_wrapper *wrapper = NULL;
    char *settings = NULL, *exp_dir = NULL;
    const char *type;
    int error;

    *out = NULL;
    type = json_string_value(json_object_get(root, "__type"));
    if (type == NULL || strcmp(type, "WrappedJobRunner") != 0)
        return wjr_error_set(WJR_EINVALID, "runner JSON: __type is not WrappedJobRunner");
    v = json_object_get(root, "schema_version");
    if (!json_is_integer(v) || json_integer_value(v) > RUNNER_SCHEMA_VERSION)
        return wjr_error_set(WJR_EINVALID,
                             "runner JSON: schema version %lld is not supported (this wjr "
                             "reads up to %d)",
                             (long long)json_integer_value(v), RUNNER_SCHEMA_VERSION);
    /* without its id a runner would make a new one, and its trials' keys
     * would no longer name their jobs: exactly-once depends on it */
    if (!json_is_string(json_object_get(root, "study_id")))
        return wjr_error_set(WJR_EINVALID, "runner JSON: no study_id");
    backend_o = json_object_get(root, "backend");
    settings = dump_or_null(json_object_get(backend_o, "settings"));
    error = wjr_backend_from_json(&backend, json_string_value(json_object_get(backend_o, "type")),
                                  settings ? settings : "{}");
    free(settings);
    if (error < 0)
        return error;
    settings = dump_or_null(json_object_get(root, "wrapper"));
    error =
        wjr_wrapper_from_json(&wrapper, json_string_value(json_object_get(root, "wrapper_type")),
                              settings ? settings : "{}");
    free(settings);
    if (error < 0) {
        wjr_backend_free(backend);
        return error;
    }
    if (opts) {
        o.log = opts->log;
        o.log_payload = opts->log_payload;
        o.log_level = opts->log_level;
        o.checkpoint = opts->checkpoint;
        o.checkpoint_payload = opts->checkpoint_payload;
    }
    exp_dir = wjr_json_text_get(json_object_get(root, "experiment_dir"));
    o.experiment_dir = exp_dir;
    o.study_id = json_string_value(json_object_get(root, "study_id"));
    if (opts && opts->experiment_dir)
        o.experiment_dir = opts->experiment_dir;
    error = wjr_runner_new(out, backend, wrapper, &o);
    v = json_object_get(root, "max_infrastructure_retries");
    if (error == 0 && json_is_integer(v))
        wjr_runner_set_infrastructure_retries(*out, (int)json_integer_value(v));
    free(exp_dir);
    return error;
}

static int add_trial_json(wjr_runner *r, json_t *o)
{
    trial *t;
    int error = trial_from_json(&t, r, o);

    if (error < 0)
        return error;
    error = insert_trial(r, t);
    if (error < 0)
        trial_free(t);
    return error;
}

/* Read the trials array one element at a time. */
static int read_trials(wjr_runner *r, wjr_buf *b, json_src *s)
{
    json_t *v;
    int c, error;

    if (src_get(s) != '[')
        return src_fail(s, "\"trials\" is not a list");
    src_skip_ws(s);
    if (src_peek(s) == ']') {
        src_get(s);
        return 0;
    }
    for (;;) {
        src_skip_ws(s);
        error = src_value(&v, b, s);
        if (error < 0)
            return error;
        error = add_trial_json(r, v);
        json_decref(v);
        if (error < 0)
            return error;
        src_skip_ws(s);
        c = src_get(s);
        if (c == ']')
            return 0;
        if (c != ',')
            return src_fail(s, "expected ',' or ']' in \"trials\"");
    }
}

static int runner_read(wjr_runner **out, json_src *s, const wjr_runner_options *opts)
{
    json_t *header = json_object(), *key = NULL, *v = NULL, *late = NULL;
    wjr_buf b = WJR_BUF_INIT;
    wjr_runner *r = NULL;
    size_t i;
    int error = 0, c, seen_trials = 0;

    *out = NULL;
    src_skip_ws(s);
    if (src_get(s) != '{') {
        error = src_fail(s, "expected a JSON object");
        goto done;
    }
    src_skip_ws(s);
    if (src_peek(s) == '}') {
        src_get(s);
        goto build;
    }
    for (;;) {
        src_skip_ws(s);
        error = src_value(&key, &b, s);
        if (error < 0)
            goto done;
        if (!json_is_string(key)) {
            error = src_fail(s, "expected a key");
            goto done;
        }
        src_skip_ws(s);
        if (src_get(s) != ':') {
            error = src_fail(s, "expected ':'");
            goto done;
        }
        src_skip_ws(s);
        if (strcmp(json_string_value(key), "trials") == 0 && seen_trials++ > 0) {
            error = wjr_error_set(WJR_EINVALID, "runner JSON: \"trials\" appears twice");
            goto done;
        }
        if (strcmp(json_string_value(key), "trials") == 0 && late == NULL && r == NULL &&
            json_object_get(header, "backend") && json_object_get(header, "wrapper")) {
            error = runner_from_header(&r, header, opts);
            if (error < 0)
                goto done;
            error = read_trials(r, &b, s);
            if (error < 0)
                goto done;
        } else if (strcmp(json_string_value(key), "trials") == 0) {
            /* trials before the settings: keep them whole, read them below */
            error = src_value(&late, &b, s);
            if (error < 0)
                goto done;
        } else {
            error = src_value(&v, &b, s);
            if (error < 0)
                goto done;
            json_object_set_new(header, json_string_value(key), v);
            v = NULL;
        }
        json_decref(key);
        key = NULL;
        src_skip_ws(s);
        c = src_get(s);
        if (c == '}')
            break;
        if (c != ',') {
            error = src_fail(s, "expected ',' or '}'");
            goto done;
        }
    }
    src_skip_ws(s);
    if (src_peek(s) != EOF) {
        error = src_fail(s, "text after the runner's JSON object");
        goto done;
    }
build:
    if (r == NULL) {
        error = runner_from_header(&r, header, opts);
        if (error < 0)
            goto done;
    }
    if (late && !json_is_array(late)) {
        error = wjr_error_set(WJR_EINVALID, "runner JSON: \"trials\" is not a list");
        goto done;
    }
    for (i = 0; late && i < json_array_size(late); i++) {
        error = add_trial_json(r, json_array_get(late, i));
        if (error < 0)
            goto done;
    }
done:
    json_decref(header);
    json_decref(key);
    json_decref(v);
    json_decref(late);
    wjr_buf_free(&b);
    if (error < 0) {
        wjr_runner_free(r);
        return error;
    }
    *out = r;
    return 0;
}

int wjr_runner_from_json(wjr_runner **out, const char *text, const wjr_runner_options *opts)
{
    json_src s = {NULL, NULL, NULL, 0};

    *out = NULL;
    if (text == NULL)
        return wjr_error_set(WJR_EINVALID, "runner JSON: no text");
    s.p = text;
    s.end = text + strlen(text);
    return runner_read(out, &s, opts);
}

int wjr_runner_from_json_file(wjr_runner **out, const char *path, const wjr_runner_options *opts)
{
    json_src s = {NULL, NULL, NULL, 0};
    int error;

    *out = NULL;
    if (path == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_from_json_file: no path");
    s.f = fopen(path, "re");
    if (s.f == NULL)
        return wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EIO, "cannot read %s: %s", path,
                             strerror(errno));
    error = runner_read(out, &s, opts);
    fclose(s.f);
    if (error < 0)
        wjr_error_prefix("%s", path);
    return error;
}
