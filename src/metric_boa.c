/*
 * metric_boa.c - BOA's built-in metric functions, computed in C.
 *
 * BOA hands what a model reports for a metric to the function named in
 * the configuration (`metric: mean`): an object becomes the function's
 * keyword arguments (numpy.mean's `a`; scikit-learn's `y_true`, `y_pred`,
 * `sample_weight`), anything else its positional argument, and
 * metric_func_kwargs are added on top. PassThrough returns the one value
 * it is given. These are the same shapes, computed here for
 * one-dimensional data: mean, mean squared error (optionally rooted),
 * the coefficient of determination, and the root mean squared error over
 * the predictions' interquartile range, standard deviation, mean or range.
 * Every error names the metric and the argument at fault. Reading files
 * is not done here.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metric_boa.h"
#include "util.h"

typedef struct vec {
    double *v;
    size_t n;
} vec;

static const struct {
    const char *key; /* lower case, without underscores */
    wjr_metric_func f;
} names[] = {
    {"passthrough", WJR_MF_PASSTHROUGH},
    {"passthroughmetric", WJR_MF_PASSTHROUGH},
    {"mean", WJR_MF_MEAN},
    {"meansquarederror", WJR_MF_MSE},
    {"mse", WJR_MF_MSE},
    {"rootmeansquarederror", WJR_MF_RMSE},
    {"rmse", WJR_MF_RMSE},
    {"rsquared", WJR_MF_R2},
    {"r2", WJR_MF_R2},
    {"r2score", WJR_MF_R2},
    {"normalizedrootmeansquarederror", WJR_MF_NRMSE},
    {"nrmse", WJR_MF_NRMSE},
};

int wjr_metric_func_parse(wjr_metric_func *out, const char *name)
{
    char key[64];
    size_t i, n = 0;

    for (i = 0; name[i] != '\0' && n + 1 < sizeof(key); i++)
        if (name[i] != '_')
            key[n++] = (char)tolower((unsigned char)name[i]);
    key[n] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(key, names[i].key) == 0) {
            *out = names[i].f;
            return 0;
        }
    }
    return wjr_error_set(WJR_ENOTFOUND,
                         "metric function '%s' is not available in wjr: use Mean, "
                         "MeanSquaredError, RootMeanSquaredError, RSquared, "
                         "NormalizedRootMeanSquaredError or PassThrough, or compute the value "
                         "in your script and report it (pass-through)",
                         name);
}

const char *wjr_metric_func_name(wjr_metric_func f)
{
    static const char *const n[] = {"PassThrough",      "Mean",
                                    "MeanSquaredError", "RootMeanSquaredError",
                                    "RSquared",         "NormalizedRootMeanSquaredError"};
    return n[f];
}

/* The arguments each function takes, NULL-terminated. */
static const char *const *arguments(wjr_metric_func f)
{
    static const char *const pass[] = {NULL};
    static const char *const mean[] = {"a", NULL};
    static const char *const mse[] = {"y_true", "y_pred", "sample_weight", "squared", NULL};
    static const char *const r2[] = {"y_true", "y_pred", "sample_weight", NULL};
    static const char *const nrmse[] = {"y_true", "y_pred", "sample_weight", "normalizer", NULL};

    switch (f) {
    case WJR_MF_MEAN:
        return mean;
    case WJR_MF_MSE:
    case WJR_MF_RMSE:
        return mse;
    case WJR_MF_R2:
        return r2;
    case WJR_MF_NRMSE:
        return nrmse;
    default:
        return pass;
    }
}

static int takes(wjr_metric_func f, const char *key)
{
    const char *const *a = arguments(f);

    for (; *a != NULL; a++)
        if (strcmp(*a, key) == 0)
            return 1;
    return 0;
}

static int valid_normalizer(const char *n)
{
    return n != NULL && (strcmp(n, "iqr") == 0 || strcmp(n, "std") == 0 || strcmp(n, "mean") == 0 ||
                         strcmp(n, "range") == 0);
}

int wjr_metric_func_check_kwargs(wjr_metric_func f, const json_t *kwargs)
{
    const char *key;
    json_t *v;

    if (kwargs == NULL)
        return 0;
    if (!json_is_object(kwargs))
        return wjr_error_set(WJR_ECONFIG, "metric_func_kwargs must be a mapping");
    json_object_foreach((json_t *)kwargs, key, v)
    {
        if (!takes(f, key))
            return wjr_error_set(WJR_ECONFIG,
                                 "metric_func_kwargs: '%s' is not an argument of %s that wjr "
                                 "supports",
                                 key, wjr_metric_func_name(f));
        if (strcmp(key, "normalizer") == 0 && !valid_normalizer(json_string_value(v)))
            return wjr_error_set(WJR_ECONFIG,
                                 "metric_func_kwargs: normalizer must be iqr, std, mean or range");
        if (strcmp(key, "squared") == 0 && !json_is_boolean(v))
            return wjr_error_set(WJR_ECONFIG, "metric_func_kwargs: squared must be true or false");
    }
    return 0;
}

static int to_vec(vec *out, const json_t *v, const char *metric, const char *arg)
{
    size_t i;

    out->v = NULL;
    out->n = 0;
    if (json_is_number(v)) {
        out->v = malloc(sizeof(double));
        if (out->v == NULL)
            return WJR_ENOMEM;
        out->v[0] = json_number_value(v);
        out->n = 1;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) == 0)
        return wjr_error_set(WJR_EINVALID, "metric '%s': %s must be a non-empty list of numbers",
                             metric, arg);
    out->n = json_array_size(v);
    out->v = calloc(out->n, sizeof(double));
    if (out->v == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < out->n; i++) {
        const json_t *x = json_array_get(v, i);
        if (!json_is_number(x)) {
            free(out->v);
            out->v = NULL;
            return wjr_error_set(WJR_EINVALID,
                                 "metric '%s': %s[%zu] is %s, not a number (NaN or NA?)", metric,
                                 arg, i,
                                 json_is_array(x)    ? "a list (2-D data is not supported)"
                                 : json_is_string(x) ? json_string_value(x)
                                                     : "null");
        }
        out->v[i] = json_number_value(x);
    }
    return 0;
}

static double weighted_mean(const vec *x, const vec *w)
{
    double s = 0, ws = 0;
    size_t i;

    for (i = 0; i < x->n; i++) {
        double wi = w->v ? w->v[i] : 1.0;
        s += wi * x->v[i];
        ws += wi;
    }
    return s / ws;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy's linear-interpolation percentile of sorted data */
static double percentile(const double *s, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return s[lo] + (s[hi] - s[lo]) * (pos - (double)lo);
}

static int normalizer_of(double *out, const vec *pred, const char *how)
{
    double m = 0, ss = 0, *s;
    size_t i;

    if (strcmp(how, "mean") == 0 || strcmp(how, "std") == 0) {
        for (i = 0; i < pred->n; i++)
            m += pred->v[i];
        m /= (double)pred->n;
        if (strcmp(how, "mean") == 0) {
            *out = m;
            return 0;
        }
        for (i = 0; i < pred->n; i++)
            ss += (pred->v[i] - m) * (pred->v[i] - m);
        *out = pred->n > 1 ? sqrt(ss / (double)(pred->n - 1)) : NAN;
        return 0;
    }
    s = malloc(pred->n * sizeof(double));
    if (s == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    memcpy(s, pred->v, pred->n * sizeof(double));
    qsort(s, pred->n, sizeof(double), cmp_double);
    if (strcmp(how, "range") == 0)
        *out = s[pred->n - 1] - s[0];
    else
        *out = percentile(s, pred->n, 0.75) - percentile(s, pred->n, 0.25);
    free(s);
    return 0;
}

/* The error functions over y_true, y_pred and sample_weight. */
static int regression(double *out, wjr_metric_func f, const json_t *args, const char *metric)
{
    vec t = {NULL, 0}, p = {NULL, 0}, w = {NULL, 0};
    const json_t *squared = json_object_get(args, "squared");
    const json_t *norm = json_object_get(args, "normalizer");
    double mse = 0, ws = 0, tm, tot = 0, scale = NAN;
    size_t i;
    int error;

    if (json_object_get(args, "y_true") == NULL || json_object_get(args, "y_pred") == NULL) {
        return wjr_error_set(WJR_EINVALID,
                             "metric '%s' (%s) needs {\"y_true\": [...], \"y_pred\": [...]}",
                             metric, wjr_metric_func_name(f));
    }
    error = to_vec(&t, json_object_get(args, "y_true"), metric, "y_true");
    if (error == 0)
        error = to_vec(&p, json_object_get(args, "y_pred"), metric, "y_pred");
    if (error == 0 && json_object_get(args, "sample_weight") != NULL)
        error = to_vec(&w, json_object_get(args, "sample_weight"), metric, "sample_weight");
    if (error < 0)
        goto done;
    if (t.n != p.n || (w.v != NULL && w.n != t.n)) {
        error = wjr_error_set(WJR_EINVALID, "metric '%s': y_true, y_pred%s differ in length",
                              metric, w.v ? " and sample_weight" : "");
        goto done;
    }
    for (i = 0; i < t.n; i++) {
        double wi = w.v ? w.v[i] : 1.0, e = t.v[i] - p.v[i];
        mse += wi * e * e;
        ws += wi;
    }
    if (!(ws > 0)) {
        error = wjr_error_set(WJR_EINVALID, "metric '%s': the sample weights sum to zero", metric);
        goto done;
    }
    mse /= ws;
    switch (f) {
    case WJR_MF_MSE:
        *out = json_is_false(squared) ? sqrt(mse) : mse;
        break;
    case WJR_MF_RMSE:
        *out = sqrt(mse);
        break;
    case WJR_MF_R2:
        tm = weighted_mean(&t, &w);
        for (i = 0; i < t.n; i++)
            tot += (w.v ? w.v[i] : 1.0) * (t.v[i] - tm) * (t.v[i] - tm);
        tot /= ws;
        /* scikit-learn's convention for constant y_true */
        *out = tot > 0 ? 1.0 - mse / tot : (mse == 0 ? 1.0 : 0.0);
        break;
    default:
        error = normalizer_of(&scale, &p, json_is_string(norm) ? json_string_value(norm) : "iqr");
        if (error == 0)
            *out = sqrt(mse) / scale;
    }
done:
    free(t.v);
    free(p.v);
    free(w.v);
    return error;
}

/* wjr's pass-through: a number, a list (mean, standard error), {mean, sem}. */
static int pass_through(double *mean, double *sem, const json_t *v, const char *name)
{
    vec x;
    double sq = 0;
    size_t i;
    int error;

    if (json_is_object(v)) {
        const json_t *m = json_object_get(v, "mean"), *s = json_object_get(v, "sem");
        if (!json_is_number(m))
            return wjr_error_set(WJR_EINVALID,
                                 "metric '%s' has no numeric mean: report a number, a list, "
                                 "{\"mean\": m, \"sem\": s}, or name a metric function "
                                 "(metric: mean) for other shapes",
                                 name);
        *mean = json_number_value(m);
        if (json_is_number(s))
            *sem = json_number_value(s);
        else if (s != NULL && !json_is_null(s))
            return wjr_error_set(WJR_EINVALID, "metric '%s' has a sem that is not a number", name);
        return 0;
    }
    if (v == NULL)
        return wjr_error_set(WJR_EINVALID, "metric '%s' is missing from the output", name);
    if (!json_is_number(v) && !json_is_array(v))
        return wjr_error_set(WJR_EINVALID, "metric '%s' is null or not a number (NaN or NA?)",
                             name);
    error = to_vec(&x, v, name, "the value");
    if (error < 0)
        return error;
    *mean = 0;
    for (i = 0; i < x.n; i++)
        *mean += x.v[i];
    *mean /= (double)x.n;
    for (i = 0; i < x.n; i++)
        sq += (x.v[i] - *mean) * (x.v[i] - *mean);
    if (x.n > 1)
        *sem = sqrt(sq / (double)(x.n - 1)) / sqrt((double)x.n);
    free(x.v);
    return 0;
}

int wjr_metric_eval(double *mean, double *sem, wjr_metric_func f, const json_t *value,
                    const json_t *kwargs, const char *name)
{
    json_t *args = NULL;
    const char *key;
    json_t *v;
    vec x;
    int error = 0;

    *mean = NAN;
    *sem = NAN;
    if (f == WJR_MF_PASSTHROUGH) {
        error = pass_through(mean, sem, value, name);
        goto check;
    }
    if (value == NULL && kwargs == NULL)
        return wjr_error_set(WJR_EINVALID, "metric '%s' is missing from the output", name);
    /* an object is the keyword arguments; anything else the first one */
    args = json_is_object(value) ? json_deep_copy(value) : json_object();
    if (args == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (value != NULL && !json_is_object(value)) {
        if (f != WJR_MF_MEAN) {
            error = wjr_error_set(WJR_EINVALID,
                                  "metric '%s' (%s) needs {\"y_true\": [...], \"y_pred\": [...]}",
                                  name, wjr_metric_func_name(f));
            goto done;
        }
        json_object_set(args, "a", (json_t *)value);
    }
    if (kwargs != NULL)
        json_object_update(args, (json_t *)kwargs);
    v = json_object_get(args, "sem");
    if (json_is_number(v))
        *sem = json_number_value(v);
    json_object_del(args, "sem");
    json_object_foreach(args, key, v)
    {
        if (!takes(f, key)) {
            error = wjr_error_set(WJR_EINVALID, "metric '%s': '%s' is not an argument of %s", name,
                                  key, wjr_metric_func_name(f));
            goto done;
        }
    }
    if (f == WJR_MF_MEAN) {
        if (json_object_get(args, "a") == NULL) {
            error = wjr_error_set(WJR_EINVALID,
                                  "metric '%s' (Mean) needs a list, or {\"a\": [...]}", name);
            goto done;
        }
        error = to_vec(&x, json_object_get(args, "a"), name, "a");
        if (error == 0) {
            vec none = {NULL, 0};
            *mean = weighted_mean(&x, &none);
            free(x.v);
        }
    } else {
        error = regression(mean, f, args, name);
    }
done:
    json_decref(args);
check:
    if (error == 0 && !isfinite(*mean))
        error = wjr_error_set(WJR_EINVALID, "metric '%s' is not a finite number", name);
    return error;
}
