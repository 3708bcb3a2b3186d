/*
 * slurm_resources.h - the resource options of a Slurm job beyond the basic
 * ones (nodes, tasks, memory per CPU, GPUs, exclusive, reservation,
 * licenses, time-min, nice, export) and the options a trial takes from its
 * own parameters. Private: the Slurm backend owns one wjr_slurm_extra, the
 * configuration reader uses the value checks.
 */
#ifndef WJR_SLURM_RESOURCES_H
#define WJR_SLURM_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wjr/backend.h"

/* Longest GPU request text ("a100:2") kept in a wjr_slurm_res. */
#define WJR_GPUS_MAX 64

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
    int exclusive;
    int nice_set;
    int nice;
    const char *reservation; /* borrowed from the wjr_slurm_extra */
    const char *licenses;    /* idem */
    int warn_signal;         /* signal number; 0: none */
    int warn_seconds;
} wjr_slurm_res;

typedef struct wjr_slurm_extra wjr_slurm_extra;

/*
 * Check the text of one option: key is the option's name in the
 * configuration ("nodes", "mem_per_cpu", ...). 0, or WJR_ECONFIG with a
 * message saying what the value should be. Keys without a check pass.
 */
int wjr_slurm_res_check(const char *key, const char *text);

/* 1 when the option may come from a trial's parameter. */
int wjr_slurm_res_per_trial_key(const char *key);

/*
 * The text of a parameter's value for option key: an integer (an integral
 * real counts) or a string, checked as wjr_slurm_res_check does. *out is
 * malloc'd. WJR_EINVALID when the value does not fit.
 */
int wjr_slurm_res_value(char **out, const char *key, const json_t *value);

/* Copy and check the version 2 fields of opts (and mem against mem_per_cpu). */
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

/* "USR1@120": the signal's number and the seconds; WJR_ECONFIG otherwise.
 * Only USR1 and USR2, which the batch script forwards to the model. */
int wjr_slurm_parse_signal(int *sig, int *seconds, const char *text);

/* "WJR_REQUEUE_EXIT_CODE=N" for the job's environment (read by the batch
 * script), or NULL when no requeue code is set. Borrowed from x. */
const char *wjr_slurm_extra_job_env(const wjr_slurm_extra *x);

/* 1 when the submitter's environment entry "NAME=VALUE" goes into the job
 * under the export option (the caller drops SLURM_* and SBATCH_* itself). */
int wjr_slurm_extra_exports(const wjr_slurm_extra *x, const char *entry);

/*
 * Order items[] and texts[] (the trials' resources() texts, NULL for none)
 * so that equal texts are neighbours, keeping the order within each group.
 * 0, or WJR_ENOMEM.
 */
int wjr_res_group_sort(void **items, char **texts, size_t n);

#endif
