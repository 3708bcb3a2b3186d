/*
 * study_files.c - the study's reports as JSON: the trial table (wjr
 * status) and the results with the objective and the best trial.
 * results.csv is rendered in study_csv.c.
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
    params = json_incref(t->params); /* parsed once, shared, never changed */
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
