/*
 * wrapper_script.c - the built-in script wrapper, keeping BOA's
 * ScriptWrapper file conventions so that a BOA user's model scripts run
 * unchanged.
 *
 * Before a job is submitted it writes parameters.json ({name: value}),
 * data.json (parameters, trial_index, trial_dir) and trial.json into
 * <experiment_dir>/<index as %06d>/, then runs the optional write_configs
 * hook. After the job completes it reads the status from trial_status.json
 * or output.json's "trial_status" key, and the metrics from output.json.
 * Hooks run on the login node with the trial directory as last argument.
 * It does not submit anything: the runner and the backend do.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proc.h"
#include "util.h"
#include "wjr/wrapper.h"

typedef struct script_wrapper {
    wjr_wrapper parent; /* must be first */
    char *run_model;
    char *write_configs;
    char *set_trial_status;
    char *fetch_trial_data;
    char *work_dir;
    char **metric_names; /* NULL-terminated, or NULL for every key */
    char *setup;         /* lines the job runs before run_model, or NULL */
} script_wrapper;

static int write_json_file(const char *dir, const char *name, json_t *value)
{
    char *path = wjr_asprintf("%s/%s", dir, name);
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
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

static int run_hook(script_wrapper *sw, const char *hook, const char *name, const wjr_trial_ctx *t)
{
    int status = 0, error;

    error = wjr_proc_run_hook(&status, hook, t->trial_dir,
                              sw->work_dir ? sw->work_dir : t->trial_dir, t);
    if (error < 0)
        return error;
    if (status != 0)
        return wjr_error_set(WJR_ERROR, "%s hook '%s' exited with status %d", name, hook, status);
    return 0;
}

static int script_write_configs(wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_error_t jerr;
    json_t *params = NULL, *data = NULL, *trial = NULL, *arm = NULL;
    char arm_name[64];
    int error;

    params = json_loads(t->params_json ? t->params_json : "", JSON_REJECT_DUPLICATES, &jerr);
    if (params == NULL || !json_is_object(params)) {
        error = wjr_error_set(WJR_EINVALID, "trial %lld: parameters are not a JSON object: %s",
                              (long long)t->index, params ? "not an object" : jerr.text);
        goto done;
    }
    error = wjr_mkdir_p(t->trial_dir, 0755);
    if (error < 0)
        goto done;
    error = write_json_file(t->trial_dir, "parameters.json", params);
    if (error < 0)
        goto done;

    data = json_pack("{s:O, s:I, s:s}", "parameters", params, "trial_index", (json_int_t)t->index,
                     "trial_dir", t->trial_dir);
    snprintf(arm_name, sizeof(arm_name), "%lld_0", (long long)t->index);
    arm = json_pack("{s:s, s:O}", "name", arm_name, "parameters", params);
    trial = json_pack("{s:I, s:s, s:s, s:s, s:O}", "trial_index", (json_int_t)t->index, "trial_dir",
                      t->trial_dir, "experiment_dir", t->experiment_dir, "status", "STAGED", "arm",
                      arm);
    if (data == NULL || trial == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    error = write_json_file(t->trial_dir, "data.json", data);
    if (error < 0)
        goto done;
    error = write_json_file(t->trial_dir, "trial.json", trial);
    if (error < 0)
        goto done;
    if (sw->write_configs)
        error = run_hook(sw, sw->write_configs, "write_configs", t);
done:
    json_decref(params);
    json_decref(data);
    json_decref(arm);
    json_decref(trial);
    return error;
}

static int script_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;

    WJR_UNUSED(t);
    if (sw->setup)
        *out = wjr_asprintf("%s\n%s", sw->setup, sw->run_model);
    else
        *out = wjr_strdup(sw->run_model);
    return *out ? 0 : WJR_ENOMEM;
}

/* Load <trial_dir>/<name>; *out NULL and 0 when the file is absent. The
 * reason names NaN and Infinity, which Python's json writes but JSON lacks. */
static int load_trial_json(json_t **out, const wjr_trial_ctx *t, const char *name)
{
    char *path = wjr_asprintf("%s/%s", t->trial_dir, name);
    char *text = NULL;
    json_error_t jerr;
    int error;

    *out = NULL;
    if (path == NULL)
        return WJR_ENOMEM;
    error = wjr_read_file(&text, NULL, path);
    if (error == WJR_ENOTFOUND) {
        error = 0;
        goto done;
    }
    if (error < 0)
        goto done;
    *out = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (*out == NULL) {
        if (strstr(text, "NaN") || strstr(text, "Infinity"))
            error =
                wjr_error_set(WJR_EINVALID, "%s holds NaN or Infinity (line %d)", name, jerr.line);
        else
            error = wjr_error_set(WJR_EINVALID, "%s is not valid JSON: %s (line %d)", name,
                                  jerr.text, jerr.line);
    }
done:
    free(path);
    free(text);
    return error;
}

static int status_from_json(wjr_trial_status *out, json_t *v, const char *file)
{
    char code[32];

    if (json_is_object(v))
        v = json_object_get(v, "trial_status");
    /* a one-element list, as a model may write a status it got from a list */
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

static int script_set_trial_status(wjr_trial_status *status, char **reason, wjr_wrapper *w,
                                   const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_t *doc = NULL;
    int error;

    if (*status != WJR_TRIAL_COMPLETED)
        return 0;
    if (sw->set_trial_status) {
        error = run_hook(sw, sw->set_trial_status, "set_trial_status", t);
        if (error < 0)
            goto failed;
    }
    error = load_trial_json(&doc, t, "trial_status.json");
    if (error < 0)
        goto failed;
    if (doc) {
        error = status_from_json(status, doc, "trial_status.json");
        if (error < 0)
            goto failed;
        goto done;
    }
    error = load_trial_json(&doc, t, "output.json");
    if (error < 0)
        goto failed;
    if (doc == NULL) {
        if (sw->fetch_trial_data)
            goto done; /* the hook brings the data */
        error = wjr_error_set(WJR_EINVALID, "the model wrote no output.json");
        goto failed;
    }
    if (!json_is_object(doc)) {
        error = wjr_error_set(WJR_EINVALID, "output.json is not a JSON object");
        goto failed;
    }
    if (json_object_get(doc, "trial_status")) {
        error = status_from_json(status, doc, "output.json");
        if (error < 0)
            goto failed;
    }
    goto done;
failed:
    *status = WJR_TRIAL_FAILED;
    *reason = wjr_strdup(wjr_error_last());
    error = 0;
done:
    json_decref(doc);
    return error;
}

/* One metric value: a number, {"mean": m, "sem": s}, or a list of numbers. */
static int metric_value(json_t **out, json_t *v, const char *name)
{
    double mean = 0, sem = NAN, sum = 0, sq = 0;
    size_t i, n;

    if (json_is_number(v)) {
        mean = json_number_value(v);
    } else if (json_is_object(v)) {
        json_t *m = json_object_get(v, "mean"), *s = json_object_get(v, "sem");
        if (!json_is_number(m))
            return wjr_error_set(WJR_EINVALID, "metric '%s' has no numeric mean", name);
        mean = json_number_value(m);
        if (json_is_number(s))
            sem = json_number_value(s);
        else if (s && !json_is_null(s))
            return wjr_error_set(WJR_EINVALID, "metric '%s' has a sem that is not a number", name);
    } else if (json_is_array(v)) {
        n = json_array_size(v);
        if (n == 0)
            return wjr_error_set(WJR_EINVALID, "metric '%s' is an empty list", name);
        for (i = 0; i < n; i++) {
            if (!json_is_number(json_array_get(v, i)))
                return wjr_error_set(WJR_EINVALID, "metric '%s' lists a value that is not a number",
                                     name);
            sum += json_number_value(json_array_get(v, i));
        }
        mean = sum / (double)n;
        for (i = 0; i < n; i++) {
            double d = json_number_value(json_array_get(v, i)) - mean;
            sq += d * d;
        }
        if (n > 1)
            sem = sqrt(sq / (double)(n - 1)) / sqrt((double)n);
    } else if (v == NULL) {
        return wjr_error_set(WJR_EINVALID, "metric '%s' is missing from output.json", name);
    } else {
        return wjr_error_set(WJR_EINVALID, "metric '%s' is null or not a number", name);
    }
    if (!isfinite(mean))
        return wjr_error_set(WJR_EINVALID, "metric '%s' is not a finite number", name);
    *out =
        json_pack("{s:f, s:o}", "mean", mean, "sem", isfinite(sem) ? json_real(sem) : json_null());
    return *out ? 0 : WJR_ENOMEM;
}

static int script_fetch_trial_data(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    script_wrapper *sw = (script_wrapper *)w;
    json_t *doc = NULL, *metrics = json_object(), *value, *m;
    const char *key;
    size_t i;
    int error;

    *out = NULL;
    if (sw->fetch_trial_data) {
        error = run_hook(sw, sw->fetch_trial_data, "fetch_trial_data", t);
        if (error < 0)
            goto done;
    }
    error = load_trial_json(&doc, t, "output.json");
    if (error < 0)
        goto done;
    if (doc == NULL || !json_is_object(doc)) {
        error = wjr_error_set(WJR_EINVALID, doc ? "output.json is not a JSON object"
                                                : "the model wrote no output.json");
        goto done;
    }
    if (sw->metric_names) {
        for (i = 0; sw->metric_names[i]; i++) {
            error =
                metric_value(&m, json_object_get(doc, sw->metric_names[i]), sw->metric_names[i]);
            if (error < 0)
                goto done;
            json_object_set_new(metrics, sw->metric_names[i], m);
        }
    } else {
        json_object_foreach(doc, key, value)
        {
            if (strcmp(key, "trial_status") == 0)
                continue;
            error = metric_value(&m, value, key);
            if (error < 0)
                goto done;
            json_object_set_new(metrics, key, m);
        }
        if (json_object_size(metrics) == 0) {
            error = wjr_error_set(WJR_EINVALID, "output.json holds no metric");
            goto done;
        }
    }
    *out = json_dumps(metrics, JSON_COMPACT | JSON_PRESERVE_ORDER);
    error = *out ? 0 : WJR_ENOMEM;
done:
    json_decref(doc);
    json_decref(metrics);
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
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
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
    free(sw);
}

int wjr_wrapper_script_new(wjr_wrapper **out, const wjr_script_options *opts)
{
    wjr_script_options v2 = WJR_SCRIPT_OPTIONS_INIT;
    script_wrapper *sw;
    size_t i, n = 0;

    *out = NULL;
    if (opts != NULL && opts->version == 1) {
        /* version 1 ends before setup */
        memcpy(&v2, opts, offsetof(wjr_script_options, setup));
        v2.version = WJR_SCRIPT_OPTIONS_VERSION;
        opts = &v2;
    }
    if (opts == NULL || opts->version != WJR_SCRIPT_OPTIONS_VERSION)
        return wjr_error_set(WJR_EINVALID, "wjr_script_options: missing or unsupported version");
    if (opts->run_model == NULL || opts->run_model[0] == '\0')
        return wjr_error_set(WJR_ECONFIG, "script_options.run_model is required");
    sw = calloc(1, sizeof(*sw));
    if (sw == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
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

int wjr_wrapper_from_json(wjr_wrapper **out, const char *type, const char *text)
{
    wjr_script_options o = WJR_SCRIPT_OPTIONS_INIT;
    json_error_t jerr;
    json_t *root, *names;
    const char **namev = NULL;
    size_t i, n;
    int error;

    *out = NULL;
    if (type == NULL || strcmp(type, "ScriptWrapper") != 0)
        return wjr_error_set(WJR_EINVALID, "unknown wrapper type '%s'", type ? type : "(none)");
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
    o.setup = json_string_value(json_object_get(root, "setup"));
    names = json_object_get(root, "metric_names");
    if (json_is_array(names)) {
        n = json_array_size(names);
        namev = calloc(n + 1, sizeof(*namev));
        if (namev == NULL) {
            json_decref(root);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
        for (i = 0; i < n; i++)
            namev[i] = json_string_value(json_array_get(names, i));
        o.metric_names = namev;
    }
    error = wjr_wrapper_script_new(out, &o);
    free(namev);
    json_decref(root);
    return error;
}

void wjr_wrapper_free(wjr_wrapper *w)
{
    if (w && w->free)
        w->free(w);
}
