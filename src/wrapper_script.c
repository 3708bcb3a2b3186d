/*
 * wrapper_script.c - the built-in script wrapper, keeping BOA's
 * ScriptWrapper conventions so that a BOA user's model scripts run
 * unchanged.
 *
 * Before a job is submitted it writes parameters.json ({name: value}),
 * data.json (BOA's field set), trial.json (the trial as Ax encodes it) and,
 * when metrics name param_names, filtered_parameters.json into
 * <experiment_dir>/<index as %06d>/, then runs the optional write_configs
 * command. Commands are BOA templates: `{{ x0 }}` and `{{ trial_dir }}`
 * become one quoted shell word each, the trial directory is appended as
 * the last argument, and they run from the working directory (the trial
 * directory when none is set). After the job completes it reads the status
 * (trial_status or TrialStatus files, or the output's status key, matched
 * case-insensitively), waiting a bounded time for an output that NFS may
 * still hide, and applies BOA's metric functions to the output. The
 * model's word may only end a trial (COMPLETED, FAILED, ABANDONED,
 * EARLY_STOPPED). It does not submit anything: the runner and the backend
 * do.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "metric_boa.h"
#include "proc.h"
#include "template.h"
#include "trial_files.h"
#include "util.h"
#include "wrapper.h"

typedef struct script_wrapper {
    wjr_wrapper parent; /* must be first */
    char *run_model;
    char *write_configs;
    char *set_trial_status;
    char *fetch_trial_data;
    char *work_dir;
    char **metric_names;   /* NULL-terminated, or NULL for every key */
    json_t *metrics;       /* BOA metric settings (array of objects), or NULL */
    json_t *model_options; /* or NULL */
    double output_wait;
    char *setup; /* lines the job runs before run_model, or NULL */
} script_wrapper;

static int write_json_file(const char *dir, const char *name, json_t *value)
{
    char *path = wjr_asprintf("%s/%s", dir, name);
    char *text = wjr_json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    char *with_nl = text ? wjr_asprintf("%s\n", text) : NULL;
    int error;

    /* Ends with a newline, as Python's json tools write it. Not synced: a
     * trial's files are written again from the checkpoint when a crash
     * comes before its submission, and are only read after it. */
    if (path == NULL || with_nl == NULL)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
    else
        error = wjr_write_file(path, with_nl, strlen(with_nl));
    free(path);
    free(text);
    free(with_nl);
    return error;
}

/* ---- commands ---------------------------------------------------------------- */

typedef struct render_ctx {
    json_t *params;
    const char *trial_dir;
} render_ctx;

static const char *lookup_value(void *payload, const char *name, char **owned)
{
    render_ctx *rc = payload;

    *owned = NULL;
    if (strcmp(name, "trial_dir") == 0)
        return rc->trial_dir;
    *owned = wjr_template_scalar_text(json_object_get(rc->params, name));
    return *owned;
}

/* A command with the trial's values in place (malloc'd). */
static int render(char **out, const char *cmd, const wjr_trial_ctx *t)
{
    render_ctx rc;
    json_error_t jerr;
    int error;

    *out = NULL;
    if (strstr(cmd, "{{") == NULL) {
        *out = wjr_strdup(cmd);
        return *out ? 0 : WJR_ENOMEM;
    }
    rc.params = json_loads(t->params_json ? t->params_json : "{}", 0, &jerr);
    rc.trial_dir = t->trial_dir;
    error = wjr_template_command(out, cmd, lookup_value, &rc, 0);
    json_decref(rc.params);
    if (error < 0)
        wjr_error_prefix("trial %lld", (long long)t->index);
    return error;
}

static int run_hook(script_wrapper *sw, const char *hook, const char *name, const wjr_trial_ctx *t)
{
    char *cmd = NULL;
    int status = 0, error;

    error = render(&cmd, hook, t);
    if (error == 0)
        error = wjr_proc_run_hook(&status, cmd, t->trial_dir,
                                  sw->work_dir ? sw->work_dir : t->trial_dir, t);
    if (error == 0 && status != 0)
        error =
            wjr_error_set(WJR_EHOOK, "%s command '%s' exited with status %d", name, cmd, status);
    free(cmd);
    return error;
}

static int script_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    wjr_buf b = WJR_BUF_INIT;
    char *cmd = NULL;
    int error;

    *out = NULL;
    error = render(&cmd, sw->run_model, t);
    if (error < 0)
        return error;
    if (sw->setup != NULL) { /* the user's own lines, verbatim, in the trial directory */
        wjr_buf_puts(&b, sw->setup);
        wjr_buf_puts(&b, "\n");
    }
    if (sw->work_dir != NULL) { /* BOA's working_dir; the batch script appends "$d" */
        wjr_buf_puts(&b, "cd ");
        wjr_buf_shell_quote(&b, sw->work_dir);
        wjr_buf_puts(&b, " || exit 112\n");
    }
    wjr_buf_puts(&b, cmd);
    free(cmd);
    return wjr_buf_detach(out, &b);
}

/* ---- trial files written before the job --------------------------------------- */

/* {"metric": {"p": value}} for every metric ({} without param_names, as
 * BOA writes it), and {"metric": [...]}. */
static int filtered(json_t **filtered_out, json_t **names_out, json_t **props_out,
                    const script_wrapper *sw, json_t *params)
{
    json_t *f = json_object(), *names = json_object(), *props = json_object(), *m;
    size_t i, k;

    json_array_foreach(sw->metrics, i, m)
    {
        const char *metric = json_string_value(json_object_get(m, "name"));
        json_t *pn = json_object_get(m, "param_names"), *sub = json_object(), *name;
        json_t *pr = json_object_get(m, "properties");

        json_object_set_new(names, metric, pn ? json_copy(pn) : json_array());
        json_object_set_new(props, metric, pr ? json_deep_copy(pr) : json_object());
        json_array_foreach(pn, k, name)
        {
            json_t *v = json_object_get(params, json_string_value(name));
            if (v)
                json_object_set(sub, json_string_value(name), v);
        }
        json_object_set_new(f, metric, sub); /* {} without param_names, as BOA */
    }
    *filtered_out = f;
    *names_out = names;
    *props_out = props;
    return f && names && props ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

static int script_write_configs(wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_error_t jerr;
    json_t *params = NULL, *data = NULL, *trial = NULL, *arm = NULL, *filt = NULL, *names = NULL,
           *props = NULL;
    char arm_name[64];
    int error;

    params = json_loads(t->params_json ? t->params_json : "", JSON_REJECT_DUPLICATES, &jerr);
    if (params == NULL || !json_is_object(params)) {
        error = wjr_error_set(WJR_EINVALID, "trial %lld: parameters are not a JSON object: %s",
                              (long long)t->index, params ? "not an object" : jerr.text);
        goto done;
    }
    error = wjr_mkdir_p(t->trial_dir, 0755);
    if (error == 0)
        error = write_json_file(t->trial_dir, "parameters.json", params);
    if (error == 0)
        error = filtered(&filt, &names, &props, sw, params);
    if (error < 0)
        goto done;
    /* trial.json: enough of Ax's encoding of a Trial for scripts to read
     * trial$arm$parameters, with wjr's own fields kept */
    snprintf(arm_name, sizeof(arm_name), "%lld_0", (long long)t->index);
    arm = json_pack("{s:s, s:s, s:O}", "__type", "Arm", "name", arm_name, "parameters", params);
    trial =
        json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:O, s:{}, s:{}, s:n, s:n}", "__type", "Trial",
                  "index", (json_int_t)t->index, "trial_index", (json_int_t)t->index, "trial_dir",
                  t->trial_dir, "experiment_dir", t->experiment_dir, "status", "STAGED", "arm", arm,
                  "run_metadata", "properties", "failed_reason", "abandoned_reason");
    data = json_pack("{s:O, s:O, s:I, s:s, s:O, s:O, s:O}", "parameters", params, "trial", trial,
                     "trial_index", (json_int_t)t->index, "trial_dir", t->trial_dir,
                     "filtered_parameters", filt, "param_names", names, "metric_properties", props);
    if (data == NULL || trial == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    json_object_set(data, "model_options", sw->model_options ? sw->model_options : json_null());
    error = write_json_file(t->trial_dir, "data.json", data);
    if (error == 0)
        error = write_json_file(t->trial_dir, "trial.json", trial);
    if (error == 0 && json_object_size(filt) > 0)
        error = write_json_file(t->trial_dir, "filtered_parameters.json", filt);
    if (error == 0 && sw->write_configs)
        error = run_hook(sw, sw->write_configs, "write_configs", t);
done:
    json_decref(params);
    json_decref(data);
    json_decref(arm);
    json_decref(trial);
    json_decref(filt);
    json_decref(names);
    json_decref(props);
    return error;
}

/* ---- outputs and statuses read after the job -------------------------------------- */

static void sleep_seconds(double s)
{
    struct timespec ts;

    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0)
        ;
}

/*
 * Find and load one of `bases`; with a wait, look again (0.25 s, doubling)
 * until it appears or output_wait seconds after the job's end have passed
 * (so trials that ended together share one wait). *doc NULL when there is
 * none; *waited says how long it looked.
 */
static int load_one(json_t **doc, char **name, double *waited, const script_wrapper *sw,
                    const wjr_trial_ctx *t, const char *const *bases, int wait)
{
    double step = 0.25, spent = 0, budget = sw->output_wait;
    int error;

    if (t->end_time > 0) {
        double since = (double)((int64_t)time(NULL) - t->end_time);
        budget = since <= 0 ? budget : since >= budget ? 0 : budget - since;
    }
    *doc = NULL;
    *name = NULL;
    for (;;) {
        error = wjr_trial_file_find(name, t->trial_dir, bases);
        if (error < 0 || *name != NULL || !wait || spent >= budget)
            break;
        if (step > budget - spent)
            step = budget - spent;
        sleep_seconds(step);
        spent += step;
        step *= 2;
    }
    if (waited)
        *waited = spent;
    if (error == 0 && *name != NULL)
        error = wjr_trial_file_load(doc, t->trial_dir, *name);
    return error;
}

/* The status value under a key named trial_status or TrialStatus, any case. */
static json_t *status_value(json_t *doc)
{
    const char *key;
    json_t *v;

    if (!json_is_object(doc))
        return NULL;
    json_object_foreach(doc, key, v)
    {
        if (strcasecmp(key, "trial_status") == 0 || strcasecmp(key, "trialstatus") == 0)
            return v;
    }
    return NULL;
}

static void drop_status_keys(json_t *doc)
{
    const char *key;
    json_t *v;
    void *tmp;

    json_object_foreach_safe(doc, tmp, key, v)
    {
        if (strcasecmp(key, "trial_status") == 0 || strcasecmp(key, "trialstatus") == 0)
            json_object_del(doc, key);
    }
}

static int status_from_json(wjr_trial_status *out, json_t *v, const char *file)
{
    char code[32];

    /* a one-element list, as R's jsonlite writes a value */
    if (json_is_array(v) && json_array_size(v) == 1)
        v = json_array_get(v, 0);
    if (json_is_string(v))
        return wjr_trial_status_parse(out, json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(code, sizeof(code), "%lld", (long long)json_integer_value(v));
        return wjr_trial_status_parse(out, code);
    }
    return wjr_error_set(WJR_EINVALID, "%s: trial_status is neither a name nor a code", file);
}

/* Apply the model's word: it may only end the trial. */
static int apply_model_status(wjr_trial_status *status, char **reason, json_t *v, const char *file,
                              const wjr_trial_ctx *t)
{
    wjr_trial_status said = WJR_TRIAL_COMPLETED;
    int error = status_from_json(&said, v, file);

    if (error < 0)
        return error;
    if (!wjr_trial_status_is_terminal(said)) {
        wjr_trial_log(t, WJR_LOG_WARNING,
                      "%s says %s: ignored, the model may only end a trial (COMPLETED, FAILED, "
                      "ABANDONED or EARLY_STOPPED)",
                      file, wjr_trial_status_name(said));
        return 0;
    }
    *status = said;
    if (said != WJR_TRIAL_COMPLETED)
        *reason =
            wjr_asprintf("the model marked the trial %s in %s", wjr_trial_status_name(said), file);
    return 0;
}

/* An output file in the folder the model runs in (working_dir), not in
 * the trial directory: the likely cause, for the error ("" when none). */
static void stray_output_hint(char *hint, size_t size, const script_wrapper *sw)
{
    char *name = NULL;

    hint[0] = '\0';
    if (sw->work_dir == NULL)
        return;
    if (wjr_trial_file_find(&name, sw->work_dir, wjr_output_names) == 0 && name != NULL)
        snprintf(hint, size,
                 "; %s/%s is there, in the folder the model runs in: write it in the trial "
                 "directory",
                 sw->work_dir, name);
    free(name);
}

static int script_set_trial_status(wjr_trial_status *status, char **reason, wjr_wrapper *w,
                                   const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_t *doc = NULL, *v;
    char *name = NULL, hint[1024];
    double waited = 0;
    int error;

    if (*status != WJR_TRIAL_COMPLETED)
        return 0;
    if (sw->set_trial_status) {
        error = run_hook(sw, sw->set_trial_status, "set_trial_status", t);
        if (error < 0)
            goto failed;
    }
    error = load_one(&doc, &name, NULL, sw, t, wjr_status_names, 0);
    if (error < 0)
        goto failed;
    if (doc != NULL && !json_is_object(doc)) {
        /* a status file may hold the bare name or code */
        error = apply_model_status(status, reason, doc, name, t);
        if (error < 0)
            goto failed;
        goto done;
    }
    if (doc == NULL) {
        /* no status file: the output's status key, or its presence */
        error = load_one(&doc, &name, &waited, sw, t, wjr_output_names, !sw->fetch_trial_data);
        if (error < 0)
            goto failed;
    }
    if (doc == NULL) {
        if (sw->fetch_trial_data)
            goto done; /* the command brings the data */
        stray_output_hint(hint, sizeof(hint), sw);
        if (t->end_time > 0) /* trials that ended together share one wait */
            error = wjr_error_set(WJR_EINVALID,
                                  "the model wrote no output file (output.json, results.json, "
                                  "metrics.yaml...) in %s; none %lld s after its job ended "
                                  "(output_wait_seconds %g)%s",
                                  t->trial_dir, (long long)(time(NULL) - t->end_time),
                                  sw->output_wait, hint);
        else
            error = wjr_error_set(WJR_EINVALID,
                                  "the model wrote no output file (output.json, results.json, "
                                  "metrics.yaml...) in %s; waited %.1f s for it%s",
                                  t->trial_dir, waited, hint);
        goto failed;
    }
    v = status_value(doc);
    if (v != NULL) {
        error = apply_model_status(status, reason, v, name, t);
        if (error < 0)
            goto failed;
    } else if (!json_is_object(doc)) {
        error = wjr_error_set(WJR_EINVALID, "%s is not a JSON object", name);
        goto failed;
    }
    goto done;
failed:
    *status = WJR_TRIAL_FAILED;
    free(*reason);
    *reason = wjr_strdup(wjr_error_last());
    error = 0;
done:
    json_decref(doc);
    free(name);
    return error;
}

/* One metric's value, by its BOA settings (m may be NULL: pass-through). */
static int metric_value(json_t **out, const json_t *m, const json_t *v, const char *name)
{
    const char *fname = json_string_value(json_object_get(m, "metric"));
    const json_t *noise = json_object_get(m, "noise_sd");
    wjr_metric_func f = WJR_MF_PASSTHROUGH;
    double mean, sem;
    int error;

    if (fname != NULL && wjr_metric_func_parse(&f, fname) < 0)
        return WJR_EINVALID;
    error = wjr_metric_eval(&mean, &sem, f, v, json_object_get(m, "metric_func_kwargs"), name);
    if (error < 0)
        return error;
    if (!isfinite(sem) && json_is_number(noise))
        sem = json_number_value(noise);
    *out =
        json_pack("{s:f, s:o}", "mean", mean, "sem", isfinite(sem) ? json_real(sem) : json_null());
    return *out ? 0 : WJR_ENOMEM;
}

/* A metric the output does not have: the error names the keys it has
 * (a name that differs in case is the usual cause). */
static int missing_metric(json_t *doc, const char *metric)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *key, *near = NULL;
    json_t *v;
    int error;

    json_object_foreach(doc, key, v)
    {
        (void)v;
        if (b.len > 200) {
            wjr_buf_puts(&b, ", ...");
            break;
        }
        wjr_buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", key);
        if (strcasecmp(key, metric) == 0)
            near = key;
    }
    if (near != NULL)
        error = wjr_error_set(WJR_EINVALID,
                              "metric '%s' is missing from the output, which has '%s': metric "
                              "names are case-sensitive",
                              metric, near);
    else
        error = wjr_error_set(WJR_EINVALID, "metric '%s' is missing from the output (it has: %s)",
                              metric, b.len > 0 ? b.ptr : "nothing");
    wjr_buf_free(&b);
    return error;
}

static int script_fetch_trial_data(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_t *doc = NULL, *metrics = json_object(), *value, *m;
    char *name = NULL;
    const char *key;
    double waited = 0;
    size_t i;
    int error;

    *out = NULL;
    if (sw->fetch_trial_data) {
        error = run_hook(sw, sw->fetch_trial_data, "fetch_trial_data", t);
        if (error < 0)
            goto done;
    }
    error = load_one(&doc, &name, &waited, sw, t, wjr_output_names, 1);
    if (error < 0)
        goto done;
    if (doc == NULL || !json_is_object(doc)) {
        error = doc ? wjr_error_set(WJR_EINVALID, "%s is not a JSON object", name)
                    : wjr_error_set(WJR_EINVALID,
                                    "the model wrote no output file (output.json, "
                                    "results.json, metrics.yaml...); waited %.1f s for it",
                                    waited);
        goto done;
    }
    drop_status_keys(doc);
    if (sw->metric_names) {
        for (i = 0; sw->metric_names[i]; i++) {
            const char *metric = sw->metric_names[i];
            const json_t *spec = NULL;
            json_t *s;
            size_t k;

            json_array_foreach(sw->metrics, k, s)
            {
                if (strcmp(json_string_value(json_object_get(s, "name")), metric) == 0)
                    spec = s;
            }
            value = json_object_get(doc, metric);
            /* BOA: with one metric function, an output without the metric's
             * name is the function's data */
            if (value == NULL && sw->metric_names[1] == NULL && json_object_size(doc) > 0 &&
                json_string_value(json_object_get(spec, "metric")) != NULL)
                value = doc;
            error = metric_value(&m, spec, value, metric);
            if (error < 0 && value == NULL)
                error = missing_metric(doc, metric);
            if (error < 0)
                goto done;
            json_object_set_new(metrics, metric, m);
        }
    } else {
        json_object_foreach(doc, key, value)
        {
            error = metric_value(&m, NULL, value, key);
            if (error < 0)
                goto done;
            json_object_set_new(metrics, key, m);
        }
        if (json_object_size(metrics) == 0) {
            error = wjr_error_set(WJR_EINVALID, "%s holds no metric", name);
            goto done;
        }
    }
    *out = wjr_json_dumps(metrics, JSON_COMPACT | JSON_PRESERVE_ORDER);
    error = *out ? 0 : WJR_ENOMEM;
done:
    if (error < 0 && name != NULL && strstr(wjr_error_last(), name) == NULL)
        wjr_error_prefix("%s", name);
    json_decref(doc);
    json_decref(metrics);
    free(name);
    return error;
}

static int script_to_json(char **out, const wjr_wrapper *w)
{
    const script_wrapper *sw = (const script_wrapper *)w;
    json_t *o = json_object(), *names;
    size_t i;

    json_object_set_new(o, "run_model", json_string(sw->run_model));
    if (sw->write_configs)
        json_object_set_new(o, "write_configs", json_string(sw->write_configs));
    if (sw->set_trial_status)
        json_object_set_new(o, "set_trial_status", json_string(sw->set_trial_status));
    if (sw->fetch_trial_data)
        json_object_set_new(o, "fetch_trial_data", json_string(sw->fetch_trial_data));
    if (sw->work_dir)
        json_object_set_new(o, "work_dir", json_string(sw->work_dir));
    if (sw->setup)
        json_object_set_new(o, "setup", json_string(sw->setup));
    if (sw->metric_names) {
        names = json_array();
        for (i = 0; sw->metric_names[i]; i++)
            json_array_append_new(names, json_string(sw->metric_names[i]));
        json_object_set_new(o, "metric_names", names);
    }
    if (sw->metrics)
        json_object_set(o, "metrics", sw->metrics);
    if (sw->model_options)
        json_object_set(o, "model_options", sw->model_options);
    if (sw->output_wait > 0)
        json_object_set_new(o, "output_wait_seconds", json_real(sw->output_wait));
    *out = wjr_json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return *out ? 0 : WJR_ENOMEM;
}

static void script_free(wjr_wrapper *w)
{
    script_wrapper *sw = (script_wrapper *)w;
    size_t i;

    free(sw->run_model);
    free(sw->write_configs);
    free(sw->set_trial_status);
    free(sw->fetch_trial_data);
    free(sw->work_dir);
    free(sw->setup);
    for (i = 0; sw->metric_names && sw->metric_names[i]; i++)
        free(sw->metric_names[i]);
    free(sw->metric_names);
    json_decref(sw->metrics);
    json_decref(sw->model_options);
    free(sw);
}

/* A JSON option text, or NULL; an error names the option. */
static int option_json(json_t **out, const char *text, const char *what, int need_array)
{
    json_error_t jerr;

    *out = NULL;
    if (text == NULL)
        return 0;
    *out = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (*out == NULL || (need_array && !json_is_array(*out))) {
        json_decref(*out);
        *out = NULL;
        return wjr_error_set(WJR_EINVALID, "wjr_script_options.%s: %s", what,
                             need_array ? "not a JSON array" : jerr.text);
    }
    return 0;
}

int wjr_wrapper_script_new(wjr_wrapper **out, const wjr_script_options *opts)
{
    wjr_script_options v2 = WJR_SCRIPT_OPTIONS_INIT;
    script_wrapper *sw;
    size_t i, n = 0;

    *out = NULL;
    if (opts != NULL && opts->version == 1) {
        /* version 1 ends before metrics_json: the rest keeps its defaults */
        memcpy(&v2, opts, offsetof(wjr_script_options, metrics_json));
        v2.version = WJR_SCRIPT_OPTIONS_VERSION;
        opts = &v2;
    }
    if (opts == NULL || opts->version != WJR_SCRIPT_OPTIONS_VERSION)
        return wjr_error_set(WJR_EINVALID, "wjr_script_options: missing or unsupported version");
    if (opts->run_model == NULL || opts->run_model[0] == '\0')
        return wjr_error_set(WJR_ECONFIG, "script_options.run_model is required");
    if (opts->version >= 2 &&
        !(opts->output_wait_seconds >= 0 && opts->output_wait_seconds <= 3600))
        return wjr_error_set(WJR_EINVALID, "output_wait_seconds must be between 0 and 3600");
    sw = calloc(1, sizeof(*sw));
    if (sw == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (opts->version >= 2) { /* members added in version 2 */
        int error = option_json(&sw->metrics, opts->metrics_json, "metrics_json", 1);
        if (error == 0)
            error =
                option_json(&sw->model_options, opts->model_options_json, "model_options_json", 0);
        if (error < 0) {
            script_free(&sw->parent);
            return error;
        }
        sw->output_wait = opts->output_wait_seconds;
    }
    sw->parent.version = WJR_WRAPPER_VERSION;
    sw->parent.type = "ScriptWrapper";
    sw->parent.write_configs = script_write_configs;
    sw->parent.run_model = script_run_model;
    sw->parent.set_trial_status = script_set_trial_status;
    sw->parent.fetch_trial_data = script_fetch_trial_data;
    sw->parent.to_json = script_to_json;
    sw->parent.free = script_free;
    sw->run_model = wjr_strdup(opts->run_model);
    sw->write_configs = wjr_strdup(opts->write_configs);
    sw->set_trial_status = wjr_strdup(opts->set_trial_status);
    sw->fetch_trial_data = wjr_strdup(opts->fetch_trial_data);
    sw->work_dir = wjr_strdup(opts->work_dir);
    sw->setup = opts->setup && opts->setup[0] ? wjr_strdup(opts->setup) : NULL;
    if (opts->metric_names) {
        while (opts->metric_names[n])
            n++;
        sw->metric_names = calloc(n + 1, sizeof(char *));
        for (i = 0; sw->metric_names && i < n; i++)
            sw->metric_names[i] = wjr_strdup(opts->metric_names[i]);
    }
    *out = &sw->parent;
    return 0;
}

int wjr__wrapper_script_from_json(wjr_wrapper **out, const char *text)
{
    wjr_script_options o = WJR_SCRIPT_OPTIONS_INIT;
    json_error_t jerr;
    json_t *root, *names;
    const char **namev = NULL;
    char *metrics_text = NULL, *options_text = NULL;
    size_t i, n;
    int error;

    *out = NULL;
    root = json_loads(text, 0, &jerr);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return wjr_error_set(WJR_EINVALID, "wrapper settings: %s", jerr.text);
    }
    o.run_model = json_string_value(json_object_get(root, "run_model"));
    o.write_configs = json_string_value(json_object_get(root, "write_configs"));
    o.set_trial_status = json_string_value(json_object_get(root, "set_trial_status"));
    o.fetch_trial_data = json_string_value(json_object_get(root, "fetch_trial_data"));
    o.work_dir = json_string_value(json_object_get(root, "work_dir"));
    o.output_wait_seconds = json_number_value(json_object_get(root, "output_wait_seconds"));
    if (json_object_get(root, "metrics"))
        metrics_text = json_dumps(json_object_get(root, "metrics"), JSON_COMPACT);
    if (json_object_get(root, "model_options"))
        options_text =
            json_dumps(json_object_get(root, "model_options"), JSON_COMPACT | JSON_ENCODE_ANY);
    o.metrics_json = metrics_text;
    o.model_options_json = options_text;
    o.setup = json_string_value(json_object_get(root, "setup"));
    names = json_object_get(root, "metric_names");
    if (json_is_array(names)) {
        n = json_array_size(names);
        namev = calloc(n + 1, sizeof(*namev));
        if (namev == NULL) {
            json_decref(root);
            free(metrics_text);
            free(options_text);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
        for (i = 0; i < n; i++)
            namev[i] = json_string_value(json_array_get(names, i));
        o.metric_names = namev;
    }
    error = wjr_wrapper_script_new(out, &o);
    free(namev);
    free(metrics_text);
    free(options_text);
    json_decref(root);
    return error;
}
