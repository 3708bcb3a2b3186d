/*
 * config_slurm.h - what config_slurm.c keeps of the configuration's slurm
 * group beyond the basic options of wjr_study_config (nodes, ntasks, GPUs,
 * exclusive, export, ...) and the keys a trial sets from a parameter
 * ("{{ name }}"); the check against what the cluster has
 * (config_slurm_cluster.c); the options handed to the backend. Its parser
 * is declared in config_int.h. Private to the configuration reader.
 */
#ifndef WJR_CONFIG_SLURM_H
#define WJR_CONFIG_SLURM_H

#include "wjr/backend.h"

struct wjr_study_config;
struct wjr_param;

/* An option a trial takes from a parameter: key = "{{ name }}". */
typedef struct wjr_slurm_per_trial {
    char *key;    /* "cpus_per_task" */
    size_t param; /* the parameter's index in the study's params */
    int line;     /* where the slurm group sets key */
} wjr_slurm_per_trial;

/* What the slurm group says beyond partition, time, cpus_per_task, mem,
 * account, qos, constraint, gres, env, array_throttle and requeue. */
typedef struct wjr_slurm_cfg {
    char *nodes, *mem_per_cpu, *gpus, *gpus_per_task, *reservation, *licenses, *time_min,
        *export_env, *nodelist, *exclude, *mail_type, *mail_user, *tmp, *gpus_per_node,
        *mem_per_gpu, *hint, *prefer, *wckey, *begin, *deadline, *propagate, *clusters,
        *distribution, *gpu_bind;
    int ntasks, ntasks_per_node, exclusive, nice, cpus_per_gpu, threads_per_core, ntasks_per_core,
        oversubscribe, sockets_per_node, cores_per_socket, ntasks_per_socket;
    char *signal;                           /* "USR1@120" */
    char *driver_partition, *driver_time;   /* the detached driver's job */
    char *file;                             /* the configuration, as named, for messages */
    int line_nodes, line_ntasks, line_cpus; /* where nodes, ntasks, cpus_per_task are set */
    int line_reservation, line_licenses, line_gres, line_gpus, line_gpus_per_task; /* idem */
    int line_gpus_per_node;
    int line_mem, line_mem_per_cpu, line_mem_per_gpu, line_constraint;   /* idem */
    int line_time, line_time_min, line_partition;                        /* idem */
    int line_threads_per_core, line_prefer;                              /* idem */
    int line_account, line_qos, line_wckey, line_nodelist, line_exclude; /* idem */
    int line_deadline, line_clusters;                                    /* idem */
    int line_group;                 /* the slurm group's own line; 0 when there is none */
    int requeue_exit_code;          /* 0: none */
    wjr_slurm_per_trial *per_trial; /* in the group's order; NULL when none */
    size_t n_per_trial;
    char **per_trial_text; /* the same as the backend reads them, "key=name", NULL-terminated */
    char *setup;           /* script_options.setup: the job's setup lines joined by "\n", or NULL */
} wjr_slurm_cfg;

/*
 * What the controller says of the partition against what the trials ask
 * for: nodes beyond the partition's node count or MaxNodes, ntasks x
 * cpus_per_task beyond its CPUs (fixed values, and the largest a parameter
 * can give); a reservation that does not exist or has ended; a license the
 * cluster lacks, or more of it than it has; a GRES or GPU type no node of
 * the partition has, or more per node than any has (fixed values); mem, or
 * mem_per_cpu x cpus_per_task x ntasks_per_node, beyond the RealMemory of
 * every node of the partition (the largest a parameter can give too);
 * threads_per_core beyond the ThreadsPerCore of every node of it (idem); a
 * constraint naming a feature no node of the partition has, or a prefer
 * naming one no node has (checked when info says the backend loaded the
 * nodes). WJR_ECONFIG naming file:line
 * and what the cluster has, or 0.
 */
int wjr_config_slurm_check_cluster(const struct wjr_study_config *cfg,
                                   const wjr_cluster_info *info);

/* The line where the slurm group sets key (any option, when it takes a
 * parameter); 0 when it does not. */
int wjr_config_slurm_line(const wjr_slurm_cfg *c, const char *key);

/*
 * What slurmctld said of a trial's job (wjr_study_check: the backend's
 * test, `error` and `key` as wjr__backend_will_run left them): a refusal
 * becomes WJR_ESLURM naming file:line of the key to blame, or of the
 * slurm group, with Slurm's message; a job that would wait for nodes
 * that are down, and a site's job_submit message, become warnings. 0 when
 * it would be taken. trial is NULL for the first trial; for another, the
 * values it was tested with ("k = 9"), named in the refusal beside key
 * (the option that takes them) and in the warning.
 */
int wjr_config_slurm_will_run(struct wjr_study_config *cfg, const wjr_cluster_info *info, int error,
                              const char *key, const char *trial);

/* The parameter option key takes, NULL when it takes none. */
const struct wjr_param *wjr_config_slurm_param(const struct wjr_study_config *cfg, const char *key);

/* The values a trial with params_json gives the options that take
 * parameters, 'c = 7 (slurm.cpus_per_task), h = "x" (slurm.hint)'
 * (malloc'd); NULL when no option takes one, or out of memory. */
char *wjr_config_slurm_trial_values(const struct wjr_study_config *cfg, const char *params_json);

/* Fill the version 2 to 7 fields of out; strings borrow from c. */
void wjr_config_slurm_options(wjr_slurm_options *out, const wjr_slurm_cfg *c);

void wjr_config_slurm_clear(wjr_slurm_cfg *c);

#endif
