/*
 * test_boa_metrics.c - BOA's metric functions against values computed by
 * hand (numpy and scikit-learn give the same): every function, every
 * name form, the shapes BOA accepts, metric_func_kwargs, and the errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metric_boa.h"
#include "wjr.h"

typedef struct mcase {
    const char *func;
    const char *value;  /* what the model reported */
    const char *kwargs; /* metric_func_kwargs, or NULL */
    double mean, sem;   /* sem NAN: unknown */
} mcase;

/* y_true = [1, 2, 3, 4], y_pred = [1.5, 2, 2, 5]: errors 0.5, 0, -1, 1 */
#define YT "\"y_true\": [1, 2, 3, 4]"
#define YP "\"y_pred\": [1.5, 2, 2, 5]"

static const mcase cases[] = {
    {"PassThrough", "5", NULL, 5, NAN},
    {"pass_through", "[7]", NULL, 7, NAN},
    {"passthrough", "{\"mean\": 2, \"sem\": 0.5}", NULL, 2, 0.5},
    {"mean", "[1, 2, 3, 6]", NULL, 3, NAN},
    {"Mean", "{\"a\": [1, 2, 3, 6]}", NULL, 3, NAN},
    {"MEAN", "{\"a\": [2, 4], \"sem\": 0.25}", NULL, 3, 0.25},
    {"mean", "4.5", NULL, 4.5, NAN},
    {"MeanSquaredError", "{" YT ", " YP "}", NULL, 2.25 / 4, NAN},
    {"MSE", "{" YT ", " YP "}", "{\"squared\": false}", 0.75, NAN},
    {"mean_squared_error", "{" YT ", " YP ", \"sample_weight\": [0, 0, 1, 1]}", NULL, 1, NAN},
    {"RootMeanSquaredError", "{" YT ", " YP "}", NULL, 0.75, NAN},
    {"rmse", "{" YP "}", "{\"y_true\": [1, 2, 3, 4]}", 0.75, NAN},
    /* R2 = 1 - SSres/SStot = 1 - 2.25/5 */
    {"RSquared", "{" YT ", " YP "}", NULL, 1 - 2.25 / 5, NAN},
    {"r2", "{\"y_true\": [2, 2], \"y_pred\": [2, 2]}", NULL, 1, NAN},
    /* y_pred sorted 1.5 2 2 5: q25 = 1.875, q75 = 2.75, iqr 0.875 */
    {"NormalizedRootMeanSquaredError", "{" YT ", " YP "}", NULL, 0.75 / 0.875, NAN},
    {"nrmse", "{" YT ", " YP "}", "{\"normalizer\": \"range\"}", 0.75 / 3.5, NAN},
    {"NRMSE", "{" YT ", " YP "}", "{\"normalizer\": \"mean\"}", 0.75 / 2.625, NAN},
};

static void test_functions(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const mcase *c = &cases[i];
        json_t *v = json_loads(c->value, JSON_DECODE_ANY, NULL);
        json_t *k = c->kwargs ? json_loads(c->kwargs, 0, NULL) : NULL;
        wjr_metric_func f;
        double mean, sem;

        assert_non_null(v);
        assert_int_equal(wjr_metric_func_parse(&f, c->func), 0);
        if (k != NULL)
            assert_int_equal(wjr_metric_func_check_kwargs(f, k), 0);
        if (wjr_metric_eval(&mean, &sem, f, v, k, "m") != 0)
            fail_msg("case %zu (%s %s): %s", i, c->func, c->value, wjr_error_last());
        if (fabs(mean - c->mean) > 1e-12 || isnan(sem) != isnan(c->sem) ||
            (!isnan(sem) && fabs(sem - c->sem) > 1e-12))
            fail_msg("case %zu (%s %s): got %.15g sem %g, want %.15g sem %g", i, c->func, c->value,
                     mean, sem, c->mean, c->sem);
        json_decref(v);
        json_decref(k);
    }
}

static void test_errors(void **state)
{
    const struct {
        const char *func, *value, *says;
    } bad[] = {
        {"mean", "{\"a\": [1, \"NA\"]}", "a[1] is NA"},
        {"mean", "{\"b\": [1]}", "'b' is not an argument of Mean"},
        {"rmse", "[1, 2]", "needs {\"y_true\""},
        {"rmse", "{\"y_true\": [1], \"y_pred\": [1, 2]}", "differ in length"},
        {"r2", "{\"y_true\": [[1, 2]], \"y_pred\": [[1, 2]]}", "2-D data is not supported"},
        {"nrmse", "{\"y_true\": [1, 1], \"y_pred\": [2, 2]}", "not a finite number"},
        {"passthrough", "null", "null or not a number"},
    };
    wjr_metric_func f;
    double mean, sem;
    json_t *k;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_loads(bad[i].value, JSON_DECODE_ANY, NULL);
        assert_int_equal(wjr_metric_func_parse(&f, bad[i].func), 0);
        assert_int_equal(wjr_metric_eval(&mean, &sem, f, v, NULL, "m"), WJR_EINVALID);
        if (strstr(wjr_error_last(), bad[i].says) == NULL)
            fail_msg("case %zu: '%s' lacks '%s'", i, wjr_error_last(), bad[i].says);
        json_decref(v);
    }
    assert_int_equal(wjr_metric_func_parse(&f, "median"), WJR_ENOTFOUND);
    assert_int_equal(wjr_metric_func_parse(&f, "RMSE"), 0);
    k = json_loads("{\"normalizer\": \"iqr\"}", 0, NULL);
    assert_int_equal(wjr_metric_func_check_kwargs(f, k), WJR_ECONFIG);
    json_decref(k);
    assert_int_equal(wjr_metric_func_parse(&f, "nrmse"), 0);
    k = json_loads("{\"normalizer\": \"median\"}", 0, NULL);
    assert_int_equal(wjr_metric_func_check_kwargs(f, k), WJR_ECONFIG);
    json_decref(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
