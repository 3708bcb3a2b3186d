/*
 * runner_submit.c - run() and run_multiple(): a trial's files written
 * through the wrapper, then its job submitted, exactly once.
 *
 * Every submission is announced to the checkpoint callback before the
 * submit RPC (the trials are then "submitting" under their idempotency
 * key, the job name), so that an interrupted caller can find the job again
 * by its key instead of submitting twice. When the answer of the RPC is
 * lost, the key is looked up in the controller before anything is tried
 * again. run_multiple() groups the trials by the resources their
 * parameters ask for and submits each group as job arrays whose task ids
 * stay below MaxArraySize. It does not poll: runner_poll.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "runner_int.h"
#include "script.h"
#include "slurm_resources.h"
#include "util.h"

/* Seconds between two look-ups of a key whose submission lost its answer. */
#define WJR_LOOKUP_INTERVAL 1.0

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

void wjr__mark_submitted(wjr_runner *r, trial *t, uint32_t job_id, uint32_t array_job_id,
                         uint32_t task, int64_t submit_time)
{
    char text[64];

    if (task != WJR_NO_TASK)
        snprintf(text, sizeof(text), "%u_%u", (unsigned)array_job_id, (unsigned)task);
    else
        snprintf(text, sizeof(text), "%u", (unsigned)job_id);
    wjr__set_text(&t->info.run.job_id, text);
    t->info.run.slurm_job_id = job_id;
    t->info.run.array_job_id = array_job_id;
    t->info.run.array_task_id = task;
    t->info.run.submit_time = submit_time;
    if (r->backend->partition(r->backend))
        t->info.run.partition = wjr__intern(r, r->backend->partition(r->backend));
    if (t->info.run.cluster == NULL && r->backend->cluster(r->backend))
        t->info.run.cluster = wjr__intern(r, r->backend->cluster(r->backend));
    t->sub = SUB_SUBMITTED;
    t->info.status = WJR_TRIAL_RUNNING;
    t->info.slurm_state = wjr__intern(r, "PENDING");
    wjr__set_text(&t->info.reason, NULL);
    wjr__trial_touch(r, t);
}

int wjr__key_is_array(const wjr_runner *r, const char *key)
{
    size_t n = strlen(r->study_id);

    /* as submit_trials names jobs: "wjr-<study id>-a<first index>[-r<retry>]" */
    return key != NULL && strncmp(key, "wjr-", 4) == 0 && strncmp(key + 4, r->study_id, n) == 0 &&
           key[4 + n] == '-' && key[5 + n] == 'a';
}

void wjr__mark_unsubmitted(wjr_runner *r, trial *t, const char *why)
{
    t->sub = SUB_NONE;
    wjr__trial_key(r, t, NULL, 0);
    t->planned_task = WJR_NO_TASK;
    t->info.status = WJR_TRIAL_CANDIDATE;
    wjr__set_text(&t->info.reason, why);
    wjr__trial_touch(r, t);
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
void wjr__nap_until(double deadline)
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
        wjr__nap_until(deadline);
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
        wjr__runner_log(r, WJR_LOG_WARNING, WJR_NO_TRIAL,
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
            wjr__runner_log(r, WJR_LOG_INFO, WJR_NO_TRIAL,
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
    error = r->backend->resources(out, r->backend, t->info.params_json);
    if (error < 0) {
        wjr_error_prefix("trial %lld", (long long)t->info.index);
        wjr__runner_log(r, WJR_LOG_ERROR, t->info.index, "%s", wjr_error_last());
    }
    return error;
}

/*
 * Check a trial to run, write its files through the wrapper and keep it in
 * the table (a new index is added only once its files are written). It is
 * left unsubmitted, with the given parameters.
 */
static int prepare_trial(trial **out, wjr_runner *r, const wjr_trial_spec *spec)
{
    trial *t = wjr__find_trial(r, spec->index);
    char *params = NULL;
    wjr_trial_ctx ctx;
    int error, created = 0;

    *out = NULL;
    if (wjr_interrupted())
        return wjr_error_set(WJR_EINTERRUPTED, "interrupted: trial %lld is not submitted",
                             (long long)spec->index);
    if (spec->index < 0)
        return wjr_error_set(WJR_EINVALID, "trial index %lld is negative", (long long)spec->index);
    if (t && t->sub != SUB_NONE)
        return wjr_error_set(WJR_EEXISTS, "trial %lld was already submitted (%s)",
                             (long long)spec->index,
                             t->info.run.job_id ? t->info.run.job_id : "submitting");
    error = normalise_params(&params, spec->params_json, spec->index);
    if (error < 0)
        return error;
    if (t == NULL) {
        t = wjr__trial_new(r, spec->index, NULL);
        if (t == NULL) {
            free(params);
            return WJR_ENOMEM;
        }
        created = 1;
    }
    free((char *)t->info.params_json);
    t->info.params_json = params;
    wjr__trial_ctx(&ctx, r, t);
    if (r->wrapper->write_configs) {
        error = r->wrapper->write_configs(r->wrapper, &ctx);
        if (error < 0)
            wjr_error_prefix("trial %lld", (long long)spec->index);
    }
    if (error >= 0 && created)
        error = wjr__insert_trial(r, t);
    if (error < 0 && created) {
        wjr__trial_free(t);
        return error;
    }
    wjr__trial_touch(r, t); /* new, or new parameters even when its files failed */
    if (error < 0)
        return error;
    *out = t;
    return 0;
}

int wjr_runner_run(const wjr_run_metadata **out, wjr_runner *r, const wjr_trial_spec *spec)
{
    trial *t = NULL;
    int error;

    if (out)
        *out = NULL;
    if (r == NULL || spec == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_run: no runner or trial");
    error = prepare_trial(&t, r, spec);
    if (error < 0)
        return error;
    error = wjr__submit_single(r, t);
    if (error == 0 && out)
        *out = &t->info.run;
    return error;
}

/*
 * The one submit protocol, for a single job (n == 1, no array_inx) and for
 * a job array (task i runs ts[i]) alike: announce the trials under the
 * job's key, checkpoint, submit exactly once, then settle what the answer
 * says. A refused submission leaves them unsubmitted, with why; a lost
 * answer leaves them "submitting" for reconcile to decide.
 */
static int submit_announced(wjr_runner *r, trial **ts, size_t n, const wjr_job_spec *job)
{
    const int array = job->array_inx != NULL;
    const int64_t log_index = array ? WJR_NO_TRIAL : ts[0]->info.index;
    uint32_t job_id = 0;
    int64_t submit_time = 0;
    size_t i;
    int error;

    /* announce before the RPC: an interrupted caller finds the job by key */
    for (i = 0; i < n; i++) {
        if (wjr__trial_key(r, ts[i], job->name, array) < 0) {
            while (i-- > 0)
                wjr__trial_key(r, ts[i], NULL, 0);
            return WJR_ENOMEM;
        }
    }
    for (i = 0; i < n; i++) {
        ts[i]->sub = SUB_SUBMITTING;
        ts[i]->planned_task = array ? (uint32_t)i : WJR_NO_TASK;
        ts[i]->intent_time = (int64_t)time(NULL);
        wjr__trial_touch(r, ts[i]);
    }
    error = wjr__checkpoint(r);
    if (error < 0) {
        for (i = 0; i < n; i++)
            wjr__mark_unsubmitted(r, ts[i], NULL);
        return error;
    }
    error = submit_exactly_once(&job_id, &submit_time, r, job);
    if (error == WJR_ETIMEOUT) {
        wjr__runner_log(r, WJR_LOG_WARNING, log_index, "%s", wjr_error_last());
        return error; /* stays SUBMITTING: reconcile decides */
    }
    if (error < 0) {
        wjr__runner_log(r, WJR_LOG_ERROR, log_index, "%ssubmission refused: %s",
                        array ? "array " : "", wjr_error_last());
        for (i = 0; i < n; i++)
            wjr__mark_unsubmitted(r, ts[i], wjr_error_last());
        wjr__checkpoint(r);
        /* the caller reads the refusal, whatever the checkpoint did to the
         * error slot; each trial's reason holds it */
        wjr_error_set(error, "%s", ts[0]->info.reason ? ts[0]->info.reason : "submission refused");
        return error;
    }
    for (i = 0; i < n; i++) {
        if (array)
            wjr__mark_submitted(r, ts[i], 0, job_id, (uint32_t)i, submit_time);
        else
            wjr__mark_submitted(r, ts[i], job_id, 0, WJR_NO_TASK, submit_time);
    }
    if (array)
        wjr__runner_log(r, WJR_LOG_INFO, WJR_NO_TRIAL,
                        "submitted trials %s as job array %u (%zu tasks)",
                        job->comment + strlen(r->study_id) + 5, (unsigned)job_id, n);
    else
        wjr__runner_log(r, WJR_LOG_INFO, log_index, "submitted as job %s", ts[0]->info.run.job_id);
    return wjr__checkpoint(r);
}

/*
 * Build the job of ts[0..n) (prepared, unsubmitted) and submit it through
 * the protocol: a single job for one trial (array 0), or an array whose
 * task i runs ts[i] (n below MaxArraySize). The key is named after the
 * first trial; a retry is a new submission, with a key of its own, so that
 * the job of the earlier attempt is never taken for it.
 */
static int submit_trials(wjr_runner *r, trial **ts, size_t n, const char *resources, int array)
{
    wjr_job_spec job;
    wjr_trial_ctx ctx;
    wjr_buf comment = WJR_BUF_INIT;
    char **commands = calloc(n, sizeof(char *));
    int64_t *indices = calloc(n, sizeof(int64_t));
    char *script = NULL, *key = NULL, *comment_text = NULL, *out_path = NULL, *err_path = NULL,
         *logs = NULL, inx[64];
    size_t i;
    int error = 0;

    if (commands == NULL || indices == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        indices[i] = ts[i]->info.index;
        wjr__trial_ctx(&ctx, r, ts[i]);
        error = r->wrapper->run_model(&commands[i], r->wrapper, &ctx);
        if (error < 0)
            goto done;
    }
    error = wjr_script_build(&script, r->experiment_dir, r->study_id, indices, commands, n, array);
    if (error < 0)
        goto done;
    if (ts[0]->retries > 0)
        key = wjr_asprintf("wjr-%s-%s%lld-r%d", r->study_id, array ? "a" : "",
                           (long long)indices[0], ts[0]->retries);
    else
        key = wjr_asprintf("wjr-%s-%s%lld", r->study_id, array ? "a" : "", (long long)indices[0]);
    wjr_buf_printf(&comment, "wjr:%s:", r->study_id);
    append_ranges(&comment, indices, n);
    error = wjr_buf_detach(&comment_text, &comment);
    if (error < 0)
        goto done;
    memset(&job, 0, sizeof(job));
    if (array) {
        /* one folder for the tasks' output: Slurm cannot name a task's
         * trial directory */
        logs = wjr_asprintf("%s/logs", r->experiment_dir);
        out_path = slurm_path(logs, "slurm-%A_%a.out");
        err_path = slurm_path(logs, "slurm-%A_%a.err");
        error = logs ? wjr_mkdir_p(logs, 0755) : WJR_ENOMEM;
        if (error < 0)
            goto done;
        snprintf(inx, sizeof(inx), "0-%zu", n - 1);
        job.work_dir = r->experiment_dir;
        job.array_inx = inx;
    } else {
        out_path = slurm_path(ts[0]->info.run.trial_dir, "slurm-%j.out");
        err_path = slurm_path(ts[0]->info.run.trial_dir, "slurm-%j.err");
        job.work_dir = ts[0]->info.run.trial_dir;
    }
    if (key == NULL || out_path == NULL || err_path == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    job.name = key;
    job.comment = comment_text;
    job.script = script;
    job.std_out = out_path;
    job.std_err = err_path;
    job.resources = resources;
    error = submit_announced(r, ts, n, &job);
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

int wjr__submit_single(wjr_runner *r, trial *t)
{
    char *res = NULL;
    int error = trial_resources(&res, r, t);

    if (error == 0)
        error = submit_trials(r, &t, 1, res, 0);
    free(res);
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
    size_t i, j, done_count = 0;
    int error = 0;

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
        error = prepare_trial(&ts[i], r, &specs[i]);
        if (error < 0)
            goto done;
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
        error = submit_trials(r, ts + i, n, res[i], 1);
        if (error < 0)
            goto done;
        done_count += n;
    }
done:
    for (j = 0; j < count; j++)
        free(res[j]);
    free(res);
    free(ts);
    if (submitted)
        *submitted = done_count;
    return error;
}
