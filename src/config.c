/*
 * config.c - reads a study configuration file (libconfig, or BOA's YAML
 * read into the same libconfig tree by config_yaml.c) into a
 * wjr_study_config, and builds a runner from one.
 *
 * Every error names file:line (and column, for YAML), and keys the file
 * does not know are errors too, so that a typo never silently becomes a
 * default. Relative paths are resolved against the configuration file's
 * folder. script_options are read by config_script.c, a metric's BOA
 * settings by config_boa.c. This file parses and checks; it generates
 * nothing and contacts no cluster.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wjr/runner.h"
#include "config_boa.h"
#include "config_int.h"
#include "config_yaml.h"
#include "jsontext.h"
#include "study_int.h"
#include "template.h"
#include "util.h"

int fail_at(const parse_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    unsigned line = s != NULL ? (unsigned)config_setting_source_line(s) : 0u;
    unsigned column = wjr_config_column(s);

    /* The root group has no line of its own: name the first. */
    if (column > 0)
        return wjr_error_set(WJR_ECONFIG, "%s:%u:%u: %s", ctx->file, line > 0 ? line : 1u, column,
                             msg);
    return wjr_error_set(WJR_ECONFIG, "%s:%u: %s", ctx->file, line > 0 ? line : 1u, msg);
}

/* A path for messages: "scheduler.total_trials", "objective.metrics[0].name". */
static void setting_path(char *buf, size_t size, const config_setting_t *s)
{
    const config_setting_t *chain[32];
    size_t n = 0, used = 0;

    while (s != NULL && config_setting_parent(s) != NULL && n < 32) {
        chain[n++] = s;
        s = config_setting_parent(s);
    }
    buf[0] = '\0';
    while (n > 0 && used < size) {
        const config_setting_t *c = chain[--n];
        const char *name = config_setting_name(c);
        int w;

        if (name != NULL)
            w = snprintf(buf + used, size - used, "%s%s", used > 0 ? "." : "", name);
        else
            w = snprintf(buf + used, size - used, "[%d]", config_setting_index(c));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost =
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Every member of group s must be one of the NULL-terminated allowed names. */
int check_keys(const parse_ctx *ctx, const config_setting_t *s, const char *const *allowed)
{
    int i, n = config_setting_length(s);
    char where[256];

    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        const char *guess = NULL;
        size_t best = strlen(name) >= 10 ? 4 : 3, k; /* suggest below this distance */

        for (k = 0; allowed[k] != NULL; k++) {
            size_t d = edit_distance(name, allowed[k]);
            if (d == 0)
                break;
            if (d < best) {
                best = d;
                guess = allowed[k];
            }
        }
        if (allowed[k] != NULL)
            continue;
        setting_path(where, sizeof(where), s);
        {
            char section[256];
            const char *instead;

            wjr_config_section_of(section, sizeof(section), where);
            instead = wjr_config_refused(section, name);
            if (instead != NULL)
                return fail_at(ctx, m, "%s%s%s is not supported by wjr: %s", where,
                               where[0] ? "." : "", name, instead);
        }
        if (guess != NULL)
            return fail_at(ctx, m, "unknown key '%s' in %s (did you mean '%s'?)", name,
                           where[0] ? where : "the top level", guess);
        return fail_at(ctx, m, "unknown key '%s' in %s", name, where[0] ? where : "the top level");
    }
    return 0;
}

int type_error(const parse_ctx *ctx, const config_setting_t *s, const char *what)
{
    char where[256];

    setting_path(where, sizeof(where), s);
    return fail_at(ctx, s, "%s must be %s", where, what);
}

int need_group(const parse_ctx *ctx, const config_setting_t *s)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return type_error(ctx, s, "a group { ... }");
    return 0;
}

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static int is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static double number_of(const config_setting_t *s)
{
    if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
        return config_setting_get_float(s);
    return (double)config_setting_get_int64(s);
}

/* Optional string member; *out is malloc'd (left alone when absent). */
int get_string(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return type_error(ctx, s, "a string in double quotes");
    free(*out);
    *out = wjr_strdup(config_setting_get_string(s));
    return *out != NULL ? 0 : WJR_ENOMEM;
}

/* Optional string or integer member (time = "00:05:00" or time = 5). */
static int get_string_or_int(char **out, const parse_ctx *ctx, const config_setting_t *g,
                             const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s != NULL && is_integer(s)) {
        free(*out);
        *out = wjr_asprintf("%lld", (long long)config_setting_get_int64(s));
        return *out != NULL ? 0 : WJR_ENOMEM;
    }
    return get_string(out, ctx, g, key);
}

int get_int(int64_t *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
            int64_t min)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    char where[256];

    if (s == NULL)
        return 0;
    if (!is_integer(s))
        return type_error(ctx, s, "an integer");
    *out = config_setting_get_int64(s);
    if (*out < min) {
        setting_path(where, sizeof(where), s);
        return fail_at(ctx, s, "%s must be at least %lld, not %lld", where, (long long)min,
                       (long long)*out);
    }
    return 0;
}

int get_double(double *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
               double min, double max)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    char where[256];

    if (s == NULL)
        return 0;
    if (!is_number(s))
        return type_error(ctx, s, "a number");
    *out = number_of(s);
    if (!(*out >= min && *out <= max)) {
        setting_path(where, sizeof(where), s);
        return fail_at(ctx, s, "%s must be between %g and %g, not %g", where, min, max, *out);
    }
    return 0;
}

int get_bool(int *out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return type_error(ctx, s, "true or false");
    *out = config_setting_get_bool(s);
    return 0;
}

/* A libconfig scalar as a new JSON value; NULL for non-scalars. */
static json_t *scalar_json(const config_setting_t *s)
{
    int t = config_setting_type(s);

    if (t == CONFIG_TYPE_GROUP || t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY)
        return NULL;
    return wjr_config_setting_json(s);
}

/* ---- paths --------------------------------------------------------------- */

/* Join and normalise lexically ("." and ".." removed). malloc'd. */
char *path_join(const char *base, const char *rel)
{
    char *joined, *out, *p, *save = NULL, *tok;
    size_t len = 0;

    if (rel[0] == '/')
        joined = wjr_strdup(rel);
    else
        joined = wjr_asprintf("%s/%s", base, rel);
    if (joined == NULL)
        return NULL;
    out = calloc(1, strlen(joined) + 2);
    if (out == NULL) {
        free(joined);
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    for (tok = strtok_r(joined, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            p = strrchr(out, '/');
            len = p != NULL ? (size_t)(p - out) : 0;
            out[len] = '\0';
            continue;
        }
        out[len++] = '/';
        memcpy(out + len, tok, strlen(tok) + 1);
        len += strlen(tok);
    }
    if (len == 0)
        strcpy(out, "/");
    free(joined);
    return out;
}

/* ---- sections ------------------------------------------------------------ */

static int parse_objective(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"metrics", "minimize", "outcome_constraints", NULL};
    const config_setting_t *list;
    int error, i, n;

    error = need_group(ctx, g);
    if (error < 0)
        return error;
    error = check_keys(ctx, g, keys);
    if (error < 0)
        return error;
    if (config_setting_get_member(g, "minimize") != NULL) {
        error = get_bool(&cfg->objective_minimize, ctx, g, "minimize");
        if (error < 0)
            return error;
    }
    list = config_setting_get_member(g, "metrics");
    if (list == NULL)
        return fail_at(ctx, g,
                       "objective needs metrics = ( { name = \"...\"; minimize = "
                       "true; } );");
    if (config_setting_type(list) != CONFIG_TYPE_LIST || config_setting_length(list) == 0)
        return type_error(ctx, list, "a non-empty list ( { name = ...; minimize = ...; } )");
    n = config_setting_length(list);
    cfg->metrics = calloc((size_t)n, sizeof(*cfg->metrics));
    if (cfg->metrics == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(list, (unsigned)i);
        wjr_metric *metric = &cfg->metrics[cfg->n_metrics];
        size_t k;

        cfg->n_metrics++;
        error = wjr__cfg_parse_metric(metric, ctx, m, i);
        if (error < 0)
            return error;
        for (k = 0; k + 1 < cfg->n_metrics; k++)
            if (strcmp(cfg->metrics[k].name, metric->name) == 0)
                return fail_at(ctx, m, "metric '%s' is named twice", metric->name);
    }
    cfg->metric_names = calloc(cfg->n_metrics + 1, sizeof(char *));
    if (cfg->metric_names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < (int)cfg->n_metrics; i++)
        cfg->metric_names[i] = cfg->metrics[i].name;
    list = config_setting_get_member(g, "outcome_constraints");
    if (list != NULL)
        return wjr__config_parse_outcome_constraints(cfg, ctx->file, list);
    return 0;
}

static int parse_range(wjr_param *p, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *b = config_setting_get_member(g, "bounds");
    const config_setting_t *lo, *hi;
    char *value_type = NULL;
    int error;

    if (b == NULL)
        return fail_at(ctx, g, "range parameter '%s' needs bounds = [low, high];", p->name);
    if ((config_setting_type(b) != CONFIG_TYPE_ARRAY &&
         config_setting_type(b) != CONFIG_TYPE_LIST) ||
        config_setting_length(b) != 2)
        return type_error(ctx, b, "two numbers [low, high]");
    lo = config_setting_get_elem(b, 0);
    hi = config_setting_get_elem(b, 1);
    if (!is_number(lo) || !is_number(hi))
        return type_error(ctx, b, "two numbers [low, high]");
    p->lo = number_of(lo);
    p->hi = number_of(hi);
    p->is_int = is_integer(lo) && is_integer(hi);
    error = get_string(&value_type, ctx, g, "value_type");
    if (error < 0)
        return error;
    if (value_type != NULL) {
        if (strcmp(value_type, "int") == 0) {
            p->is_int = 1;
        } else if (strcmp(value_type, "float") == 0) {
            p->is_int = 0;
        } else {
            free(value_type);
            return fail_at(ctx, config_setting_get_member(g, "value_type"),
                           "value_type must be \"int\" or \"float\"");
        }
        free(value_type);
    }
    error = get_bool(&p->log_scale, ctx, g, "log_scale");
    if (error < 0)
        return error;
    if (!isfinite(p->lo) || !isfinite(p->hi) || !(p->lo < p->hi))
        return fail_at(ctx, b, "bounds of '%s' must be finite with low < high, not [%g, %g]",
                       p->name, p->lo, p->hi);
    if (p->is_int && (p->lo != floor(p->lo) || p->hi != floor(p->hi)))
        return fail_at(ctx, b, "bounds of int parameter '%s' must be integers", p->name);
    /* 2^53: every integer up to it is a double, and values stay in int64 */
    if (p->is_int && (fabs(p->lo) > 9007199254740992.0 || fabs(p->hi) > 9007199254740992.0))
        return fail_at(ctx, b,
                       "bounds of int parameter '%s' must lie within +-9007199254740992 (2^53), "
                       "not [%g, %g]",
                       p->name, p->lo, p->hi);
    if (p->log_scale && p->lo <= 0)
        return fail_at(ctx, b, "log_scale parameter '%s' needs bounds above 0", p->name);
    return 0;
}

static int parse_param(wjr_param *p, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"name",   "type",  "bounds", "value_type", "log_scale",
                                       "values", "value", "digits", "is_ordered", NULL};
    char *type = NULL;
    const config_setting_t *v;
    int64_t digits = -1;
    int error, i, n;

    p->is_ordered = -1;
    if (ctx->yaml && config_setting_type(g) != CONFIG_TYPE_GROUP &&
        config_setting_type(g) != CONFIG_TYPE_LIST) {
        /* BOA's shorthand `x3: 4.0` is a fixed parameter */
        p->kind = WJR_PARAM_FIXED;
        p->values = scalar_json(g);
        return p->values != NULL ? 0 : type_error(ctx, g, "a number, string or boolean");
    }
    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = get_string(&type, ctx, g, "type");
    if (error < 0)
        goto done;
    if (type == NULL) {
        error = fail_at(ctx, g, "parameter '%s' needs type = \"range\", \"choice\" or \"fixed\"",
                        p->name);
    } else if (strcmp(type, "range") == 0) {
        p->kind = WJR_PARAM_RANGE;
        error = parse_range(p, ctx, g);
    } else if (strcmp(type, "choice") == 0) {
        p->kind = WJR_PARAM_CHOICE;
        v = config_setting_get_member(g, "values");
        if (v == NULL) {
            error = fail_at(ctx, g, "choice parameter '%s' needs values = [...];", p->name);
            goto done;
        }
        if ((config_setting_type(v) != CONFIG_TYPE_ARRAY &&
             config_setting_type(v) != CONFIG_TYPE_LIST) ||
            config_setting_length(v) == 0) {
            error = type_error(ctx, v, "a non-empty array of values");
            goto done;
        }
        p->values = json_array();
        n = config_setting_length(v);
        for (i = 0; i < n; i++) {
            json_t *j = scalar_json(config_setting_get_elem(v, (unsigned)i));
            if (j == NULL) {
                error = type_error(ctx, v, "an array of numbers, strings or booleans");
                goto done;
            }
            json_array_append_new(p->values, j);
        }
    } else if (strcmp(type, "fixed") == 0) {
        p->kind = WJR_PARAM_FIXED;
        v = config_setting_get_member(g, "value");
        if (v == NULL) {
            error = fail_at(ctx, g, "fixed parameter '%s' needs value = ...;", p->name);
            goto done;
        }
        p->values = scalar_json(v);
        if (p->values == NULL)
            error = type_error(ctx, v, "a number, string or boolean");
    } else {
        error =
            fail_at(ctx, config_setting_get_member(g, "type"),
                    "parameter type must be \"range\", \"choice\" or \"fixed\", not \"%s\"", type);
    }
    if (error == 0 && config_setting_get_member(g, "is_ordered") != NULL) {
        error = get_bool(&p->is_ordered, ctx, g, "is_ordered");
        if (error == 0 && p->kind != WJR_PARAM_CHOICE)
            error = fail_at(ctx, config_setting_get_member(g, "is_ordered"),
                            "is_ordered applies to choice parameters only");
    }
    if (error == 0)
        error = get_int(&digits, ctx, g, "digits", 0);
    if (error == 0 && digits >= 0) {
        if (digits > 15 || p->kind != WJR_PARAM_RANGE || p->is_int)
            error = fail_at(ctx, config_setting_get_member(g, "digits"),
                            "digits (0 to 15) applies to float range parameters only");
        p->has_digits = 1;
        p->digits = (int)digits;
    }
    if (error == 0 && p->kind != WJR_PARAM_RANGE) {
        const char *stray = config_setting_get_member(g, "bounds") != NULL ? "bounds" : NULL;
        if (config_setting_get_member(g, "log_scale") != NULL)
            stray = "log_scale";
        if (stray != NULL)
            error = fail_at(ctx, config_setting_get_member(g, stray),
                            "%s applies to range parameters only", stray);
    }
done:
    free(type);
    return error;
}

static int valid_name(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return 0;
    for (i = 0; s[i] != '\0'; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

static int parse_parameters(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    int error, i, n = config_setting_length(g);
    int is_list = config_setting_type(g) == CONFIG_TYPE_LIST;

    if (!is_list && config_setting_type(g) != CONFIG_TYPE_GROUP)
        return type_error(ctx, g, "a group { x1 = { type = \"range\"; ... }; ... }");
    cfg->params = calloc((size_t)n + 1, sizeof(*cfg->params));
    if (cfg->params == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *p = config_setting_get_elem(g, (unsigned)i);
        wjr_param *param = &cfg->params[cfg->n_params];
        size_t k;

        if (is_list) {
            error = need_group(ctx, p);
            if (error == 0)
                error = get_string(&param->name, ctx, p, "name");
            if (error < 0)
                return error;
            if (param->name == NULL)
                return fail_at(ctx, p, "parameters[%d] needs a name", i);
        } else {
            if (config_setting_type(p) == CONFIG_TYPE_GROUP &&
                config_setting_get_member(p, "name") != NULL)
                return fail_at(ctx, config_setting_get_member(p, "name"),
                               "parameter '%s' is named by its key: drop name",
                               config_setting_name(p));
            param->name = wjr_strdup(config_setting_name(p));
            if (param->name == NULL)
                return WJR_ENOMEM;
        }
        cfg->n_params++;
        if (!valid_name(param->name))
            return fail_at(ctx, p, "parameter name '%s' may hold only letters, digits, _ - .",
                           param->name);
        for (k = 0; k + 1 < cfg->n_params; k++)
            if (strcmp(cfg->params[k].name, param->name) == 0)
                return fail_at(ctx, p, "parameter '%s' is declared twice", param->name);
        error = parse_param(param, ctx, p);
        if (error < 0)
            return error;
    }
    return 0;
}

static int parse_generation(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"seed", "steps", NULL};
    static const char *const skeys[] = {"model", "num_trials", NULL};
    const config_setting_t *list, *seed;
    int error, i, n;

    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error < 0)
        return error;
    seed = config_setting_get_member(g, "seed");
    if (seed != NULL) {
        if (!is_integer(seed) || config_setting_get_int64(seed) < 0)
            return type_error(ctx, seed, "an integer >= 0");
        cfg->seed = config_setting_get_int64(seed);
    }
    list = config_setting_get_member(g, "steps");
    if (list == NULL)
        return 0;
    if (config_setting_type(list) != CONFIG_TYPE_LIST || config_setting_length(list) == 0)
        return type_error(ctx, list,
                          "a non-empty list ( { model = \"SOBOL\"; num_trials = -1; } )");
    n = config_setting_length(list);
    free(cfg->steps);
    cfg->n_steps = 0;
    cfg->default_steps = 0;
    cfg->steps = calloc((size_t)n, sizeof(*cfg->steps));
    if (cfg->steps == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
        wjr_gen_step *step = &cfg->steps[i];
        char *model = NULL;

        step->num_trials = -1;
        error = need_group(ctx, s);
        if (error == 0)
            error = check_keys(ctx, s, skeys);
        if (error == 0)
            error = get_string(&model, ctx, s, "model");
        if (error == 0 && model == NULL)
            error = fail_at(ctx, s,
                            "generation_strategy.steps[%d] needs model = \"SOBOL\", "
                            "\"RANDOM\" or \"GPEI\"",
                            i);
        if (error == 0 && wjr__config_parse_model(&step->model, model) < 0)
            error = fail_at(ctx, config_setting_get_member(s, "model"),
                            "model \"%s\" is not available in wjr: use \"SOBOL\", \"RANDOM\" "
                            "or \"GPEI\" (\"BOTORCH_MODULAR\"), or drive the study from your "
                            "optimizer with wjr init/submit",
                            model);
        free(model);
        if (error < 0)
            return error;
        if (config_setting_get_member(s, "num_trials") == NULL)
            return fail_at(ctx, s, "generation_strategy.steps[%d] needs num_trials (-1: the rest)",
                           i);
        error = get_int(&step->num_trials, ctx, s, "num_trials", -1);
        if (error < 0)
            return error;
        if (step->num_trials == 0)
            return fail_at(ctx, config_setting_get_member(s, "num_trials"),
                           "num_trials must be positive, or -1 for the rest");
        if (step->num_trials == -1 && i + 1 < n)
            return fail_at(ctx, config_setting_get_member(s, "num_trials"),
                           "only the last step may have num_trials = -1");
        cfg->n_steps++;
    }
    return 0;
}

/* BOA's n_trials (top level or in scheduler): the study's total here. */
static int get_n_trials(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *s = config_setting_get_member(g, "n_trials");
    int64_t n = -1;
    int error;

    if (s == NULL)
        return 0;
    if (cfg->total_trials >= 0)
        return fail_at(ctx, s, "give n_trials or total_trials, not both");
    error = get_int(&n, ctx, g, "n_trials", 1);
    if (error == 0)
        cfg->total_trials = n;
    return error;
}

static int parse_scheduler(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"total_trials",
                                       "n_trials",
                                       "max_pending_trials",
                                       "run_trials_in_batches",
                                       "tolerated_trial_failure_rate",
                                       "init_seconds_between_polls",
                                       "ttl_seconds_for_trials",
                                       "max_infrastructure_retries",
                                       NULL};
    int error;

    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = get_int(&cfg->total_trials, ctx, g, "total_trials", 1);
    if (error == 0)
        error = get_n_trials(cfg, ctx, g);
    if (error == 0)
        error = get_int(&cfg->max_pending_trials, ctx, g, "max_pending_trials", 1);
    if (error == 0)
        error = get_bool(&cfg->run_trials_in_batches, ctx, g, "run_trials_in_batches");
    if (error == 0)
        error = get_double(&cfg->tolerated_failure_rate, ctx, g, "tolerated_trial_failure_rate",
                           0.0, 1.0);
    if (error == 0)
        error = get_double(&cfg->init_seconds_between_polls, ctx, g, "init_seconds_between_polls",
                           0.01, 3600.0);
    if (error == 0)
        error = get_double(&cfg->ttl_seconds, ctx, g, "ttl_seconds_for_trials", 1.0, 1e9);
    if (error == 0)
        error = get_int(&cfg->max_infra_retries, ctx, g, "max_infrastructure_retries", 0);
    return error;
}

static int valid_env_name(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

static int parse_env(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *e)
{
    int i, n = config_setting_length(e), t = config_setting_type(e);

    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_GROUP)
        return type_error(ctx, e, "a list of \"NAME=VALUE\" strings or a group { NAME = ...; }");
    cfg->env = calloc((size_t)n + 1, sizeof(char *));
    if (cfg->env == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(e, (unsigned)i);
        char *entry = NULL;

        if (t == CONFIG_TYPE_GROUP) {
            json_t *v = scalar_json(s);
            if (v == NULL || json_is_boolean(v)) {
                json_decref(v);
                return type_error(ctx, s, "a string or a number");
            }
            if (json_is_string(v))
                entry = wjr_asprintf("%s=%s", config_setting_name(s), json_string_value(v));
            else if (json_is_integer(v))
                entry = wjr_asprintf("%s=%lld", config_setting_name(s),
                                     (long long)json_integer_value(v));
            else {
                char num[64];

                wjr_format_double(num, sizeof(num), json_real_value(v));
                entry = wjr_asprintf("%s=%s", config_setting_name(s), num);
            }
            json_decref(v);
        } else {
            if (config_setting_type(s) != CONFIG_TYPE_STRING)
                return type_error(ctx, s, "a \"NAME=VALUE\" string");
            entry = wjr_strdup(config_setting_get_string(s));
        }
        if (entry == NULL)
            return WJR_ENOMEM;
        cfg->env[i] = entry;
        if (strchr(entry, '=') == NULL || !valid_env_name(entry, strcspn(entry, "=")))
            return fail_at(ctx, s,
                           "environment entry \"%s\" must be NAME=VALUE with NAME made of "
                           "letters, digits and _",
                           entry);
    }
    return 0;
}

static int parse_slurm(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const base_keys[] = {
        "partition", "time", "cpus_per_task",  "mem",     "account", "qos", "constraint",
        "gres",      "env",  "array_throttle", "requeue", NULL};
    const char *keys[sizeof(base_keys) / sizeof(base_keys[0]) + 16];
    const config_setting_t *e;
    size_t nk = 0, k;
    int64_t v;
    int error;

    for (k = 0; base_keys[k] != NULL; k++)
        keys[nk++] = base_keys[k];
    for (k = 0; wjr_config_slurm_keys[k] != NULL; k++)
        keys[nk++] = wjr_config_slurm_keys[k];
    keys[nk] = NULL;
    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = wjr_config_slurm_parse(&cfg->res, ctx->file, g, cfg);
    if (error == 0)
        error = get_string(&cfg->partition, ctx, g, "partition");
    if (error == 0 && !wjr_config_slurm_per_trial(&cfg->res, "time"))
        error = get_string_or_int(&cfg->time, ctx, g, "time");
    if (error == 0 && !wjr_config_slurm_per_trial(&cfg->res, "mem"))
        error = get_string_or_int(&cfg->mem, ctx, g, "mem");
    if (error == 0)
        error = get_string(&cfg->account, ctx, g, "account");
    if (error == 0)
        error = get_string(&cfg->qos, ctx, g, "qos");
    if (error == 0)
        error = get_string(&cfg->constraint, ctx, g, "constraint");
    if (error == 0)
        error = get_string(&cfg->gres, ctx, g, "gres");
    if (error < 0)
        return error;
    v = 0;
    if (!wjr_config_slurm_per_trial(&cfg->res, "cpus_per_task"))
        error = get_int(&v, ctx, g, "cpus_per_task", 1);
    if (error < 0)
        return error;
    if (v > 100000)
        return type_error(ctx, config_setting_get_member(g, "cpus_per_task"), "at most 100000");
    cfg->cpus_per_task = (int)v;
    v = 0;
    error = get_int(&v, ctx, g, "array_throttle", 0);
    if (error < 0)
        return error;
    if (v > 1000000)
        return type_error(ctx, config_setting_get_member(g, "array_throttle"), "at most 1000000");
    cfg->array_throttle = (int)v;
    if (config_setting_get_member(g, "requeue") != NULL) {
        error = get_bool(&cfg->requeue, ctx, g, "requeue");
        if (error < 0)
            return error;
    }
    e = config_setting_get_member(g, "env");
    if (e != NULL)
        return parse_env(cfg, ctx, e);
    return 0;
}

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
                       "the configuration needs script_options = { run_model = "
                       "\"...\"; experiment_dir = \"...\"; };");
    return 0;
}

static void set_defaults(wjr_study_config *cfg)
{
    cfg->total_trials = -1;
    cfg->max_pending_trials = 10;
    cfg->tolerated_failure_rate = 0.5;
    cfg->init_seconds_between_polls = 1.0;
    cfg->requeue = -1;
    cfg->seed = -1;
    cfg->objective_minimize = -1;
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
        error = parse_objective(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "parameters");
    if (s != NULL) {
        error = parse_parameters(cfg, ctx, s);
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
        error = parse_generation(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    s = config_setting_get_member(root, "scheduler");
    if (s != NULL) {
        error = parse_scheduler(cfg, ctx, s);
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
        error = parse_slurm(cfg, ctx, s);
        if (error < 0)
            return error;
    }
    error = get_n_trials(cfg, ctx, root);
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
        goto done;
    }
    if (config_read_file(&lc, path) != CONFIG_TRUE) {
        if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
            error = wjr_error_set(WJR_EIO, "%s: cannot read the file", path);
        else
            error = wjr_error_set(WJR_ECONFIG, "%s:%d: %s", path, config_error_line(&lc),
                                  config_error_text(&lc));
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

static int check_one_param(const wjr_param *p, json_t *v)
{
    size_t i;
    double x;

    if (p->kind == WJR_PARAM_RANGE) {
        if (!json_is_number(v))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' must be a number", p->name);
        x = json_number_value(v);
        if (p->is_int && !json_is_integer(v) && x != floor(x))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' must be an integer, not %g", p->name,
                                 x);
        if (!(x >= p->lo && x <= p->hi))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' = %g is outside its bounds [%g, %g]",
                                 p->name, x, p->lo, p->hi);
        return 0;
    }
    if (p->kind == WJR_PARAM_FIXED)
        return json_equal(v, p->values)
                   ? 0
                   : wjr_error_set(WJR_EINVALID, "parameter '%s' is fixed: it cannot change",
                                   p->name);
    for (i = 0; i < json_array_size(p->values); i++)
        if (json_equal(v, json_array_get(p->values, i)))
            return 0;
    return wjr_error_set(WJR_EINVALID, "parameter '%s' is not one of its choice values", p->name);
}

int wjr_study_config_check_params(const wjr_study_config *config, json_t *params)
{
    const char *key;
    json_t *value;
    size_t i;
    int error;

    if (!json_is_object(params))
        return wjr_error_set(WJR_EINVALID, "parameters must be a JSON object");
    if (config->n_params == 0) /* any object, if the commands' templates find their values */
        return wjr__cfg_check_command_values(config, params);
    json_object_foreach(params, key, value)
    {
        for (i = 0; i < config->n_params; i++)
            if (strcmp(config->params[i].name, key) == 0)
                break;
        if (i == config->n_params)
            return wjr_error_set(WJR_EINVALID, "unknown parameter '%s'", key);
        error = check_one_param(&config->params[i], value);
        if (error < 0)
            return error;
    }
    for (i = 0; i < config->n_params; i++)
        if (json_object_get(params, config->params[i].name) == NULL)
            return wjr_error_set(WJR_EINVALID, "parameter '%s' is missing", config->params[i].name);
    return 0;
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
