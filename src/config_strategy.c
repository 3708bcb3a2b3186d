/*
 * config_strategy.c - the generation strategy's part of a study
 * configuration: step models by name (SOBOL, RANDOM, GPEI and its alias
 * BOTORCH_MODULAR), BOA's default strategy (SOBOL, then GPEI), the linear
 * parameter constraints ("x1 + 2*x2 <= 10") and the outcome constraints
 * ("l2norm <= 1.25"), and the checks that tie them to the parameters and
 * metrics (a constraint on an undeclared metric is a warning, not an
 * error). config.c calls in here; this file reads libconfig settings and
 * strings, and generates nothing.
 */
#include <ctype.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"
#include "polytope.h"
#include "util.h"

static int fail_line(const char *file, const config_setting_t *s, const char *fmt, ...)
    WJR_FORMAT(3, 4);

static int fail_line(const char *file, const config_setting_t *s, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    int line = s != NULL ? config_setting_source_line(s) : 0;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return wjr_error_set(WJR_ECONFIG, "%s:%d: %s", file, line > 0 ? line : 1, msg);
}

const char *wjr__model_name(wjr_model model)
{
    switch (model) {
    case WJR_MODEL_SOBOL:
        return "SOBOL";
    case WJR_MODEL_RANDOM:
        return "RANDOM";
    case WJR_MODEL_GPEI:
        return "GPEI";
    }
    return "?";
}

int wjr__config_parse_model(wjr_model *out, const char *name)
{
    if (strcasecmp(name, "SOBOL") == 0)
        *out = WJR_MODEL_SOBOL;
    else if (strcasecmp(name, "RANDOM") == 0 || strcasecmp(name, "UNIFORM") == 0)
        *out = WJR_MODEL_RANDOM;
    else if (strcasecmp(name, "GPEI") == 0 || strcasecmp(name, "BOTORCH_MODULAR") == 0)
        *out = WJR_MODEL_GPEI;
    else
        return -1;
    return 0;
}

int64_t wjr__config_step_of(const wjr_study_config *cfg, int64_t index)
{
    int64_t start = 0;
    size_t step;

    for (step = 0; step < cfg->n_steps; step++) {
        int64_t n = cfg->steps[step].num_trials;
        if (n < 0 || index < start + n)
            return (int64_t)step;
        start += n;
    }
    return -1;
}

static size_t varying(const wjr_study_config *cfg)
{
    size_t i, dims = 0;

    for (i = 0; i < cfg->n_params; i++)
        if (cfg->params[i].kind != WJR_PARAM_FIXED)
            dims++;
    return dims;
}

int wjr__config_default_steps(wjr_study_config *cfg)
{
    wjr_gen_step *steps = calloc(2, sizeof(*steps));
    size_t dims = varying(cfg);

    if (steps == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    steps[0].model = WJR_MODEL_SOBOL;
    steps[0].num_trials = (int64_t)(2 * dims > 5 ? 2 * dims : 5);
    steps[1].model = WJR_MODEL_GPEI;
    steps[1].num_trials = -1;
    cfg->n_steps = 2;
    if (cfg->n_metrics == 0 || dims == 0) { /* nothing to model: SOBOL throughout */
        steps[0].num_trials = -1;
        cfg->n_steps = 1;
    }
    free(cfg->steps);
    cfg->steps = steps;
    cfg->default_steps = 1;
    return 0;
}

/* ---- linear expressions -------------------------------------------------- */

typedef struct lexer {
    const char *p;
    const wjr_study_config *cfg;
    double *coef; /* [n_params] */
    double constant;
    char err[256];
} lexer;

static void skip_space(lexer *lx)
{
    while (isspace((unsigned char)*lx->p))
        lx->p++;
}

static int read_number(lexer *lx, double *out)
{
    char *end;

    skip_space(lx);
    *out = strtod(lx->p, &end);
    if (end == lx->p || !isfinite(*out))
        return -1;
    lx->p = end;
    return 0;
}

/* A parameter name at lx->p: its index, or -1 with lx->err set. */
static int read_name(lexer *lx, size_t *out)
{
    const char *start;
    size_t n, i;

    skip_space(lx);
    start = lx->p;
    while (isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '.')
        lx->p++;
    n = (size_t)(lx->p - start);
    if (n == 0 || isdigit((unsigned char)start[0])) {
        snprintf(lx->err, sizeof(lx->err), "expected a parameter name or a number at '%s'", start);
        return -1;
    }
    for (i = 0; i < lx->cfg->n_params; i++) {
        const wjr_param *p = &lx->cfg->params[i];
        if (strlen(p->name) != n || strncmp(p->name, start, n) != 0)
            continue;
        if (p->kind != WJR_PARAM_RANGE || p->log_scale) {
            snprintf(lx->err, sizeof(lx->err),
                     "parameter '%s' is %s: linear constraints apply to ranges on a linear "
                     "scale",
                     p->name,
                     p->kind == WJR_PARAM_CHOICE  ? "a choice"
                     : p->kind == WJR_PARAM_FIXED ? "fixed"
                                                  : "log-scaled");
            return -1;
        }
        *out = i;
        return 0;
    }
    snprintf(lx->err, sizeof(lx->err), "'%.*s' is not a declared parameter", (int)n, start);
    return -1;
}

/* term := [number '*'] name | number | name '*' number; added with sign */
static int read_term(lexer *lx, double sign)
{
    double c = 1.0, c2;
    size_t idx;

    skip_space(lx);
    if (isdigit((unsigned char)*lx->p) || *lx->p == '.') {
        if (read_number(lx, &c) < 0) {
            snprintf(lx->err, sizeof(lx->err), "bad number at '%s'", lx->p);
            return -1;
        }
        skip_space(lx);
        if (*lx->p != '*') {
            lx->constant += sign * c;
            return 0;
        }
        lx->p++;
    }
    if (read_name(lx, &idx) < 0)
        return -1;
    skip_space(lx);
    if (*lx->p == '*') {
        lx->p++;
        if (read_number(lx, &c2) < 0) {
            snprintf(lx->err, sizeof(lx->err), "expected a number after '*' at '%s'", lx->p);
            return -1;
        }
        c *= c2;
    }
    lx->coef[idx] += sign * c;
    return 0;
}

/* side := ['-'] term (('+'|'-') term)*, added with sign */
static int read_side(lexer *lx, double sign)
{
    double s = 1.0;

    skip_space(lx);
    if (*lx->p == '-' || *lx->p == '+') {
        s = *lx->p == '-' ? -1.0 : 1.0;
        lx->p++;
    }
    for (;;) {
        if (read_term(lx, sign * s) < 0)
            return -1;
        skip_space(lx);
        if (*lx->p != '+' && *lx->p != '-')
            return 0;
        s = *lx->p == '-' ? -1.0 : 1.0;
        lx->p++;
    }
}

/* "lhs <= rhs" or "lhs >= rhs" into coef . x <= bound. */
static int parse_linear(wjr_linear_constraint *out, const wjr_study_config *cfg, const char *text,
                        char *err, size_t errsize)
{
    lexer lx;
    double flip;
    size_t i, nz = 0;

    memset(&lx, 0, sizeof(lx));
    lx.p = text;
    lx.cfg = cfg;
    lx.coef = calloc(cfg->n_params + 1, sizeof(double));
    if (lx.coef == NULL)
        return WJR_ENOMEM;
    if (read_side(&lx, 1.0) < 0)
        goto bad;
    skip_space(&lx);
    if ((lx.p[0] != '<' && lx.p[0] != '>') || lx.p[1] != '=') {
        snprintf(lx.err, sizeof(lx.err), "expected <= or >= at '%s'", lx.p);
        goto bad;
    }
    flip = lx.p[0] == '>' ? -1.0 : 1.0;
    lx.p += 2;
    if (read_side(&lx, -1.0) < 0)
        goto bad;
    skip_space(&lx);
    if (*lx.p != '\0') {
        snprintf(lx.err, sizeof(lx.err), "unexpected '%s' after the constraint", lx.p);
        goto bad;
    }
    /* lhs - rhs <= 0, i.e. coef . x + constant <= 0 */
    for (i = 0; i < cfg->n_params; i++) {
        lx.coef[i] *= flip;
        nz += lx.coef[i] != 0.0;
    }
    if (nz == 0) {
        snprintf(lx.err, sizeof(lx.err), "the constraint names no parameter");
        goto bad;
    }
    out->coef = lx.coef;
    out->bound = -flip * lx.constant;
    return 0;
bad:
    snprintf(err, errsize, "%s", lx.err);
    free(lx.coef);
    return -1;
}

/* Whether the constraint leaves any point of the box: min of coef . x. */
static double box_min(const wjr_study_config *cfg, const double *coef)
{
    double s = 0.0;
    size_t i;

    for (i = 0; i < cfg->n_params; i++)
        s += coef[i] * (coef[i] > 0 ? cfg->params[i].lo : cfg->params[i].hi);
    return s;
}

int wjr__config_constraint_region(wjr_polytope *out, const wjr_study_config *cfg)
{
    size_t dims = 0, c, i, d;

    for (i = 0; i < cfg->n_params; i++)
        dims += cfg->params[i].kind != WJR_PARAM_FIXED;
    if (wjr_polytope_init(out, dims, cfg->n_linear) < 0)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (c = 0; c < cfg->n_linear; c++) {
        const wjr_linear_constraint *lc = &cfg->linear[c];
        out->b[c] = lc->bound;
        for (i = 0, d = 0; i < cfg->n_params; i++) {
            const wjr_param *p = &cfg->params[i];
            double lo = p->is_int ? p->lo - 0.5 : p->lo, width = p->hi - p->lo + p->is_int;
            if (p->kind == WJR_PARAM_FIXED)
                continue;
            if (lc->coef[i] != 0.0) { /* a linear range (read_name) */
                out->a[c * dims + d] = lc->coef[i] * width;
                out->b[c] -= lc->coef[i] * lo;
            }
            d++;
        }
    }
    return 0;
}

/* Each constraint leaves room within the bounds (box_min); this checks
 * that they do together, as "x1 + x2 <= 1" and "x1 + x2 >= 2" do not, and
 * that the room is more than a plane, which no draw would ever hit. */
static int check_region(const wjr_study_config *cfg, const char *file, const config_setting_t *list)
{
    wjr_polytope poly;
    int error = wjr__config_constraint_region(&poly, cfg);

    if (error < 0)
        return error;
    error = wjr_polytope_start(&poly);
    wjr_polytope_clear(&poly);
    if (error == WJR_ENOMEM)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (error < 0)
        return fail_line(file, list,
                         "parameter_constraints leave no room within the parameters' bounds: "
                         "no point satisfies them all, or only the points of a plane (as "
                         "\"x <= 0\" does for x in [0, 1], or a <= and a >= with one bound)");
    return 0;
}

static int check_list(const char *file, const config_setting_t *list, const char *what)
{
    int i, n;

    if (config_setting_type(list) != CONFIG_TYPE_LIST &&
        config_setting_type(list) != CONFIG_TYPE_ARRAY)
        return fail_line(file, list, "%s must be a list of strings like %s", what,
                         strcmp(what, "parameter_constraints") == 0 ? "( \"x1 + 2*x2 <= 10\" )"
                                                                    : "( \"l2norm <= 1.25\" )");
    n = config_setting_length(list);
    for (i = 0; i < n; i++)
        if (config_setting_type(config_setting_get_elem(list, (unsigned)i)) != CONFIG_TYPE_STRING)
            return fail_line(file, list, "%s[%d] must be a string", what, i);
    return 0;
}

int wjr__config_parse_parameter_constraints(wjr_study_config *cfg, const char *file,
                                            const config_setting_t *list)
{
    int error = check_list(file, list, "parameter_constraints"), i, n;
    char err[300];

    if (error < 0)
        return error;
    n = config_setting_length(list);
    cfg->linear = calloc((size_t)n + 1, sizeof(*cfg->linear));
    if (cfg->linear == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *text = config_setting_get_string(e);
        wjr_linear_constraint *c = &cfg->linear[i];

        c->text = wjr_strdup(text);
        if (c->text == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        cfg->n_linear++;
        error = parse_linear(c, cfg, text, err, sizeof(err));
        if (error == WJR_ENOMEM)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        if (error < 0)
            return fail_line(file, list, "parameter_constraints[%d] \"%s\": %s", i, text, err);
        if (box_min(cfg, c->coef) > c->bound)
            return fail_line(file, list,
                             "parameter_constraints[%d] \"%s\" excludes every point within the "
                             "parameters' bounds",
                             i, text);
    }
    return n > 0 ? check_region(cfg, file, list) : 0;
}

/* A constraint on a metric no objective declares is valid (BOA fetches it
 * as a metric the model must report), but often a typo: warn, naming the
 * declared metrics and the closest one. */
static int warn_undeclared(wjr_study_config *cfg, const char *file, const config_setting_t *e,
                           int i, const wjr_outcome_constraint *c)
{
    const char *guess = NULL;
    char declared[512] = "";
    size_t k, used = 0;
    int line = config_setting_source_line(e);

    for (k = 0; k < cfg->n_metrics && used < sizeof(declared); k++) {
        int w = snprintf(declared + used, sizeof(declared) - used, "%s%s", k ? ", " : "",
                         cfg->metrics[k].name);
        used += w > 0 ? (size_t)w : 0;
    }
    if (cfg->metric_names != NULL)
        guess = wjr_closest_name(c->metric, cfg->metric_names);
    return wjr__config_warn(cfg,
                            "%s:%d: outcome_constraints[%d] \"%s\": '%s' is not a declared metric "
                            "(%s%s%s%s%s); the model must report it, or every trial fails",
                            file, line > 0 ? line : 1, i, c->text, c->metric,
                            cfg->n_metrics > 0 ? "objective.metrics: " : "",
                            cfg->n_metrics > 0 ? declared : "no metric is declared",
                            guess != NULL ? "; did you mean '" : "", guess != NULL ? guess : "",
                            guess != NULL ? "'?" : "");
}

int wjr__config_parse_outcome_constraints(wjr_study_config *cfg, const char *file,
                                          const config_setting_t *list)
{
    int error = check_list(file, list, "outcome_constraints"), i, n;
    const char **names;
    size_t k, extra = 0;

    if (error < 0)
        return error;
    n = config_setting_length(list);
    cfg->outcome = calloc((size_t)n + 1, sizeof(*cfg->outcome));
    if (cfg->outcome == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *text = config_setting_get_string(e);
        wjr_outcome_constraint *c = &cfg->outcome[i];

        c->text = wjr_strdup(text);
        if (c->text == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        cfg->n_outcome++;
        error = wjr__cfg_comparison(&c->metric, &c->upper, &c->bound, text);
        if (error == WJR_ENOMEM)
            return error;
        if (error < 0)
            return fail_line(file, list, "outcome_constraints[%d] \"%s\"%s", i, text,
                             wjr_error_last());
        for (k = 0; k < cfg->n_metrics; k++)
            if (strcmp(cfg->metrics[k].name, c->metric) == 0)
                break;
        if (k < cfg->n_metrics && wjr__config_is_objective(cfg, k))
            return fail_line(file, list,
                             "outcome_constraints[%d] \"%s\" constrains the objective '%s' "
                             "itself",
                             i, text, c->metric);
        if (k == cfg->n_metrics) {
            extra++;
            error = warn_undeclared(cfg, file, e, i, c);
            if (error < 0)
                return error;
        }
    }
    /* constrained metrics that are not objectives are fetched too */
    names = realloc(cfg->metric_names, (cfg->n_metrics + extra + 1) * sizeof(char *));
    if (names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    cfg->metric_names = names;
    extra = cfg->n_metrics;
    for (k = 0; k < cfg->n_outcome; k++) {
        size_t j;
        for (j = 0; j < extra; j++)
            if (strcmp(names[j], cfg->outcome[k].metric) == 0)
                break;
        if (j == extra)
            names[extra++] = cfg->outcome[k].metric;
    }
    names[extra] = NULL;
    return 0;
}

int wjr__config_check_strategy(const wjr_study_config *cfg, const char *file, const config_t *lc)
{
    size_t i;
    int gpei = 0;

    for (i = 0; i < cfg->n_steps; i++)
        gpei |= cfg->steps[i].model == WJR_MODEL_GPEI;
    if (gpei && cfg->n_params > 0 && varying(cfg) == 0)
        return fail_line(file, config_lookup(lc, "parameters"),
                         "GPEI has nothing to search: every parameter is fixed");
    if (gpei && cfg->n_params > 0 && cfg->n_metrics == 0)
        return fail_line(file, config_root_setting(lc),
                         "GPEI needs objective = { metrics = ( { name = \"...\"; minimize = "
                         "true; } ); }; to know what to optimize");
    if (gpei && cfg->n_metrics > 0 && wjr__config_objectives(cfg) == 0)
        return fail_line(file, config_lookup(lc, "objective.metrics"),
                         "GPEI needs a metric to optimize: every metric is info_only");
    if (cfg->n_outcome > 0 && !gpei)
        return fail_line(file, config_lookup(lc, "objective.outcome_constraints"),
                         "outcome constraints need a GPEI step (SOBOL and RANDOM ignore "
                         "outcomes)");
    return 0;
}

void wjr__config_strategy_free(wjr_study_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_linear; i++) {
        free(cfg->linear[i].text);
        free(cfg->linear[i].coef);
    }
    free(cfg->linear);
    for (i = 0; i < cfg->n_outcome; i++) {
        free(cfg->outcome[i].text);
        free(cfg->outcome[i].metric);
    }
    free(cfg->outcome);
}

/* ---- evaluation ---------------------------------------------------------- */

int wjr__config_values_feasible(const wjr_study_config *cfg, const double *x)
{
    size_t c;

    for (c = 0; c < cfg->n_linear; c++)
        if (!wjr_linear_holds(cfg->linear[c].coef, x, cfg->n_params, cfg->linear[c].bound))
            return 0;
    return 1;
}

int wjr__config_params_feasible(const wjr_study_config *cfg, json_t *params)
{
    double stack[32] = {0}, *x = stack;
    size_t i;
    int ok;

    if (cfg->n_linear == 0)
        return 1;
    if (cfg->n_params > sizeof(stack) / sizeof(stack[0])) {
        x = malloc(cfg->n_params * sizeof(*x));
        if (x == NULL)
            return 0;
    }
    for (i = 0; i < cfg->n_params; i++) {
        json_t *v = json_object_get(params, cfg->params[i].name);
        x[i] = json_is_number(v) ? json_number_value(v) : NAN;
    }
    ok = wjr__config_values_feasible(cfg, x);
    if (x != stack)
        free(x);
    return ok;
}

int wjr__config_outcomes_ok(const wjr_study_config *cfg, json_t *metrics)
{
    size_t c;

    for (c = 0; c < cfg->n_outcome; c++) {
        const wjr_outcome_constraint *oc = &cfg->outcome[c];
        json_t *m = json_object_get(metrics, oc->metric);
        json_t *mean = json_is_object(m) ? json_object_get(m, "mean") : m;
        double v = json_is_number(mean) ? json_number_value(mean) : NAN;

        if (oc->upper ? !(v <= oc->bound) : !(v >= oc->bound))
            return 0;
    }
    return 1;
}

int wjr_study_config_strategy(char **out, const wjr_study_config *cfg)
{
    wjr_buf b = WJR_BUF_INIT;
    size_t i, searched = 0;
    int64_t used = 0;

    *out = NULL;
    for (i = 0; i < cfg->n_steps; i++) {
        const wjr_gen_step *st = &cfg->steps[i];
        if (cfg->total_trials >= 0 && used >= cfg->total_trials) {
            /* a step the study never reaches: say so, not "for the rest" */
            wjr_buf_printf(&b, "; total_trials %lld ends the study before %s",
                           (long long)cfg->total_trials, wjr__model_name(st->model));
            break;
        }
        used += st->num_trials < 0 ? INT64_MAX / 2 : st->num_trials;
        if (st->num_trials < 0)
            wjr_buf_printf(&b, "%s%s for the rest", i > 0 ? ", then " : "",
                           wjr__model_name(st->model));
        else
            wjr_buf_printf(&b, "%s%s for %lld trial%s", i > 0 ? ", then " : "",
                           wjr__model_name(st->model), (long long)st->num_trials,
                           st->num_trials == 1 ? "" : "s");
        if (st->max_parallelism > 0)
            wjr_buf_printf(&b, " (at most %lld in flight)", (long long)st->max_parallelism);
    }
    for (i = 0; i < cfg->n_params; i++)
        searched += cfg->params[i].kind != WJR_PARAM_FIXED;
    if (cfg->default_steps && cfg->n_steps == 1)
        wjr_buf_puts(&b, " (the default)");
    else if (cfg->default_steps)
        wjr_buf_printf(&b, " (the default: SOBOL for max(5, 2 x %zu searched parameter%s))",
                       searched, searched == 1 ? "" : "s");
    if (cfg->n_linear > 0)
        wjr_buf_printf(&b, "; %zu parameter constraint%s", cfg->n_linear,
                       cfg->n_linear == 1 ? "" : "s");
    if (cfg->n_outcome > 0)
        wjr_buf_printf(&b, "; %zu outcome constraint%s", cfg->n_outcome,
                       cfg->n_outcome == 1 ? "" : "s");
    if (wjr__config_objectives(cfg) > 1) {
        wjr_buf_printf(
            &b, "; %zu objectives, whose result is a Pareto front:", wjr__config_objectives(cfg));
        for (i = 0; i < wjr__config_objectives(cfg); i++) {
            const wjr_metric *m = wjr__config_objective_metric(cfg, i);
            wjr_buf_printf(&b, "%s %s (%s", i > 0 ? "," : "", m->name,
                           m->minimize ? "minimized" : "maximized");
            if (!isnan(m->threshold))
                wjr_buf_printf(&b, ", threshold %g", m->threshold);
            wjr_buf_puts(&b, ")");
        }
    }
    return wjr_buf_detach(out, &b);
}

int wjr__cfg_parse_generation(wjr_study_config *cfg, const parse_ctx *ctx,
                              const config_setting_t *g)
{
    static const char *const keys[] = {"seed", "steps", NULL};
    static const char *const skeys[] = {"model", "num_trials", "max_parallelism", NULL};
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
        step->max_parallelism = -1;
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
        /* Ax's cap on the step's trials in flight (null or -1: none) */
        error = get_int(&step->max_parallelism, ctx, s, "max_parallelism", -1);
        if (error < 0)
            return error;
        if (step->max_parallelism == 0)
            return fail_at(ctx, config_setting_get_member(s, "max_parallelism"),
                           "max_parallelism must be positive, or -1 (or null) for no cap");
        cfg->n_steps++;
    }
    return 0;
}
