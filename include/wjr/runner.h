/*
 * wjr/runner.h - the WrappedJobRunner: run, run_multiple, poll_trial_status,
 * stop, to_dict/from_dict, over a wrapper and a backend.
 *
 * Ownership: the runner owns the backend and wrapper given to it (and the
 * wrapper that its options' wrapper factory builds when it is loaded), and
 * every wjr_trial_info and wjr_run_metadata it hands out (borrowed, valid
 * until the trial's next change or the runner is freed). Results returned
 * through `out` parameters with a matching _free function belong to the
 * caller. Options are copied: their strings are read during the call; the
 * log and checkpoint callbacks' payloads stay the caller's and must
 * outlive the runner; the wrapper factory and its payload are used only
 * during a load.
 *
 * Threads: a runner is not thread-safe; use one from one thread at a time.
 */
#ifndef WJR_RUNNER_H
#define WJR_RUNNER_H

#include "common.h"
#include "backend.h"
#include "wrapper.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wjr_runner wjr_runner;

/**
 * Called when the runner's state must be made durable before it goes on:
 * before a submit RPC (the trials are then marked as being submitted under
 * their idempotency key) and after every change of a trial. A non-zero
 * return aborts the operation before anything is submitted.
 */
typedef int (*wjr_checkpoint_fn)(wjr_runner *runner, void *payload);

/**
 * Builds a wrapper of a type the library does not have built in, when a
 * saved runner is loaded back (wjr_runner_from_json(),
 * wjr_runner_from_json_file()). The runner's JSON keeps the wrapper's
 * type member ("wrapper_type") and what its to_json member wrote.
 * @param out receives the new wrapper, which the runner takes over; leave
 *        it NULL on failure.
 * @param type the saved type name; borrowed for the call.
 * @param settings_json the saved settings, a JSON text; borrowed for the call.
 * @param payload the options' wrapper_factory_payload.
 * @return 0, or a negative error code (the load fails with it, its message
 *         naming the type).
 */
typedef int (*wjr_wrapper_factory_fn)(wjr_wrapper **out, const char *type,
                                      const char *settings_json, void *payload);

#define WJR_RUNNER_OPTIONS_VERSION 2

/**
 * How a runner is made or loaded. Version 1 ends at @c checkpoint_payload;
 * a version 1 struct is still accepted.
 */
typedef struct wjr_runner_options {
    unsigned int version;       /**< WJR_RUNNER_OPTIONS_VERSION */
    const char *experiment_dir; /**< required: trial directories go below it */
    const char *study_id;       /**< idempotency key prefix; default: generated */
    wjr_log_fn log;             /**< NULL: append to <experiment_dir>/wjr.log */
    void *log_payload;
    wjr_log_level log_level; /**< default sink's minimum level (0: INFO) */
    wjr_checkpoint_fn checkpoint;
    void *checkpoint_payload;
    /* version 2 */
    /** On load: builds the wrappers whose type is not built in (only
     *  "ScriptWrapper" is); NULL: such a runner cannot be loaded. Not kept
     *  by the runner after the load. */
    wjr_wrapper_factory_fn wrapper_factory;
    void *wrapper_factory_payload; /**< the caller's; passed to wrapper_factory */
} wjr_runner_options;

#define WJR_RUNNER_OPTIONS_INIT                                                                    \
    {                                                                                              \
        WJR_RUNNER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL              \
    }

/** Run metadata of one submitted trial. All strings are borrowed. */
typedef struct wjr_run_metadata {
    const char *job_id;     /**< Slurm's text form: "1234" or "1234_7" */
    uint32_t slurm_job_id;  /**< the job's own id (0 while unknown for a pending task) */
    uint32_t array_job_id;  /**< 0 when not an array task */
    uint32_t array_task_id; /**< WJR_NO_TASK when not an array task */
    const char *trial_dir;
    int64_t submit_time; /**< Unix time */
    const char *cluster;
    const char *partition;
} wjr_run_metadata;

/** Everything the runner knows about one trial. All strings are borrowed. */
typedef struct wjr_trial_info {
    int64_t index;
    wjr_trial_status status;
    const char *params_json;  /**< the parameters, a JSON object */
    const char *slurm_state;  /**< last Slurm state seen ("PENDING", ...), or NULL */
    const char *reason;       /**< why it failed or was abandoned, or NULL */
    const char *metrics_json; /**< {"m": {"mean": x, "sem": y}} once fetched, or NULL */
    int exit_code;            /**< the job's exit code, -1 if unknown */
    int term_signal;          /**< the signal that ended it, 0 if none */
    int64_t end_time;         /**< Unix time it became terminal, 0 while not */
    int64_t start_time;       /**< Unix time the job started running (its last attempt), 0 if not */
    uint32_t restarts;        /**< times Slurm requeued the job: its attempt is restarts + 1 */
    wjr_run_metadata run;     /**< job_id is NULL until submitted */
    int attempt;              /**< 1 + the times Slurm requeued the job; 0 before it was seen */
} wjr_trial_info;

/** One trial to run: its index and parameters (a JSON object text). */
typedef struct wjr_trial_spec {
    int64_t index;
    const char *params_json;
} wjr_trial_spec;

/**
 * Create a runner.
 * @param backend taken over by the runner, even on failure.
 * @param wrapper taken over by the runner, even on failure.
 * @param opts copied.
 */
WJR_EXTERN(int)
wjr_runner_new(wjr_runner **out, wjr_backend *backend, wjr_wrapper *wrapper,
               const wjr_runner_options *opts);

/**
 * Create a runner from the `slurm` and `script_options` groups of a study
 * configuration file (libconfig). The experiment directory is resolved
 * against the configuration file's folder and created.
 */
WJR_EXTERN(int) wjr_runner_from_config(wjr_runner **out, const char *config_path);

/** Free a runner, its backend and wrapper; NULL is accepted. Jobs keep running. */
WJR_EXTERN(void) wjr_runner_free(wjr_runner *runner);

/**
 * run(trial): write the trial's files through the wrapper and submit one
 * batch job. @p out (optional) receives borrowed metadata.
 * @return 0; WJR_EEXISTS if the index is already tracked; WJR_ESLURM with
 *         Slurm's message if refused (the trial stays unsubmitted and may be
 *         run again); WJR_ETIMEOUT if the outcome stayed unknown after a
 *         lookup (the trial is kept as "submitting" and reconciled later).
 */
WJR_EXTERN(int)
wjr_runner_run(const wjr_run_metadata **out, wjr_runner *runner, const wjr_trial_spec *trial);

/**
 * run_multiple(trials): submit the trials as job arrays, one submit RPC per
 * array, split so that task ids stay below MaxArraySize.
 * @param submitted (optional) receives how many trials were submitted; on
 *        failure the first *submitted trials are submitted, the others not.
 */
WJR_EXTERN(int)
wjr_runner_run_multiple(size_t *submitted, wjr_runner *runner, const wjr_trial_spec *trials,
                        size_t count);

/** The result of one poll. Owned by the caller: wjr_poll_result_free(). */
typedef struct wjr_poll_result {
    size_t count;
    int64_t *indices;           /**< [count] */
    wjr_trial_status *statuses; /**< [count] */
    int stale;                  /**< 1: the controller did not answer; last known statuses */
    char *warning;              /**< why it is stale, or NULL */
} wjr_poll_result;

/**
 * poll_trial_status(trials): the status of each given trial (all tracked
 * trials when @p indices is NULL). One query RPC for all jobs of the runner,
 * whatever the number of trials. A failed query never makes a trial
 * terminal: the last known statuses come back with stale = 1.
 */
WJR_EXTERN(int)
wjr_runner_poll(wjr_poll_result **out, wjr_runner *runner, const int64_t *indices, size_t count);

/** `{"RUNNING": [..], "COMPLETED": [..], "FAILED": [..], "ABANDONED": [..]}` (malloc'd). */
WJR_EXTERN(int) wjr_poll_result_to_json(char **out, const wjr_poll_result *result);

WJR_EXTERN(void) wjr_poll_result_free(wjr_poll_result *result);

/** stop(trial): cancel the trial's job or array task; the trial becomes ABANDONED. */
WJR_EXTERN(int) wjr_runner_stop(wjr_runner *runner, int64_t index, const char *reason);

/**
 * stop() for many trials at once: the trials of @p indices (@p count of
 * them; NULL for every trial), those not terminal yet, become ABANDONED
 * with @p reason, after one cancel request per job array (its tasks as
 * ranges) and per single job, or one for all of them on Slurm 24.05 and
 * later; then one checkpoint. Fails with WJR_ESTATE, stopping none, when a
 * trial is still being submitted (reconcile first), and stops none when
 * the controller refuses or does not answer (a later poll shows what was
 * cancelled). @p stopped (optional) receives how many trials were stopped.
 */
WJR_EXTERN(int)
wjr_runner_stop_many(size_t *stopped, wjr_runner *runner, const int64_t *indices, size_t count,
                     const char *reason);

/**
 * Re-attach trials left "submitting" by an interrupted run: look their
 * idempotency keys up in slurmctld (then accounting), and read the trial
 * directory (start marker, exit record, slurm-*.out) for a job that ran
 * and has been forgotten; adopt the jobs found. A key is looked up again
 * until the lookup wait (wjr_runner_set_lookup_wait) after the submission
 * has passed, so a slow controller is given time. Only trials with no job
 * anywhere are reset to unsubmitted, and their indices go to
 * @p unsubmitted (malloc'd array, may be NULL) so that the caller can run
 * them again.
 */
WJR_EXTERN(int)
wjr_runner_reconcile(int64_t **unsubmitted, size_t *n_unsubmitted, wjr_runner *runner);

/**
 * How long (seconds) after a submission whose answer was lost the job is
 * still looked for by its key before the trial may be submitted again:
 * by run() and run_multiple() before they retry, and by reconcile(). A
 * controller may process a request after the caller stopped waiting for
 * it. Default 30; 0 looks once.
 */
WJR_EXTERN(void) wjr_runner_set_lookup_wait(wjr_runner *runner, double seconds);

/**
 * How many times a trial whose job the cluster lost (NODE_FAIL, BOOT_FAIL,
 * PREEMPTED without requeue, a failed launch) is submitted again, as the
 * same trial, with a key of its own per attempt; default 2. A failure of
 * the model itself (an exit code, OUT_OF_MEMORY, TIMEOUT) is never retried.
 * Kept in to_json.
 */
WJR_EXTERN(void) wjr_runner_set_infrastructure_retries(wjr_runner *runner, int retries);

/** The trial's record, or NULL (error set) if the runner does not track it. */
WJR_EXTERN(const wjr_trial_info *) wjr_runner_trial(const wjr_runner *runner, int64_t index);

/** Number of tracked trials, and the i-th of them in index order. */
WJR_EXTERN(size_t) wjr_runner_trial_count(const wjr_runner *runner);
WJR_EXTERN(const wjr_trial_info *) wjr_runner_trial_at(const wjr_runner *runner, size_t i);

/**
 * The last lines of what a trial's job wrote to stderr: slurm-<job_id>.err
 * in the trial directory, where the batch script sends it, or, for an
 * array task that wrote nothing there, Slurm's own file of the task in
 * <experiment_dir>/logs/ (experiment_dir may be NULL). At most max_lines
 * lines from the file's last max_bytes bytes, blank lines at its end left
 * out. *out is malloc'd (the caller frees it), or NULL when there is no
 * such text. The text is the job's own bytes: escape it for display. The
 * file is read as trial files are: a regular file only, without blocking,
 * through a link only inside its folder.
 */
WJR_EXTERN(int)
wjr_trial_stderr_tail(char **out, const char *experiment_dir, const char *trial_dir,
                      const char *job_id, int max_lines, size_t max_bytes);

/** Run metadata as a JSON object text (malloc'd). */
WJR_EXTERN(int) wjr_run_metadata_to_json(char **out, const wjr_run_metadata *meta);

/** to_dict(): the runner as JSON text (malloc'd), "__type": "WrappedJobRunner". */
WJR_EXTERN(int) wjr_runner_to_json(char **out, const wjr_runner *runner);

/**
 * from_dict(): rebuild a runner from wjr_runner_to_json's text. @p opts may
 * be NULL; its log, checkpoint and wrapper_factory members are used, the
 * rest comes from the JSON. A wrapper of a type that is not built in is
 * built by opts->wrapper_factory; without one the load fails with
 * WJR_EINVALID, its message naming the type.
 */
WJR_EXTERN(int)
wjr_runner_from_json(wjr_runner **out, const char *json, const wjr_runner_options *opts);

/**
 * to_dict() into a file: written as it goes (no whole-document copy in
 * memory), synced and renamed over @p path, so that a crash leaves the old
 * or the new state.
 */
WJR_EXTERN(int) wjr_runner_to_json_file(const wjr_runner *runner, const char *path);

/** from_dict() from a file, read one trial at a time. */
WJR_EXTERN(int)
wjr_runner_from_json_file(wjr_runner **out, const char *path, const wjr_runner_options *opts);

/** The study id (idempotency key prefix) and experiment directory. Borrowed. */
WJR_EXTERN(const char *) wjr_runner_study_id(const wjr_runner *runner);
WJR_EXTERN(const char *) wjr_runner_experiment_dir(const wjr_runner *runner);

/** The backend (borrowed), e.g. for wjr_backend_cluster_info(). */
WJR_EXTERN(wjr_backend *) wjr_runner_backend(wjr_runner *runner);

/**
 * Submit with other settings from now on: backend (of the runner's
 * backend's type) replaces the runner's, keeping what the old one learnt
 * from the scheduler. Trials already submitted keep their jobs; those
 * submitted later use the new settings.
 * @param changes set to what differs, as `mem: "64G" -> "4G"; ...`
 *        (malloc'd; the caller frees it), or NULL when the settings are the
 *        same: then the runner keeps its backend.
 * @param backend taken by the call in every case (freed when not used).
 * @return 0, WJR_EINVALID (another type), WJR_ENOMEM.
 */
WJR_EXTERN(int) wjr_runner_set_backend(char **changes, wjr_runner *runner, wjr_backend *backend);

/** Log a record through the runner's sink. */
WJR_EXTERN(void)
wjr_runner_log(wjr_runner *runner, wjr_log_level level, int64_t trial_index, const char *fmt, ...)
    WJR_FORMAT(4, 5);

#ifdef __cplusplus
}
#endif

#endif
