/*
 * backend.h - the private interface between the runner and a batch
 * scheduler: a struct of function pointers that each backend embeds as its
 * first member. The backend knows jobs, not trials.
 */
#ifndef WJR_BACKEND_PRIV_H
#define WJR_BACKEND_PRIV_H

#include "wjr/backend.h"

/* One submission: a single job, or an array when array_inx is set. */
typedef struct wjr_job_spec {
    const char *name;    /* idempotency key: the job name */
    const char *comment; /* "wjr:<study>:<trial ranges>" */
    const char *script;  /* the batch script text */
    const char *work_dir;
    const char *std_out;
    const char *std_err;
    const char *array_inx; /* "0-99"; NULL for a single job */
    const char *resources; /* per-trial options from resources(); NULL: none */
} wjr_job_spec;

/* One job (or array task, or a record of packed pending array tasks). */
typedef struct wjr_job_record {
    uint32_t job_id;
    uint32_t array_job_id;  /* 0 when not an array */
    uint32_t array_task_id; /* WJR_NO_TASK for a packed record or a plain job */
    char *array_task_str;   /* packed pending tasks, e.g. "3-9,12%4"; else NULL */
    uint32_t state;         /* base state | flags, Slurm's numbers (state.h) */
    int will_requeue;       /* Slurm requeues it on preemption / node failure */
    int exit_code;          /* -1 when unknown */
    int term_signal;        /* 0 when none */
    uint32_t restart_cnt;
    int64_t submit_time;
    int64_t start_time; /* 0 when it never started; for PENDING, Slurm's estimate */
    int64_t end_time;
    char *name;
    char *comment;
    char *reason;        /* Slurm's state description, or NULL */
    int from_accounting; /* 1: came from slurmdbd */
    int light;           /* 1: from query_states: ids and state only, the rest unknown */
} wjr_job_record;

typedef struct wjr_job_list {
    size_t count;
    wjr_job_record *jobs;
    /* When set, the records' strings point into this answer of the
     * backend's, freed with owner_free instead of one by one. */
    void *owner;
    void (*owner_free)(void *owner);
} wjr_job_list;

void wjr_job_list_clear(wjr_job_list *list);

struct wjr_backend {
    unsigned int version;
    const char *type; /* "slurm" */

    /* One submit RPC. *out is the job id (the array's job id for arrays).
     * WJR_ETIMEOUT when the answer did not come: the job may exist. */
    int (*submit)(uint32_t *out, wjr_backend *b, const wjr_job_spec *spec);
    /* One query RPC for all jobs of this user that the controller knows. */
    int (*query)(wjr_job_list *out, wjr_backend *b);
    /* One cheaper RPC for the states alone of the jobs in job_ids[] (array
     * job ids for arrays): light records. NULL where the scheduler has no
     * such call (Slurm before 23.11.5). */
    int (*query_states)(wjr_job_list *out, wjr_backend *b, const uint32_t *job_ids, size_t n);
    /* Accounting records of the jobs named in names[], submitted at or
     * after since. WJR_ENOTFOUND when the cluster has no accounting. */
    int (*accounting)(wjr_job_list *out, wjr_backend *b, const char *const *names, size_t n,
                      int64_t since);
    /* Cancel a job, or one array task when task_id != WJR_NO_TASK. */
    int (*cancel)(wjr_backend *b, uint32_t job_id, uint32_t task_id);
    /* Cancel the jobs of ids[], Slurm job id expressions ("123",
     * "456_[0-3,7-9]"), in as few RPCs as the scheduler allows. Jobs that
     * already ended are no error. */
    int (*cancel_many)(wjr_backend *b, const char *const *ids, size_t n);
    int (*cluster_info)(wjr_cluster_info *out, wjr_backend *b);
    /* MaxArraySize (cached after the first ask). */
    int (*max_array_size)(uint32_t *out, wjr_backend *b);
    const char *(*partition)(const wjr_backend *b);
    const char *(*cluster)(wjr_backend *b);
    int (*to_json)(char **out, const wjr_backend *b);
    /* Options a trial takes from its parameters, as text for
     * wjr_job_spec.resources; *out = NULL when none. Trials with the same
     * text may share an array. May be NULL. */
    int (*resources)(char **out, const wjr_backend *b, const char *params_json);
    /* Whether the scheduler would take spec, and when and where it would
     * start it; nothing is made (sbatch --test-only). Fills info's trial_*
     * fields: 0 when it would take it (trial_tested), or when it could not
     * start it now but would let it wait, for nodes that are down or a
     * reservation that has not begun (trial_not_now);
     * WJR_ESLURM when it refuses the job, with its message and *key the
     * option to blame ("account", "qos", ...; NULL when none is known).
     * May be NULL. */
    int (*will_run)(wjr_cluster_info *info, const char **key, wjr_backend *b,
                    const wjr_job_spec *spec);
    /* Take what from (a backend of the same type, about to be replaced by
     * this one) learnt from the scheduler: its version, the cluster's
     * name, its limits. May be NULL. */
    void (*learn_from)(wjr_backend *b, const wjr_backend *from);
    void (*free)(wjr_backend *b);

    uint64_t rpc_count;
};

/* Add len bytes of name to a wjr_cluster_info list, or, when it is there,
 * raise its count to count (sum = 0) or add count (sum = 1). 0 or
 * WJR_ENOMEM. */
int wjr_cluster_items_put(wjr_cluster_item **items, size_t *n, const char *name, size_t len,
                          uint32_t count, int sum);
void wjr_cluster_items_free(wjr_cluster_item *items, size_t n);
/* The item named by len bytes of name, or NULL. */
const wjr_cluster_item *wjr_cluster_items_find(const wjr_cluster_item *items, size_t n,
                                               const char *name, size_t len);
/* The first name of a comma-separated list ("debug,gpu", as sbatch takes
 * partitions and reservations) that items lack, its length in *len; NULL
 * when each is there. Empty names are passed over. */
const char *wjr_cluster_items_missing(const wjr_cluster_item *items, size_t n, const char *list,
                                      size_t *len);
/* Free what a wjr_cluster_info holds and zero it (the struct stays). */
void wjr__cluster_info_clear(wjr_cluster_info *info);

/* Ask the scheduler whether it would take the job of a trial with these
 * parameters (a JSON object; NULL: the fixed options alone), as the runner
 * would submit it but for its script, and fill info's trial_* fields
 * (backend->will_run). 0 also when the backend cannot ask. */
int wjr__backend_will_run(wjr_cluster_info *info, const char **key, wjr_backend *b,
                          const char *params_json);

/* Rebuild a backend from its type and to_json text (backend.c, through
 * its registry of types). */
int wjr_backend_from_json(wjr_backend **out, const char *type, const char *json);

/* text read as sbatch reads --begin and --deadline ("16:00", "now+1hour",
 * "2026-12-24T08:00", "tomorrow"), by libslurm's own parser, into a Unix
 * time; a relative time counts from now. 0, or WJR_ECONFIG naming slurm.KEY
 * and the text (libslurm prints a line of its own to stderr then). */
int wjr_slurm_when(int64_t *out, const char *key, const char *text);

/* Each type's own rebuild from its to_json text, listed in backend.c. */
int wjr__backend_slurm_from_json(wjr_backend **out, const char *json);

#endif
