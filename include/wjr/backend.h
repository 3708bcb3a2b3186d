/*
 * wjr/backend.h - batch-scheduler backends. One exists: Slurm through
 * libslurm. The backend knows jobs, not trials; the runner maps between them.
 *
 * Ownership: a backend handed to wjr_runner_new() belongs to the runner from
 * then on. Strings in option structs are copied by the constructor.
 */
#ifndef WJR_BACKEND_H
#define WJR_BACKEND_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wjr_backend wjr_backend;

#define WJR_SLURM_OPTIONS_VERSION 8

/**
 * Slurm job options, as sbatch names them. NULL or 0 means Slurm's default.
 * Version 1 ends at @c accounting, version 2 at @c requeue_exit_code,
 * version 3 at @c mem_per_gpu, version 4 at @c wckey, version 5 at @c
 * deadline, version 6 at @c propagate, version 7 at @c clusters; all are
 * still accepted.
 */
typedef struct wjr_slurm_options {
    unsigned int version;   /**< WJR_SLURM_OPTIONS_VERSION */
    const char *partition;  /**< --partition */
    const char *time;       /**< --time: "MM", "HH:MM:SS", "D-HH:MM:SS" ... */
    int cpus_per_task;      /**< --cpus-per-task */
    const char *mem;        /**< --mem: "256M", "4G" ... */
    const char *account;    /**< --account */
    const char *qos;        /**< --qos */
    const char *constraint; /**< --constraint */
    const char *gres;       /**< --gres, e.g. "gpu:1" */
    const char *const *env; /**< NULL-terminated "NAME=VALUE" added to the job's environment */
    int array_throttle;     /**< %N on job arrays; 0: none */
    int requeue;            /**< -1: Slurm's default, 0: --no-requeue, 1: --requeue */
    double rpc_timeout;     /**< seconds a submit or query may take; 0: 30 */
    int accounting;         /**< -1: use slurmdbd when the cluster has it, 0: never */
    /* version 2 */
    const char *nodes;       /**< --nodes: "2" or "2-4" */
    int ntasks;              /**< --ntasks */
    int ntasks_per_node;     /**< --ntasks-per-node */
    const char *mem_per_cpu; /**< --mem-per-cpu; exclusive with mem */
    const char *gpus;        /**< --gpus: "2" or "a100:2" */
    /** --gpus-per-task: "1" or "a100:1"; from Slurm 23.11 each task is
     *  bound to its GPUs, as sbatch binds them. */
    const char *gpus_per_task;
    int exclusive;           /**< 1: --exclusive */
    const char *reservation; /**< --reservation */
    const char *licenses;    /**< --licenses: "name:2,other" */
    const char *time_min;    /**< --time-min, as time */
    int nice;                /**< --nice; 0: none */
    /** --export: NULL or "ALL" (the submitter's environment without its
     *  SLURM_* and SBATCH_* variables), "NONE", or "NAME,NAME,..." (only
     *  those); env entries are added in every case. */
    const char *export_env;
    /** NULL-terminated "key=parameter" entries: the value of that option
     *  (time, cpus_per_task, mem, nodes, ntasks, ntasks_per_node,
     *  mem_per_cpu, gpus, gpus_per_task, gpus_per_node, cpus_per_gpu,
     *  mem_per_gpu, time_min, nice, hint, threads_per_core,
     *  ntasks_per_core, sockets_per_node, cores_per_socket,
     *  ntasks_per_socket) is the trial's
     *  parameter of that name, validated per trial. */
    const char *const *per_trial;
    /** --signal: "USR1@120" or "USR2@N": the batch script receives that
     *  signal N seconds before the time limit and forwards it to the model. */
    const char *signal;
    /** 1 to 255: a model exiting with this code asks Slurm to requeue its
     *  job (the same trial, one more attempt); 0: none. */
    int requeue_exit_code;
    /* version 3 */
    const char *nodelist;      /**< --nodelist: nodes each job must have, "n[01-04],gpu7" */
    const char *exclude;       /**< --exclude: nodes no job may run on, as nodelist */
    const char *mail_type;     /**< --mail-type: "END,FAIL", "ALL", "NONE", ... */
    const char *mail_user;     /**< --mail-user; NULL: Slurm mails the submitting user */
    const char *tmp;           /**< --tmp: disk per node, as mem ("10G") */
    const char *gpus_per_node; /**< --gpus-per-node: "4" or "a100:4"; not with a gpu in gres */
    int cpus_per_gpu;          /**< --cpus-per-gpu; 0: none; not with cpus_per_task */
    const char *mem_per_gpu;   /**< --mem-per-gpu, as mem; not with mem or mem_per_cpu */
    /* version 4 */
    /** --hint: "nomultithread", "multithread", "compute_bound",
     *  "memory_bound", or a comma-separated list of them; not with
     *  threads_per_core or ntasks_per_core. The job gets SLURM_HINT, as
     *  from sbatch, for srun in it. */
    const char *hint;
    int threads_per_core; /**< --threads-per-core; 0: none */
    int ntasks_per_core;  /**< --ntasks-per-core; 0: none */
    int oversubscribe;    /**< 1: --oversubscribe; not with exclusive */
    const char *prefer;   /**< --prefer: features as constraint, wished for, not required */
    const char *wckey;    /**< --wckey */
    /* version 5 */
    /** --begin: the jobs start no earlier, in any form sbatch reads
     *  ("16:00", "now+1hour", "2026-12-24T08:00", "tomorrow"), read by
     *  libslurm's own parser at each submission: a relative time counts
     *  from that submission. */
    const char *begin;
    /** --deadline, read as begin: slurmctld refuses a job submitted after
     *  it (or too near it for time_min), and ends one that can no longer
     *  finish before it (state DEADLINE). */
    const char *deadline;
    /* version 6 */
    /** --propagate: NULL gives the job every soft resource limit of the
     *  submitting process, for slurmstepd to apply those the cluster's
     *  PropagateResourceLimits names; "ALL", "NONE", or names ("STACK,
     *  NOFILE"; CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, NOFILE, MEMLOCK,
     *  AS) give only those, applied whatever the configuration says ("NONE":
     *  slurmd's limits). */
    const char *propagate;
    /* version 7 */
    /** --clusters (-M): the one cluster, of those that share the site's
     *  slurmdbd, that every job, query and kill of the backend goes to,
     *  as sbatch, squeue and scancel -M send theirs. NULL: the cluster of
     *  slurm.conf. Its controller is looked up in slurmdbd at the first
     *  RPC (WJR_ENOTFOUND when slurmdbd knows no such cluster), once a
     *  process, and its record kept for the process's life; libslurm keeps
     *  the choice in a process-wide variable (working_cluster_rec), so a
     *  process uses backends of one cluster at a time. */
    const char *clusters;
    /* version 8 */
    /** --sockets-per-node, --cores-per-socket: the least of each a node of
     *  the job must have; 0: none; neither with hint. */
    int sockets_per_node;
    int cores_per_socket;
    /** --ntasks-per-socket; 0: none. The job gets SLURM_NTASKS_PER_SOCKET,
     *  as from sbatch, for srun in it. */
    int ntasks_per_socket;
    /** --distribution: "block", "cyclic", "plane=N", "block:cyclic",
     *  "cyclic:fcyclic:block", ",pack" or ",nopack" after any but plane...
     *  as sbatch reads it (not arbitrary, which needs a host file). The
     *  job gets SLURM_DISTRIBUTION (and SLURM_DIST_PLANESIZE for plane),
     *  as from sbatch, for srun in it. */
    const char *distribution;
    /** --gpu-bind: "closest", "none", "map_gpu:0,1", "mask_gpu:0x3",
     *  "per_task:N", "single:N", after an optional "verbose,"; in place of
     *  the binding per task that gpus_per_task implies from 23.11. The
     *  job gets SLURM_GPU_BIND (22.05) or SLURM_TRES_BIND, as from sbatch,
     *  for srun in it. */
    const char *gpu_bind;
} wjr_slurm_options;

#define WJR_SLURM_OPTIONS_INIT                                                                     \
    {                                                                                              \
        WJR_SLURM_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, -1, 0,    \
            -1, NULL, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL,   \
            NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL,    \
            NULL, 0, 0, 0, NULL, NULL                                                              \
    }

/**
 * Create the libslurm backend. Calls slurm_init() once per process.
 * Contacts nobody: the first RPC happens on first use.
 */
WJR_EXTERN(int) wjr_backend_slurm_new(wjr_backend **out, const wjr_slurm_options *opts);

/** Free a backend; NULL is accepted. */
WJR_EXTERN(void) wjr_backend_free(wjr_backend *backend);

/** A named thing the controller counts: a license and its total, a generic
 *  resource ("gpu", "gpu:a100") and the most one node has, a reservation
 *  (count 0). The name is owned by the wjr_cluster_info that holds it. */
typedef struct wjr_cluster_item {
    char *name;
    uint32_t count;
} wjr_cluster_item;

/** What `wjr check` reports about a cluster. The library allocates it
 *  (wjr_backend_cluster_info(), wjr_study_check()) and the caller frees it
 *  with wjr_cluster_info_free(): callers never allocate one nor depend on
 *  its size, and new fields are only ever added at its end, so that a
 *  program linked against an older libwjr reads the fields it knows.
 *  Strings and arrays are owned by the struct. */
typedef struct wjr_cluster_info {
    char *cluster_name;       /**< ClusterName */
    char *slurm_version;      /**< the controller's version */
    uint32_t max_array_size;  /**< MaxArraySize: task ids must stay below it */
    uint32_t max_job_count;   /**< MaxJobCount */
    uint32_t min_job_age;     /**< MinJobAge, seconds */
    int has_accounting;       /**< AccountingStorageType is slurmdbd */
    int partition_found;      /**< the configured partition exists (1 if none set) */
    char *partition_max_time; /**< the partition's MaxTime as text ("60 minutes",
                                   "UNLIMITED"); for a list, each one's ("debug: 60
                                   minutes, gpu: UNLIMITED"); or NULL */
    char *partition;          /**< the partition jobs go to: the configured one, or the
                                   cluster's default; NULL when unknown, and for a list */
    int partition_is_default; /**< none configured: Slurm's default partition applies */
    /* For a list of partitions, the three below and partition_max_minutes
     * are the most any of them has or allows (0 for unlimited when one is). */
    uint32_t partition_nodes;     /**< its node count; 0: unknown */
    uint32_t partition_cpus;      /**< its CPU count; 0: unknown */
    uint32_t partition_max_nodes; /**< MaxNodes per job; 0: unlimited or unknown */
    /* Asked only when the backend's options name them (one RPC each): */
    int reservations_known;         /**< the reservations below were loaded */
    wjr_cluster_item *reservations; /**< those that have not ended (count 0) */
    size_t n_reservations;
    int licenses_known;         /**< the licenses below were loaded */
    wjr_cluster_item *licenses; /**< every license and its total ("name" or "name@server") */
    size_t n_licenses;
    /** The nodes were loaded (gres, GPUs, mem, mem_per_cpu or a constraint
     *  asked for): gres, node_max_memory and features below hold. */
    int gres_known;
    wjr_cluster_item *gres; /**< the generic resources of the partition's nodes, by "name"
                                 and by "name:type", each with the most one node has */
    size_t n_gres;
    /* Loaded with the nodes (gres_known); owned by the struct: */
    uint64_t node_max_memory; /**< the most RealMemory (MB) one node of the partition has;
                                   0: unknown */
    /** Every feature of the cluster's nodes, available or active, each with
     *  the number of the partition's nodes that have it (0: only nodes of
     *  other partitions have it). */
    wjr_cluster_item *features;
    size_t n_features;
    uint32_t partition_max_minutes; /**< the partition's MaxTime in minutes; 0: unlimited or
                                         unknown */
    wjr_cluster_item *partitions;   /**< every partition of the cluster, with its node count */
    size_t n_partitions;
    /** Loaded with the nodes (gres_known, asked for threads_per_core too):
     *  the most ThreadsPerCore a node of the partition has; 0: unknown. */
    uint32_t node_max_threads;
    /* wjr_study_check() then asks slurmctld whether it would take the
     * study's first trial as its job, as sbatch --test-only asks (no job
     * is made; a refusal is wjr_study_check()'s error, with Slurm's
     * message). Owned by the struct: */
    int trial_tested;      /**< slurmctld would take it: the four below hold */
    int64_t trial_start;   /**< the earliest start slurmctld gives it (Unix time) */
    char *trial_partition; /**< the partition it would start in */
    char *trial_nodes;     /**< the nodes it would start on */
    uint32_t trial_cpus;   /**< the CPUs it would have */
    /** slurmctld could not start it now, but would take it and let it
     *  wait: no node that is up can hold it while some of the partition's
     *  are down, drained or not responding, or its reservation has not
     *  begun. Slurm's message and why; NULL otherwise. */
    char *trial_not_now;
    /** What the site's job_submit plugin told the submitter, or NULL. */
    char *trial_site_message;
    /** Then, when options take their values from parameters ("{{ threads
     *  }}"), the jobs of the trials at those parameters' ends (each at its
     *  bounds or choices, and all ranges at their bounds together): how
     *  many distinct ones slurmctld would take beside the first trial's.
     *  A refusal is wjr_study_check()'s error, naming the values. */
    uint32_t trial_ends_tested;
} wjr_cluster_info;

/**
 * Ask the controller for its limits and check the configured partition;
 * and, when the options name a reservation, licenses, GRES, GPUs, memory
 * (mem, mem_per_cpu) or a constraint, for the reservations, the licenses
 * or the nodes.
 * @param out receives a new wjr_cluster_info, owned by the caller (free it
 *            with wjr_cluster_info_free()); NULL on error.
 */
WJR_EXTERN(int) wjr_backend_cluster_info(wjr_cluster_info **out, wjr_backend *backend);

/** Free a wjr_cluster_info with its strings and arrays; NULL is accepted. */
WJR_EXTERN(void) wjr_cluster_info_free(wjr_cluster_info *info);

/**
 * The controller's Slurm version as the backend last learnt it (it asks
 * when it first needs the cluster's name or limits, and keeps the answer
 * in the runner's JSON), or NULL. Contacts nobody. Borrowed.
 */
WJR_EXTERN(const char *) wjr_backend_slurm_version(const wjr_backend *backend);

/** Number of RPCs this backend sent to the controller and to accounting. */
WJR_EXTERN(uint64_t) wjr_backend_rpc_count(const wjr_backend *backend);

#ifdef __cplusplus
}
#endif

#endif
