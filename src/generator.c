/*
 * generator.c - the study's trial generators: SOBOL (GSL's Sobol sequence,
 * scrambled by a seeded random digital shift) and RANDOM (GSL's mt19937),
 * and the map from the unit cube onto the declared parameters.
 *
 * A generator holds no state worth saving: trial i's parameters are a pure
 * function of the configuration (seed, steps, parameters, parameter
 * constraints) and i, so a resumed study regenerates them by skipping the
 * points drawn before. Points that break a parameter constraint are drawn
 * and rejected (tested by their values: the parameters object is built
 * only for a point kept), so the i-th point is the i-th feasible one. When the
 * constraints leave so small a part of the box that MAX_REJECTED points in
 * a row fall outside it (ten proportions summing to at most 0.1 leave
 * 1e-17 of it), the rest of the step walks inside the region instead
 * (polytope.c), from the same seed, so a resumed study still regenerates
 * the same points. Step k of the
 * generation strategy uses seed + k. GPEI steps are not drawn here (their
 * points depend on the trials' outcomes: study_gpei.c). This file knows
 * nothing of runners, files or Slurm.
 */
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "polytope.h"
#include "study_int.h"
#include "util.h"

#define MAX_REJECTED 100000 /* points rejected in a row before walking */
#define MAX_WALKED   10000  /* walked points rounded outside before giving up */

struct wjr_generator {
    const wjr_study_config *config;
    size_t dims;     /* parameters that vary (range and choice) */
    size_t step;     /* the step the state below belongs to */
    int64_t pos;     /* points of that step drawn so far; -1: no state */
    int64_t sobol_n; /* SOBOL points of that step made so far */
    gsl_qrng *qrng;
    gsl_rng *rng;
    uint32_t *masks; /* SOBOL's digital shift, one per dimension */
    double *u;       /* [dims] */
    double *x;       /* [n_params]: the values point_feasible tests */
    int walking;     /* the step's points come from poly's walk */
    wjr_polytope poly;
};

static void reset_state(wjr_generator *gen)
{
    gsl_qrng_free(gen->qrng);
    gsl_rng_free(gen->rng);
    gen->qrng = NULL;
    gen->rng = NULL;
    gen->pos = -1;
    gen->sobol_n = 0;
    gen->walking = 0;
    wjr_polytope_clear(&gen->poly);
}

void wjr_generator_free(wjr_generator *gen)
{
    if (gen == NULL)
        return;
    reset_state(gen);
    free(gen->masks);
    free(gen->u);
    free(gen->x);
    free(gen);
}

int wjr_generator_new(wjr_generator **out, const wjr_study_config *config)
{
    wjr_generator *gen;
    size_t i;

    *out = NULL;
    gen = calloc(1, sizeof(*gen));
    if (gen == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    gen->config = config;
    for (i = 0; i < config->n_params; i++)
        if (config->params[i].kind != WJR_PARAM_FIXED)
            gen->dims++;
    gen->masks = calloc(gen->dims + 1, sizeof(*gen->masks));
    gen->u = calloc(gen->dims + 1, sizeof(*gen->u));
    gen->x = calloc(config->n_params + 1, sizeof(*gen->x));
    gen->pos = -1;
    if (gen->masks == NULL || gen->u == NULL || gen->x == NULL) {
        wjr_generator_free(gen);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    *out = gen;
    return 0;
}

static unsigned long step_seed(const wjr_generator *gen, size_t step)
{
    long long seed = gen->config->seed < 0 ? 0 : gen->config->seed;
    return (unsigned long)(seed + (long long)step);
}

/* Position the state at the start of `step`. */
static int start_step(wjr_generator *gen, size_t step)
{
    const wjr_gen_step *s = &gen->config->steps[step];
    size_t d;

    reset_state(gen);
    gen->step = step;
    gen->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (gen->rng == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    gsl_rng_set(gen->rng, step_seed(gen, step));
    if (s->model == WJR_MODEL_SOBOL && gen->dims > 0) {
        for (d = 0; d < gen->dims; d++)
            gen->masks[d] = (uint32_t)gsl_rng_get(gen->rng);
        gen->qrng = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned int)gen->dims);
        if (gen->qrng == NULL)
            return wjr_error_set(WJR_EINVALID, "SOBOL cannot handle %zu dimensions", gen->dims);
    }
    gen->pos = 0;
    return 0;
}

/* The next point of the current step into gen->u. */
static void next_point(wjr_generator *gen)
{
    size_t d;

    if (gen->qrng != NULL) {
        /* GSL's sequence leaves out its first point, the origin: without
         * it the first 2^k points are not one per 2^k-th of each axis
         * (four points fall 2, 3, 1, 1 in quarters) */
        if (gen->sobol_n++ == 0 && gen->config->sobol_origin)
            for (d = 0; d < gen->dims; d++)
                gen->u[d] = 0.0;
        else
            gsl_qrng_get(gen->qrng, gen->u);
        for (d = 0; d < gen->dims; d++) {
            double scaled = ldexp(gen->u[d], 32);
            uint32_t x = scaled >= 4294967295.0 ? UINT32_MAX : (uint32_t)scaled;
            x ^= gen->masks[d];
            gen->u[d] = ldexp((double)x + 0.5, -32);
        }
    } else {
        for (d = 0; d < gen->dims; d++)
            gen->u[d] = gsl_rng_uniform(gen->rng);
    }
}

/* A range parameter's value at u in [0, 1): a whole number for an integer. */
static double range_value(const wjr_param *p, double u)
{
    double lo = p->lo, hi = p->hi, x;

    if (p->is_int) {
        if (p->log_scale)
            x = floor(exp(log(lo) + u * (log(hi + 1.0) - log(lo))));
        else
            x = lo + floor(u * (hi - lo + 1.0));
        return x < lo ? lo : x > hi ? hi : x;
    }
    if (p->log_scale)
        x = exp(log(lo) + u * (log(hi) - log(lo)));
    else
        x = lo + u * (hi - lo);
    if (p->has_digits) /* Ax's digits: round, then stay within the bounds */
        x = round(x * pow(10.0, p->digits)) / pow(10.0, p->digits);
    return x < lo ? lo : x > hi ? hi : x;
}

static json_t *map_range(const wjr_param *p, double u)
{
    double x = range_value(p, u);

    return p->is_int ? json_integer((json_int_t)x) : json_real(x);
}

/* 1 when the unit-cube point in gen->u satisfies the parameter
 * constraints: the values they weigh are the ranges' (a constraint names
 * no choice, fixed or log-scaled parameter), computed as map_point would,
 * so the test agrees with wjr__config_params_feasible on its object
 * without building it. */
static int point_feasible(const wjr_generator *gen)
{
    const wjr_study_config *cfg = gen->config;
    size_t i, d = 0;

    for (i = 0; i < cfg->n_params; i++) {
        const wjr_param *p = &cfg->params[i];
        if (p->kind == WJR_PARAM_RANGE)
            gen->x[i] = range_value(p, gen->u[d]);
        else
            gen->x[i] = NAN;
        if (p->kind != WJR_PARAM_FIXED)
            d++;
    }
    return wjr__config_values_feasible(cfg, gen->x);
}

/* The unit-cube point in gen->u as a parameters object. */
static int map_point(json_t **out, const wjr_generator *gen)
{
    const wjr_study_config *cfg = gen->config;
    json_t *obj = json_object();
    size_t i, d = 0;
    int error = 0;

    if (obj == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < cfg->n_params && error == 0; i++) {
        const wjr_param *p = &cfg->params[i];
        json_t *v = NULL;

        if (p->kind == WJR_PARAM_RANGE) {
            v = map_range(p, gen->u[d++]);
        } else if (p->kind == WJR_PARAM_CHOICE) {
            size_t n = json_array_size(p->values);
            size_t k = (size_t)floor(gen->u[d++] * (double)n);
            v = json_incref(json_array_get(p->values, k < n ? k : n - 1));
        } else {
            v = json_incref(p->values);
        }
        if (v == NULL || json_object_set_new(obj, p->name, v) != 0)
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    if (error < 0) {
        json_decref(obj);
        return error;
    }
    *out = obj;
    return 0;
}

/* Start walking inside the region the parameter constraints leave. */
static int start_walk(wjr_generator *gen)
{
    int error = wjr__config_constraint_region(&gen->poly, gen->config);

    if (error < 0)
        return error;
    error = wjr_polytope_start(&gen->poly);
    if (error == WJR_ENOMEM)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (error < 0)
        return wjr_error_set(WJR_ESTATE, "the parameter constraints leave no room within the "
                                         "parameters' bounds");
    gen->walking = 1;
    return 0;
}

/* Draw the step's next point that satisfies the parameter constraints;
 * its parameters go to *out when out is non-NULL. */
static int next_feasible(json_t **out, wjr_generator *gen)
{
    json_t *params = NULL;
    long tries, limit = gen->walking ? MAX_WALKED : MAX_REJECTED;
    int error;

    for (tries = 0; tries < limit; tries++) {
        if (gen->walking)
            wjr_polytope_walk(&gen->poly, gen->rng, gen->u);
        else
            next_point(gen);
        if (gen->config->n_linear == 0 || point_feasible(gen))
            break;
    }
    if (tries == limit && !gen->walking) {
        error = start_walk(gen);
        return error < 0 ? error : next_feasible(out, gen);
    }
    if (tries == limit)
        return wjr_error_set(WJR_ESTATE,
                             "the parameter constraints leave almost no room within the bounds: "
                             "%d points drawn inside them in a row broke them once the integer "
                             "parameters were rounded",
                             MAX_WALKED);
    gen->pos++;
    if (out == NULL)
        return 0;
    error = map_point(&params, gen);
    if (error < 0)
        return error;
    *out = params;
    return 0;
}

int wjr_generator_draw(json_t **out, wjr_generator *gen, int64_t index)
{
    const wjr_study_config *cfg = gen->config;
    int64_t start = 0, step, k;
    int error;

    *out = NULL;
    if (cfg->n_params == 0)
        return wjr_error_set(WJR_EINVALID, "the configuration declares no parameters");
    if (index < 0)
        return wjr_error_set(WJR_EINVALID, "trial index %lld is negative", (long long)index);
    step = wjr__config_step_of(cfg, index);
    if (step < 0)
        return wjr_error_set(WJR_EINVALID, "trial %lld is past the generation strategy's steps",
                             (long long)index);
    if (cfg->steps[step].model == WJR_MODEL_GPEI)
        return wjr_error_set(WJR_ESTATE,
                             "trial %lld belongs to a GPEI step: its parameters depend on the "
                             "outcomes of the trials before it",
                             (long long)index);
    for (k = 0; k < step; k++)
        start += cfg->steps[k].num_trials;
    if (gen->pos < 0 || gen->step != (size_t)step || gen->pos > index - start) {
        error = start_step(gen, (size_t)step);
        if (error < 0)
            return error;
    }
    while (gen->pos < index - start) {
        error = next_feasible(NULL, gen);
        if (error < 0)
            return error;
    }
    return next_feasible(out, gen);
}

int wjr_study_config_generate(char **out, const wjr_study_config *config, int64_t index)
{
    wjr_generator *gen = NULL;
    json_t *params = NULL;
    int error;

    *out = NULL;
    error = wjr_generator_new(&gen, config);
    if (error < 0)
        goto done;
    error = wjr_generator_draw(&params, gen, index);
    if (error < 0)
        goto done;
    *out = wjr_json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (*out == NULL)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
done:
    json_decref(params);
    wjr_generator_free(gen);
    return error;
}
