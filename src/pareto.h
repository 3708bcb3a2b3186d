/*
 * pareto.h - several objectives at once: which points are on the Pareto
 * front (no other point is at least as good in every objective and better
 * in one), and ParEGO's scalarization (Knowles, 2006), which turns the
 * objectives into one value for a single Gaussian process under weights
 * drawn afresh for every ask. The optimizer (optimizer.c) and the study's
 * view of its trials (study_view.c) use it; it knows nothing of either.
 *
 * Points are rows of `stride` doubles whose first m entries are the
 * objectives; minimize[j] gives objective j's direction. The caller owns
 * every array.
 */
#ifndef WJR_PARETO_H
#define WJR_PARETO_H

#include <stddef.h>

/* 1 when a dominates b: as good in every objective, better in one. */
int wjr__pareto_dominates(const double *a, const double *b, size_t m, const int *minimize);

/* front[i] = 1 when point i is eligible (eligible NULL: every point) and
 * no eligible point dominates it; 0 otherwise. Equal points are both on
 * the front. O(n^2 m): for the optimizer's hundreds of points. */
void wjr__pareto_front(unsigned char *front, const double *y, size_t n, size_t stride, size_t m,
                       const int *minimize, const unsigned char *eligible);

/* ParEGO's augmented Chebyshev value of each of the n points, to be
 * minimized: each objective, turned to be minimized, is scaled to [0, 1]
 * between the best value seen and the worst (or threshold[j] when it is
 * not NaN and worse than the best: a point beyond the threshold scores
 * above 1 there), and s = max_j w[j] f[j] + 0.05 sum_j w[j] f[j]. The
 * weights w (m of them, summing to 1) come from wjr__parego_weights.
 * threshold may be NULL; sum is scratch of n doubles. */
void wjr__parego_scalarize(double *s, double *sum, const double *y, size_t n, size_t stride,
                           size_t m, const int *minimize, const double *threshold, const double *w);

/* m weights drawn uniformly from the simplex from m uniforms u[j] in
 * (0, 1) (normalized exponentials); written over u. */
void wjr__parego_weights(double *u, size_t m);

#endif
