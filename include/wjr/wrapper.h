/*
 * wjr/wrapper.h - the wrapper interface (BOA's BaseWrapper) and the built-in
 * script wrapper that keeps BOA's ScriptWrapper file conventions.
 *
 * Ownership: a wrapper handed to wjr_runner_new() belongs to the runner from
 * then on; the runner calls its free member. Strings returned through `out`
 * parameters of the members are malloc'd and owned by the caller (the runner).
 */
#ifndef WJR_WRAPPER_H
#define WJR_WRAPPER_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a wrapper knows about one trial. All members are borrowed. */
typedef struct wjr_trial_ctx {
    int64_t index;              /**< trial index */
    const char *trial_dir;      /**< <experiment_dir>/<index as %06d> */
    const char *experiment_dir; /**< the study's experiment directory */
    const char *params_json;    /**< the trial's parameters, a JSON object */
    const char *job_id;         /**< Slurm's job id text, NULL before submit */
    wjr_log_fn log;             /**< the runner's log sink (never NULL) */
    void *log_payload;          /**< payload for @ref log */
    int64_t end_time;           /**< when the job ended (Unix time), 0 if not known */
} wjr_trial_ctx;

/** Log a formatted record for the trial of @p ctx through its sink. */
WJR_EXTERN(void)
wjr_trial_log(const wjr_trial_ctx *ctx, wjr_log_level level, const char *fmt, ...) WJR_FORMAT(3, 4);

#define WJR_WRAPPER_VERSION 1

/**
 * A wrapper: a struct of function pointers. An implementation embeds this
 * struct as its first member. Members that are NULL are skipped.
 */
typedef struct wjr_wrapper wjr_wrapper;
struct wjr_wrapper {
    unsigned int version; /**< WJR_WRAPPER_VERSION */
    const char *type;     /**< serialised type name, e.g. "ScriptWrapper" */

    /** Prepare the trial directory before the job is submitted. */
    int (*write_configs)(wjr_wrapper *w, const wjr_trial_ctx *trial);

    /**
     * The shell command the batch job runs for the trial; the trial directory
     * is appended to it as one quoted argument. @p out is malloc'd.
     */
    int (*run_model)(char **out, wjr_wrapper *w, const wjr_trial_ctx *trial);

    /**
     * Called when Slurm says the job completed (and for terminal jobs whose
     * outcome came from elsewhere). May change @p status (e.g. COMPLETED to
     * FAILED) and set @p reason (malloc'd, or left NULL).
     */
    int (*set_trial_status)(wjr_trial_status *status, char **reason, wjr_wrapper *w,
                            const wjr_trial_ctx *trial);

    /**
     * The trial's metrics as a JSON object {"name": {"mean": m, "sem": s}}
     * (sem may be null). @p out is malloc'd. WJR_EINVALID with a message
     * when the output is missing or invalid.
     */
    int (*fetch_trial_data)(char **out, wjr_wrapper *w, const wjr_trial_ctx *trial);

    /** The wrapper's configuration as a JSON object text (malloc'd). */
    int (*to_json)(char **out, const wjr_wrapper *w);

    /** Free the wrapper. */
    void (*free)(wjr_wrapper *w);
};

#define WJR_SCRIPT_OPTIONS_VERSION 2

/**
 * Options of the built-in script wrapper. Each hook is a shell command from
 * the user's configuration; the trial directory is appended to it as one
 * quoted argument. A command may name BOA's `{{ name }}` template
 * variables: a parameter's name or `trial_dir`. Each is replaced by its
 * value as one single-quoted shell word (inside quotes, escaped for them,
 * so that `sh -c "..."` still reads one quoted word): a value never reaches
 * a shell unquoted.
 */
typedef struct wjr_script_options {
    unsigned int version;            /**< WJR_SCRIPT_OPTIONS_VERSION */
    const char *run_model;           /**< required: what the batch job runs */
    const char *write_configs;       /**< optional, run on the login node */
    const char *set_trial_status;    /**< optional, run on the login node */
    const char *fetch_trial_data;    /**< optional, run on the login node */
    const char *work_dir;            /**< directory commands run in (default: the trial dir) */
    const char *const *metric_names; /**< NULL-terminated; NULL: take every key */
    /* version 2 */
    /**
     * BOA's metric settings, a JSON array text of objects {"name", "metric"
     * (function name, optional), "metric_func_kwargs", "param_names",
     * "properties", "noise_sd"}; NULL: pass-through metrics of metric_names.
     */
    const char *metrics_json;
    const char *model_options_json; /**< JSON text written into data.json, or NULL */
    /** look for a late output file until this long after the job's end (0: no wait) */
    double output_wait_seconds;
    /** shell lines the batch job runs, verbatim, in the trial directory
     *  before run_model ("module load x\nsource venv/bin/activate"); NULL:
     *  none. They are the user's own text: never put a parameter here. */
    const char *setup;
} wjr_script_options;

#define WJR_SCRIPT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        WJR_SCRIPT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.0, NULL      \
    }

/**
 * Create a script wrapper. Strings in @p opts are copied.
 * @param out receives the wrapper, owned by the caller until handed to a
 *        runner; free it with wjr_wrapper_free() otherwise.
 */
WJR_EXTERN(int) wjr_wrapper_script_new(wjr_wrapper **out, const wjr_script_options *opts);

/** Rebuild a wrapper from the JSON text its to_json member wrote. */
WJR_EXTERN(int) wjr_wrapper_from_json(wjr_wrapper **out, const char *type, const char *json);

/** Free any wrapper through its free member; NULL is accepted. */
WJR_EXTERN(void) wjr_wrapper_free(wjr_wrapper *w);

#ifdef __cplusplus
}
#endif

#endif
