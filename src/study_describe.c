/*
 * study_describe.c - what a study is, as one JSON object for reports: its
 * id, directory and state, the objective, each parameter's kind, bounds,
 * scale and values, the generation strategy, the scheduler settings, the
 * Slurm job options and the controller's Slurm version as last learnt.
 *
 * It reads the study's configuration and the runner's backend; it changes
 * nothing and contacts no cluster. The trial table lives in study_files.c.
 */
#include <math.h>
#include <stdlib.h>

#include "wjr/runner.h"
#include "study_int.h"
#include "util.h"

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

static json_t *param_json(const wjr_param *p)
{
    static const char *const kinds[] = {"range", "choice", "fixed"};
    json_t *o = json_object();

    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "type", json_string(kinds[p->kind]));
    if (p->kind == WJR_PARAM_RANGE) {
        json_object_set_new(o, "value_type", json_string(p->is_int ? "int" : "float"));
        json_object_set_new(o, "log_scale", json_boolean(p->log_scale));
        json_object_set_new(o, "bounds", json_pack("[ff]", p->lo, p->hi));
    } else if (p->kind == WJR_PARAM_CHOICE) {
        json_object_set(o, "values", p->values != NULL ? p->values : json_null());
    } else {
        json_object_set(o, "value", p->values != NULL ? p->values : json_null());
    }
    return o;
}

static json_t *strategy_json(const wjr_study_config *c, long long seed)
{
    json_t *steps = json_array();
    size_t i;

    for (i = 0; i < c->n_steps; i++) {
        json_t *st = json_pack("{sssI}", "model", wjr__model_name(c->steps[i].model), "num_trials",
                               (json_int_t)c->steps[i].num_trials);
        if (c->steps[i].max_parallelism > 0) /* only when given: older studies' text stays */
            json_object_set_new(st, "max_parallelism",
                                json_integer((json_int_t)c->steps[i].max_parallelism));
        json_array_append_new(steps, st);
    }
    return json_pack("{sIso}", "seed", (json_int_t)seed, "steps", steps);
}

static json_t *scheduler_json(const wjr_study_config *c)
{
    return json_pack(
        "{sIsIsbsfsfsf}", "total_trials", (json_int_t)c->total_trials, "max_pending_trials",
        (json_int_t)c->max_pending_trials, "run_trials_in_batches", c->run_trials_in_batches,
        "tolerated_trial_failure_rate", c->tolerated_failure_rate, "init_seconds_between_polls",
        c->init_seconds_between_polls, "ttl_seconds_for_trials", c->ttl_seconds);
}

static json_t *slurm_json(const wjr_study_config *c)
{
    json_t *o = json_object();

    json_object_set_new(o, "partition", str_or_null(c->partition));
    json_object_set_new(o, "time", str_or_null(c->time));
    json_object_set_new(o, "cpus_per_task", json_integer(c->cpus_per_task));
    json_object_set_new(o, "mem", str_or_null(c->mem));
    json_object_set_new(o, "account", str_or_null(c->account));
    json_object_set_new(o, "qos", str_or_null(c->qos));
    json_object_set_new(o, "constraint", str_or_null(c->constraint));
    json_object_set_new(o, "gres", str_or_null(c->gres));
    json_object_set_new(o, "array_throttle", json_integer(c->array_throttle));
    return o;
}

char *wjr__study_fixed_text(const wjr_study_config *c)
{
    json_t *root = json_object(), *a;
    char *text;
    size_t i;

    a = json_array();
    for (i = 0; i < c->n_params; i++)
        json_array_append_new(a, param_json(&c->params[i]));
    json_object_set_new(root, "parameters", a);
    a = json_array();
    for (i = 0; i < c->n_metrics; i++) {
        const wjr_metric *m = &c->metrics[i];
        json_t *o = json_pack("{sssbsb}", "name", m->name, "minimize", m->minimize, "info_only",
                              m->info_only);
        if (!isnan(m->weight))
            json_object_set_new(o, "weight", json_real(m->weight));
        json_array_append_new(a, o);
    }
    json_object_set_new(root, "metrics", a);
    json_object_set_new(root, "objective_minimize", json_integer(c->objective_minimize));
    for (i = 0; i < c->n_metrics; i++) /* only when given: older studies' text stays */
        if (!isnan(c->metrics[i].threshold)) {
            a = json_object_get(root, "objective_thresholds");
            if (a == NULL)
                json_object_set_new(root, "objective_thresholds", a = json_object());
            json_object_set_new(a, c->metrics[i].name, json_real(c->metrics[i].threshold));
        }
    a = json_array();
    for (i = 0; i < c->n_linear; i++)
        json_array_append_new(a, json_string(c->linear[i].text));
    json_object_set_new(root, "parameter_constraints", a);
    a = json_array();
    for (i = 0; i < c->n_outcome; i++)
        json_array_append_new(a, json_string(c->outcome[i].text));
    json_object_set_new(root, "outcome_constraints", a);
    a = strategy_json(c, 0);
    json_object_set(root, "generation_strategy", json_object_get(a, "steps"));
    json_decref(a);
    text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    return text;
}

int wjr_study_describe_json(char **out, const wjr_study *s)
{
    static const char *const states[] = {"running", "finished", "failed"};
    const wjr_study_config *c = s->config;
    json_t *root = json_object(), *params = json_array();
    size_t i;

    *out = NULL;
    json_object_set_new(root, "study_id", str_or_null(wjr_study_id(s)));
    json_object_set_new(root, "dir", json_string(s->dir));
    json_object_set_new(root, "state", json_string(states[s->state]));
    if (wjr__config_objectives(c) > 0)
        json_object_set_new(root, "objective",
                            json_pack("{sssb}", "metric",
                                      wjr__config_objective_metric(c, 0) != NULL
                                          ? wjr__config_objective_metric(c, 0)->name
                                          : "weighted_sum",
                                      "minimize", wjr__config_objective_minimize(c, 0)));
    else
        json_object_set_new(root, "objective", json_null());
    if (wjr__config_objectives(c) > 1) {
        json_t *list = json_array();
        for (i = 0; i < wjr__config_objectives(c); i++) {
            const wjr_metric *m = wjr__config_objective_metric(c, i);
            json_t *o = json_pack("{sssb}", "metric", m->name, "minimize", m->minimize);
            json_object_set_new(o, "threshold",
                                isnan(m->threshold) ? json_null() : json_real(m->threshold));
            json_array_append_new(list, o);
        }
        json_object_set_new(root, "objectives", list);
    }
    for (i = 0; i < c->n_params; i++)
        json_array_append_new(params, param_json(&c->params[i]));
    json_object_set_new(root, "parameters", params);
    json_object_set_new(root, "generation_strategy", strategy_json(c, s->seed));
    json_object_set_new(root, "scheduler", scheduler_json(c));
    json_object_set_new(root, "slurm", slurm_json(c));
    json_object_set_new(root, "run_model", str_or_null(c->run_model));
    json_object_set_new(
        root, "slurm_version",
        str_or_null(s->runner != NULL
                        ? wjr_backend_slurm_version(wjr_runner_backend((wjr_runner *)s->runner))
                        : NULL));
    *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (*out == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    return 0;
}
