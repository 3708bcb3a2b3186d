/*
 * polytope.c - sampling the unit box cut by linear inequalities
 * (polytope.h). wjr_polytope_start solves one small linear program for the
 * centre of the largest ball inside the region (the Chebyshev centre), with
 * GLPK's simplex; wjr_polytope_walk is a hit-and-run walk from there: pick a
 * direction uniformly on the sphere, find the chord of the region through
 * the current point along it (the box's faces and every row bound it), and
 * move to a uniform point of that chord. Its points are nearly uniform over
 * the region whatever share of the box the region is, which is what
 * drawing from the whole box and rejecting cannot do for a region of 1e-9
 * of it (ten proportions summing to at most 0.1).
 *
 * The walk's points follow one another, so they are not independent; the
 * walk takes several steps per point and a longer run before its first.
 * This file holds no parameter, study or optimizer logic.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <glpk.h>
#include <stdlib.h>
#include <string.h>

#include "polytope.h"
#include "wjr/common.h"

#define MIN_RADIUS    1e-12 /* a region thinner than this has no interior */
#define WARM_STEPS(d) (50 + 20 * (d))
#define WALK_STEPS(d) (5 + 3 * (d))

int wjr_linear_holds(const double *coef, const double *x, size_t n, double bound)
{
    double s = 0.0, scale = fabs(bound);
    size_t i;

    for (i = 0; i < n; i++) {
        if (coef[i] == 0.0)
            continue;
        if (!isfinite(x[i]))
            return 0;
        s += coef[i] * x[i];
        scale += fabs(coef[i] * x[i]);
    }
    return s <= bound + 1e-9 * (1.0 + scale);
}

int wjr_polytope_init(wjr_polytope *p, size_t dims, size_t rows)
{
    memset(p, 0, sizeof(*p));
    p->dims = dims;
    p->rows = rows;
    p->a = calloc(rows * dims + 1, sizeof(double));
    p->b = calloc(rows + 1, sizeof(double));
    p->u = calloc(dims + 1, sizeof(double));
    p->d = calloc(dims + 1, sizeof(double));
    if (p->a == NULL || p->b == NULL || p->u == NULL || p->d == NULL) {
        wjr_polytope_clear(p);
        return WJR_ENOMEM;
    }
    return 0;
}

void wjr_polytope_clear(wjr_polytope *p)
{
    free(p->a);
    free(p->b);
    free(p->u);
    free(p->d);
    memset(p, 0, sizeof(*p));
}

/* The radius of the largest ball around u inside the region (negative when
 * u is outside it); norm[i] is |a_i|, 0 for a row to skip. */
static double inner_radius(const wjr_polytope *p, const double *u, const double *norm)
{
    double r = HUGE_VAL;
    size_t i, k;

    for (k = 0; k < p->dims; k++) {
        r = fmin(r, u[k]);
        r = fmin(r, 1.0 - u[k]);
    }
    for (i = 0; i < p->rows; i++) {
        double s = p->b[i];
        if (norm[i] == 0.0)
            continue;
        for (k = 0; k < p->dims; k++)
            s -= p->a[i * p->dims + k] * u[k];
        r = fmin(r, s / norm[i]);
    }
    return r;
}

/* The linear program over columns (u_1..u_dims, r): maximize r such that
 * every row, scaled to a unit normal, keeps a slack of r at u, and so does
 * each face of the box (r <= u_k, r <= 1 - u_k). r is free below, so the
 * program is always feasible and its optimum says whether the region has
 * an interior (r > 0). GLPK's simplex solves it; it fills u. */
static int chebyshev(const wjr_polytope *p, const double *norm, double *u)
{
    size_t dims = p->dims, i, k, row = 0, nz = 0;
    size_t rows = 2 * dims, cap;
    int *ia = NULL, *ja = NULL, error = 0;
    double *ar = NULL;
    glp_prob *lp = NULL;
    glp_smcp parm;

    for (i = 0; i < p->rows; i++)
        rows += norm[i] > 0.0;
    cap = (p->rows + 2) * (dims + 1) + 2 * dims + 1;
    ia = malloc(cap * sizeof(int));
    ja = malloc(cap * sizeof(int));
    ar = malloc(cap * sizeof(double));
    lp = glp_create_prob();
    if (ia == NULL || ja == NULL || ar == NULL || lp == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    glp_set_obj_dir(lp, GLP_MAX);
    glp_add_cols(lp, (int)dims + 1);
    for (k = 1; k <= dims; k++)
        glp_set_col_bnds(lp, (int)k, GLP_DB, 0.0, 1.0);
    glp_set_col_bnds(lp, (int)dims + 1, GLP_UP, 0.0, 0.5);
    glp_set_obj_coef(lp, (int)dims + 1, 1.0);
    glp_add_rows(lp, (int)rows);
#define ENTRY(r, c, v) (ia[++nz] = (int)(r), ja[nz] = (int)(c), ar[nz] = (v))
    for (i = 0; i < p->rows; i++) {
        if (norm[i] == 0.0)
            continue;
        row++;
        glp_set_row_bnds(lp, (int)row, GLP_UP, 0.0, p->b[i] / norm[i]);
        for (k = 0; k < dims; k++)
            if (p->a[i * dims + k] != 0.0)
                ENTRY(row, k + 1, p->a[i * dims + k] / norm[i]);
        ENTRY(row, dims + 1, 1.0);
    }
    for (k = 0; k < dims; k++) {
        row++;
        glp_set_row_bnds(lp, (int)row, GLP_UP, 0.0, 0.0); /* r - u_k <= 0 */
        ENTRY(row, k + 1, -1.0);
        ENTRY(row, dims + 1, 1.0);
        row++;
        glp_set_row_bnds(lp, (int)row, GLP_UP, 0.0, 1.0); /* r + u_k <= 1 */
        ENTRY(row, k + 1, 1.0);
        ENTRY(row, dims + 1, 1.0);
    }
#undef ENTRY
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT) {
        error = WJR_ESTATE;
        goto done;
    }
    for (k = 0; k < dims; k++) {
        double v = glp_get_col_prim(lp, (int)k + 1);
        u[k] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    }
done:
    if (lp != NULL)
        glp_delete_prob(lp);
    free(ia);
    free(ja);
    free(ar);
    return error;
}

int wjr_polytope_start(wjr_polytope *p)
{
    size_t dims = p->dims, i, k;
    double *norm = calloc(p->rows + 1, sizeof(double));
    double *u = malloc((dims + 1) * sizeof(double));
    int error = 0;

    if (norm == NULL || u == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    for (i = 0; i < p->rows; i++) {
        double s = 0.0;
        for (k = 0; k < dims; k++)
            s += p->a[i * dims + k] * p->a[i * dims + k];
        norm[i] = sqrt(s);
        if (!isfinite(norm[i]) || !isfinite(p->b[i]) || (norm[i] == 0.0 && p->b[i] < 0.0)) {
            error = WJR_ESTATE; /* 0 <= b < 0 fails everywhere */
            goto done;
        }
    }
    for (k = 0; k < dims; k++)
        u[k] = 0.5;
    if (p->rows > 0)
        error = chebyshev(p, norm, u);
    if (error < 0)
        goto done;
    /* judged again here, not taken from the solver's word */
    p->radius = inner_radius(p, u, norm);
    if (!(p->radius > MIN_RADIUS)) {
        error = WJR_ESTATE;
        goto done;
    }
    memcpy(p->u, u, dims * sizeof(double));
    p->warm = 0;
done:
    free(norm);
    free(u);
    return error;
}

/* One hit-and-run step. */
static void step(wjr_polytope *p, gsl_rng *rng)
{
    size_t dims = p->dims, i, k;
    double lo = -HUGE_VAL, hi = HUGE_VAL, n2 = 0.0, t;

    for (k = 0; k < dims; k++) {
        p->d[k] = gsl_ran_ugaussian(rng);
        n2 += p->d[k] * p->d[k];
    }
    if (!(n2 > 0.0))
        return;
    for (k = 0; k < dims; k++) {
        double dk = p->d[k] / sqrt(n2), u = p->u[k];
        p->d[k] = dk;
        if (dk > 0.0) {
            hi = fmin(hi, (1.0 - u) / dk);
            lo = fmax(lo, -u / dk);
        } else if (dk < 0.0) {
            hi = fmin(hi, -u / dk);
            lo = fmax(lo, (1.0 - u) / dk);
        }
    }
    for (i = 0; i < p->rows; i++) {
        const double *a = p->a + i * dims;
        double ad = 0.0, slack = p->b[i];
        for (k = 0; k < dims; k++) {
            ad += a[k] * p->d[k];
            slack -= a[k] * p->u[k];
        }
        slack = slack > 0.0 ? slack : 0.0;
        if (ad > 0.0)
            hi = fmin(hi, slack / ad);
        else if (ad < 0.0)
            lo = fmax(lo, slack / ad);
    }
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return; /* no room along this direction: stay */
    t = lo + gsl_rng_uniform(rng) * (hi - lo);
    for (k = 0; k < dims; k++) {
        double u = p->u[k] + t * p->d[k];
        p->u[k] = u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u;
    }
}

void wjr_polytope_walk(wjr_polytope *p, gsl_rng *rng, double *out)
{
    size_t n = p->warm ? WALK_STEPS(p->dims) : WARM_STEPS(p->dims), s;

    for (s = 0; s < n; s++)
        step(p, rng);
    p->warm = 1;
    memcpy(out, p->u, p->dims * sizeof(double));
}
