/*
 * polytope.h - points of the unit box [0,1]^dims cut by linear
 * inequalities (rows: a . u <= b). The generators (generator.c) and the
 * GPEI acquisition (acquisition.c) draw points from the whole box and
 * reject those outside; when the region is so small a part of the box that
 * rejection would take too many draws, they sample it with this walk
 * instead. Nothing here knows of parameters, studies or optimizers.
 *
 * The caller owns the struct and fills a and b after wjr_polytope_init;
 * wjr_polytope_clear frees what init allocated.
 */
#ifndef WJR_POLYTOPE_H
#define WJR_POLYTOPE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef struct wjr_polytope {
    size_t dims, rows;
    double *a;     /* [rows * dims], row-major; zeroed by init */
    double *b;     /* [rows]; zeroed by init */
    double *u;     /* the walk's current point [dims] */
    double *d;     /* scratch: a direction [dims] */
    double radius; /* of the largest ball inside the region, once started */
    int warm;      /* the walk has left its starting point behind */
} wjr_polytope;

/* 1 when coef . x <= bound (n terms), with a tolerance of 1e-9 of the
 * terms' and the bound's magnitude; a term whose x is not finite breaks
 * it unless its coef is 0. The one test of a row, for the generators and
 * the optimizer alike. */
int wjr_linear_holds(const double *coef, const double *x, size_t n, double bound);

/* Allocate an unconstrained box of `dims` with room for `rows` rows.
 * Returns 0 or WJR_ENOMEM (no message set). */
int wjr_polytope_init(wjr_polytope *p, size_t dims, size_t rows);
void wjr_polytope_clear(wjr_polytope *p);

/* Find the centre of the largest ball inside the region (a linear program,
 * solved with GLPK) and start the walk there. Returns 0, or WJR_ESTATE
 * when the region has no interior (it is empty, or flat like an equality),
 * or WJR_ENOMEM; no message is set. */
int wjr_polytope_start(wjr_polytope *p);

/* Move the walk on (hit-and-run: a random direction, then a uniform point
 * of the region's chord along it, several times over) and copy its point
 * into out[dims]. The points are nearly uniform over the region; the same
 * rng state gives the same points. Call after wjr_polytope_start. */
void wjr_polytope_walk(wjr_polytope *p, gsl_rng *rng, double *out);

#endif
