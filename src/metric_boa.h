/*
 * metric_boa.h - BOA's metric functions (Mean, MeanSquaredError,
 * RootMeanSquaredError, RSquared, NormalizedRootMeanSquaredError,
 * PassThrough) applied to what a model reports. Private.
 */
#ifndef WJR_METRIC_BOA_H
#define WJR_METRIC_BOA_H

#include <jansson.h>

typedef enum {
    WJR_MF_PASSTHROUGH,
    WJR_MF_MEAN,
    WJR_MF_MSE,
    WJR_MF_RMSE,
    WJR_MF_R2,
    WJR_MF_NRMSE
} wjr_metric_func;

/* A function by any of BOA's names, in any case ("mean", "RMSE",
 * "root_mean_squared_error"...). WJR_ENOTFOUND when unknown. */
int wjr_metric_func_parse(wjr_metric_func *out, const char *name);
/* BOA's class name of a function ("RootMeanSquaredError"). */
const char *wjr_metric_func_name(wjr_metric_func f);

/* Check metric_func_kwargs for a function; the message names the key. */
int wjr_metric_func_check_kwargs(wjr_metric_func f, const json_t *kwargs);

/*
 * Apply a function to the value a model reported for metric `name`:
 * PassThrough takes a number, a list (mean and standard error) or
 * {"mean": m, "sem": s}; Mean a number, a list, or {"a": [...]}; the error
 * functions {"y_true": [...], "y_pred": [...]} with an optional
 * "sample_weight". metric_func_kwargs override the reported arguments.
 * An object may carry "sem". *sem is NAN when unknown.
 */
int wjr_metric_eval(double *mean, double *sem, wjr_metric_func f, const json_t *value,
                    const json_t *kwargs, const char *name);

#endif
