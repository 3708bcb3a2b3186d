/*
 * study_view.c - the study's trials as the driver and the reports see them:
 * the trial table (kept in index order; the driver appends, the store
 * loads), each trial's effective status and public view from the study's
 * record and the runner's, its metrics, the objective and the best trial.
 *
 * It reads the study and the runner's trial infos and writes nothing but
 * the trial table; it knows nothing of files and contacts no cluster. The
 * driver (study.c), the store and the reports (study_files.c) use it; it
 * uses none of them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "jsonspan.h"
#include "pareto.h"
#include "study_view.h"
#include "util.h"

study_trial *wjr__study_find_trial(const wjr_study *s, int64_t index)
{
    size_t lo = 0, hi = s->n_trials;

    while (lo < hi) { /* the table is in index order */
        size_t mid = lo + (hi - lo) / 2;

        if (s->trials[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_trials && s->trials[lo].index == index ? &s->trials[lo] : NULL;
}

int64_t wjr__study_next_index(const wjr_study *s)
{
    int64_t next = s->n_trials == 0 ? 0 : s->trials[s->n_trials - 1].index + 1;

    return next > s->unread_below ? next : s->unread_below;
}

int wjr__study_reserve(wjr_study *s, size_t cap)
{
    study_trial *grown;

    if (cap <= s->cap)
        return 0;
    if (cap > SIZE_MAX / sizeof(*grown))
        return wjr_error_set(WJR_ENOMEM, "out of memory: room for %zu trials", cap);
    grown = realloc(s->trials, cap * sizeof(*grown));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    s->trials = grown;
    s->cap = cap;
    return 0;
}

int wjr__study_add_trial(wjr_study *s, int64_t index, char *params_json)
{
    study_trial *t;

    if (s->n_trials == s->cap && wjr__study_reserve(s, s->cap == 0 ? 16 : s->cap * 2) < 0) {
        free(params_json);
        return WJR_ENOMEM;
    }
    t = &s->trials[s->n_trials++];
    memset(t, 0, sizeof(*t));
    t->index = index;
    t->params_json = params_json;
    t->last = WJR_TRIAL_CANDIDATE;
    t->value = NAN;
    t->feasible = -1;
    return 0;
}

const char *wjr__study_params(const wjr_study *s, const study_trial *t)
{
    const wjr_trial_info *info;

    if (t->params_json != NULL)
        return t->params_json;
    info = wjr__study_runner_info(s, t->index);
    return info != NULL ? info->params_json : NULL;
}

json_t *wjr__study_trial_params(const wjr_study *s, const study_trial *t)
{
    const char *text = wjr__study_params(s, t);

    return text != NULL ? json_loads(text, 0, NULL) : NULL;
}

void wjr__study_share_params(wjr_study *s, study_trial *t)
{
    const wjr_trial_info *info;

    if (t->params_json == NULL)
        return;
    info = wjr__study_runner_info(s, t->index);
    /* the runner copied them when it took the trial: the same text */
    if (info != NULL && info->params_json != NULL &&
        strcmp(info->params_json, t->params_json) == 0) {
        free(t->params_json);
        t->params_json = NULL;
    }
}

void wjr__study_trials_free(wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        free(s->trials[i].params_json);
        free(s->trials[i].override_reason);
    }
    free(s->trials);
    s->trials = NULL;
    s->n_trials = s->cap = 0;
    free(s->front_index);
    free(s->front_y);
    s->front_index = NULL;
    s->front_y = NULL;
    s->n_front = s->front_cap = 0;
    s->has_best = 0;
}

/* ---- what a trial looks like ---------------------------------------------- */

/* Binary search: the runner keeps its trials in index order. */
const wjr_trial_info *wjr__study_runner_info(const wjr_study *s, int64_t index)
{
    size_t lo = 0, hi;

    if (s->runner == NULL)
        return NULL;
    hi = wjr_runner_trial_count(s->runner);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const wjr_trial_info *info = wjr_runner_trial_at(s->runner, mid);

        if (info == NULL)
            return NULL;
        if (info->index == index)
            return info;
        if (info->index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const wjr_trial_info *wjr_study_trial_info(const wjr_study *s, int64_t index)
{
    return wjr__study_runner_info(s, index);
}

int wjr__study_submitted(const wjr_trial_info *info)
{
    return info != NULL && info->run.job_id != NULL;
}

wjr_trial_status wjr__study_trial_status(const wjr_study *s, const study_trial *t)
{
    const wjr_trial_info *info;

    if (t->overridden)
        return t->override;
    info = wjr__study_runner_info(s, t->index);
    if (info == NULL)
        return WJR_TRIAL_CANDIDATE;
    if (!wjr__study_submitted(info) && !wjr_trial_status_is_terminal(info->status))
        return WJR_TRIAL_CANDIDATE;
    if (info->status == WJR_TRIAL_STAGED || info->status == WJR_TRIAL_DISPATCHED)
        return WJR_TRIAL_RUNNING;
    return info->status;
}

/* wjr_study_trial.feasible of a trial with these metrics (parsed: m, or
 * else parsed from text here). */
static int feasible(const wjr_study *s, const char *text, json_t *m)
{
    int ok = -1;

    if (s->config->n_outcome == 0 || text == NULL)
        return -1;
    if (m != NULL)
        return wjr__config_outcomes_ok(s->config, m);
    m = json_loads(text, 0, NULL);
    if (m != NULL)
        ok = wjr__config_outcomes_ok(s->config, m);
    json_decref(m);
    return ok;
}

void wjr__study_trial_view(wjr_study_trial *out, const wjr_study *s, const study_trial *t)
{
    const wjr_trial_info *info = wjr__study_runner_info(s, t->index);

    memset(out, 0, sizeof(*out));
    out->index = t->index;
    out->status = wjr__study_trial_status(s, t);
    out->params_json = wjr__study_params(s, t);
    out->generation = t->step;
    if (info != NULL) {
        out->job_id = info->run.job_id;
        out->slurm_state = info->slurm_state;
        out->metrics_json = info->metrics_json;
        out->reason = info->reason;
        out->attempt = info->attempt;
    }
    if (t->overridden && t->override_reason != NULL)
        out->reason = t->override_reason;
    out->feasible = t->settled ? t->feasible : feasible(s, out->metrics_json, NULL);
    out->pareto = wjr__study_on_front(s, t->index);
}

/* ---- metrics and the best trial ------------------------------------------ */

json_t *wjr__study_trial_metrics(const wjr_study *s, const study_trial *t)
{
    const wjr_trial_info *info = wjr__study_runner_info(s, t->index);

    if (info == NULL || info->metrics_json == NULL)
        return NULL;
    return json_loads(info->metrics_json, 0, NULL);
}

/* The mean of metric `name` in a metrics object, NAN when absent. */
static double metric_mean(json_t *metrics, const char *name)
{
    json_t *m = json_object_get(metrics, name);
    json_t *mean = json_is_object(m) ? json_object_get(m, "mean") : m;

    return json_is_number(mean) ? json_number_value(mean) : NAN;
}

int wjr__study_scalarized(const wjr_study_config *c)
{
    return wjr__config_weighted(c);
}

/* BOA's scalarized objective: the weighted sum of the weighted metrics. */
static double weighted_sum(const wjr_study_config *c, json_t *metrics)
{
    double sum = 0;
    size_t i;

    for (i = 0; i < c->n_metrics; i++)
        if (!c->metrics[i].info_only && !isnan(c->metrics[i].weight))
            sum += c->metrics[i].weight * metric_mean(metrics, c->metrics[i].name);
    return sum;
}

const wjr_metric *wjr__study_objective(const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->config->n_metrics; i++)
        if (!s->config->metrics[i].info_only)
            return &s->config->metrics[i];
    return NULL;
}

int64_t wjr__study_best(double *value, const wjr_study *s)
{
    *value = s->has_best ? s->best_value : NAN;
    return s->has_best ? s->best_index : -1;
}

/* The objective value of a completed trial with these metrics; NAN when
 * it cannot be best (no objective, a metric missing, or outside the
 * outcome constraints). */
static double objective_value(const wjr_study *s, json_t *metrics)
{
    const wjr_metric *obj = wjr__study_objective(s);
    double v;

    if (obj == NULL)
        return NAN;
    v = wjr__study_scalarized(s->config) ? weighted_sum(s->config, metrics)
                                         : metric_mean(metrics, obj->name);
    if (!wjr__config_outcomes_ok(s->config, metrics))
        return NAN; /* only a trial within the outcome constraints can be best */
    return v;
}

double wjr__study_objective_mean(const wjr_study_config *c, json_t *metrics, size_t j)
{
    const wjr_metric *m = wjr__config_objective_metric(c, j);

    if (wjr__study_scalarized(c))
        return j == 0 ? weighted_sum(c, metrics) : NAN;
    return m != NULL ? metric_mean(metrics, m->name) : NAN;
}

/* With several objectives, a settled trial within the outcome constraints
 * and the thresholds joins the front unless a member dominates it, and
 * the members it dominates leave. Kept as trials settle, whatever their
 * order: the front of a set does not depend on it. */
static void offer_front(wjr_study *s, int64_t index, json_t *metrics)
{
    const wjr_study_config *c = s->config;
    size_t m = wjr__config_objectives(c), j, i, kept = 0;
    double y[WJR_MAX_OBJECTIVES];
    int minimize[WJR_MAX_OBJECTIVES];

    if (m < 2 || m > WJR_MAX_OBJECTIVES || !wjr__config_outcomes_ok(c, metrics))
        return;
    for (j = 0; j < m; j++) {
        const wjr_metric *om = wjr__config_objective_metric(c, j);
        y[j] = wjr__study_objective_mean(c, metrics, j);
        minimize[j] = om->minimize;
        if (!isfinite(y[j]) ||
            (!isnan(om->threshold) && (om->minimize ? y[j] > om->threshold : y[j] < om->threshold)))
            return;
    }
    for (i = 0; i < s->n_front; i++)
        if (wjr__pareto_dominates(s->front_y + i * m, y, m, minimize))
            return;
    for (i = 0; i < s->n_front; i++) {
        if (wjr__pareto_dominates(y, s->front_y + i * m, m, minimize))
            continue;
        s->front_index[kept] = s->front_index[i];
        memmove(s->front_y + kept * m, s->front_y + i * m, m * sizeof(double));
        kept++;
    }
    s->n_front = kept;
    if (s->n_front == s->front_cap) {
        size_t cap = s->front_cap == 0 ? 16 : 2 * s->front_cap;
        int64_t *ni = realloc(s->front_index, cap * sizeof(int64_t));
        double *ny = ni != NULL ? realloc(s->front_y, cap * m * sizeof(double)) : NULL;
        if (ni != NULL)
            s->front_index = ni;
        if (ny == NULL)
            return; /* out of memory: the trial stays off the front */
        s->front_y = ny;
        s->front_cap = cap;
    }
    s->front_index[s->n_front] = index;
    memcpy(s->front_y + s->n_front * m, y, m * sizeof(double));
    s->n_front++;
}

int wjr__study_on_front(const wjr_study *s, int64_t index)
{
    size_t i;

    if (wjr__config_objectives(s->config) < 2)
        return -1;
    for (i = 0; i < s->n_front; i++)
        if (s->front_index[i] == index)
            return 1;
    return 0;
}

/* A settled trial competes for the best: a better value wins, and of
 * equal ones the lowest index, as a scan of the trials in order finds. */
static void offer_best(wjr_study *s, const study_trial *t)
{
    const wjr_metric *obj = wjr__study_objective(s);
    int minimize;
    double v = t->value;

    if (obj == NULL || !isfinite(v))
        return;
    minimize =
        wjr__study_scalarized(s->config) ? s->config->objective_minimize != 0 : obj->minimize;
    if (s->has_best && !(minimize ? v < s->best_value : v > s->best_value) &&
        !(v == s->best_value && t->index < s->best_index))
        return;
    s->has_best = 1;
    s->best_index = t->index;
    s->best_value = v;
}

/* Nothing about the trial can change any more: its status is terminal,
 * and the runner, if it has the trial, has finished with it (a trial the
 * study failed or abandoned may still be settling there). */
static int is_final(const wjr_study *s, const study_trial *t)
{
    const wjr_trial_info *info;

    if (!wjr_trial_status_is_terminal(wjr__study_trial_status(s, t)))
        return 0;
    info = wjr__study_runner_info(s, t->index);
    return info == NULL || wjr_trial_status_is_terminal(info->status);
}

/* metric_mean of a metrics text, read where the value lies (jsonspan.h)
 * instead of parsed: *sure is 0 when the text cannot say (the caller
 * parses it then). */
static double text_mean(const char *text, const char *name, int *sure)
{
    size_t off, len, moff, mlen;
    int rc = wjr_json_member_span(text, strlen(text), name, &off, &len);
    const char *v = text + off;
    char *end;
    double d;

    *sure = rc >= 0;
    if (rc <= 0)
        return NAN;
    if (v[0] == '{') {
        rc = wjr_json_member_span(v, len, "mean", &moff, &mlen);
        *sure = rc >= 0;
        if (rc <= 0)
            return NAN;
        v += moff;
        len = mlen;
    }
    if (v[0] != '-' && (v[0] < '0' || v[0] > '9'))
        return NAN; /* null, a string, true...: not a number */
    d = strtod(v, &end);
    *sure = end == v + len; /* else a locale's decimal point: parse it */
    return d;
}

void wjr__study_settle(wjr_study *s, study_trial *t)
{
    const wjr_metric *obj = wjr__study_objective(s);
    const wjr_trial_info *info;
    json_t *metrics = NULL;
    int completed, sure = 0;
    double value = NAN;

    if (t->settled || !is_final(s, t))
        return;
    info = wjr__study_runner_info(s, t->index);
    completed = wjr__study_trial_status(s, t) == WJR_TRIAL_COMPLETED;
    /* one objective and no outcome constraints, as most studies: its
     * value read from the text, without a parse (a study of 100,000
     * trials settles them all when it opens) */
    if (completed && obj != NULL && s->config->n_outcome == 0 &&
        wjr__config_objectives(s->config) == 1 && !wjr__study_scalarized(s->config) &&
        info != NULL && info->metrics_json != NULL)
        value = text_mean(info->metrics_json, obj->name, &sure);
    if (sure) {
        t->feasible = -1;
        t->value = value;
    } else {
        /* parsed here once, for what the views keep; not kept itself */
        if (info != NULL && info->metrics_json != NULL)
            metrics = json_loads(info->metrics_json, 0, NULL);
        t->feasible = feasible(s, info != NULL ? info->metrics_json : NULL, metrics);
        if (completed)
            t->value = objective_value(s, metrics);
        if (completed && metrics != NULL)
            offer_front(s, t->index, metrics);
        json_decref(metrics);
    }
    t->settled = 1;
    offer_best(s, t);
}

size_t wjr_study_trial_count(const wjr_study *s)
{
    return s->n_trials;
}

int wjr_study_trial_at(wjr_study_trial *out, const wjr_study *s, size_t i)
{
    if (i >= s->n_trials)
        return wjr_error_set(WJR_ENOTFOUND, "no trial at position %zu", i);
    wjr__study_trial_view(out, s, &s->trials[i]);
    return 0;
}

/* ---- the study's counts ---------------------------------------------------- */

int wjr__study_needs_submit(const wjr_study *s, const study_trial *t)
{
    return !t->overridden && wjr__study_trial_status(s, t) == WJR_TRIAL_CANDIDATE;
}

int wjr__study_all_terminal(const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++)
        if (!wjr_trial_status_is_terminal(wjr__study_trial_status(s, &s->trials[i])))
            return 0;
    return 1;
}

void wjr__study_count(wjr_study_progress *p, const wjr_study *s)
{
    size_t i;

    for (i = 0; i < s->n_trials; i++) {
        switch (wjr__study_trial_status(s, &s->trials[i])) {
        case WJR_TRIAL_COMPLETED:
            p->completed++;
            break;
        case WJR_TRIAL_EARLY_STOPPED:
            p->early_stopped++;
            break;
        case WJR_TRIAL_FAILED:
            p->failed++;
            break;
        case WJR_TRIAL_ABANDONED:
            p->abandoned++;
            break;
        case WJR_TRIAL_CANDIDATE:
            p->pending++;
            p->unsubmitted++;
            break;
        default: {
            /* Waiting in Slurm's queue counts as pending for the user. */
            const wjr_trial_info *info = wjr__study_runner_info(s, s->trials[i].index);
            if (info != NULL && info->slurm_state != NULL &&
                strcmp(info->slurm_state, "PENDING") == 0)
                p->pending++;
            else
                p->running++;
            break;
        }
        }
    }
}

int wjr__study_whole(const wjr_study *s, const char *what)
{
    if (s->flags & WJR_STUDY_SUBMIT_ONLY)
        return wjr_error_set(WJR_ESTATE, "%s: the study was opened for submitting only", what);
    return 0;
}
