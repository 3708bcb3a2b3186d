/*
 * bench_gpei.c - an in-process optimization loop (no Slurm) measuring the
 * sample efficiency of wjr's GPEI optimizer (wjr/optimizer.h) against SOBOL
 * and RANDOM on Branin, Hartmann6 and a mixed problem (two ranges, an
 * integer and a choice), and the time one suggestion takes.
 *
 *   bench_gpei regret PROBLEM METHOD Q SEED0 NSEEDS [BUDGET]
 *       one line per seed: problem method q seed budget regret sec_per_suggestion;
 *       BUDGET (trials) defaults to the problem's own. Q is the number of
 *       trials in flight: "4" asks four at once and tells all four before
 *       the next ask (a synchronous batch); "4a" keeps four in flight, the
 *       oldest finishes first and its slot is refilled by one ask that sees
 *       the other three as pending (as a study whose trials finish one at a
 *       time does)
 *   bench_gpei timing NOBS REPS
 *       seconds per suggestion with NOBS completed trials of Hartmann6
 *
 * GPEI runs as a study would: SOBOL for max(5, 2 x parameters) trials, then
 * GPEI, with the Sobol points drawn here (a randomly shifted GSL sequence,
 * from the origin as the study's).
 */
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wjr.h>

typedef struct problem {
    const char *name;
    size_t dims;
    int budget;
    double optimum;
    double (*f)(const double *x);
    void (*space)(wjr_optimizer *opt);
} problem;

static double branin2(double x1, double x2)
{
    const double b = 5.1 / (4.0 * M_PI * M_PI), c = 5.0 / M_PI, t = 1.0 / (8.0 * M_PI);
    double u = x2 - b * x1 * x1 + c * x1 - 6.0;
    return u * u + 10.0 * (1.0 - t) * cos(x1) + 10.0;
}

static double branin(const double *x)
{
    return branin2(x[0], x[1]);
}

static void branin_space(wjr_optimizer *opt)
{
    wjr_optimizer_add_range(opt, -5.0, 10.0, 0);
    wjr_optimizer_add_range(opt, 0.0, 15.0, 0);
}

static double hartmann6(const double *x)
{
    static const double a[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double s = 0.0;
    int i, j;

    for (i = 0; i < 4; i++) {
        double e = 0.0;
        for (j = 0; j < 6; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        s -= a[i] * exp(-e);
    }
    return s;
}

static void hartmann_space(wjr_optimizer *opt)
{
    int j;
    for (j = 0; j < 6; j++)
        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
}

/* Branin plus a penalty on an integer k in [0, 10] (best 3) and a choice
 * among three values (best the second). */
static double mixed(const double *x)
{
    static const double offset[3] = {1.0, 0.0, 2.0};
    return branin2(x[0], x[1]) + 0.5 * (x[2] - 3.0) * (x[2] - 3.0) + offset[(int)x[3]];
}

static void mixed_space(wjr_optimizer *opt)
{
    branin_space(opt);
    wjr_optimizer_add_range(opt, 0.0, 10.0, WJR_OPT_INT);
    wjr_optimizer_add_choice(opt, 3);
}

static const problem problems[] = {
    {"branin", 2, 30, 0.397887357729739, branin, branin_space},
    {"hartmann6", 6, 60, -3.322368011391339, hartmann6, hartmann_space},
    {"mixed", 4, 40, 0.397887357729739, mixed, mixed_space},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The bounds of each parameter, to map the unit cube (as the study's SOBOL). */
static void unit_to_x(const problem *pb, const double *u, double *x)
{
    size_t i;
    for (i = 0; i < pb->dims; i++) {
        if (strcmp(pb->name, "hartmann6") == 0)
            x[i] = u[i];
        else if (i == 0)
            x[i] = -5.0 + 15.0 * u[i];
        else if (i == 1)
            x[i] = 15.0 * u[i];
        else if (i == 2)
            x[i] = floor(11.0 * u[i]) > 10 ? 10 : floor(11.0 * u[i]);
        else
            x[i] = floor(3.0 * u[i]) > 2 ? 2 : floor(3.0 * u[i]);
    }
}

/* GPEI for the `left` trials after the SOBOL ones, `q` in flight, the
 * oldest finishing first and each free slot refilled by one ask. */
static void run_async(const problem *pb, wjr_optimizer *opt, int q, int left, double *best,
                      double *t_ask, double *asked)
{
    double *fl = malloc((size_t)q * pb->dims * sizeof(double));
    int in_flight = 0, j;

    while (left > 0 || in_flight > 0) {
        double y;

        while (in_flight < q && left > 0) {
            double t0 = now();

            wjr_optimizer_clear_pending(opt);
            for (j = 0; j < in_flight; j++)
                wjr_optimizer_tell_pending(opt, fl + (size_t)j * pb->dims);
            if (wjr_optimizer_ask(fl + (size_t)in_flight * pb->dims, opt, 1) < 0) {
                fprintf(stderr, "ask: %s\n", wjr_error_last());
                exit(1);
            }
            *t_ask += now() - t0;
            *asked += 1;
            in_flight++;
            left--;
        }
        y = pb->f(fl);
        wjr_optimizer_clear_pending(opt);
        wjr_optimizer_tell(opt, fl, &y, NULL);
        *best = y < *best ? y : *best;
        memmove(fl, fl + pb->dims, (size_t)(in_flight - 1) * pb->dims * sizeof(double));
        in_flight--;
    }
    free(fl);
}

static double run_one(const problem *pb, const char *method, int q, int async, int budget,
                      unsigned long seed, double *sec_per)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    wjr_optimizer *opt = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_qrng *qr = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)pb->dims);
    double shift[8], u[8], best = HUGE_VAL, asked = 0.0, t_ask = 0.0;
    double *xs = malloc((size_t)q * pb->dims * sizeof(double));
    int n = 0, n_sobol, gpei = strcmp(method, "gpei") == 0, k;
    size_t i;

    gsl_rng_set(rng, seed);
    for (i = 0; i < pb->dims; i++)
        shift[i] = gsl_rng_uniform(rng);
    n_sobol = strcmp(method, "random") == 0 ? 0
              : gpei                        ? (int)(2 * pb->dims > 5 ? 2 * pb->dims : 5)
                                            : budget;
    oo.seed = seed;
    oo.minimize = 1;
    wjr_optimizer_new(&opt, &oo);
    pb->space(opt);
    while (n < budget) {
        int batch = q < budget - n ? q : budget - n;
        if (async && gpei && n >= n_sobol) {
            run_async(pb, opt, q, budget - n, &best, &t_ask, &asked);
            break;
        }
        if (n < n_sobol || !gpei) {
            if (n < n_sobol && batch > n_sobol - n)
                batch = n_sobol - n;
            for (k = 0; k < batch; k++) {
                if (n < n_sobol) {
                    if (n + k == 0) /* the study's sequence starts at the origin */
                        memset(u, 0, sizeof(u));
                    else
                        gsl_qrng_get(qr, u);
                    for (i = 0; i < pb->dims; i++)
                        u[i] = fmod(u[i] + shift[i], 1.0);
                } else {
                    for (i = 0; i < pb->dims; i++)
                        u[i] = gsl_rng_uniform(rng);
                }
                unit_to_x(pb, u, xs + (size_t)k * pb->dims);
            }
        } else {
            double t0 = now();
            if (wjr_optimizer_ask(xs, opt, (size_t)batch) < 0) {
                fprintf(stderr, "ask: %s\n", wjr_error_last());
                exit(1);
            }
            t_ask += now() - t0;
            asked += batch;
        }
        for (k = 0; k < batch; k++) {
            double y = pb->f(xs + (size_t)k * pb->dims);
            wjr_optimizer_tell(opt, xs + (size_t)k * pb->dims, &y, NULL);
            best = y < best ? y : best;
        }
        n += batch;
    }
    *sec_per = asked > 0 ? t_ask / asked : 0.0;
    wjr_optimizer_free(opt);
    gsl_rng_free(rng);
    gsl_qrng_free(qr);
    free(xs);
    return best - pb->optimum;
}

static int timing(int nobs, int reps)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double total = 0.0, x[6];
    int r, i, j;

    for (r = 0; r < reps; r++) {
        wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
        wjr_optimizer *opt = NULL;
        double t0;

        oo.seed = (uint64_t)r;
        wjr_optimizer_new(&opt, &oo);
        hartmann_space(opt);
        gsl_rng_set(rng, (unsigned long)r + 1);
        for (i = 0; i < nobs; i++) {
            double y;
            for (j = 0; j < 6; j++)
                x[j] = gsl_rng_uniform(rng);
            y = hartmann6(x);
            wjr_optimizer_tell(opt, x, &y, NULL);
        }
        t0 = now();
        if (wjr_optimizer_ask(x, opt, 1) < 0)
            return 1;
        total += now() - t0;
        wjr_optimizer_free(opt);
    }
    printf("timing\t%d\t%.4f\n", nobs, total / reps);
    gsl_rng_free(rng);
    return 0;
}

int main(int argc, char **argv)
{
    size_t p;
    int s, budget;

    if (argc == 4 && strcmp(argv[1], "timing") == 0)
        return timing(atoi(argv[2]), atoi(argv[3]));
    if ((argc != 7 && argc != 8) || strcmp(argv[1], "regret") != 0) {
        fprintf(stderr,
                "usage: %s regret PROBLEM METHOD Q SEED0 NSEEDS [BUDGET] | timing NOBS REPS\n",
                argv[0]);
        return 2;
    }
    for (p = 0; p < sizeof(problems) / sizeof(problems[0]); p++) {
        if (strcmp(problems[p].name, argv[2]) != 0)
            continue;
        if (atoi(argv[4]) < 1) {
            fprintf(stderr, "q %s is not a positive number of trials\n", argv[4]);
            return 2;
        }
        budget = argc == 8 ? atoi(argv[7]) : problems[p].budget;
        if (budget < 1) {
            fprintf(stderr, "budget %s is not a positive number of trials\n", argv[7]);
            return 2;
        }
        for (s = 0; s < atoi(argv[6]); s++) {
            unsigned long seed = (unsigned long)(atoi(argv[5]) + s);
            double sec = 0.0;
            double regret = run_one(&problems[p], argv[3], atoi(argv[4]),
                                    strchr(argv[4], 'a') != NULL, budget, seed, &sec);
            printf("%s\t%s\t%s\t%lu\t%d\t%.6g\t%.4f\n", argv[2], argv[3], argv[4], seed, budget,
                   regret, sec);
            fflush(stdout);
        }
        return 0;
    }
    fprintf(stderr, "unknown problem %s\n", argv[2]);
    return 2;
}
