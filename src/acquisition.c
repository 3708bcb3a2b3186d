/*
 * acquisition.c - log expected improvement, weighted by the probability of
 * satisfying the outcome constraints, and its maximization over the search
 * space: many quasi-random candidates (a shifted Sobol sequence) plus
 * perturbations of the best trials, then bounded gradient polishing of the
 * best few with NLopt (L-BFGS, or SLSQP when linear constraints apply).
 * When the linear constraints leave so little of the box that few of those
 * candidates satisfy them, more are drawn by a walk inside the region the
 * constraints leave (polytope.c).
 *
 * log EI = log sigma + log h(z), h(z) = phi(z) + z Phi(z), is computed so
 * that it stays finite and accurate far below the incumbent (z down to
 * -1e150), where EI itself underflows to 0. A greedy choice (a batch's
 * last point, optimizer.c) maximizes the posterior mean instead, and a
 * batch's middle points an upper confidence bound (mean + beta sd), with
 * the same feasibility terms. Integer and choice parameters are held at their
 * candidate's values while polishing; only continuous ranges move. This
 * file knows the model (gp.c) and the encoding (optimizer.c), nothing of
 * studies.
 */
#include <gsl/gsl_math.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <nlopt.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer_int.h"
#include "util.h"

#define LOG_SQRT_2PI    0.91893853320467274178
#define N_QUASI         768 /* quasi-random candidates */
#define N_LOCAL_BASES   5   /* best trials perturbed */
#define N_LOCAL_EACH    40  /* perturbations of each */
#define N_POLISH        8   /* best candidates polished */
#define POLISH_MAX_EVAL 150
#define MAX_TRIES       64            /* rounds of candidates before giving up on feasibility */
#define WALK_BELOW      (N_QUASI / 8) /* fewer feasible candidates: walk the region */

static double log_phi(double z)
{
    return -0.5 * z * z - LOG_SQRT_2PI;
}

double wjr_log_ncdf(double z)
{
    return gsl_sf_log_erfc(-z / M_SQRT2) - M_LN2;
}

/* log(1 - exp(a)) for a < 0 */
static double log1mexp(double a)
{
    return a > -M_LN2 ? log(-expm1(a)) : log1p(-exp(a));
}

double wjr_log_h(double z)
{
    if (z > -1.0)
        return log(exp(log_phi(z)) + z * 0.5 * erfc(-z / M_SQRT2));
    if (z > -40.0) {
        /* h = phi(z) (1 - |z| Phi(z)/phi(z)), Phi/phi = sqrt(pi/2) erfcx(|z|/sqrt2) */
        double x = -z / M_SQRT2;
        double lr = log(-z) + x * x + gsl_sf_log_erfc(x) + 0.5 * log(M_PI / 2.0);
        return log_phi(z) + log1mexp(lr);
    }
    {
        /* asymptotic series: h = phi(z)/z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8) */
        double w = 1.0 / (z * z);
        return log_phi(z) + log(w) + log1p(w * (-3.0 + w * (15.0 + w * (-105.0 + 945.0 * w))));
    }
}

double wjr_log_h_slope(double z)
{
    if (z <= -40.0) {
        /* Phi/h = z^2 R(|z|) / S with Mills' ratio R(x) = (1 - w + 3w^2 - 15w^3)/x
         * and S = 1 - 3w + 15w^2 - 105w^3 + 945w^4, w = 1/z^2 */
        double w = 1.0 / (z * z);
        return -z * (1.0 + w * (-1.0 + w * (3.0 - 15.0 * w))) /
               (1.0 + w * (-3.0 + w * (15.0 + w * (-105.0 + 945.0 * w))));
    }
    return exp(wjr_log_ncdf(z) - wjr_log_h(z));
}

/* log Phi(w) and its derivative in w */
static double log_ncdf_d(double w, double *slope)
{
    double lc = wjr_log_ncdf(w);

    *slope = exp(log_phi(w) - lc);
    return lc;
}

double wjr_acq_value(const wjr_acq *a, const double *f, double *grad)
{
    const wjr_optimizer *opt = a->opt;
    size_t d = opt->n_features, k, j;
    double *dmu = grad != NULL ? a->scratch : NULL;
    double *dvar = grad != NULL ? a->scratch + d : NULL;
    double total = 0.0;

    if (grad != NULL)
        memset(grad, 0, d * sizeof(double));
    for (k = 0; k < opt->n_outcomes; k++) {
        const wjr_gp *gp = &a->gps[k];
        double mu, var, sd, w, lv, slope;

        if (k == 0 && !a->has_best)
            continue; /* nothing feasible yet: feasibility alone decides */
        wjr_gp_predict(gp, f, &mu, &var, dmu, dvar);
        sd = sqrt(var);
        if (k == 0 && a->greedy) {
            lv = mu;
            if (grad != NULL)
                for (j = 0; j < d; j++)
                    grad[j] += dmu[j];
        } else if (k == 0 && a->ucb_beta > 0) {
            lv = mu + a->ucb_beta * sd;
            if (grad != NULL)
                for (j = 0; j < d; j++)
                    grad[j] += dmu[j] + a->ucb_beta * dvar[j] / (2.0 * sd);
        } else if (k == 0) {
            w = (mu - a->best) / sd;
            lv = log(sd) + wjr_log_h(w);
            slope = wjr_log_h_slope(w);
            if (grad != NULL)
                for (j = 0; j < d; j++) {
                    double dsd = dvar[j] / (2.0 * sd);
                    grad[j] += dsd / sd + slope * (dmu[j] - w * dsd) / sd;
                }
        } else {
            const opt_outcome *oc = &opt->outcomes[k - 1];
            double b = wjr_gp_to_model(gp, oc->bound);
            double sign = oc->upper ? -1.0 : 1.0;

            w = sign * (mu - b) / sd;
            lv = log_ncdf_d(w, &slope);
            if (grad != NULL)
                for (j = 0; j < d; j++) {
                    double dsd = dvar[j] / (2.0 * sd);
                    grad[j] += slope * (sign * dmu[j] - w * dsd) / sd;
                }
        }
        total += lv;
    }
    if (!isfinite(total)) {
        if (grad != NULL)
            memset(grad, 0, d * sizeof(double));
        return -HUGE_VAL;
    }
    return total;
}

/* ---- candidates ---------------------------------------------------------- */

typedef struct cand {
    double value;
    double *x; /* [n_params] */
} cand;

typedef struct search {
    const wjr_acq *a;
    const wjr_optimizer *opt;
    cand *top; /* the N_POLISH best, best first */
    size_t n_top;
    double *u, *x, *f;
    size_t feasible; /* candidates that satisfied the linear constraints */
    int walking;     /* 1: poly is started; -1: the region has no interior */
    wjr_polytope poly;
} search;

/* Is x acceptable: feasible and not a point already used? */
static int usable(const wjr_optimizer *opt, const double *x)
{
    return wjr__opt_feasible(opt, x) && !wjr__opt_seen(opt, &opt->failed, x) &&
           !wjr__opt_seen(opt, &opt->done, x) && !wjr__opt_seen(opt, &opt->pending, x);
}

static void consider(search *s, const double *u)
{
    const wjr_optimizer *opt = s->opt;
    double v;
    size_t i, p = opt->n_params;

    wjr__opt_from_unit(opt, u, s->x);
    if (!usable(opt, s->x))
        return;
    s->feasible++;
    wjr__opt_encode(opt, s->x, s->f);
    v = wjr_acq_value(s->a, s->f, NULL);
    if (!(v > -HUGE_VAL))
        v = -1e300; /* still a valid point, ranked last */
    for (i = 0; i < s->n_top; i++)
        if (memcmp(s->top[i].x, s->x, p * sizeof(double)) == 0)
            return;
    if (s->n_top == N_POLISH && v <= s->top[N_POLISH - 1].value)
        return;
    i = s->n_top < N_POLISH ? s->n_top++ : N_POLISH - 1;
    while (i > 0 && s->top[i - 1].value < v) {
        s->top[i].value = s->top[i - 1].value;
        memcpy(s->top[i].x, s->top[i - 1].x, p * sizeof(double));
        i--;
    }
    s->top[i].value = v;
    memcpy(s->top[i].x, s->x, p * sizeof(double));
}

/* Quasi-random candidates: a Sobol sequence shifted at random (uniform
 * draws beyond Sobol's 40 dimensions). */
static void quasi_candidates(search *s, gsl_rng *rng, size_t count)
{
    size_t p = s->opt->n_params, i, k;
    gsl_qrng *q = p <= 40 ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)p) : NULL;
    double *shift = malloc(p * sizeof(double));
    double *u = s->u;

    if (shift == NULL) {
        gsl_qrng_free(q);
        return;
    }
    for (k = 0; k < p; k++)
        shift[k] = gsl_rng_uniform(rng);
    for (i = 0; i < count; i++) {
        if (q != NULL)
            gsl_qrng_get(q, u);
        for (k = 0; k < p; k++) {
            double t = q != NULL ? u[k] + shift[k] : gsl_rng_uniform(rng);
            u[k] = t >= 1.0 ? t - 1.0 : t;
        }
        consider(s, u);
    }
    free(shift);
    gsl_qrng_free(q);
}

/* Perturbations of the best completed trials in the search cube. */
static void local_candidates(search *s, gsl_rng *rng)
{
    const wjr_optimizer *opt = s->opt;
    size_t p = opt->n_params, b, i, k, *order, n = opt->done.n;
    static const double scales[] = {0.005, 0.03, 0.1, 0.3};

    if (n == 0)
        return;
    order = malloc(n * sizeof(*order));
    if (order == NULL)
        return;
    for (i = 0; i < n; i++)
        order[i] = i;
    /* partial selection of the best by objective (feasible first) */
    for (b = 0; b < N_LOCAL_BASES && b < n; b++) {
        size_t best = b;
        for (i = b + 1; i < n; i++) {
            size_t c = order[i], o = order[best];
            int fc = wjr__opt_outcome_ok(opt, c), fo = wjr__opt_outcome_ok(opt, o);
            /* the objective's model values: larger is better, and
             * several objectives are scalarized there already */
            int better = s->a->gps[0].y[c] > s->a->gps[0].y[o];
            if (fc > fo || (fc == fo && better))
                best = i;
        }
        i = order[b];
        order[b] = order[best];
        order[best] = i;
    }
    for (b = 0; b < N_LOCAL_BASES && b < n; b++) {
        double base[64], *bu = p <= 64 ? base : malloc(p * sizeof(double));

        if (bu == NULL)
            break;
        wjr__opt_to_unit(opt, opt->done.x + order[b] * p, bu);
        for (i = 0; i < N_LOCAL_EACH; i++) {
            double sc = scales[i % 4];
            for (k = 0; k < p; k++) {
                double t = bu[k];
                if (opt->params[k].kind == OPT_CHOICE) {
                    if (gsl_rng_uniform(rng) < 0.15)
                        t = gsl_rng_uniform(rng);
                } else {
                    t += gsl_ran_gaussian(rng, sc);
                }
                s->u[k] = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
            }
            consider(s, s->u);
        }
        if (bu != base)
            free(bu);
    }
    free(order);
}

/* ---- polishing ----------------------------------------------------------- */

typedef struct polish {
    const wjr_acq *a;
    double *f;    /* full features; the moving ones are written in */
    size_t *vars; /* feature index of each moving variable */
    double *grad; /* [n_features] */
    size_t n_vars;
    double *con; /* per linear constraint: [n_vars coefficients, constant] */
} polish;

static double polish_objective(unsigned n, const double *v, double *g, void *data)
{
    polish *p = data;
    double val;
    unsigned i;

    for (i = 0; i < n; i++)
        p->f[p->vars[i]] = v[i];
    val = wjr_acq_value(p->a, p->f, g != NULL ? p->grad : NULL);
    if (g != NULL)
        for (i = 0; i < n; i++)
            g[i] = -p->grad[p->vars[i]];
    return isfinite(val) ? -val : 1e300;
}

static double polish_constraint(unsigned n, const double *v, double *g, void *data)
{
    const double *c = data;
    double s = c[n];
    unsigned i;

    for (i = 0; i < n; i++) {
        s += c[i] * v[i];
        if (g != NULL)
            g[i] = c[i];
    }
    return s;
}

/* Polish the candidate x in place along its continuous ranges. */
static void polish_one(const wjr_acq *a, double *x)
{
    const wjr_optimizer *opt = a->opt;
    size_t nf = opt->n_features, np = opt->n_params, i, c;
    polish p;
    double *v = NULL, *lb = NULL, *ub = NULL, fmin;
    nlopt_opt o = NULL;

    memset(&p, 0, sizeof(p));
    p.a = a;
    p.f = malloc(nf * sizeof(double));
    p.grad = malloc(nf * sizeof(double));
    p.vars = malloc(np * sizeof(size_t));
    v = malloc(np * sizeof(double));
    lb = calloc(np, sizeof(double));
    ub = malloc(np * sizeof(double));
    p.con = calloc(opt->n_linear * (np + 1) + 1, sizeof(double));
    if (p.f == NULL || p.grad == NULL || p.vars == NULL || v == NULL || lb == NULL || ub == NULL ||
        p.con == NULL)
        goto done;
    wjr__opt_encode(opt, x, p.f);
    for (i = 0; i < np; i++) {
        if (opt->params[i].kind != OPT_RANGE)
            continue;
        p.vars[p.n_vars] = opt->params[i].feature;
        v[p.n_vars] = p.f[opt->params[i].feature];
        ub[p.n_vars] = 1.0;
        p.n_vars++;
    }
    if (p.n_vars == 0)
        goto done;
    /* sum(coef * x) - bound <= 0 with x = lo + f (hi - lo) for moving ranges */
    for (c = 0; c < opt->n_linear; c++) {
        double *row = p.con + c * (p.n_vars + 1), cst = -opt->linear[c].bound;
        size_t m = 0;
        for (i = 0; i < np; i++) {
            double a_i = opt->linear[c].coef[i];
            if (opt->params[i].kind == OPT_RANGE) {
                row[m++] = a_i * (opt->params[i].hi - opt->params[i].lo);
                cst += a_i * opt->params[i].lo;
            } else {
                cst += a_i * x[i];
            }
        }
        row[p.n_vars] = cst;
    }
    o = nlopt_create(opt->n_linear > 0 ? NLOPT_LD_SLSQP : NLOPT_LD_LBFGS, (unsigned)p.n_vars);
    if (o == NULL)
        goto done;
    nlopt_set_lower_bounds(o, lb);
    nlopt_set_upper_bounds(o, ub);
    nlopt_set_min_objective(o, polish_objective, &p);
    for (c = 0; c < opt->n_linear; c++)
        nlopt_add_inequality_constraint(o, polish_constraint, p.con + c * (p.n_vars + 1), 1e-9);
    nlopt_set_maxeval(o, POLISH_MAX_EVAL);
    nlopt_set_xtol_rel(o, 1e-7);
    if (nlopt_optimize(o, v, &fmin) > 0 || fmin < 1e299) {
        for (i = 0; i < p.n_vars; i++)
            p.f[p.vars[i]] = v[i] < 0.0 ? 0.0 : v[i] > 1.0 ? 1.0 : v[i];
        wjr__opt_decode(opt, p.f, v); /* v has room for n_params values */
        memcpy(x, v, np * sizeof(double));
    }
done:
    nlopt_destroy(o);
    free(p.f);
    free(p.grad);
    free(p.vars);
    free(p.con);
    free(v);
    free(lb);
    free(ub);
}

/* Start the walk inside the linear constraints' region; 0 or WJR_ENOMEM
 * (a region without interior leaves walking at -1). */
static int start_walk(wjr_polytope *poly, int *walking, const wjr_optimizer *opt)
{
    int error;

    if (*walking != 0)
        return 0;
    error = wjr__opt_region(poly, opt);
    if (error == 0)
        error = wjr_polytope_start(poly);
    *walking = error == 0 ? 1 : -1;
    return error == WJR_ENOMEM ? error : 0;
}

/* Candidates drawn by the walk inside the linear constraints' region. */
static int walk_candidates(search *s, gsl_rng *rng, size_t count)
{
    size_t i;
    int error = start_walk(&s->poly, &s->walking, s->opt);

    for (i = 0; error == 0 && s->walking > 0 && i < count; i++) {
        wjr_polytope_walk(&s->poly, rng, s->u);
        consider(s, s->u);
    }
    return error;
}

static int run_search(search *s, gsl_rng *rng)
{
    size_t round;
    int error = 0;

    for (round = 0; round < MAX_TRIES && s->n_top == 0 && error == 0; round++) {
        if (s->walking > 0)
            error = walk_candidates(s, rng, N_QUASI);
        else
            quasi_candidates(s, rng, N_QUASI);
        if (round == 0)
            local_candidates(s, rng);
        if (round == 0 && s->opt->n_linear > 0 && s->feasible < WALK_BELOW)
            error = walk_candidates(s, rng, N_QUASI);
    }
    if (error < 0)
        return error;
    return s->n_top > 0 ? 0 : WJR_ESTATE;
}

static int search_init(search *s, const wjr_acq *a, const wjr_optimizer *opt)
{
    size_t i, p = opt->n_params;

    memset(s, 0, sizeof(*s));
    s->a = a;
    s->opt = opt;
    s->top = calloc(N_POLISH, sizeof(cand));
    s->u = malloc(p * sizeof(double));
    s->x = malloc(p * sizeof(double));
    s->f = malloc((opt->n_features + p) * sizeof(double));
    if (s->top == NULL || s->u == NULL || s->x == NULL || s->f == NULL)
        return WJR_ENOMEM;
    for (i = 0; i < N_POLISH; i++)
        if ((s->top[i].x = malloc(p * sizeof(double))) == NULL)
            return WJR_ENOMEM;
    return 0;
}

static void search_clear(search *s)
{
    size_t i;

    for (i = 0; s->top != NULL && i < N_POLISH; i++)
        free(s->top[i].x);
    wjr_polytope_clear(&s->poly);
    free(s->top);
    free(s->u);
    free(s->x);
    free(s->f);
}

int wjr_acq_optimize(double *x, const wjr_acq *a, gsl_rng *rng)
{
    const wjr_optimizer *opt = a->opt;
    size_t p = opt->n_params, i;
    double best = -HUGE_VAL;
    search s;
    int error;

    error = search_init(&s, a, opt);
    if (error == 0)
        error = run_search(&s, rng);
    if (error < 0)
        goto done;
    memcpy(x, s.top[0].x, p * sizeof(double));
    best = s.top[0].value;
    for (i = 0; i < s.n_top; i++) {
        double v;

        memcpy(s.x, s.top[i].x, p * sizeof(double));
        polish_one(a, s.x);
        if (!usable(opt, s.x))
            continue;
        wjr__opt_encode(opt, s.x, s.f);
        v = wjr_acq_value(a, s.f, NULL);
        if (v > best) {
            best = v;
            memcpy(x, s.x, p * sizeof(double));
        }
    }
done:
    search_clear(&s);
    if (error == WJR_ESTATE)
        return wjr_error_set(WJR_ESTATE,
                             "no candidate point satisfies the parameter constraints (or every "
                             "such point was tried already)");
    if (error < 0)
        return wjr_error_set(error, "out of memory");
    return 0;
}

/* Draws from the whole box first; when the linear constraints reject them
 * all, from the walk inside their region. */
int wjr_acq_random_point(double *x, const wjr_optimizer *opt, gsl_rng *rng)
{
    size_t p = opt->n_params, tries, k;
    double *u = malloc((p + 1) * sizeof(double));
    wjr_polytope poly;
    int walking = 0, error = 0;

    memset(&poly, 0, sizeof(poly));
    if (u == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (tries = 0; tries < (size_t)N_QUASI * MAX_TRIES && error == 0; tries++) {
        if (tries == (size_t)N_QUASI * MAX_TRIES / 2 && opt->n_linear > 0)
            error = start_walk(&poly, &walking, opt);
        if (walking > 0) {
            wjr_polytope_walk(&poly, rng, u);
        } else {
            for (k = 0; k < p; k++)
                u[k] = gsl_rng_uniform(rng);
        }
        wjr__opt_from_unit(opt, u, x);
        if (error == 0 && usable(opt, x))
            break;
    }
    free(u);
    wjr_polytope_clear(&poly);
    if (error < 0)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (tries < (size_t)N_QUASI * MAX_TRIES)
        return 0;
    return wjr_error_set(WJR_ESTATE, "no point satisfies the parameter constraints (or every "
                                     "such point was tried already)");
}
