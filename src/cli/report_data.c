/*
 * report_data.c - the model behind `wjr report`: every trial of a study
 * with its objective value, job times, exit code and labels, the declared
 * parameters, and the cluster figures (queue wait and run time quantiles,
 * node-hours, waiting share, jobs in flight).
 *
 * It reads the study through the public API only (a study opened
 * read-only, so a running study is never locked) and the trials' stderr
 * files; it writes nothing. Drawing lives in report_svg.c and report_html.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

void report_trial_labels(report_trial *out, const wjr_study_trial *t)
{
    /* The step that made the trial, as the study recorded it (it wins over
     * steps_from_strategy()), and whether it meets the outcome constraints
     * (charts draw an infeasible trial as a ring). */
    out->step = t->generation;
    out->feasible = t->feasible;
    out->pareto = t->pareto;
}

/*
 * Trials without a step label get the step the configuration's generation
 * strategy gives their index (the driver generates trial i from the step
 * that covers i), when the strategy has more than one step: with one, a
 * colour would say nothing.
 */
static void steps_from_strategy(report *r)
{
    json_t *steps = json_object_get(json_object_get(r->desc, "generation_strategy"), "steps");
    size_t i;

    if (json_array_size(steps) < 2)
        return;
    for (i = 0; i < r->n; i++) {
        report_trial *t = &r->trials[i];
        int64_t end = 0;
        size_t k;

        for (k = 0; k < json_array_size(steps) && t->step == NULL; k++) {
            json_t *step = json_array_get(steps, k);
            int64_t n = (int64_t)json_integer_value(json_object_get(step, "num_trials"));
            end = n < 0 ? INT64_MAX : end + n;
            if (t->index < end)
                t->step = json_string_value(json_object_get(step, "model"));
        }
    }
}

/* A metric's mean in a parsed metrics object (a number, or {"mean": ...}),
 * NAN when not reported. */
static double metric_mean(const json_t *m, const char *metric)
{
    json_t *v = json_object_get(m, metric);

    if (json_is_object(v))
        v = json_object_get(v, "mean");
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static double objective_value(const char *metrics_json, const char *metric)
{
    json_t *m;
    double value;

    if (metrics_json == NULL || metric == NULL)
        return NAN;
    m = json_loads(metrics_json, 0, NULL);
    value = metric_mean(m, metric);
    json_decref(m);
    return value;
}

static void load_params(report *r)
{
    json_t *arr = json_object_get(r->desc, "parameters"), *p;
    size_t i;

    r->n_params = json_array_size(arr);
    r->params = r->n_params > 0 ? calloc(r->n_params, sizeof(*r->params)) : NULL;
    if (r->params == NULL) {
        r->n_params = 0;
        return;
    }
    json_array_foreach(arr, i, p)
    {
        report_param *q = &r->params[i];
        const char *type = json_string_value(json_object_get(p, "type"));
        json_t *bounds = json_object_get(p, "bounds");

        q->name = json_string_value(json_object_get(p, "name"));
        q->kind = REPORT_FIXED;
        if (type != NULL && strcmp(type, "range") == 0)
            q->kind = REPORT_RANGE;
        else if (type != NULL && strcmp(type, "choice") == 0)
            q->kind = REPORT_CHOICE;
        q->log_scale = json_is_true(json_object_get(p, "log_scale"));
        q->is_int = json_is_string(json_object_get(p, "value_type")) &&
                    strcmp(json_string_value(json_object_get(p, "value_type")), "int") == 0;
        q->lo = json_number_value(json_array_get(bounds, 0));
        q->hi = json_number_value(json_array_get(bounds, 1));
        q->values = json_object_get(p, "values");
    }
}

/* No parameters declared (an external optimizer's study): one per name the
 * trials use, a range over the numbers seen or a choice among the values. */
static void derive_params(report *r)
{
    json_t *names = json_array(), *v;
    const char *key;
    size_t i, k;

    r->derived = json_array();
    for (i = 0; i < r->n; i++)
        json_object_foreach(r->trials[i].params, key, v)
        {
            for (k = 0; k < json_array_size(names); k++)
                if (strcmp(json_string_value(json_array_get(names, k)), key) == 0)
                    break;
            if (k == json_array_size(names))
                json_array_append_new(names, json_string(key));
        }
    r->params = calloc(json_array_size(names) + 1, sizeof(*r->params));
    for (k = 0; r->params != NULL && k < json_array_size(names); k++) {
        report_param *q = &r->params[r->n_params];
        json_t *values = json_array();
        int numeric = 1;

        q->name = json_string_value(json_array_get(names, k));
        q->lo = INFINITY;
        q->hi = -INFINITY;
        for (i = 0; i < r->n; i++) {
            v = json_object_get(r->trials[i].params, q->name);
            if (v == NULL)
                continue;
            if (json_is_number(v)) {
                q->lo = fmin(q->lo, json_number_value(v));
                q->hi = fmax(q->hi, json_number_value(v));
            } else {
                numeric = 0;
            }
            if (json_array_size(values) <= 50 && !json_is_object(v) && !json_is_array(v)) {
                size_t j;
                for (j = 0;
                     j < json_array_size(values) && !json_equal(json_array_get(values, j), v); j++)
                    ;
                if (j == json_array_size(values))
                    json_array_append(values, v);
            }
        }
        q->kind = numeric ? REPORT_RANGE : REPORT_CHOICE;
        q->values = values;
        json_array_append_new(r->derived, values);
        if (numeric || json_array_size(values) <= 50)
            r->n_params++;
    }
    json_array_append_new(r->derived, names);
}

static int better(const report *r, double a, double b)
{
    return r->minimize ? a < b : a > b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double report_quantile(double *v, size_t n, double q)
{
    size_t rank;

    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    rank = (size_t)ceil(q * (double)n);
    return v[rank > 0 ? rank - 1 : 0];
}

/* Jobs waiting or running at once, at most: a sweep over the events. */
typedef struct event {
    int64_t t;
    int delta;
} event;

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->delta - y->delta; /* ends before starts at the same second */
}

static size_t max_in_flight(const report *r)
{
    event *ev = malloc(2 * r->n * sizeof(*ev) + 1);
    size_t i, n = 0, best = 0;
    long cur = 0;

    if (ev == NULL)
        return 0;
    for (i = 0; i < r->n; i++) {
        const report_trial *t = &r->trials[i];
        if (t->submit <= 0)
            continue;
        ev[n].t = t->submit;
        ev[n++].delta = 1;
        ev[n].t = t->end > 0 ? t->end : r->now;
        ev[n++].delta = -1;
    }
    qsort(ev, n, sizeof(*ev), cmp_event);
    for (i = 0; i < n; i++) {
        cur += ev[i].delta;
        if (cur > (long)best)
            best = (size_t)cur;
    }
    free(ev);
    return best;
}

static void compute_stats(report *r)
{
    report_stats *s = &r->stats;
    double *wait = malloc((r->n + 1) * sizeof(double));
    double *run = malloc((r->n + 1) * sizeof(double));
    double waited = 0, ran = 0;
    size_t i;

    memset(s, 0, sizeof(*s));
    s->wait_median = s->wait_p90 = s->run_median = s->run_p90 = s->wait_share = NAN;
    if (wait == NULL || run == NULL)
        goto done;
    for (i = 0; i < r->n; i++) {
        const report_trial *t = &r->trials[i];
        int64_t end = t->end > 0 ? t->end : r->now;

        if (t->submit <= 0)
            continue;
        if (s->t0 == 0 || t->submit < s->t0)
            s->t0 = t->submit;
        if (end > s->t1)
            s->t1 = end;
        if (t->start > 0) {
            wait[s->n_started++] = (double)(t->start - t->submit);
            waited += (double)(t->start - t->submit);
            ran += (double)(end - t->start);
            if (t->end > 0)
                run[s->n_ended++] = (double)(t->end - t->start);
        } else {
            /* still queued, or ended without ever running */
            waited += (double)(end - t->submit);
        }
    }
    s->node_hours = ran / 3600.0;
    s->cpu_hours = s->node_hours * (r->cpus_per_task > 0 ? r->cpus_per_task : 1);
    if (waited + ran > 0)
        s->wait_share = waited / (waited + ran);
    s->wait_median = report_quantile(wait, s->n_started, 0.5);
    s->wait_p90 = report_quantile(wait, s->n_started, 0.9);
    s->run_median = report_quantile(run, s->n_ended, 0.5);
    s->run_p90 = report_quantile(run, s->n_ended, 0.9);
    s->max_in_flight = max_in_flight(r);
done:
    free(wait);
    free(run);
}

static const char *desc_str(const report *r, const char *group, const char *key)
{
    json_t *o = group != NULL ? json_object_get(r->desc, group) : r->desc;

    return json_string_value(json_object_get(o, key));
}

/* No objective configured (an external optimizer's study): rank by the
 * first metric the first completed trial reports, lowest first. */
static void first_metric(report *r, const wjr_study *study)
{
    wjr_study_trial t;
    json_t *m;
    size_t i;

    for (i = 0; i < wjr_study_trial_count(study); i++) {
        if (wjr_study_trial_at(&t, study, i) < 0 || t.status != WJR_TRIAL_COMPLETED ||
            t.metrics_json == NULL)
            continue;
        m = json_loads(t.metrics_json, 0, NULL);
        if (json_object_size(m) > 0) {
            r->fallback_metric = strdup(json_object_iter_key(json_object_iter(m)));
            r->metric = r->fallback_metric;
            r->minimize = 1;
        }
        json_decref(m);
        if (r->metric != NULL)
            return;
    }
}

/* A study with several objectives: what they are, from the description. */
static void load_objectives(report *r)
{
    json_t *list = json_object_get(r->desc, "objectives"), *o;
    size_t i;

    if (json_array_size(list) < 2 || json_array_size(list) > REPORT_MAX_OBJECTIVES)
        return;
    json_array_foreach(list, i, o)
    {
        report_objective *ob = &r->objectives[i];
        json_t *th = json_object_get(o, "threshold");
        ob->metric = json_string_value(json_object_get(o, "metric"));
        ob->minimize = json_is_true(json_object_get(o, "minimize"));
        ob->threshold = json_is_number(th) ? json_number_value(th) : NAN;
        if (ob->metric == NULL)
            return;
    }
    r->n_objectives = json_array_size(list);
}

/* Row i of obj_values: trial i's objectives, NAN where not reported. */
static void objective_values(report *r, size_t i, const wjr_study_trial *t)
{
    double *row = r->obj_values + i * r->n_objectives;
    json_t *m = t->status == WJR_TRIAL_COMPLETED && t->metrics_json != NULL
                    ? json_loads(t->metrics_json, 0, NULL)
                    : NULL;
    size_t k;

    for (k = 0; k < r->n_objectives; k++)
        row[k] = metric_mean(m, r->objectives[k].metric);
    json_decref(m);
}

static int load_trial(report *r, report_trial *rt, const wjr_study *study, size_t i)
{
    wjr_study_trial t;
    const wjr_trial_info *info;

    if (wjr_study_trial_at(&t, study, i) < 0)
        return -1;
    memset(rt, 0, sizeof(*rt));
    rt->index = t.index;
    rt->status = t.status;
    rt->job_id = t.job_id;
    rt->slurm_state = t.slurm_state;
    rt->reason = t.reason;
    rt->params = json_loads(t.params_json != NULL ? t.params_json : "{}", 0, NULL);
    rt->value = t.status == WJR_TRIAL_COMPLETED ? objective_value(t.metrics_json, r->metric) : NAN;
    rt->exit_code = -1;
    report_trial_labels(rt, &t);
    if (r->obj_values != NULL)
        objective_values(r, i, &t);
    info = wjr_study_trial_info(study, t.index);
    if (info != NULL && info->run.job_id != NULL) {
        rt->trial_dir = info->run.trial_dir;
        rt->submit = info->run.submit_time;
        rt->start = info->start_time;
        rt->end = info->end_time;
        rt->exit_code = info->exit_code;
        rt->term_signal = info->term_signal;
        rt->restarts = info->restarts;
        if (r->cluster == NULL)
            r->cluster = info->run.cluster;
        if (r->partition == NULL)
            r->partition = info->run.partition;
    }
    /* a trial that ended without starting (cancelled while queued) */
    if (rt->start > 0 && rt->end > 0 && rt->start > rt->end)
        rt->start = rt->end;
    return 0;
}

int report_load(report *r, const wjr_study *study)
{
    char *text = NULL;
    json_t *obj;
    size_t i;
    int error;

    memset(r, 0, sizeof(*r));
    r->best = -1;
    r->now = (int64_t)time(NULL);
    error = wjr_study_describe_json(&text, study);
    if (error < 0)
        return error;
    r->desc = json_loads(text, 0, NULL);
    free(text);
    if (r->desc == NULL)
        return WJR_ENOMEM;
    r->study_id = desc_str(r, NULL, "study_id");
    r->dir = desc_str(r, NULL, "dir");
    r->state = desc_str(r, NULL, "state");
    r->slurm_version = desc_str(r, NULL, "slurm_version");
    obj = json_object_get(r->desc, "objective");
    r->metric = json_string_value(json_object_get(obj, "metric"));
    r->minimize = json_is_true(json_object_get(obj, "minimize"));
    r->cpus_per_task = (int)json_integer_value(
        json_object_get(json_object_get(r->desc, "slurm"), "cpus_per_task"));
    load_params(r);
    wjr_study_get_progress(&r->progress, study);
    if (r->metric == NULL)
        first_metric(r, study);
    r->n = wjr_study_trial_count(study);
    r->trials = calloc(r->n + 1, sizeof(*r->trials));
    if (r->trials == NULL)
        return WJR_ENOMEM;
    load_objectives(r);
    if (r->n_objectives > 0) {
        r->obj_values = malloc((r->n + 1) * r->n_objectives * sizeof(double));
        if (r->obj_values == NULL)
            return WJR_ENOMEM;
    }
    for (i = 0; i < r->n; i++) {
        if (load_trial(r, &r->trials[i], study, i) < 0)
            return wjr_error_last_code();
        if (isfinite(r->trials[i].value) &&
            (r->best < 0 || better(r, r->trials[i].value, r->trials[r->best].value)))
            r->best = (long)i;
    }
    if (r->n_params == 0)
        derive_params(r);
    steps_from_strategy(r);
    report_set_series(r);
    if (r->partition == NULL)
        r->partition = desc_str(r, "slurm", "partition");
    compute_stats(r);
    return 0;
}

void report_free(report *r)
{
    size_t i;

    for (i = 0; i < r->n && r->trials != NULL; i++)
        json_decref(r->trials[i].params);
    free(r->trials);
    free(r->params);
    free(r->fallback_metric);
    free(r->obj_values);
    json_decref(r->derived);
    json_decref(r->desc);
    memset(r, 0, sizeof(*r));
}

char *report_stderr_tail(const report *r, const report_trial *t, int max_lines, size_t max_bytes)
{
    char *tail = NULL;

    if (wjr_trial_stderr_tail(&tail, r->dir, t->trial_dir, t->job_id, max_lines, max_bytes) < 0)
        wjr_error_clear(); /* a file the report cannot read: no lines */
    return tail;
}

void report_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s))
        snprintf(buf, size, "-");
    else if (s < 120)
        snprintf(buf, size, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, size, "%.0fm %02.0fs", floor(s / 60), fmod(s, 60));
    else if (s < 172800)
        snprintf(buf, size, "%.0fh %02.0fm", floor(s / 3600), floor(fmod(s, 3600) / 60));
    else
        snprintf(buf, size, "%.1f days", s / 86400);
}

void report_escape(FILE *out, const char *text)
{
    const char *p;

    if (text == NULL)
        return;
    for (p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            /* control characters other than tab and newline are not
             * allowed in HTML text */
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                fputc(' ', out);
            else
                fputc(*p, out);
        }
    }
}
