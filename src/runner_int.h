/*
 * runner_int.h - what the runner's files share, private to them: the
 * runner and trial records, and the helpers one file provides to the
 * others (runner.c: the table, interning, log, checkpoint;
 * runner_submit.c: marking submissions, the exactly-once wait;
 * runner_jobs.c: matching job records to trials; runner_settle.c: turning
 * a job's outcome into the trial's status; runner_json.c: a trial's and
 * the header's JSON; runner_poll.c: index checks). Nothing outside
 * src/runner*.c includes it; the change log's interface for the study's
 * store is runner_store.h.
 */
#ifndef WJR_RUNNER_INT_H
#define WJR_RUNNER_INT_H

#include <stdint.h>

#include <jansson.h>

#include "backend.h"
#include "util.h"
#include "wjr/runner.h"

typedef enum { SUB_NONE = 0, SUB_SUBMITTING = 1, SUB_SUBMITTED = 2 } sub_state;

typedef struct trial {
    /* The public view, and the one place of the trial's strings:
     * params_json, reason, metrics_json, run.job_id and run.trial_dir are
     * the trial's own (malloc'd: wjr__set_text); slurm_state, run.partition
     * and run.cluster, which many trials share, live once in the runner's
     * pool (wjr__intern). */
    wjr_trial_info info;
    const char *key; /* the job name it was (or is being) submitted under (wjr__trial_key) */
    /* the cluster's failures (retry.c): "attempt 1: job 12 NODE_FAIL; ...",
     * resubmissions so far, attempts of the earlier jobs */
    char *history;
    int retries;
    int prior_attempts;
    int64_t intent_time;   /* when the submission was announced */
    uint32_t planned_task; /* its array task id within that submission, or WJR_NO_TASK */
    uint32_t state_word;   /* last Slurm state word seen */
    /* small, and packed: a study of 100,000 trials holds as many */
    unsigned char sub;       /* sub_state */
    unsigned char warned;    /* held/unknown warning given for state_word */
    unsigned char in_poll;   /* already listed in the poll under way */
    unsigned char retry_due; /* the poll under way resubmits it */
    unsigned char marked;    /* in the runner's list of trials changed since the last take */
    unsigned char own_key;   /* key is the trial's own copy, not the pool's */
} trial;

struct wjr_runner {
    char *experiment_dir;
    char *study_id;
    wjr_backend *backend;
    wjr_wrapper *wrapper;
    wjr_log_fn log;
    void *log_payload;
    wjr_log_file_sink *own_sink;
    wjr_checkpoint_fn checkpoint;
    void *checkpoint_payload;
    trial **trials; /* sorted by index */
    size_t n_trials;
    size_t cap_trials;
    char **pool; /* interned strings: open addressing, NULL is empty */
    size_t pool_cap;
    size_t pool_count;
    double lookup_wait; /* seconds a lost submission's key is looked for */
    int max_infra_retries;
    /* the change log (runner_store.c): the trials marked since the last
     * take, in the order of their first change; room for cap_trials */
    trial **changed;
    size_t n_changed;
    char *saved_header; /* the header text of the last snapshot, or NULL */
};

/* ---- runner.c: the table ------------------------------------------------ */

/* Replace *field with a copy of value (NULL: none). */
void wjr__set_str(char **field, const char *value);
/* The same for a trial's own strings, which its public view holds. */
void wjr__set_text(const char **field, const char *value);
/* The runner's one copy of s, for strings many trials share (Slurm states,
 * partition, cluster, array keys). NULL for NULL or out of memory. */
const char *wjr__intern(wjr_runner *r, const char *s);
/* Give t the key (NULL: none): the pool's copy when trials share it (an
 * array's), else the trial's own, so that a study of 100,000 single
 * submissions keeps no pool of 100,000 keys. 0 or WJR_ENOMEM (t keeps
 * no key then). */
int wjr__trial_key(wjr_runner *r, trial *t, const char *key, int shared);
/* Trial t (in the table) changed: what to_json writes of it, or it is new.
 * Marks it for the change log. Every change of
 * a saved field goes through here, before the next checkpoint. */
void wjr__trial_touch(wjr_runner *r, trial *t);
/* A new CANDIDATE trial (not in the table); NULL when memory runs out. */
trial *wjr__trial_new(wjr_runner *r, int64_t index, const char *params_json);
void wjr__trial_free(trial *t);
trial *wjr__find_trial(const wjr_runner *r, int64_t index);
/* Put t in the table (WJR_EEXISTS when its index is there already). */
int wjr__insert_trial(wjr_runner *r, trial *t);
/* What the wrapper is told about trial t. */
void wjr__trial_ctx(wjr_trial_ctx *ctx, const wjr_runner *r, const trial *t);
/* Call the caller's checkpoint, if any; an error when it refused. */
int wjr__checkpoint(wjr_runner *r);
void wjr__runner_log(wjr_runner *r, wjr_log_level level, int64_t index, const char *fmt, ...)
    WJR_FORMAT(4, 5);

/* ---- runner_submit.c: submissions ----------------------------------------- */

/* The trial's job is known: job_id for a single job, array_job_id and
 * task for an array task. It becomes RUNNING (PENDING). */
void wjr__mark_submitted(wjr_runner *r, trial *t, uint32_t job_id, uint32_t array_job_id,
                         uint32_t task, int64_t submit_time);
/* The trial has no job and may be submitted again; why: its reason. */
void wjr__mark_unsubmitted(wjr_runner *r, trial *t, const char *why);
/* Whether key names an array's job, which its trials share (the job names
 * are made in runner_submit.c, and recognized there). */
int wjr__key_is_array(const wjr_runner *r, const char *key);
/* Submit trial t (prepared, unsubmitted) as a single job. */
int wjr__submit_single(wjr_runner *r, trial *t);
/* Sleep up to a second, never past @p deadline (monotonic). */
void wjr__nap_until(double deadline);

/* ---- runner_jobs.c: job records against trials ---------------------------- */

/* A map from a 64-bit key to a record position: open addressing. */
typedef struct job_map {
    uint64_t *keys;
    size_t *vals;
    size_t cap;
} job_map;

/* Index job records by (array job, task) or job id, as trials are looked up. */
int wjr__index_records(job_map *m, const wjr_job_list *jobs);
/* The record of a trial's job in a map made by wjr__index_records. *packed
 * is set when the task is still pending inside its array's packed record. */
int wjr__find_record(const job_map *m, const wjr_job_list *jobs, const trial *t, size_t *pos,
                     int *packed);
void wjr__job_map_free(job_map *m);
/* Append a key to a list of distinct keys. */
void wjr__add_key_once(const char **keys, size_t *n, const char *key);

/* ---- runner_settle.c: outcomes -------------------------------------------- */

/* A terminal status arrived: ask the wrapper, fetch the metrics, log.
 * lost: when set, nobody knows the job's end, and this is the reason. */
void wjr__finalize(wjr_runner *r, trial *t, wjr_trial_status status, const char *state_name,
                   int exit_code, int sig, const char *slurm_reason, int64_t end_time,
                   const char *lost);
/* Apply one job record to a trial. Returns 1 when the trial changed. */
int wjr__apply_record(wjr_runner *r, trial *t, const wjr_job_record *j, int packed_pending);
/* The controller forgot the job: settle it by its exit record (1), if any. */
int wjr__settle_by_exit_record(wjr_runner *r, trial *t);
/* Settle forgotten jobs through accounting: how many changed, or an error. */
int wjr__settle_by_accounting(wjr_runner *r, trial **vanished, size_t n);
/* Submit a trial the cluster failed again, as a new single job. */
void wjr__retry_trial(wjr_runner *r, trial *t);

/* ---- runner_json.c: the codec --------------------------------------------- */

/* The runner's JSON up to its trials: {"__type": ..., "wrapper": {...}
 * (no closing brace). */
int wjr__runner_emit_header(wjr_buf *b, const wjr_runner *r);
/* One trial's object, as the "trials" array holds it. */
void wjr__trial_emit(wjr_buf *b, const trial *t);
/* A trial built from one such object, not in the table yet. src (NULL:
 * unknown) is o's compact text, src_len bytes: its parameters and metrics
 * are then kept as written there, not printed anew (jsonspan.h). */
int wjr__trial_from_json(trial **out, wjr_runner *r, const json_t *o, const char *src,
                         size_t src_len);

/* ---- runner_poll.c ---------------------------------------------------------- */

/* Every index of a caller's list is a trial of this runner. */
int wjr__check_indices(const wjr_runner *r, const int64_t *indices, size_t count);

#endif
