/*
 * study_submit.c - the API of an external optimizer (Ax, Optuna, BOA, a
 * script) over a study's directory: submit parameters it chose, poll,
 * cancel. Each call checks its input, records the trials in the study
 * before the runner sees them, and persists the study before it returns.
 *
 * It generates nothing: the study's own generator runs in study_step.c.
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

static int prepare_external(wjr_study *s)
{
    int error = wjr__study_writable(s);

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

    if (t == NULL || !wjr__study_needs_submit(s, t))
        return;
    t->overridden = 1;
    t->override = WJR_TRIAL_ABANDONED;
    wjr__store_touch(s, t);
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
    /* the runner holds the parameters of every trial it took */
    for (i = 0; i < count_; i++) {
        study_trial *t = wjr__study_find_trial(s, specs[i].index);
        if (t != NULL) {
            wjr__study_share_params(s, t);
            specs[i].params_json = NULL;
        }
    }
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
    error = wjr__study_whole(s, "wjr_study_poll");
    if (error == 0)
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
    wjr__study_note_changes(s);
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
    error = wjr__study_whole(s, "wjr_study_cancel");
    if (error == 0)
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
            wjr__store_touch(s, t);
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
            wjr__study_log(s, WJR_LOG_ERROR, WJR_NO_TRIAL, "cannot cancel %zu trial(s): %s", n_live,
                           wjr_error_last());
            first_error = error;
        }
        stopped += in_runner;
    }
    free(live);
    if (stopped > 0)
        wjr__study_log(s, WJR_LOG_INFO, WJR_NO_TRIAL, "cancelled %zu trials", stopped);
    wjr__study_note_changes(s);
    if (cancelled != NULL)
        *cancelled = stopped;
    error = wjr__store_persist(s);
    return first_error < 0 ? first_error : error;
}
