/*
 * study_files.c - the study's reports as JSON: the trial table (wjr
 * status) and the results with the objective and the best trial.
 * results.csv is rendered in study_csv.c.
 *
 * Everything here renders what the trial views (study_view.c) say about
 * the study's trials; it changes nothing, writes no file and contacts no
 * cluster. The documents are written a trial at a time, into a string or
 * a FILE, so that a study of 100,000 trials needs the memory of one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "jsonspan.h"
#include "jsontext.h"
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
    params = wjr__study_trial_params(s, t);
    metrics = wjr__study_trial_metrics(s, t);
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
    if (v.pareto >= 0) /* only in a study with several objectives */
        json_object_set_new(obj, "pareto", json_boolean(v.pareto));
    return obj;
}

/* ---- the documents, streamed ---------------------------------------- */

/* Where the text goes: a FILE, or a buffer. */
typedef struct sink {
    FILE *f;
    wjr_buf *b;
    int failed;
} sink;

static void put(sink *k, const char *text, size_t n)
{
    if (k->b != NULL)
        wjr_buf_put(k->b, text, n);
    else if (!k->failed && fwrite(text, 1, n, k->f) != n)
        k->failed = 1;
}

/* The text of a trial's parameters or metrics as a member's value at the
 * depth of a trial's members: a JSON object or array (the text the runner
 * keeps, parsed when it was read); else null, and {} for the parameters,
 * as the parse of anything else gave. */
static void put_member(wjr_buf *b, const char *text, int params)
{
    if (text != NULL && (text[0] == '{' || text[0] == '['))
        wjr_buf_json_indent(b, text, strlen(text), 3);
    else
        wjr_buf_puts(b, params ? "{}" : "null");
}

/* A member of a trial's object: its own line, six spaces in. */
static void put_key(wjr_buf *b, const char *key)
{
    wjr_buf_put(b, ",\n      \"", 9);
    wjr_buf_puts(b, key);
    wjr_buf_put(b, "\": ", 3);
}

/* A count or a time in decimal: without printf, which a study of 100,000 trials calls 400,000
 * times. */
static void put_int(wjr_buf *b, int64_t v)
{
    char digits[24], *p = digits + sizeof(digits);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0)
        *--p = '-';
    wjr_buf_put(b, p, (size_t)(digits + sizeof(digits) - p));
}

static void put_time(wjr_buf *b, const char *key, int64_t v)
{
    put_key(b, key);
    if (v > 0)
        put_int(b, v);
    else
        wjr_buf_puts(b, "null");
}

/* One trial as json_dumps(JSON_INDENT(2)) of the whole document writes an
 * element of its "trials" array (trial_json's members, four spaces deeper
 * than the trial's own dump), written as text: the parameters and metrics
 * as the runner keeps them, not parsed and printed again. */
static int put_trial(sink *k, wjr_buf *scratch, const wjr_study *s, const study_trial *t, int first)
{
    const wjr_trial_info *info = wjr__study_runner_info(s, t->index);
    wjr_buf b = *scratch; /* its room, reused trial after trial */
    wjr_study_trial v;
    int oom;

    b.len = 0;
    wjr__study_trial_view(&v, s, t);
    wjr_buf_puts(&b, first ? "\n    {\n      \"index\": " : ",\n    {\n      \"index\": ");
    put_int(&b, v.index);
    put_key(&b, "status");
    wjr_buf_json_text(&b, wjr_trial_status_name(v.status));
    put_key(&b, "job_id");
    wjr_buf_json_text(&b, v.job_id);
    put_key(&b, "slurm_state");
    wjr_buf_json_text(&b, v.slurm_state);
    put_key(&b, "parameters");
    put_member(&b, wjr__study_params(s, t), 1);
    put_key(&b, "metrics");
    put_member(&b, info != NULL ? info->metrics_json : NULL, 0);
    put_key(&b, "reason");
    wjr_buf_json_text(&b, v.reason);
    put_key(&b, "generation");
    wjr_buf_json_text(&b, v.generation);
    put_time(&b, "submit_time", info != NULL ? info->run.submit_time : 0);
    put_time(&b, "start_time", info != NULL ? info->start_time : 0);
    put_time(&b, "end_time", info != NULL ? info->end_time : 0);
    if (v.attempt > 1) { /* only once Slurm requeued the job */
        put_key(&b, "attempt");
        put_int(&b, v.attempt);
    }
    if (v.feasible >= 0) { /* only in a study with outcome constraints */
        put_key(&b, "feasible");
        wjr_buf_puts(&b, v.feasible ? "true" : "false");
    }
    if (v.pareto >= 0) { /* only in a study with several objectives */
        put_key(&b, "pareto");
        wjr_buf_puts(&b, v.pareto ? "true" : "false");
    }
    wjr_buf_puts(&b, "\n    }");
    oom = b.oom;
    if (!oom)
        put(k, b.ptr, b.len);
    b.oom = 0;
    *scratch = b;
    return oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;
}

/* The document head, an object whose last member is "trials": [], as
 * JSON_INDENT(2) text, with the trials written one at a time in place of
 * the empty array: the same text as dumping the whole tree, in the memory
 * of one trial. Takes head. */
static int stream(sink *k, json_t *head, const wjr_study *s)
{
    char *text = head != NULL ? wjr_json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    char *open = text != NULL ? strrchr(text, '[') : NULL;
    wjr_buf scratch = WJR_BUF_INIT;
    size_t i;
    int error = 0;

    json_decref(head);
    if (open == NULL) {
        free(text);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    if (s->n_trials == 0) {
        put(k, text, strlen(text));
    } else {
        put(k, text, (size_t)(open - text) + 1);
        for (i = 0; i < s->n_trials && error == 0; i++)
            error = put_trial(k, &scratch, s, &s->trials[i], i == 0);
        wjr_buf_free(&scratch);
        put(k, "\n  ]", 4);
        put(k, open + 2, strlen(open + 2)); /* after "[]": "\n}" */
    }
    free(text);
    if (error == 0 && k->b != NULL && k->b->oom)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
    if (error == 0 && k->failed)
        error = wjr_error_set(WJR_EIO, "cannot write the study's JSON: %s", strerror(errno));
    return error;
}

static json_t *status_head(void)
{
    return json_pack("{s[]}", "trials");
}

/* {"objective", "best", "trials": []}: the results without their trials. */
static json_t *results_head(const wjr_study *s)
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
    if (wjr__config_objectives(s->config) > 1) {
        json_t *front = json_array(), *objectives = json_array();
        for (i = 0; i < wjr__config_objectives(s->config); i++) {
            const wjr_metric *m = wjr__config_objective_metric(s->config, i);
            json_array_append_new(objectives,
                                  json_pack("{sssb}", "metric", m->name, "minimize", m->minimize));
        }
        for (i = 0; i < s->n_trials; i++)
            if (wjr__study_on_front(s, s->trials[i].index) == 1)
                json_array_append_new(front, json_integer(s->trials[i].index));
        json_object_set_new(root, "objectives", objectives);
        json_object_set_new(root, "pareto_front", front);
    }
    json_object_set_new(root, "trials", json_array());
    return root;
}

/* Into a string (out) or a FILE (f). */
static int render(char **out, FILE *f, const wjr_study *s, int results)
{
    wjr_buf b = WJR_BUF_INIT;
    sink k = {f, out != NULL ? &b : NULL, 0};
    int error;

    if (out != NULL)
        *out = NULL;
    if (wjr__study_whole(s, results ? "wjr_study_results_json" : "wjr_study_status_json") < 0)
        return WJR_ESTATE;
    error = stream(&k, results ? results_head(s) : status_head(), s);
    if (error == 0 && out != NULL)
        error = wjr_buf_detach(out, &b);
    wjr_buf_free(&b);
    return error;
}

int wjr_study_status_json(char **out, const wjr_study *s)
{
    return render(out, NULL, s, 0);
}

int wjr_study_results_json(char **out, const wjr_study *s)
{
    return render(out, NULL, s, 1);
}

int wjr_study_write_status_json(const wjr_study *s, FILE *out)
{
    return render(NULL, out, s, 0);
}

int wjr_study_write_results_json(const wjr_study *s, FILE *out)
{
    return render(NULL, out, s, 1);
}
