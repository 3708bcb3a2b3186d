/*
 * backend_slurm_int.h - what the four parts of the Slurm backend share:
 * its state (struct slurm_backend), libslurm's start-up, and how a failed
 * libslurm call becomes a wjr error. The parts are backend_slurm.c (options,
 * life cycle, serialisation, the start-up and errors), backend_slurm_submit.c
 * (job descriptions and the submit RPC), backend_slurm_query.c (polls, on a
 * worker thread with a deadline) and backend_slurm_info.c (the controller's
 * configuration, cancellations, accounting). They, and the tests' fake
 * controller, are the only files that include slurm.h. Private.
 */
#ifndef WJR_BACKEND_SLURM_INT_H
#define WJR_BACKEND_SLURM_INT_H

#include <errno.h>
#include <stdint.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "backend.h"
#include "slurm_compat.h"
#include "slurm_resources.h"

/* The Slurm error of the call that just failed. 24.11 removed
 * slurm_get_errno(), which had only ever returned errno (22.05's
 * src/common/slurm_errno.c): every release sets errno itself, so read it
 * directly, right after the call, on all of them. */
#define SLURM_ERRNO() (errno)

typedef struct slurm_backend {
    wjr_backend parent; /* must be first */
    char *partition;
    char *time;
    int cpus_per_task;
    char *mem;
    char *account;
    char *qos;
    char *constraint;
    char *gres;
    char **env; /* NULL-terminated copies */
    int array_throttle;
    int requeue;
    double rpc_timeout;
    int accounting;
    wjr_slurm_extra *extra;            /* nodes, tasks, GPUs, ...: slurm_resources.c */
    char *nodelist, *exclude;          /* --nodelist, --exclude */
    char *prefer, *wckey;              /* --prefer, --wckey */
    char *begin, *deadline;            /* --begin, --deadline: read at each submission */
    char *propagate;                   /* --propagate, as given; NULL: not set */
    unsigned propagate_bits;           /* the limits it names (slurm_limits.h) */
    char *mail_type, *mail_user, *tmp; /* --mail-type, --mail-user, --tmp */
    uint16_t mail_bits;                /* mail_type read once, at creation */
    uint32_t tmp_mb;                   /* tmp read once; 0: not set */
    char *clusters;                    /* --clusters: one name; NULL: slurm.conf's */
    void *cluster_rec;                 /* slurmdbd's record of it (a slurmdb_cluster_rec_t,
                                          kept for the process's life), once looked up */
    /* learnt from the controller */
    uint32_t max_array_size; /* 0 until asked */
    char *cluster_name;
    char *slurm_version;         /* the controller's, kept in to_json */
    int has_accounting;          /* -1 until asked */
    struct query_worker *worker; /* started by the first query */
} slurm_backend;

/* slurm_init() once per process (slurm_fini() at exit, unless a query that
 * timed out still runs). Every part calls it before its first libslurm
 * call. WJR_EUNREACHABLE when SLURM_CONF names no readable file. */
int wjr__slurm_init(void);

/* wjr__slurm_init(), then the cluster sb's RPCs go to: with clusters set,
 * its controller as slurmdbd records it (looked up once a process; WJR_ENOTFOUND
 * naming the clusters slurmdbd knows when it has no such one,
 * WJR_EUNREACHABLE when it does not answer), set as libslurm's
 * working_cluster_rec; without, slurm.conf's (working_cluster_rec NULL).
 * Every part calls it before its first RPC. */
int wjr__slurm_reach(slurm_backend *sb);

/* WJR_E* for Slurm error e, with Slurm's message: "<what>: <message> (Slurm
 * error <e>)". Read e right after the failing call. */
int wjr__slurm_fail(int code, int slurm_errno, const char *what);
/* The WJR_E* a failed call's Slurm error means: WJR_ETIMEOUT when the
 * request may have reached slurmctld, WJR_EUNREACHABLE when it did not,
 * else WJR_ESLURM. */
int wjr__slurm_classify(int e, const char *what);
/* The errors after which sbatch sleeps and tries again. */
int wjr__slurm_errno_is_busy(int e);

/* backend_slurm_info.c: how many nodes of the backend's partitions (or
 * of the default partition) are not up now (down, drained, failing, not
 * responding, powered down), of how many. Two RPCs. */
int wjr__slurm_nodes_down(uint32_t *down, uint32_t *total, slurm_backend *sb);

/* The parts' entries of the backend's table of functions. */
void wjr__slurm_submit_ops(wjr_backend *b);
void wjr__slurm_query_ops(wjr_backend *b);
void wjr__slurm_info_ops(wjr_backend *b);

/* backend_slurm_query.c: end a backend's query worker (one still inside
 * libslurm finishes on its own), and whether any query thread still runs. */
struct query_worker;
void wjr__slurm_query_stop(struct query_worker *w);
int wjr__slurm_queries_running(void);

#endif
