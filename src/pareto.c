/*
 * pareto.c - the Pareto front of points with several objectives, and
 * ParEGO's augmented Chebyshev scalarization of them (see pareto.h). Pure
 * arithmetic on arrays: no allocation, no state.
 */
#include <math.h>

#include "pareto.h"

/* the weight of the sum beside the max (ParEGO's rho) */
#define PAREGO_RHO 0.05

/* the objective turned to be minimized */
static double oriented(double v, int minimize)
{
    return minimize ? v : -v;
}

int wjr__pareto_dominates(const double *a, const double *b, size_t m, const int *minimize)
{
    size_t j;
    int better = 0;

    for (j = 0; j < m; j++) {
        double x = oriented(a[j], minimize[j]), y = oriented(b[j], minimize[j]);
        if (x > y)
            return 0;
        better |= x < y;
    }
    return better;
}

void wjr__pareto_front(unsigned char *front, const double *y, size_t n, size_t stride, size_t m,
                       const int *minimize, const unsigned char *eligible)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        front[i] = eligible == NULL || eligible[i];
        for (k = 0; k < n && front[i]; k++)
            if (k != i && (eligible == NULL || eligible[k]) &&
                wjr__pareto_dominates(y + k * stride, y + i * stride, m, minimize))
                front[i] = 0;
    }
}

void wjr__parego_scalarize(double *s, double *sum, const double *y, size_t n, size_t stride,
                           size_t m, const int *minimize, const double *threshold, const double *w)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        s[i] = -INFINITY;
        sum[i] = 0.0;
    }
    for (j = 0; j < m; j++) {
        double lo = INFINITY, hi = -INFINITY, t, width;

        for (i = 0; i < n; i++) {
            double v = oriented(y[i * stride + j], minimize[j]);
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        t = threshold != NULL && !isnan(threshold[j]) ? oriented(threshold[j], minimize[j]) : NAN;
        if (t > lo)
            hi = t;
        width = hi > lo ? hi - lo : 1.0;
        for (i = 0; i < n; i++) {
            double term = w[j] * (oriented(y[i * stride + j], minimize[j]) - lo) / width;
            s[i] = term > s[i] ? term : s[i];
            sum[i] += term;
        }
    }
    for (i = 0; i < n; i++)
        s[i] += PAREGO_RHO * sum[i];
}

void wjr__parego_weights(double *u, size_t m)
{
    double sum = 0.0;
    size_t j;

    for (j = 0; j < m; j++) {
        u[j] = -log(u[j]);
        sum += u[j];
    }
    for (j = 0; j < m; j++)
        u[j] /= sum;
}
