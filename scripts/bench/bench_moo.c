/*
 * bench_moo.c - an in-process loop (no Slurm) measuring wjr's optimizer
 * with two objectives (ParEGO, wjr/optimizer.h) against SOBOL and RANDOM
 * by the hypervolume of the front each finds, on Branin-Currin (2
 * parameters) and ZDT1 (4 parameters).
 *
 *   bench_moo hv PROBLEM METHOD Q SEED0 NSEEDS
 *       one line per seed: problem method q seed budget hv_regret
 *       sec_per_suggestion, where hv_regret is the front's hypervolume
 *       short of the true front's (both to the problem's reference point),
 *       as a share of the true front's
 *   bench_moo front PROBLEM
 *       the true front's hypervolume (a dense grid's front for
 *       Branin-Currin, the closed form for ZDT1)
 *
 * As in a study, the optimizer's runs start with SOBOL for max(5, 2 x
 * parameters) trials (a randomly shifted GSL sequence); q trials are asked
 * at once and all told before the next ask.
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
    double ref[2]; /* the reference point: the worst values of interest */
    void (*f)(const double *x, double *y);
} problem;

/* Branin and Currin on [0,1]^2, both minimized (BoTorch's BraninCurrin
 * without its negation). */
static void branin_currin(const double *x, double *y)
{
    const double b = 5.1 / (4.0 * M_PI * M_PI), c = 5.0 / M_PI, t = 1.0 / (8.0 * M_PI);
    double x1 = 15.0 * x[0] - 5.0, x2 = 15.0 * x[1], u = x2 - b * x1 * x1 + c * x1 - 6.0;
    double z = x[1] > 1e-12 ? x[1] : 1e-12;

    y[0] = u * u + 10.0 * (1.0 - t) * cos(x1) + 10.0;
    y[1] = (1.0 - exp(-1.0 / (2.0 * z))) *
           (2300.0 * pow(x[0], 3) + 1900.0 * x[0] * x[0] + 2092.0 * x[0] + 60.0) /
           (100.0 * pow(x[0], 3) + 500.0 * x[0] * x[0] + 4.0 * x[0] + 20.0);
}

/* ZDT1 in 4 dimensions: f1 = x1, f2 = g (1 - sqrt(x1 / g)), g = 1 + 3 sum
 * x2..x4; the front is g = 1. */
static void zdt1(const double *x, double *y)
{
    double g = 1.0 + 3.0 * (x[1] + x[2] + x[3]);

    y[0] = x[0];
    y[1] = g * (1.0 - sqrt(x[0] / g));
}

static const problem problems[] = {
    {"branin_currin", 2, 30, {150.0, 14.0}, branin_currin},
    {"zdt1", 4, 40, {1.1, 1.1}, zdt1},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_first(const void *a, const void *b)
{
    const double *p = a, *q = b;
    return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : (p[1] < q[1] ? -1 : p[1] > q[1]);
}

/* The hypervolume of n points (minimized) to ref: the area they dominate
 * within the box below ref. Sorts pts. */
static double hypervolume(double *pts, size_t n, const double *ref)
{
    double hv = 0.0, level = ref[1];
    size_t i;

    qsort(pts, n, 2 * sizeof(double), by_first);
    for (i = 0; i < n; i++) {
        if (pts[2 * i] >= ref[0] || pts[2 * i + 1] >= level)
            continue;
        hv += (ref[0] - pts[2 * i]) * (level - pts[2 * i + 1]);
        level = pts[2 * i + 1];
    }
    return hv;
}

static double true_hv(const problem *pb)
{
    size_t n = 2000, i, j, k = 0;
    double *pts, hv, x[4] = {0, 0, 0, 0};

    if (strcmp(pb->name, "zdt1") == 0)
        n = 200000;
    pts = malloc((strcmp(pb->name, "zdt1") == 0 ? n : n * n) * 2 * sizeof(double));
    if (strcmp(pb->name, "zdt1") == 0) {
        for (i = 0; i < n; i++) { /* on the front: x2..x4 = 0 */
            x[0] = (double)i / (double)(n - 1);
            zdt1(x, pts + 2 * k++);
        }
    } else {
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                x[0] = (double)i / (double)(n - 1);
                x[1] = (double)j / (double)(n - 1);
                branin_currin(x, pts + 2 * k++);
            }
    }
    hv = hypervolume(pts, k, pb->ref);
    free(pts);
    return hv;
}

static double run_one(const problem *pb, const char *method, int q, unsigned long seed,
                      double hv_true, double *sec_per)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    wjr_optimizer *opt = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_qrng *qr = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)pb->dims);
    double shift[4], u[4], t_ask = 0.0, asked = 0.0, hv;
    double *xs = malloc((size_t)q * pb->dims * sizeof(double));
    double *ys = malloc((size_t)pb->budget * 2 * sizeof(double));
    int n = 0, n_sobol, model = strcmp(method, "parego") == 0, k;
    size_t i;

    gsl_rng_set(rng, seed);
    for (i = 0; i < pb->dims; i++)
        shift[i] = gsl_rng_uniform(rng);
    n_sobol = strcmp(method, "random") == 0 ? 0
              : model                       ? (int)(2 * pb->dims > 5 ? 2 * pb->dims : 5)
                                            : pb->budget;
    oo.seed = seed;
    oo.minimize = 1;
    wjr_optimizer_new(&opt, &oo);
    for (i = 0; i < pb->dims; i++)
        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    wjr_optimizer_add_objective(opt, 1);
    while (n < pb->budget) {
        int batch = q < pb->budget - n ? q : pb->budget - n;
        if (n < n_sobol || !model) {
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
                memcpy(xs + (size_t)k * pb->dims, u, pb->dims * sizeof(double));
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
            double *y = ys + 2 * (size_t)(n + k);
            pb->f(xs + (size_t)k * pb->dims, y);
            wjr_optimizer_tell(opt, xs + (size_t)k * pb->dims, y, NULL);
        }
        n += batch;
    }
    hv = hypervolume(ys, (size_t)n, pb->ref);
    *sec_per = asked > 0 ? t_ask / asked : 0.0;
    wjr_optimizer_free(opt);
    gsl_rng_free(rng);
    gsl_qrng_free(qr);
    free(xs);
    free(ys);
    return (hv_true - hv) / hv_true;
}

int main(int argc, char **argv)
{
    size_t p;
    int s;

    for (p = 0; argc >= 3 && p < sizeof(problems) / sizeof(problems[0]); p++) {
        const problem *pb = &problems[p];
        double hv_true;

        if (strcmp(pb->name, argv[2]) != 0)
            continue;
        hv_true = true_hv(pb);
        if (argc == 3 && strcmp(argv[1], "front") == 0) {
            printf("%s\t%.10g\n", pb->name, hv_true);
            return 0;
        }
        if (argc != 7 || strcmp(argv[1], "hv") != 0 || atoi(argv[4]) < 1)
            break;
        for (s = 0; s < atoi(argv[6]); s++) {
            unsigned long seed = (unsigned long)(atoi(argv[5]) + s);
            double sec = 0.0, r = run_one(pb, argv[3], atoi(argv[4]), seed, hv_true, &sec);
            printf("%s\t%s\t%s\t%lu\t%d\t%.6g\t%.4f\n", pb->name, argv[3], argv[4], seed,
                   pb->budget, r, sec);
            fflush(stdout);
        }
        return 0;
    }
    fprintf(stderr,
            "usage: %s hv PROBLEM METHOD Q SEED0 NSEEDS | front PROBLEM\n"
            "  PROBLEM: branin_currin, zdt1; METHOD: sobol, random, parego\n",
            argv[0]);
    return 2;
}
