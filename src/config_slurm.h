/*
 * config_slurm.h - the resource keys of the configuration's slurm group
 * (nodes, ntasks, GPUs, exclusive, export, ...) and the keys a trial sets
 * from a parameter ("{{ name }}"). Private to the configuration reader.
 */
#ifndef WJR_CONFIG_SLURM_H
#define WJR_CONFIG_SLURM_H

#include <libconfig.h>

#include "wjr/backend.h"

struct wjr_study_config;

/* What the slurm group says beyond partition, time, cpus_per_task, mem,
 * account, qos, constraint, gres, env, array_throttle and requeue. */
typedef struct wjr_slurm_cfg {
    char *nodes, *mem_per_cpu, *gpus, *gpus_per_task, *reservation, *licenses, *time_min,
        *export_env;
    int ntasks, ntasks_per_node, exclusive, nice;
    char *signal;                           /* "USR1@120" */
    char *driver_partition, *driver_time;   /* the detached driver's job */
    char *file;                             /* the configuration, as named, for messages */
    int line_nodes, line_ntasks, line_cpus; /* where nodes, ntasks, cpus_per_task are set */
    int requeue_exit_code;                  /* 0: none */
    char **per_trial;                       /* "key=parameter", NULL-terminated; NULL when none */
    size_t n_per_trial;
    char *setup; /* script_options.setup: the job's setup lines joined by "\n", or NULL */
} wjr_slurm_cfg;

/* The keys this module reads, NULL-terminated, for the unknown-key check. */
extern const char *const wjr_config_slurm_keys[];

/*
 * Read the resource keys of slurm group g, and every key whose value is
 * "{{ name }}" (which must name a parameter whose values all fit). Errors
 * name file:line. The parameters must have been read.
 */
int wjr_config_slurm_parse(wjr_slurm_cfg *out, const char *file, const config_setting_t *g,
                           const struct wjr_study_config *cfg);

/* script_options.setup: a string or a list of strings, one shell line each,
 * kept verbatim; a line break inside an entry is an error at its line. */
int wjr_config_setup_parse(wjr_slurm_cfg *out, const char *file, const config_setting_t *s);

/* 1 when the key's value comes from a parameter: the caller skips it. */
int wjr_config_slurm_per_trial(const wjr_slurm_cfg *c, const char *key);

/*
 * What the controller says of the partition against what the trials ask
 * for: nodes beyond the partition's node count or MaxNodes, ntasks x
 * cpus_per_task beyond its CPUs (fixed values, and the largest a parameter
 * can give). WJR_ECONFIG naming file:line, or 0.
 */
int wjr_config_slurm_check_cluster(const struct wjr_study_config *cfg,
                                   const wjr_cluster_info *info);

/* Fill the version 2 fields of out; strings borrow from c. */
void wjr_config_slurm_options(wjr_slurm_options *out, const wjr_slurm_cfg *c);

void wjr_config_slurm_clear(wjr_slurm_cfg *c);

#endif
