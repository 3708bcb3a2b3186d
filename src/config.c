/*
 * config.c - reads a study configuration file (libconfig, or BOA's YAML
 * read into the same libconfig tree by config_yaml.c) into a
 * wjr_study_config, and builds a runner from one.
 *
 * This file loads the file, sets the defaults, calls each section's parser
 * in order (config_params.c, config_objective.c, config_strategy.c,
 * config_scheduler.c, config_script.c, config_slurm.c), runs the checks
 * that cross sections, frees the configuration and hands out what the
 * runner needs. Every error names file:line (and column, for YAML), and
 * keys the file does not know are errors too, so that a typo never
 * silently becomes a default. Relative paths are resolved against the
 * configuration file's folder. It generates nothing and contacts no
 * cluster.
 */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "config_boa.h"
#include "config_int.h"
#include "config_yaml.h"
#include "study_int.h"
#include "template.h"
#include "util.h"

/* Cross-section checks once everything is read. */
static int check_whole(wjr_study_config *cfg, const parse_ctx *ctx, const config_t *lc)
{
    const config_setting_t *root = config_root_setting(lc);
    int64_t sum = 0;
    size_t i, dims = 0;
    int error;

    for (i = 0; i < cfg->n_steps; i++) {
        if (cfg->steps[i].num_trials < 0) {
            sum = -1;
            break;
        }
        if (cfg->steps[i].num_trials > INT64_MAX - sum)
            return fail_at(ctx, config_lookup(lc, "generation_strategy"),
                           "the steps' num_trials add up to more than %lld", (long long)INT64_MAX);
        sum += cfg->steps[i].num_trials;
    }
    if (sum >= 0 && cfg->total_trials > sum)
        return fail_at(ctx, config_lookup(lc, "scheduler.total_trials"),
                       "total_trials is %lld but the generation steps make only %lld trials: "
                       "end the last step with num_trials = -1",
                       (long long)cfg->total_trials, (long long)sum);
    for (i = 0; i < cfg->n_params; i++)
        if (cfg->params[i].kind != WJR_PARAM_FIXED)
            dims++;
    for (i = 0; i < cfg->n_metrics; i++) {
        size_t k, j;
        for (k = 0; k < json_array_size(cfg->metrics[i].param_names); k++) {
            const char *n = json_string_value(json_array_get(cfg->metrics[i].param_names, k));
            for (j = 0; j < cfg->n_params; j++)
                if (strcmp(cfg->params[j].name, n) == 0)
                    break;
            if (j == cfg->n_params)
                return fail_at(ctx, config_lookup(lc, "objective.metrics"),
                               "metric '%s' lists param_names '%s', which is not a parameter",
                               cfg->metrics[i].name, n);
        }
    }
    for (i = 0; i < cfg->n_steps; i++)
        if (cfg->steps[i].model == WJR_MODEL_SOBOL && dims > 40)
            return fail_at(ctx, config_lookup(lc, "parameters"),
                           "SOBOL handles at most 40 varying parameters, this study has %zu: "
                           "use RANDOM",
                           dims);
    error = wjr__config_check_strategy(cfg, ctx->file, lc);
    if (error < 0)
        return error;
    error = wjr__cfg_wrapper_settings(cfg);
    if (error < 0)
        return error;
    if (cfg->run_model == NULL)
        return fail_at(ctx, root, "%s",
                       ctx->yaml ? "the configuration needs script_options with run_model (the "
                                   "command of a trial), e.g. script_options: {run_model: "
                                   "python3 run_model.py}"
                                 : "the configuration needs script_options = { run_model = "
                                   "\"...\"; experiment_dir = \"...\"; };");
    return 0;
}

static void set_defaults(wjr_study_config *cfg)
{
    cfg->total_trials = -1;
    cfg->max_pending_trials = 10;
    cfg->tolerated_failure_rate = 0.5;
    cfg->min_failed_for_rate = 5; /* Ax's default */
    cfg->init_seconds_between_polls = 1.0;
    cfg->requeue = -1;
    cfg->seed = -1;
    cfg->objective_minimize = -1;
    cfg->sobol_origin = 1;
    cfg->output_wait = 10.0; /* NFS can hide a new file for seconds: BOA waits ~20 s */
    cfg->max_infra_retries = 2;
}

static int parse_root(wjr_study_config *cfg, const parse_ctx *ctx, const config_t *lc)
{
    static const char *const keys[] = {"objective",
                                       "parameters",
                                       "parameter_constraints",
                                       "generation_strategy",
                                       "scheduler",
                                       "script_options",
                                       "slurm",
                                       "model_options",
                                       "n_trials",
                                       NULL};
    const config_setting_t *root = config_root_setting(lc), *s;
    int error;

    error = check_keys(ctx, root, keys);
    if (error < 0)
        return error;
    s = config_setting_get_member(root, "objective");
    if (s != NULL) {
        error = wjr__cfg_parse_objective(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "parameters");
    if (s != NULL) {
        error = wjr__cfg_parse_parameters(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "parameter_constraints");
    if (s != NULL) {
        error = wjr__config_parse_parameter_constraints(cfg, ctx->file, s);
        if (error < 0)
            return error;
    }
    error = wjr__config_default_steps(cfg);
    if (error < 0)
        return error;
    s = config_setting_get_member(root, "generation_strategy");
    if (s != NULL) {
        error = wjr__cfg_parse_generation(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "scheduler");
    if (s != NULL) {
        error = wjr__cfg_parse_scheduler(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "script_options");
    if (s != NULL) {
        error = wjr__cfg_parse_script(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "slurm");
    if (s != NULL) {
        error = wjr__cfg_parse_slurm(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    error = wjr__cfg_get_n_trials(cfg, ctx, root);
    if (error == 0)
        error = get_json(&cfg->model_options, ctx, root, "model_options", 0);
    if (error < 0)
        return error;
    return check_whole(cfg, ctx, lc);
}

/* The folder of an absolute, resolved path (malloc'd). */
static char *folder_of(const char *real)
{
    char *dir = wjr_strdup(real);
    char *slash = dir != NULL ? strrchr(dir, '/') : NULL;

    if (slash == dir && slash != NULL)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    return dir;
}

/* BOA's command line loads wrapper.py next to its YAML when the file
 * names no wrapper_path (which wjr refuses): say that it is not used. */
static int warn_wrapper_py(wjr_study_config *cfg, const char *path)
{
    char *dir = folder_of(cfg->path), *py = dir != NULL ? wjr_asprintf("%s/wrapper.py", dir) : NULL;
    int error = py == NULL ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;

    if (py != NULL && wjr_file_exists(py))
        error = wjr__config_warn(cfg,
                                 "%s: %s is not used: BOA would load the Python wrapper in it, "
                                 "wjr runs the commands of script_options (run_model and the "
                                 "hooks) instead",
                                 path, py);
    free(py);
    free(dir);
    return error;
}

/* What to do about a libconfig syntax error whose text alone does not
 * say it ("" for the others). */
static const char *syntax_hint(const char *text)
{
    if (text != NULL && strstr(text, "mismatched element type") != NULL)
        return " (a libconfig array [...] holds one type: write every number of it with a "
               "decimal point, as in [-5.0, 10.0], or make it a list (...))";
    return "";
}

/* BOA's YAML: its template variables rendered, then read into lc. */
static int read_yaml(wjr_study_config *cfg, const parse_ctx *ctx, config_t *lc, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    int error = wjr_read_file(&text, &len, path);

    if (error < 0)
        return error;
    if (memchr(text, '\0', len) != NULL)
        error = wjr_error_set(WJR_ECONFIG, "%s: not a text file (holds a NUL byte)", path);
    else
        error = wjr_template_render_file(&cfg->rendered, text, path, &ctx->vars);
    free(text);
    if (error == 0)
        error = wjr_config_yaml_parse(lc, cfg->rendered, strlen(cfg->rendered), path);
    return error;
}

int wjr_study_config_load_from(wjr_study_config **out, const char *path, const char *base_dir)
{
    wjr_study_config *cfg = NULL;
    parse_ctx ctx;
    config_t lc;
    char *real = NULL;
    int error = 0;

    *out = NULL;
    memset(&ctx, 0, sizeof(ctx));
    ctx.file = path;
    ctx.explicit_base = base_dir != NULL;
    ctx.yaml = wjr_config_is_yaml_path(path);
    config_init(&lc);
    cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    set_defaults(cfg);
    real = realpath(path, NULL);
    if (real == NULL) {
        error = wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EIO, "%s: %s", path,
                              strerror(errno));
        goto done;
    }
    cfg->path = real;
    real = NULL;
    cfg->dir = base_dir != NULL ? wjr_strdup(base_dir) : folder_of(cfg->path);
    if (cfg->dir == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    cfg->is_yaml = ctx.yaml;
    error = wjr_template_vars_init(&ctx.vars, cfg->path);
    if (error < 0)
        goto done;
    if (ctx.yaml) {
        error = read_yaml(cfg, &ctx, &lc, path);
        if (error == 0)
            error = parse_root(cfg, &ctx, &lc);
        if (error == 0 && base_dir == NULL)
            error = warn_wrapper_py(cfg, path);
        goto done;
    }
    if (config_read_file(&lc, path) != CONFIG_TRUE) {
        if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
            error = wjr_error_set(WJR_EIO, "%s: cannot read the file", path);
        else
            error = wjr_error_set(WJR_ECONFIG, "%s:%d: %s%s", path, config_error_line(&lc),
                                  config_error_text(&lc), syntax_hint(config_error_text(&lc)));
        goto done;
    }
    error = parse_root(cfg, &ctx, &lc);
done:
    config_destroy(&lc);
    wjr_template_vars_free(&ctx.vars);
    free(real);
    if (error < 0) {
        wjr_study_config_free(cfg);
        return error;
    }
    *out = cfg;
    return 0;
}

int wjr_study_config_load(wjr_study_config **out, const char *path)
{
    return wjr_study_config_load_from(out, path, NULL);
}

void wjr_study_config_free(wjr_study_config *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < cfg->n_metrics; i++) {
        free(cfg->metrics[i].name);
        free(cfg->metrics[i].function);
        json_decref(cfg->metrics[i].func_kwargs);
        json_decref(cfg->metrics[i].param_names);
        json_decref(cfg->metrics[i].properties);
    }
    free(cfg->metrics);
    free(cfg->metric_names);
    free(cfg->warnings);
    for (i = 0; i < cfg->n_params; i++) {
        free(cfg->params[i].name);
        json_decref(cfg->params[i].values);
    }
    free(cfg->params);
    free(cfg->steps);
    wjr__config_strategy_free(cfg);
    for (i = 0; cfg->env != NULL && cfg->env[i] != NULL; i++)
        free(cfg->env[i]);
    free(cfg->env);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->run_model);
    free(cfg->write_configs);
    free(cfg->set_trial_status);
    free(cfg->fetch_trial_data);
    free(cfg->experiment_dir);
    free(cfg->working_dir);
    free(cfg->rendered);
    free(cfg->metrics_json);
    free(cfg->model_options_json);
    json_decref(cfg->model_options);
    free(cfg->partition);
    free(cfg->time);
    free(cfg->mem);
    free(cfg->account);
    free(cfg->qos);
    free(cfg->constraint);
    free(cfg->gres);
    wjr_config_slurm_clear(&cfg->res);
    free(cfg);
}

const char *wjr_study_config_experiment_dir(const wjr_study_config *config)
{
    return config->experiment_dir;
}

const char *wjr_study_config_warnings(const wjr_study_config *config)
{
    return config->warnings;
}

int64_t wjr_study_config_total_trials(const wjr_study_config *config)
{
    return config->total_trials;
}

size_t wjr_study_config_param_count(const wjr_study_config *config)
{
    return config->n_params;
}

const char *wjr_study_config_param_name(const wjr_study_config *config, size_t i)
{
    return i < config->n_params ? config->params[i].name : NULL;
}

void wjr_study_config_slurm_options(wjr_slurm_options *out, const wjr_study_config *cfg)
{
    wjr_slurm_options init = WJR_SLURM_OPTIONS_INIT;

    *out = init;
    out->partition = cfg->partition;
    out->time = cfg->time;
    out->cpus_per_task = cfg->cpus_per_task;
    out->mem = cfg->mem;
    out->account = cfg->account;
    out->qos = cfg->qos;
    out->constraint = cfg->constraint;
    out->gres = cfg->gres;
    out->env = (const char *const *)cfg->env;
    out->array_throttle = cfg->array_throttle;
    out->requeue = cfg->requeue;
    wjr_config_slurm_options(out, &cfg->res);
}

void wjr_study_config_script_options(wjr_script_options *out, const wjr_study_config *cfg)
{
    wjr_script_options init = WJR_SCRIPT_OPTIONS_INIT;

    *out = init;
    out->run_model = cfg->run_model;
    out->write_configs = cfg->write_configs;
    out->set_trial_status = cfg->set_trial_status;
    out->fetch_trial_data = cfg->fetch_trial_data;
    out->metric_names = cfg->metric_names;
    out->work_dir = cfg->working_dir;
    out->metrics_json = cfg->metrics_json;
    out->model_options_json = cfg->model_options_json;
    out->output_wait_seconds = cfg->output_wait;
    out->setup = cfg->res.setup;
}

int wjr_study_config_new_runner(wjr_runner **out, const wjr_study_config *cfg,
                                const wjr_runner_options *opts)
{
    wjr_slurm_options sopts;
    wjr_script_options wopts;
    wjr_backend *backend = NULL;
    wjr_wrapper *wrapper = NULL;
    int error;

    *out = NULL;
    wjr_study_config_slurm_options(&sopts, cfg);
    wjr_study_config_script_options(&wopts, cfg);
    error = wjr_backend_slurm_new(&backend, &sopts);
    if (error == 0)
        error = wjr_wrapper_script_new(&wrapper, &wopts);
    if (error < 0) {
        wjr_backend_free(backend);
        return error;
    }
    error = wjr_runner_new(out, backend, wrapper, opts); /* takes both, even on failure */
    if (error == 0)
        wjr_runner_set_infrastructure_retries(*out, (int)cfg->max_infra_retries);
    return error;
}

/* Build a runner from a configuration file (the experiment dir is created). */
int wjr_runner_from_config(wjr_runner **out, const char *config_path)
{
    wjr_study_config *cfg = NULL;
    wjr_runner_options ropts = WJR_RUNNER_OPTIONS_INIT;
    int error;

    *out = NULL;
    error = wjr_study_config_load(&cfg, config_path);
    if (error == 0)
        error = wjr_mkdir_p(cfg->experiment_dir, 0777);
    if (error == 0) {
        ropts.experiment_dir = cfg->experiment_dir;
        error = wjr_study_config_new_runner(out, cfg, &ropts);
    }
    wjr_study_config_free(cfg);
    return error;
}
