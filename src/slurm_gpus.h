/*
 * slurm_gpus.h - the rules slurmctld applies to a job's GPU requests
 * taken together (--gpus, --gpus-per-node, --gpus-per-task, the gpu items
 * of --gres, against its tasks and nodes), which libslurm reports only as
 * "Invalid generic resource (gres) specification". The configuration
 * checks them at load (config_slurm.c) and the backend for each trial
 * whose GPUs come from a parameter (slurm_resources.c), so that the error
 * names the option and the values. Pure functions of text; no cluster.
 */
#ifndef WJR_SLURM_GPUS_H
#define WJR_SLURM_GPUS_H

#include <stddef.h>

#include "slurm_values.h"

/* The GPUs a --gpus, --gpus-per-node, --gpus-per-task (WJR_ITEM_GPUS) or
 * --gres list (WJR_ITEM_GRES) asks for: the sum of its gpu items' counts
 * ("gpu:a100:2,nic:1" is 2, "a100:2" is 2); 0 for NULL or none. */
long long wjr_slurm_gpu_count(const char *text, wjr_item_kind kind);

/* A job's GPU requests, borrowed. A text is NULL when the option is unset
 * or its value unknown (from a parameter, at load); the flags say whether
 * the option is given at all, known value or not. */
typedef struct wjr_gpu_request {
    const char *gres, *gpus, *gpus_per_node, *gpus_per_task, *nodes;
    int has_gpus, has_gpus_per_task, has_tasks; /* has_tasks: ntasks or ntasks_per_node */
} wjr_gpu_request;

/* 0 when slurmctld would take r; 1 when it would refuse it, with *key the
 * option to blame ("gpus_per_task", ...) and msg what is wrong, starting
 * "slurm.KEY" or naming the keys, and Slurm's own words. The rules, the
 * same on every major: GPUs with a type beside GPUs without one;
 * gpus_per_task without a count of tasks or gpus; gpus not a multiple of
 * gpus_per_task or of the GPUs per node (gpus_per_node, or the gpu in
 * gres), or fewer than the least number of nodes; GPUs per node that
 * gpus_per_task does not divide. Counts are compared within one type. */
int wjr_slurm_gpu_conflict(const char **key, char *msg, size_t size, const wjr_gpu_request *r);

/* --gpu-bind's forms on every major from 22.05: "closest", "none",
 * "map_gpu:0,1", "mask_gpu:0x3,0xC" (each item may repeat, "0*2"),
 * "per_task:N", "single:N", after an optional "verbose,"; case does not
 * matter. 0, or WJR_ECONFIG with the error set. */
int wjr_slurm_check_gpu_bind(const char *text);

#endif
