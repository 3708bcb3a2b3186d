/*
 * study_check.c - the check of a study's configuration against the
 * cluster (wjr_study_check, which `wjr check` runs and `wjr run` runs
 * before it creates a study): the partition and the options against what
 * slurmctld says of the cluster (config_slurm_cluster.c), then
 * slurmctld's own test of trials' jobs, asked as sbatch --test-only asks.
 *
 * The first trial's job is tested as the generator draws it. When options
 * take their values from parameters (`cpus_per_task = "{{ threads }}"`),
 * the jobs of the trials at the ends of those parameters are tested too:
 * each parameter at its bounds (a choice: at each of its values) with the
 * others as in the first trial, then every such range at its lower bounds
 * together and at its upper bounds together. A trial outside the linear
 * parameter constraints is passed over, and jobs the same as one tested
 * already are not asked again. Each of the others is a trial the optimizer
 * may suggest, so slurmctld's refusal of its job (a QOS's limit, a node
 * too small for it, a partition's MaxCPUsPerNode) is the configuration's
 * error, at the line of the option that takes the parameter, with the
 * values named: found here, it costs a user a minute; found when the
 * trial comes, it stops a study that has run for days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "study_int.h"
#include "study_store.h"
#include "util.h"

/* The most distinct jobs tested beside the first trial's. */
#define MAX_ENDS 64

typedef struct {
    wjr_study_config *cfg;
    wjr_backend *backend;
    wjr_cluster_info *info; /* trial_ends_tested counts here */
    char **seen;            /* the per-trial resources of the jobs tested */
    size_t n_seen;
    int full;    /* MAX_ENDS reached: the others are not asked */
    int waiting; /* trials' jobs would wait: said once */
} ends;

static void ends_clear(ends *t)
{
    size_t i;

    for (i = 0; i < t->n_seen; i++)
        free(t->seen[i]);
    free(t->seen);
}

/* Remember res (taken); 1 when it was seen already, 0 when new, or
 * WJR_ENOMEM. A job without per-trial resources counts as "". */
static int seen_before(ends *t, char *res)
{
    char **grown;
    size_t i;

    if (res == NULL && (res = wjr_strdup("")) == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < t->n_seen; i++)
        if (strcmp(t->seen[i], res) == 0) {
            free(res);
            return 1;
        }
    grown = realloc(t->seen, (t->n_seen + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(res);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    t->seen = grown;
    t->seen[t->n_seen++] = res;
    return 0;
}

/* The per-trial resources of the job of a trial with params_json. */
static int resources_of(char **out, const ends *t, const char *params_json)
{
    *out = NULL;
    if (t->backend->resources == NULL || params_json == NULL)
        return 0;
    return t->backend->resources(out, t->backend, params_json);
}

/* Ask slurmctld about the job of a trial with params (those of the first
 * trial but for names); key is the option to blame, names the varied
 * parameters' "name = value" list. */
static int test_one(ends *t, json_t *params, const char *key, const char *names)
{
    wjr_cluster_info answer;
    const char *ignored = NULL;
    char *text, *res = NULL;
    int error;

    if (t->full || !wjr__config_params_feasible(t->cfg, params))
        return 0;
    text = json_dumps(params, JSON_COMPACT);
    if (text == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = resources_of(&res, t, text);
    if (error == 0)
        error = seen_before(t, res);
    if (error != 0) {
        free(text);
        return error < 0 ? error : 0;
    }
    if (t->n_seen > MAX_ENDS + 1) {
        t->full = 1;
        free(text);
        return wjr__config_warn(t->cfg,
                                "the jobs of %d trials at the ends of the parameters the "
                                "options take were tested; the others are checked as their "
                                "trials are submitted",
                                MAX_ENDS);
    }
    memset(&answer, 0, sizeof(answer));
    error = wjr__backend_will_run(&answer, &ignored, t->backend, text);
    free(text);
    if (error == 0 && answer.trial_not_now != NULL && t->waiting++ > 0) {
        free(answer.trial_not_now); /* said once for all of them */
        answer.trial_not_now = NULL;
    }
    error = wjr_config_slurm_will_run(t->cfg, &answer, error, key, names);
    if (error == 0 && answer.trial_tested)
        t->info->trial_ends_tested++;
    wjr__cluster_info_clear(&answer);
    return error;
}

/* The parameter option i of the slurm group takes. */
static const wjr_param *param_of(const wjr_study_config *cfg, size_t i)
{
    return &cfg->params[cfg->res.per_trial[i].param];
}

/* "name = value" of p in params, appended to b. */
static void name_value(wjr_buf *b, const wjr_param *p, json_t *params)
{
    char *v = json_dumps(json_object_get(params, p->name), JSON_ENCODE_ANY | JSON_COMPACT);

    wjr_buf_printf(b, "%s%s = %s", b->len > 0 ? ", " : "", p->name, v != NULL ? v : "?");
    free(v);
}

/* p's lower (upper 0) or upper end as the generator writes its values: a
 * range's bound, a choice of numbers' least or greatest; NULL for a
 * choice with a value that is no number (it has no ends). */
static json_t *bound(const wjr_param *p, int upper)
{
    json_t *best = NULL, *v;
    size_t i;

    if (p->kind == WJR_PARAM_RANGE)
        return p->is_int ? json_integer((json_int_t)(upper ? p->hi : p->lo))
                         : json_real(upper ? p->hi : p->lo);
    json_array_foreach(p->values, i, v)
    {
        if (!json_is_number(v))
            return NULL;
        if (best == NULL || (upper ? json_number_value(v) > json_number_value(best)
                                   : json_number_value(v) < json_number_value(best)))
            best = v;
    }
    return json_deep_copy(best);
}

/* Whether option i is the first to take its parameter p (the one to
 * blame for it). */
static int first_to_take(const wjr_study_config *cfg, size_t i, const wjr_param *p)
{
    size_t j;

    for (j = 0; j < i; j++)
        if (param_of(cfg, j) == p)
            return 0;
    return 1;
}

/* The job of a trial as first but for only's value v (a range's bound 0
 * or 1, a choice's v-th value), or, only NULL, every parameter the
 * options take at its end v (0 lower, 1 upper). The first option that
 * takes a parameter set so is the one to blame. */
static int test_copy(ends *t, json_t *first, const wjr_param *only, size_t v)
{
    json_t *params = json_deep_copy(first), *value;
    wjr_buf b = WJR_BUF_INIT;
    const wjr_param *p;
    const char *option = NULL;
    char *names = NULL;
    size_t i;
    int error;

    if (params == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < t->cfg->res.n_per_trial; i++) {
        p = param_of(t->cfg, i);
        if ((only != NULL && p != only) || !first_to_take(t->cfg, i, p) ||
            p->kind == WJR_PARAM_FIXED)
            continue;
        if (p->kind == WJR_PARAM_CHOICE && only != NULL)
            value = json_deep_copy(json_array_get(p->values, v));
        else if ((value = bound(p, (int)v)) == NULL && p->kind == WJR_PARAM_CHOICE)
            continue; /* no ends: as in the first trial */
        if (value == NULL || json_object_set_new(params, p->name, value) < 0) {
            json_decref(params);
            wjr_buf_free(&b);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
        if (option == NULL)
            option = t->cfg->res.per_trial[i].key;
        name_value(&b, p, params);
    }
    error = wjr_buf_detach(&names, &b);
    if (error == 0 && names[0] != '\0')
        error = test_one(t, params, option, names);
    free(names);
    json_decref(params);
    return error;
}

/* Every end of the parameters the options take, beside the first trial
 * (its job tested, and answered, already). */
static int test_ends(wjr_study_config *cfg, wjr_backend *backend, wjr_cluster_info *info,
                     json_t *first)
{
    ends t;
    const wjr_param *p;
    size_t i, v, n, varied = 0;
    char *text, *res = NULL;
    int error;

    memset(&t, 0, sizeof(t));
    t.cfg = cfg;
    t.backend = backend;
    t.info = info;
    t.waiting = info->trial_not_now != NULL; /* said for the first trial */
    text = json_dumps(first, JSON_COMPACT);
    error =
        text != NULL ? resources_of(&res, &t, text) : wjr_error_set(WJR_ENOMEM, "out of memory");
    free(text);
    if (error == 0)
        error = seen_before(&t, res); /* the first trial's job */
    for (i = 0; error == 0 && i < cfg->res.n_per_trial; i++) {
        p = param_of(cfg, i);
        if (p->kind == WJR_PARAM_FIXED || !first_to_take(cfg, i, p))
            continue;
        n = p->kind == WJR_PARAM_RANGE ? 2 : json_array_size(p->values);
        for (v = 0; error == 0 && v < n; v++)
            error = test_copy(&t, first, p, v);
        varied++;
    }
    /* every parameter at its lower end, then at its upper one */
    for (v = 0; error == 0 && varied > 1 && v < 2; v++)
        error = test_copy(&t, first, NULL, v);
    ends_clear(&t);
    return error;
}

/* Ask slurmctld whether it would take the study's first trial (its
 * parameters as the generator draws them, for the options a trial takes
 * from them) as its job, as sbatch --test-only asks; then the trials at
 * the ends of those parameters. */
static int test_trials(wjr_study_config *cfg, wjr_backend *backend, wjr_cluster_info *info)
{
    wjr_generator *gen = NULL;
    json_t *params = NULL;
    char *text = NULL;
    const char *key = NULL;
    int error;

    /* a strategy that cannot draw before it has data tests the options alone */
    if (wjr_generator_new(&gen, cfg) == 0 && wjr_generator_draw(&params, gen, 0) == 0)
        text = json_dumps(params, JSON_COMPACT);
    wjr_generator_free(gen);
    error = wjr__backend_will_run(info, &key, backend, text);
    free(text);
    error = wjr_config_slurm_will_run(cfg, info, error, key, NULL);
    if (error == 0 && params != NULL && cfg->res.n_per_trial > 0)
        error = test_ends(cfg, backend, info, params);
    json_decref(params);
    return error;
}

int wjr_study_check(wjr_cluster_info **info, wjr_study_config **config, const char *config_path)
{
    wjr_study_config *cfg = NULL;
    wjr_slurm_options so;
    wjr_backend *backend = NULL;
    int error;

    if (config != NULL)
        *config = NULL;
    if (info == NULL)
        return wjr_error_set(WJR_EINVALID, "no place for the cluster's answer");
    *info = NULL;
    error = wjr_study_config_load(&cfg, config_path);
    if (error < 0)
        goto done;
    /* valid, but `wjr run` would refuse it: say so now */
    if (wjr__store_exists_in(cfg->experiment_dir) &&
        (error = wjr__config_warn(cfg,
                                  "experiment_dir %s already holds a study: `wjr run` refuses it; "
                                  "continue it with `wjr resume %s`, or choose another "
                                  "experiment_dir",
                                  cfg->experiment_dir, cfg->experiment_dir)) < 0)
        goto done;
    wjr_study_config_slurm_options(&so, cfg);
    error = wjr_backend_slurm_new(&backend, &so);
    if (error < 0)
        goto done;
    error = wjr_backend_cluster_info(info, backend);
    if (error == WJR_ENOTFOUND && cfg->res.clusters != NULL) {
        char *why = wjr_strdup(wjr_error_last());
        error = wjr_error_set(WJR_ECONFIG, "%s:%d: slurm.%s", cfg->res.file,
                              wjr_config_slurm_line(&cfg->res, "clusters"), why ? why : "");
        free(why);
    }
    if (error < 0)
        goto done;
    /* the partition, then the resources against it, then slurmctld's own
     * word on the trials' jobs */
    error = wjr_config_slurm_check_cluster(cfg, *info);
    if (error == 0)
        error = test_trials(cfg, backend, *info);
done:
    wjr_backend_free(backend);
    if (error < 0) {
        wjr_cluster_info_free(*info);
        *info = NULL;
    }
    if (error == 0 && config != NULL) {
        *config = cfg;
        cfg = NULL;
    }
    wjr_study_config_free(cfg);
    return error;
}
