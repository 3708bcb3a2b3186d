/*
 * wjr/study.h - study configuration files and the study driver behind the
 * `wjr` command-line tool.
 *
 * A study is one libconfig file in BOA's vocabulary (objective, parameters,
 * generation_strategy, scheduler, script_options, slurm) and one experiment
 * directory holding study.json (the checkpoint), results.csv, wjr.log, a copy
 * of the configuration and one folder per trial. The driver generates trials
 * (SOBOL, RANDOM, or GPEI: wjr/optimizer.h), hands them to a runner through the public runner API
 * only, and records their outcome; an external optimizer can use the runner
 * without it.
 *
 * Ownership: what comes back through `out` belongs to the caller and is freed
 * with the matching _free function (strings with free()). Getters return
 * borrowed pointers, valid until the next call that changes the study.
 *
 * Threads: a study is not thread-safe; use one from one thread at a time.
 */
#ifndef WJR_STUDY_H
#define WJR_STUDY_H

#include <stdio.h>

#include "common.h"
#include "backend.h"
#include "runner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------- */
/* Configuration                                                           */
/* ----------------------------------------------------------------------- */

/** A parsed, validated study configuration. */
typedef struct wjr_study_config wjr_study_config;

/**
 * Read and validate a study configuration file. Every error names
 * file:line; unknown keys are errors.
 * @param out receives the configuration; free it with wjr_study_config_free().
 * @param path the file; relative paths inside it are resolved against its folder.
 * @return 0, WJR_ENOTFOUND (no such file) or WJR_ECONFIG.
 */
WJR_EXTERN(int) wjr_study_config_load(wjr_study_config **out, const char *path);

/** Free a configuration; NULL is accepted. */
WJR_EXTERN(void) wjr_study_config_free(wjr_study_config *config);

/** The absolute experiment directory the configuration names. Borrowed. */
WJR_EXTERN(const char *) wjr_study_config_experiment_dir(const wjr_study_config *config);

/**
 * What the configuration allows but is likely a mistake, such as an
 * outcome constraint on a metric no objective declares: one warning per
 * line, each "file:line: message\n", or NULL when there is none. Borrowed.
 */
WJR_EXTERN(const char *) wjr_study_config_warnings(const wjr_study_config *config);

/** scheduler.total_trials, or -1 when the configuration does not say. */
WJR_EXTERN(int64_t) wjr_study_config_total_trials(const wjr_study_config *config);

/**
 * The generation strategy in words, e.g. "SOBOL for 5 trials, then GPEI for
 * the rest (the default); 1 parameter constraint".
 * @param out receives malloc'd text (free()).
 */
WJR_EXTERN(int) wjr_study_config_strategy(char **out, const wjr_study_config *config);

/** Number of parameters, and the name of the i-th one (borrowed). */
WJR_EXTERN(size_t) wjr_study_config_param_count(const wjr_study_config *config);
WJR_EXTERN(const char *) wjr_study_config_param_name(const wjr_study_config *config, size_t i);

/* ----------------------------------------------------------------------- */
/* Generators                                                              */
/* ----------------------------------------------------------------------- */

/**
 * The parameters the configuration's generation strategy gives trial
 * @p index, as a JSON object text. Deterministic: the same configuration
 * (seed) gives the same parameters for the same index.
 * @param out receives malloc'd JSON text.
 * @return 0, WJR_EINVALID (no parameters or index out of the strategy),
 *         WJR_ESTATE (the index belongs to a GPEI step, whose parameters
 *         depend on the outcomes of the trials before it).
 */
WJR_EXTERN(int)
wjr_study_config_generate(char **out, const wjr_study_config *config, int64_t index);

/* ----------------------------------------------------------------------- */
/* The study driver                                                        */
/* ----------------------------------------------------------------------- */

typedef struct wjr_study wjr_study;

/** Open flags. */
enum {
    WJR_STUDY_READONLY = 1 << 0, /**< take no lock, never write, contact nobody */
    /** Read only what adding trials needs: the trials recorded before are
     * not loaded, so opening costs the same in a study of any size. For
     * wjr_study_submit() and wjr_study_submit_batch(); wjr_study_step(),
     * wjr_study_poll(), wjr_study_cancel() and the reports fail with
     * WJR_ESTATE, and the trial getters see only the trials added since the
     * last snapshot. results.csv is left to the next full open. */
    WJR_STUDY_SUBMIT_ONLY = 1 << 1
};

#define WJR_STUDY_OPTIONS_VERSION 1

typedef struct wjr_study_options {
    unsigned int version; /**< WJR_STUDY_OPTIONS_VERSION */
    unsigned int flags;   /**< WJR_STUDY_READONLY ... */
    /** Extra log sink besides <dir>/wjr.log (e.g. the terminal); NULL: none. */
    wjr_log_fn log;
    void *log_payload;
    wjr_log_level log_level; /**< minimum level for both sinks (0: INFO) */
    /** Written into the lock file, shown to a second process ("wjr run x.cfg"). */
    const char *command;
} wjr_study_options;

#define WJR_STUDY_OPTIONS_INIT                                                                     \
    {                                                                                              \
        WJR_STUDY_OPTIONS_VERSION, 0, NULL, NULL, 0, NULL                                          \
    }

/**
 * Create a new study from a configuration file: make the experiment
 * directory, copy the configuration into it, take the lock and write the
 * first study.json. Generates and submits nothing.
 * @param out receives the study; free it with wjr_study_free().
 * @return 0; WJR_ECONFIG; WJR_EEXISTS when the directory already holds a
 *         study (resume it with wjr_study_open()); WJR_ELOCKED when it
 *         holds one that another process drives now (the message names
 *         it); WJR_EIO.
 */
WJR_EXTERN(int)
wjr_study_create(wjr_study **out, const char *config_path, const wjr_study_options *opts);

/**
 * Open the study of an experiment directory (the lock is taken unless
 * WJR_STUDY_READONLY).
 * @return 0; WJR_ENOTFOUND (no study.json); WJR_EINVALID (corrupt);
 *         WJR_ELOCKED with "study locked by pid N on HOST (command)".
 */
WJR_EXTERN(int) wjr_study_open(wjr_study **out, const char *dir, const wjr_study_options *opts);

/**
 * Submit the driver of the study in @p dir as a Slurm batch job running
 * `<wjr_path> resume <dir>`, in slurm.driver_partition (default: the
 * trials' partition) with time limit slurm.driver_time. Before its limit
 * the job stops the driver cleanly and requeues itself, and so resumes
 * the study. Fails with WJR_ELOCKED while a driver holds the study's lock.
 * Records the job in <dir>/driver.json.
 * @param job_id receives the driver job's id.
 * @param wjr_path absolute path of the wjr program the job runs.
 */
WJR_EXTERN(int) wjr_study_detach(uint32_t *job_id, const char *dir, const char *wjr_path);

/**
 * One line on the driver of @p dir: for a detached study its job,
 * partition and submit time; for any study whether a driver runs now
 * (pid, host and command of the lock's holder, and its last step), or
 * held the study and stopped stepping without releasing it (it died). The
 * driver marks the lock file's time at every step and clears it on
 * release, so this works from any node. *out = NULL when the study was
 * never detached and no driver holds it. Asks no cluster.
 * @param out receives malloc'd text or NULL.
 */
WJR_EXTERN(int) wjr_study_driver_describe(char **out, const char *dir);

/**
 * 1 when a driver (foreground or detached) steps the study in @p dir now:
 * it holds the lock and marked it within the last three minutes; 0 when
 * none does, and the study's Slurm states are as of its last poll. Asks
 * no cluster and takes no lock.
 */
WJR_EXTERN(int) wjr_study_driver_running(const char *dir);

/**
 * Whether the detached driver (wjr_study_detach) holds the study in
 * @p dir now: the lock's holder, not released, runs in the Slurm job that
 * <dir>/driver.json records. Its trials' jobs can still be cancelled in
 * Slurm (the driver's next poll records them ABANDONED); the study's own
 * cancel (wjr_study_cancel) waits until the driver lets go. Asks no
 * cluster and takes no lock.
 * @param out receives the driver's job id, or 0 when no detached driver
 *        holds the study.
 */
WJR_EXTERN(int) wjr_study_driver_job(uint32_t *out, const char *dir);

/** Release the lock and free the study; jobs keep running. NULL is accepted. */
WJR_EXTERN(void) wjr_study_free(wjr_study *study);

/** The experiment directory (absolute) and study id. Borrowed. */
WJR_EXTERN(const char *) wjr_study_dir(const wjr_study *study);
/**
 * The study's copy of its configuration, which it keeps to (DIR/config.cfg,
 * or DIR/config.yaml for BOA's YAML): malloc'd, free() it; NULL when out of
 * memory.
 */
WJR_EXTERN(char *) wjr_study_config_copy(const wjr_study *study);
WJR_EXTERN(const char *) wjr_study_id(const wjr_study *study);

/**
 * Re-attach trials an interrupted process left being submitted (adopt the
 * jobs slurmctld or accounting knows, re-run the others: never twice).
 * wjr_study_step() and the submit functions call it once by themselves.
 */
WJR_EXTERN(int) wjr_study_reconcile(wjr_study *study);

/** Where a driven study stands. */
typedef enum {
    WJR_STUDY_RUNNING = 0,  /**< call wjr_study_step() again after the delay */
    WJR_STUDY_FINISHED = 1, /**< every trial is terminal */
    WJR_STUDY_FAILED = 2    /**< the tolerated failure rate was exceeded */
} wjr_study_state;

/** Counts and best trial, for progress lines and summaries. */
typedef struct wjr_study_progress {
    wjr_study_state state;
    int64_t total;     /**< scheduler.total_trials (-1: not set) */
    int64_t generated; /**< trials created so far */
    int64_t completed;
    int64_t failed; /**< FAILED, including ttl exceeded */
    int64_t abandoned;
    int64_t running;         /**< submitted and not PENDING in Slurm, not terminal */
    int64_t pending;         /**< not yet submitted, or waiting in Slurm's queue */
    int64_t best_index;      /**< -1 when no trial completed */
    double best_value;       /**< the first objective metric's mean of the best trial */
    const char *best_metric; /**< borrowed; NULL when the study has no objective */
    int stale;               /**< the last poll got no answer from the controller */
    double next_delay;       /**< seconds to wait before the next step */
    int changed;             /**< the last step changed something */
    int64_t early_stopped;   /**< EARLY_STOPPED by the model (not in completed) */
    int64_t unsubmitted;     /**< of pending: generated, not yet submitted to Slurm */
    /** Objectives: 1, or more in a multi-objective study (several metrics
     *  without weights), whose result is the Pareto front (best_* then
     *  rank by the first objective); 0 without metrics. */
    int objectives;
    int64_t pareto_count; /**< trials on the Pareto front (multi-objective) */
} wjr_study_progress;

/**
 * One step of the driver: reconcile (first time only), poll, record
 * metrics, enforce ttl_seconds_for_trials and the failure rate, generate
 * and submit up to max_pending_trials unfinished trials, write study.json
 * and results.csv. Never sleeps: wait @p out->next_delay seconds between
 * steps. A poll without answer is a warning (out->stale), never a failure.
 * A study stopped by its failure rate (WJR_STUDY_FAILED) submits nothing
 * more, but its steps go on polling the trials still in Slurm (and
 * enforcing their ttl) until they end, so that their outcomes are recorded.
 * @param out (optional) receives the progress after the step.
 * @return 0 (look at out->state); WJR_ESLURM when Slurm refused a
 *         submission (the trials stay unsubmitted); WJR_EIO; WJR_ESTATE
 *         when the configuration lacks what a driven study needs.
 */
WJR_EXTERN(int) wjr_study_step(wjr_study_progress *out, wjr_study *study);

/** The progress as of the last step or open, without contacting anybody. */
WJR_EXTERN(void) wjr_study_get_progress(wjr_study_progress *out, const wjr_study *study);

/** One trial as the study records it. All strings are borrowed. */
typedef struct wjr_study_trial {
    int64_t index;
    wjr_trial_status status; /**< CANDIDATE while not submitted */
    const char *job_id;      /**< NULL while not submitted */
    const char *slurm_state; /**< last seen, or NULL */
    const char *params_json;
    const char *metrics_json; /**< {"m": {"mean": x, "sem": y}} or NULL */
    const char *reason;       /**< why it failed or was abandoned, or NULL */
    /** The generation step that made it ("SOBOL", "RANDOM", "GPEI"), or
     *  NULL for a trial submitted from outside (wjr submit). */
    const char *generation;
    int attempt; /**< 1 + the times Slurm requeued the job; 0 before it ran */
    /** Whether its metrics meet objective.outcome_constraints: 1 or 0; -1
     *  when the study has none or the trial has no metrics. */
    int feasible;
    /** In a multi-objective study: 1 when the trial is on the Pareto front
     *  (completed, within the outcome constraints and the objective
     *  thresholds, and no such trial is as good in every objective and
     *  better in one), else 0; -1 in a study with one objective. */
    int pareto;
} wjr_study_trial;

/** Number of trials, and the i-th in index order (borrowed, NULL if out of range). */
WJR_EXTERN(size_t) wjr_study_trial_count(const wjr_study *study);
WJR_EXTERN(int) wjr_study_trial_at(wjr_study_trial *out, const wjr_study *study, size_t i);

/**
 * The runner's record of trial @p index: job times (submit, start, end),
 * exit code and signal, restarts, trial directory, cluster and partition.
 * Borrowed, valid until the next call that changes the study; NULL when the
 * runner never saw the trial (not yet handed to it).
 */
WJR_EXTERN(const wjr_trial_info *) wjr_study_trial_info(const wjr_study *study, int64_t index);

/**
 * What the study is, for reports: {"study_id", "dir", "state",
 * "objective": {"metric", "minimize"} or null, "parameters": [{"name",
 * "type": "range"|"choice"|"fixed", "value_type", "log_scale", "bounds",
 * "values", "value"}], "generation_strategy": {"seed", "steps": [{"model",
 * "num_trials"}]}, "scheduler": {...}, "slurm": {...}, "slurm_version"}
 * as JSON text. "slurm_version" is the controller's version as last learnt
 * by the backend, or null. Contacts nobody.
 */
WJR_EXTERN(int) wjr_study_describe_json(char **out, const wjr_study *study);

/**
 * External optimizers: run one trial with the given parameters (a JSON
 * object; checked against the configuration's parameters when it declares
 * some). @p out receives the run metadata as JSON text with "trial_index".
 */
WJR_EXTERN(int) wjr_study_submit(char **out, wjr_study *study, const char *params_json);

/**
 * Run several trials as job arrays. Every entry is validated before any is
 * submitted. @p out receives {"<index>": metadata, ...} as JSON text.
 */
WJR_EXTERN(int)
wjr_study_submit_batch(char **out, wjr_study *study, const char *const *params_json, size_t count);

/**
 * Poll every trial: {"RUNNING": [..], "COMPLETED": [..], "FAILED": [..],
 * "ABANDONED": [..]} as JSON text. @p stale (optional) is set to 1 when the
 * controller did not answer and the statuses are the last known ones.
 */
WJR_EXTERN(int) wjr_study_poll(char **out, int *stale, wjr_study *study);

/**
 * Cancel the given trials, or every unfinished trial when @p count is 0.
 * Trials not yet submitted are abandoned without contacting Slurm.
 * @param cancelled (optional) receives how many trials were stopped.
 */
WJR_EXTERN(int)
wjr_study_cancel(size_t *cancelled, wjr_study *study, const int64_t *indices, size_t count,
                 const char *reason);

/** {"trials": [{"index", "status", "job_id", "slurm_state", "parameters", "metrics", "reason",
 *  "generation"}]} */
WJR_EXTERN(int) wjr_study_status_json(char **out, const wjr_study *study);

/** results.csv's text (BOA's optimization.csv columns). */
WJR_EXTERN(int) wjr_study_results_csv(char **out, const wjr_study *study);

/** {"objective": .., "best": {trial} or null, "trials": [..]} as JSON text. */
WJR_EXTERN(int) wjr_study_results_json(char **out, const wjr_study *study);

/**
 * The texts of wjr_study_status_json() and wjr_study_results_json(),
 * written to @p out a trial at a time (no newline after): the memory of
 * one trial, not of the document. 0, WJR_EIO when a write failed (errno's
 * message), or WJR_ESTATE as those calls.
 */
WJR_EXTERN(int) wjr_study_write_status_json(const wjr_study *study, FILE *out);
WJR_EXTERN(int) wjr_study_write_results_json(const wjr_study *study, FILE *out);

/**
 * `wjr check`: validate a configuration and ask the cluster for its limits
 * (partition exists, MaxArraySize), then whether slurmctld would take the
 * first trial's job, as sbatch --test-only asks (the trial_* fields of
 * *info; a refusal is WJR_ESLURM with Slurm's message and the config's
 * line, a job that would only wait a warning of the configuration's), and
 * the jobs of the trials at the ends of the parameters options take (a
 * refusal names the option's line and the values; trial_ends_tested
 * counts the others). Submits nothing, writes nothing.
 * @param info receives what the cluster said, owned by the caller (free it
 *             with wjr_cluster_info_free()); NULL on error.
 * @param config (optional) receives the parsed configuration.
 */
WJR_EXTERN(int)
wjr_study_check(wjr_cluster_info **info, wjr_study_config **config, const char *config_path);

#ifdef __cplusplus
}
#endif

#endif
