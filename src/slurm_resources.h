/*
 * slurm_resources.h - the resource options of a Slurm job beyond the basic
 * ones (nodes, tasks, memory per CPU, GPUs, exclusive, reservation,
 * licenses, time-min, nice, export) and the options a trial takes from its
 * own parameters. Private: the Slurm backend owns one wjr_slurm_extra; the
 * checks of each value are slurm_values.h's.
 */
#ifndef WJR_SLURM_RESOURCES_H
#define WJR_SLURM_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wjr/backend.h"
#include "slurm_dist.h"
#include "slurm_values.h"

/* The longest reservation, license list or export list a job takes, and
 * so the longest value of any option a trial takes from a parameter. */
#define WJR_RES_TEXT_MAX 256
/* Longest --gpu-bind text a job keeps. */
#define WJR_GPU_BIND_MAX 128
/* The longest nodelist or exclude list (a hostlist such as "n[001-480]"). */
#define WJR_NODE_LIST_MAX 65536

/* What one submission asks for, as numbers; 0 or "" means not set. */
typedef struct wjr_slurm_res {
    uint32_t min_nodes, max_nodes;
    uint32_t ntasks, ntasks_per_node;
    uint32_t cpus_per_task; /* from a parameter only: the base value stays the backend's */
    uint64_t mem_mb;        /* idem */
    uint64_t mem_per_cpu_mb;
    uint32_t time_minutes; /* idem; 0: not set */
    int time_set;
    uint32_t time_min_minutes;
    char gpus[WJR_GPUS_MAX];          /* "2" or "a100:2" */
    char gpus_per_task[WJR_GPUS_MAX]; /* idem */
    char gpus_per_node[WJR_GPUS_MAX]; /* idem */
    uint32_t cpus_per_gpu;
    uint64_t mem_per_gpu_mb;
    int exclusive;
    int nice_set;
    int nice;
    char reservation[WJR_RES_TEXT_MAX]; /* "" when not set */
    char licenses[WJR_RES_TEXT_MAX];    /* idem */
    char export_env[WJR_RES_TEXT_MAX];  /* idem: ALL, the default */
    int warn_signal;                    /* signal number; 0: none */
    int warn_seconds;
    char hint[WJR_HINT_MAX];         /* "" when not set; the three below then hold what it asks */
    uint32_t threads_per_core;       /* 0: not set */
    uint32_t ntasks_per_core;        /* idem */
    uint32_t cores_per_socket;       /* idem; from hint or cores_per_socket (not both) */
    uint32_t sockets_per_node;       /* idem; not with hint */
    uint32_t ntasks_per_socket;      /* idem */
    wjr_slurm_dist dist;             /* task_dist 0: not set */
    char gpu_bind[WJR_GPU_BIND_MAX]; /* "" when not set */
    int oversubscribe;               /* not with exclusive */
} wjr_slurm_res;

typedef struct wjr_slurm_extra wjr_slurm_extra;

/* Copy and check the version 2 fields of opts, check its version 3 texts
 * (nodelist to tmp), and refuse the pairs sbatch refuses together. */
int wjr_slurm_extra_new(wjr_slurm_extra **out, const wjr_slurm_options *opts);
void wjr_slurm_extra_free(wjr_slurm_extra *x);

/* Add its fields to a backend's JSON object / read them back into opts,
 * whose strings then borrow from root; *per_trial is malloc'd (free it). */
void wjr_slurm_extra_to_json(json_t *o, const wjr_slurm_extra *x);
int wjr_slurm_extra_from_json(wjr_slurm_options *opts, const char ***per_trial, json_t *root);

/*
 * The options a trial takes from its parameters, as canonical text
 * ("cpus_per_task=4\nmem=2G\n"), or *out = NULL when there are none. Two
 * trials with the same text can share a job array. WJR_EINVALID names the
 * parameter and the option when a value does not fit.
 */
int wjr_slurm_extra_for_trial(char **out, const wjr_slurm_extra *x, const char *params_json);

/* Everything a submission asks for beyond the basic options: the fixed
 * values, then the trial's overrides text (NULL: none). */
int wjr_slurm_extra_resolve(wjr_slurm_res *out, const wjr_slurm_extra *x, const char *overrides);

/* 1 when a trial takes option key ("mem") from one of its parameters. */
int wjr_slurm_extra_per_trial(const wjr_slurm_extra *x, const char *key);

/* "WJR_REQUEUE_EXIT_CODE=N" for the job's environment (read by the batch
 * script), or NULL when no requeue code is set. Borrowed from x. */
const char *wjr_slurm_extra_job_env(const wjr_slurm_extra *x);

/* 1 when the submitter's environment entry "NAME=VALUE" goes into the job
 * under the export option of a resolved submission (the caller drops
 * SLURM_* and SBATCH_* itself). */
int wjr_slurm_res_exports(const wjr_slurm_res *res, const char *entry);

/*
 * Order items[] and texts[] (the trials' resources() texts, NULL for none)
 * so that equal texts are neighbours, keeping the order within each group.
 * 0, or WJR_ENOMEM.
 */
int wjr_res_group_sort(void **items, char **texts, size_t n);

#endif
