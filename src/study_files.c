/*
 * study_files.c - the study's reports: the trial table as JSON (wjr status),
 * the results JSON with the best trial, and results.csv in the columns of
 * BOA's optimization.csv.
 *
 * Everything here renders what the trial views (study_view.c) say about
 * the study's trials; it changes nothing, writes no file and contacts no
 * cluster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "study_view.h"
#include "util.h"

static json_t *string_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* The job's submit, start and end times (Unix seconds), null while unknown. */
static void times_json(json_t *obj, const wjr_trial_info *info)
{
    int64_t v[3] = {0, 0, 0};
    static const char *const keys[] = {"submit_time", "start_time", "end_time"};
    size_t i;

    if (info != NULL) {
        v[0] = info->run.submit_time;
        v[1] = info->start_time;
        v[2] = info->end_time;
    }
    for (i = 0; i < 3; i++)
        json_object_set_new(obj, keys[i], v[i] > 0 ? json_integer(v[i]) : json_null());
}

static json_t *trial_json(const wjr_study *s, const study_trial *t)
{
    wjr_study_trial v;
    json_t *params, *metrics, *obj;

    wjr__study_trial_view(&v, s, t);
    params = json_loads(v.params_json, 0, NULL);
    metrics = v.metrics_json != NULL ? json_loads(v.metrics_json, 0, NULL) : NULL;
    obj = json_object();
    json_object_set_new(obj, "index", json_integer(v.index));
    json_object_set_new(obj, "status", json_string(wjr_trial_status_name(v.status)));
    json_object_set_new(obj, "job_id", string_or_null(v.job_id));
    json_object_set_new(obj, "slurm_state", string_or_null(v.slurm_state));
    json_object_set_new(obj, "parameters", params != NULL ? params : json_object());
    json_object_set_new(obj, "metrics", metrics != NULL ? metrics : json_null());
    json_object_set_new(obj, "reason", string_or_null(v.reason));
    json_object_set_new(obj, "generation", string_or_null(v.generation));
    times_json(obj, wjr__study_runner_info(s, t->index));
    if (v.attempt > 1) /* only once Slurm requeued the job */
        json_object_set_new(obj, "attempt", json_integer(v.attempt));
    if (v.feasible >= 0) /* only in a study with outcome constraints */
        json_object_set_new(obj, "feasible", json_boolean(v.feasible));
    return obj;
}

static json_t *trials_json(const wjr_study *s)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < s->n_trials; i++)
        json_array_append_new(arr, trial_json(s, &s->trials[i]));
    return arr;
}

static int dump(char **out, json_t *root)
{
    *out = root != NULL ? wjr_json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (*out == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    return 0;
}

int wjr_study_status_json(char **out, const wjr_study *s)
{
    return dump(out, json_pack("{so}", "trials", trials_json(s)));
}

int wjr_study_results_json(char **out, const wjr_study *s)
{
    json_t *root = json_object(), *best = json_null();
    double value;
    int64_t bi = wjr__study_best(&value, s);
    size_t i;

    if (wjr__study_objective(s) != NULL && wjr__study_scalarized(s->config))
        json_object_set_new(root, "objective",
                            json_pack("{sssb}", "metric", "weighted_sum", "minimize",
                                      s->config->objective_minimize != 0));
    else if (wjr__study_objective(s) != NULL)
        json_object_set_new(root, "objective",
                            json_pack("{sssb}", "metric", wjr__study_objective(s)->name, "minimize",
                                      wjr__study_objective(s)->minimize));
    else
        json_object_set_new(root, "objective", json_null());
    for (i = 0; i < s->n_trials && bi >= 0; i++)
        if (s->trials[i].index == bi) {
            json_decref(best);
            best = trial_json(s, &s->trials[i]);
        }
    json_object_set_new(root, "best", best);
    json_object_set_new(root, "trials", trials_json(s));
    return dump(out, root);
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_field(wjr_buf *b, const char *text, int first)
{
    const char *p;

    if (!first)
        wjr_buf_puts(b, ",");
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL && text[0] != ' ' &&
        (text[0] == '\0' || text[strlen(text) - 1] != ' ')) {
        wjr_buf_puts(b, text);
        return;
    }
    wjr_buf_puts(b, "\"");
    for (p = text; *p != '\0'; p++) {
        if (*p == '"')
            wjr_buf_puts(b, "\"");
        wjr_buf_put(b, p, 1);
    }
    wjr_buf_puts(b, "\"");
}

/* A text field: one that a spreadsheet would read as a formula (=, +, -, @,
 * tab, carriage return first) gets a leading ' so that it stays text. */
static void csv_text(wjr_buf *b, const char *text)
{
    char *guarded;

    if (text == NULL || strchr("=+-@\t\r", text[0]) == NULL || text[0] == '\0') {
        csv_field(b, text, 0);
        return;
    }
    guarded = wjr_asprintf("'%s", text);
    if (guarded == NULL) {
        b->oom = 1;
        return;
    }
    csv_field(b, guarded, 0);
    free(guarded);
}

static void csv_json_value(wjr_buf *b, json_t *v)
{
    char num[64];
    char *text;

    if (v == NULL || json_is_null(v)) {
        csv_field(b, NULL, 0);
    } else if (json_is_string(v)) {
        csv_text(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        csv_field(b, num, 0);
    } else if (json_is_real(v)) {
        wjr_format_double(num, sizeof(num), json_real_value(v));
        csv_field(b, num, 0);
    } else {
        text = wjr_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        csv_field(b, text, 0);
        free(text);
    }
}

/* Column names: the declared ones first, then any other key met in order. */
static void add_name(json_t *names, const char *name)
{
    size_t i;

    for (i = 0; i < json_array_size(names); i++)
        if (strcmp(json_string_value(json_array_get(names, i)), name) == 0)
            return;
    json_array_append_new(names, json_string(name));
}

static void collect_columns(json_t *params, json_t *metrics, const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->config->n_params; i++)
        add_name(params, s->config->params[i].name);
    for (i = 0; i < s->config->n_metrics; i++)
        add_name(metrics, s->config->metrics[i].name);
    for (i = 0; i < s->n_trials; i++) {
        json_t *p = json_loads(s->trials[i].params_json, 0, NULL);
        json_t *m = wjr__study_trial_metrics(s, &s->trials[i]);
        const char *key;
        json_t *v;

        json_object_foreach(p, key, v)
        {
            add_name(params, key);
        }
        json_object_foreach(m, key, v)
        {
            add_name(metrics, key);
        }
        json_decref(p);
        json_decref(m);
    }
}

int wjr_study_results_csv(char **out, const wjr_study *s)
{
    wjr_buf b = WJR_BUF_INIT;
    json_t *pcols = json_array(), *mcols = json_array();
    size_t i, k;

    collect_columns(pcols, mcols, s);
    wjr_buf_puts(&b, "trial_index,status,job_id,generation_method");
    for (k = 0; k < json_array_size(pcols); k++)
        csv_text(&b, json_string_value(json_array_get(pcols, k)));
    for (k = 0; k < json_array_size(mcols); k++) {
        const char *name = json_string_value(json_array_get(mcols, k));
        char *sem = wjr_asprintf("%s_sem", name);
        csv_text(&b, name);
        csv_text(&b, sem);
        free(sem);
    }
    wjr_buf_puts(&b, ",reason\n");
    for (i = 0; i < s->n_trials; i++) {
        const study_trial *t = &s->trials[i];
        wjr_study_trial v;
        json_t *p = json_loads(t->params_json, 0, NULL);
        json_t *m;

        wjr__study_trial_view(&v, s, t);
        m = v.metrics_json != NULL ? json_loads(v.metrics_json, 0, NULL) : NULL;
        wjr_buf_printf(&b, "%lld,%s", (long long)t->index, wjr_trial_status_name(v.status));
        csv_field(&b, v.job_id, 0);
        csv_field(&b, v.generation, 0);
        for (k = 0; k < json_array_size(pcols); k++)
            csv_json_value(&b, json_object_get(p, json_string_value(json_array_get(pcols, k))));
        for (k = 0; k < json_array_size(mcols); k++) {
            json_t *mv = json_object_get(m, json_string_value(json_array_get(mcols, k)));
            csv_json_value(&b, json_is_object(mv) ? json_object_get(mv, "mean") : mv);
            csv_json_value(&b, json_is_object(mv) ? json_object_get(mv, "sem") : NULL);
        }
        csv_text(&b, v.reason);
        wjr_buf_puts(&b, "\n");
        json_decref(p);
        json_decref(m);
    }
    json_decref(pcols);
    json_decref(mcols);
    return wjr_buf_detach(out, &b);
}
