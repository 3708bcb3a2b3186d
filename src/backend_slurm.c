/*
 * backend_slurm.c - the Slurm backend's options and life cycle: it checks
 * and keeps the sbatch-like options, builds the table of functions from the
 * backend's parts (backend_slurm_submit.c, _query.c, _info.c; see
 * backend_slurm_int.h), saves and restores the options as JSON, starts
 * libslurm once per process, and turns a failed libslurm call into a wjr
 * error with Slurm's own message. wjr builds against Slurm 22.05 to 26.05:
 * where the API differs between releases, the code says so where it
 * happens, behind SLURM_VERSION_NUMBER checks that name the release that
 * changed it (slurm_compat.h for names the fake controller needs too).
 *
 * It does what sbatch would do for a caller of libslurm (the submit part:
 * environment, working directory, output paths, retries while the
 * controller is busy). It knows jobs, not trials: names, comments and
 * scripts come ready-made from the runner.
 */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <slurm/slurmdb.h>

#include "backend_slurm_int.h"
#include "slurm_dist.h"
#include "slurm_limits.h"
#include "state.h"
#include "util.h"

/* state.c keeps Slurm's numbers without including slurm.h: check them. */
_Static_assert((int)WJR_JOB_PENDING == (int)JOB_PENDING && (int)WJR_JOB_OOM == (int)JOB_OOM &&
                   (int)WJR_JOB_END == (int)JOB_END,
               "job_states changed");
_Static_assert(WJR_JOB_STATE_BASE == JOB_STATE_BASE, "JOB_STATE_BASE changed");
/* slurm_values.c reads UNLIMITED without slurm.h */
_Static_assert(WJR_SLURM_INFINITE == INFINITE, "INFINITE changed");
_Static_assert(WJR_SLURM_INFINITE16 == INFINITE16, "INFINITE16 changed");
/* slurm_dist.c composes task_dist_states_t without slurm.h */
_Static_assert(WJR_DIST_PLANE == SLURM_DIST_PLANE && WJR_DIST_UNKNOWN == SLURM_DIST_UNKNOWN &&
                   WJR_DIST_PACK_NODES == SLURM_DIST_PACK_NODES &&
                   WJR_DIST_NO_PACK_NODES == SLURM_DIST_NO_PACK_NODES &&
                   SLURM_DIST_BLOCK_CYCLIC == 0x12 && SLURM_DIST_CYCLIC_CFULL == 0x31 &&
                   SLURM_DIST_BLOCK_CFULL_BLOCK == 0x232,
               "task_dist_states changed");
_Static_assert(WJR_JOBF_REQUEUE == JOB_REQUEUE && WJR_JOBF_REQUEUE_HOLD == JOB_REQUEUE_HOLD &&
                   WJR_JOBF_SPECIAL_EXIT == JOB_SPECIAL_EXIT && WJR_JOBF_RESIZING == JOB_RESIZING &&
                   WJR_JOBF_CONFIGURING == JOB_CONFIGURING &&
                   WJR_JOBF_COMPLETING == JOB_COMPLETING && WJR_JOBF_STOPPED == JOB_STOPPED &&
                   WJR_JOBF_POWER_UP_NODE == JOB_POWER_UP_NODE && WJR_JOBF_REVOKED == JOB_REVOKED &&
                   WJR_JOBF_REQUEUE_FED == JOB_REQUEUE_FED &&
                   WJR_JOBF_RESV_DEL_HOLD == JOB_RESV_DEL_HOLD &&
                   WJR_JOBF_SIGNALING == JOB_SIGNALING && WJR_JOBF_STAGE_OUT == JOB_STAGE_OUT &&
                   WJR_JOBF_LAUNCH_FAILED == JOB_LAUNCH_FAILED &&
                   WJR_JOBF_RECONFIG_FAIL == JOB_RECONFIG_FAIL,
               "job state flags changed");
/* slurm_values.c reads --mail-type without slurm.h */
_Static_assert(WJR_MAIL_BEGIN == MAIL_JOB_BEGIN && WJR_MAIL_END == MAIL_JOB_END &&
                   WJR_MAIL_FAIL == MAIL_JOB_FAIL && WJR_MAIL_REQUEUE == MAIL_JOB_REQUEUE &&
                   WJR_MAIL_TIME100 == MAIL_JOB_TIME100 && WJR_MAIL_TIME90 == MAIL_JOB_TIME90 &&
                   WJR_MAIL_TIME80 == MAIL_JOB_TIME80 && WJR_MAIL_TIME50 == MAIL_JOB_TIME50 &&
                   WJR_MAIL_STAGE_OUT == MAIL_JOB_STAGE_OUT &&
                   WJR_MAIL_ARRAY_TASKS == MAIL_ARRAY_TASKS &&
                   WJR_MAIL_INVALID_DEPEND == MAIL_INVALID_DEPEND,
               "mail types changed");
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(26, 5, 0)
/* 26.05 gave bit 9 to JOB_GETENV_FAILED and added JOB_EXPEDITING */
_Static_assert(WJR_JOBF_BIT9 == JOB_GETENV_FAILED && WJR_JOBF_EXPEDITING == JOB_EXPEDITING,
               "26.05 job state flags changed");
#elif SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(24, 11, 0)
/* bit 9 was JOB_UPDATE_DB until 24.11 removed it */
_Static_assert(WJR_JOBF_BIT9 == JOB_UPDATE_DB, "job state flags changed");
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libslurm keeps its configuration until slurm_fini(); release it at exit,
 * unless a query that timed out still runs and reads it. */
static void slurm_fini_at_exit(void)
{
    if (!wjr__slurm_queries_running())
        slurm_fini();
}

static void slurm_init_once(void)
{
    slurm_init(NULL);
    atexit(slurm_fini_at_exit);
}

/* Where libslurm looks without SLURM_CONF: the file Debian's packages
 * build it with, and the copy slurmd keeps on a configless node. */
static const char *const default_confs[] = {"/etc/slurm/slurm.conf", "/run/slurm/conf/slurm.conf",
                                            NULL};

#define CONFIGLESS_WAIT_S 30 /* for the probe's DNS SRV lookup */

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer asks this at exit. The probe's child ends inside libslurm
 * (its fatal() calls exit), holding what libslurm and the resolver
 * allocated: not wjr's leaks, and not the parent's. */
static volatile int probe_child;
__attribute__((visibility("default"))) int __lsan_is_turned_off(void);
__attribute__((visibility("default"))) int __lsan_is_turned_off(void)
{
    return probe_child;
}
#endif

/* With no SLURM_CONF and no file where libslurm looks, only a configless
 * cluster (a DNS SRV record naming slurmctld) is left, and libslurm ends
 * the process with "fatal: Could not establish a configuration source"
 * when there is none. Try it in a child first (its messages silenced):
 * 0 when libslurm started there, -1 when it died or hung. */
static int configless_answers(void)
{
    pid_t pid;
    int status = 0;
    time_t end = time(NULL) + CONFIGLESS_WAIT_S;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return 0; /* cannot tell: let libslurm try */
    if (pid == 0) {
#if defined(__SANITIZE_ADDRESS__)
        probe_child = 1;
#endif
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        slurm_init(NULL);
        _exit(0);
    }
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (time(NULL) > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(20000);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int wjr__slurm_init(void)
{
    const char *conf = getenv("SLURM_CONF");
    size_t i;
    int found = 0;

    /* libslurm would retry a missing file for a minute, then end the
     * process: say it at once, as an unreachable cluster */
    if (conf != NULL && *conf != '\0' && access(conf, R_OK) != 0)
        return wjr_error_set(WJR_EUNREACHABLE,
                             "SLURM_CONF=%s: %s: it must name the cluster's slurm.conf, or be "
                             "unset",
                             conf, strerror(errno));
    for (i = 0; (conf == NULL || *conf == '\0') && default_confs[i] != NULL; i++)
        found |= access(default_confs[i], R_OK) == 0;
    if ((conf == NULL || *conf == '\0') && !found && configless_answers() < 0)
        return wjr_error_set(WJR_EUNREACHABLE,
                             "no slurm.conf: SLURM_CONF is not set, %s does not exist and no "
                             "configless cluster answered (DNS SRV record for slurmctld): set "
                             "SLURM_CONF to the cluster's slurm.conf",
                             default_confs[0]);
    pthread_once(&init_once, slurm_init_once);
    return 0;
}

/* The names of the clusters in all, "a, b"; NULL when it holds none. */
static char *cluster_names(slurm_list all)
{
    slurm_list_iter it = slurm_list_iterator_create(all);
    slurmdb_cluster_rec_t *rec;
    wjr_buf b = WJR_BUF_INIT;
    char *out = NULL;

    while ((rec = slurm_list_next(it)) != NULL)
        wjr_buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", rec->name);
    slurm_list_iterator_destroy(it);
    if (b.len == 0 || wjr_buf_detach(&out, &b) < 0)
        wjr_buf_free(&b);
    return out;
}

/* The record named name in all, or NULL. Names are compared as libslurm
 * compares them for sbatch -M: exactly. */
static slurmdb_cluster_rec_t *find_cluster(slurm_list all, const char *name)
{
    slurm_list_iter it = slurm_list_iterator_create(all);
    slurmdb_cluster_rec_t *rec;

    while ((rec = slurm_list_next(it)) != NULL &&
           (rec->name == NULL || strcmp(rec->name, name) != 0))
        ;
    slurm_list_iterator_destroy(it);
    return rec;
}

/* The clusters looked up in slurmdbd, each once per process and kept for
 * its life, as libslurm keeps working_cluster_rec: a query past its
 * deadline goes on in a worker that may outlive its backend, and libslurm
 * there may still read the record. */
typedef struct looked_up {
    char *name;
    slurm_list recs;            /* every cluster slurmdbd gave */
    slurmdb_cluster_rec_t *rec; /* name's, in recs */
    struct looked_up *next;
} looked_up;
static looked_up *clusters_seen;
static pthread_mutex_t clusters_lock = PTHREAD_MUTEX_INITIALIZER;

/* slurmdbd's record of cluster name in *out (borrowed for the process's
 * life), looked up the first time it is asked for. Every cluster whose
 * controller has registered is asked for and name found among them, so
 * that one question also gives the names for an error, and libslurm
 * prints no line of its own for a name it does not know. */
static int cluster_rec(slurmdb_cluster_rec_t **out, const char *name)
{
    looked_up *l;
    char *known;
    int error = 0;

    pthread_mutex_lock(&clusters_lock);
    for (l = clusters_seen; l != NULL && strcmp(l->name, name) != 0; l = l->next)
        ;
    if (l == NULL) {
        l = calloc(1, sizeof(*l));
        if (l == NULL || (l->name = wjr_strdup(name)) == NULL) {
            free(l);
            pthread_mutex_unlock(&clusters_lock);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
        l->recs = slurmdb_get_info_cluster(NULL);
        if (l->recs != NULL)
            l->rec = find_cluster(l->recs, name);
        if (l->rec == NULL) {
            known = l->recs != NULL ? cluster_names(l->recs) : NULL;
            error = known != NULL
                        ? wjr_error_set(WJR_ENOTFOUND,
                                        "clusters \"%s\": slurmdbd knows no cluster of that name "
                                        "whose slurmctld has registered (it knows: %s)",
                                        name, known)
                        : wjr_error_set(WJR_EUNREACHABLE,
                                        "clusters \"%s\": slurmdbd, which says where the "
                                        "controller of each cluster is, did not answer (is "
                                        "AccountingStorageHost in slurm.conf reachable?)",
                                        name);
            free(known);
            if (l->recs != NULL)
                slurm_list_destroy(l->recs);
            free(l->name);
            free(l);
            pthread_mutex_unlock(&clusters_lock);
            return error;
        }
        l->next = clusters_seen;
        clusters_seen = l;
    }
    *out = l->rec;
    pthread_mutex_unlock(&clusters_lock);
    return 0;
}

int wjr__slurm_reach(slurm_backend *sb)
{
    slurmdb_cluster_rec_t *target = NULL;
    int error = wjr__slurm_init();

    if (error < 0)
        return error;
    if (sb->clusters != NULL && sb->cluster_rec == NULL) {
        sb->parent.rpc_count++;
        error = cluster_rec(&target, sb->clusters);
        if (error < 0)
            return error;
        sb->cluster_rec = target;
    }
    target = sb->cluster_rec;
    /* libslurm sends every RPC to working_cluster_rec's controller when it
     * is set, as sbatch, squeue and scancel -M do. Set for each call, so
     * that a backend of slurm.conf's cluster is not steered by another;
     * written only when it changes, for a worker of this backend may be
     * reading it */
    if (working_cluster_rec != target)
        working_cluster_rec = target;
    return 0;
}

/* Capture Slurm's errno and message at once, before another call. */
int wjr__slurm_fail(int code, int slurm_errno, const char *what)
{
    const char *msg = slurm_strerror(slurm_errno);
    return wjr_error_set(code, "%s: %s (Slurm error %d)", what, msg ? msg : "unknown error",
                         slurm_errno);
}

/* Did the request possibly reach slurmctld? Timeouts and lost answers say
 * "maybe"; a refused connection says "no". */
static int errno_is_uncertain(int e)
{
    switch (e) {
    case SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT:
    case SLURM_COMMUNICATIONS_RECEIVE_ERROR:
    case SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR:
    case SLURM_COMMUNICATIONS_SHUTDOWN_ERROR:
    case SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR:
    case ETIMEDOUT:
#if !SLURM_AT_LEAST(23, 2, 0)
    /* 23.02 removed these two: a short read became RECEIVE_ERROR */
    case SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH:
    case SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH:
#endif
#if SLURM_AT_LEAST(26, 5, 0)
    /* 26.05 split timeouts by phase: once the request was being written,
     * slurmctld may have acted on it */
    case SLURM_COMMUNICATIONS_WRITE_TIMEOUT:
    case SLURM_COMMUNICATIONS_READ_TIMEOUT:
    case SLURM_COMMUNICATIONS_QUIESCE_TIMEOUT:
#endif
        return 1;
    default:
        return 0;
    }
}

static int errno_is_unreachable(int e)
{
    switch (e) {
    case SLURM_COMMUNICATIONS_CONNECTION_ERROR:
    case SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR:
    case SLURM_COMMUNICATIONS_SEND_ERROR:
    case SLURMCTLD_COMMUNICATIONS_SEND_ERROR:
    case SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR:
    case ECONNREFUSED:
#if !SLURM_AT_LEAST(23, 2, 0)
    case SLURM_PROTOCOL_SOCKET_IMPL_NOT_ALL_DATA_SENT: /* removed in 23.02 */
#endif
#if SLURM_AT_LEAST(26, 5, 0)
    /* 26.05: the connection was never made, or refused before a request */
    case SLURM_COMMUNICATIONS_CONNECT_TIMEOUT:
    case SLURM_COMMUNICATIONS_REJECTED:
#endif
        return 1;
    default:
        return 0;
    }
}

int wjr__slurm_errno_is_busy(int e)
{
    switch (e) {
    case EAGAIN:
    case ESLURM_NODES_BUSY:
#if !SLURM_AT_LEAST(26, 5, 2)
    case ESLURM_ERROR_ON_DESC_TO_RECORD_COPY: /* removed in 26.05.2 */
#endif
#if SLURM_AT_LEAST(23, 2, 0)
    /* 23.02: slurmctld's rate limiter (SlurmctldParameters=rl_enable) asks
     * the client to back off; 24.05 added a hard drop of the same kind */
    case SLURMCTLD_COMMUNICATIONS_BACKOFF:
#endif
#if SLURM_AT_LEAST(24, 5, 0)
    case SLURMCTLD_COMMUNICATIONS_HARD_DROP:
#endif
        return 1;
    default:
        return 0;
    }
}

int wjr__slurm_classify(int e, const char *what)
{
    if (errno_is_uncertain(e))
        return wjr__slurm_fail(WJR_ETIMEOUT, e, what);
    if (errno_is_unreachable(e))
        return wjr__slurm_fail(WJR_EUNREACHABLE, e, what);
    return wjr__slurm_fail(WJR_ESLURM, e, what);
}

/* ---- serialisation ---------------------------------------------------- */

static void json_set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

static int slurm_to_json(char **out, const wjr_backend *b)
{
    const slurm_backend *sb = (const slurm_backend *)b;
    json_t *o = json_object(), *env = json_array();
    size_t i;

    json_set_str(o, "partition", sb->partition);
    json_set_str(o, "time", sb->time);
    json_object_set_new(o, "cpus_per_task", json_integer(sb->cpus_per_task));
    json_set_str(o, "mem", sb->mem);
    json_set_str(o, "account", sb->account);
    json_set_str(o, "qos", sb->qos);
    json_set_str(o, "constraint", sb->constraint);
    json_set_str(o, "gres", sb->gres);
    json_set_str(o, "nodelist", sb->nodelist);
    json_set_str(o, "exclude", sb->exclude);
    json_set_str(o, "prefer", sb->prefer);
    json_set_str(o, "wckey", sb->wckey);
    json_set_str(o, "begin", sb->begin);
    json_set_str(o, "deadline", sb->deadline);
    json_set_str(o, "propagate", sb->propagate);
    json_set_str(o, "clusters", sb->clusters);
    json_set_str(o, "mail_type", sb->mail_type);
    json_set_str(o, "mail_user", sb->mail_user);
    json_set_str(o, "tmp", sb->tmp);
    for (i = 0; sb->env && sb->env[i]; i++)
        json_array_append_new(env, json_string(sb->env[i]));
    json_object_set_new(o, "env", env);
    json_object_set_new(o, "array_throttle", json_integer(sb->array_throttle));
    json_object_set_new(o, "requeue", json_integer(sb->requeue));
    json_object_set_new(o, "rpc_timeout", json_real(sb->rpc_timeout));
    json_object_set_new(o, "accounting", json_integer(sb->accounting));
    json_set_str(o, "slurm_version", sb->slurm_version);
    /* kept, so that a later process (wjr submit) need not ask slurmctld
     * for its configuration only to name the cluster of a new job */
    json_set_str(o, "cluster_name", sb->cluster_name);
    wjr_slurm_extra_to_json(o, sb->extra);
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return *out ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

static int slurm_resources(char **out, const wjr_backend *b, const char *params_json)
{
    return wjr_slurm_extra_for_trial(out, ((const slurm_backend *)b)->extra, params_json);
}

static void slurm_learn_from(wjr_backend *b, const wjr_backend *from)
{
    slurm_backend *sb = (slurm_backend *)b;
    const slurm_backend *old = (const slurm_backend *)from;

    if (old->slurm_version != NULL && sb->slurm_version == NULL)
        sb->slurm_version = wjr_strdup(old->slurm_version);
    if (old->cluster_name != NULL && sb->cluster_name == NULL)
        sb->cluster_name = wjr_strdup(old->cluster_name);
    if (sb->max_array_size == 0)
        sb->max_array_size = old->max_array_size;
    if (sb->has_accounting < 0)
        sb->has_accounting = old->has_accounting;
}

static void slurm_free(wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    size_t i;

    wjr__slurm_query_stop(sb->worker);
    free(sb->partition);
    free(sb->time);
    free(sb->mem);
    free(sb->account);
    free(sb->qos);
    free(sb->constraint);
    free(sb->gres);
    free(sb->nodelist);
    free(sb->prefer);
    free(sb->wckey);
    free(sb->begin);
    free(sb->deadline);
    free(sb->propagate);
    free(sb->clusters);
    free(sb->exclude);
    free(sb->mail_type);
    free(sb->mail_user);
    free(sb->tmp);
    for (i = 0; sb->env && sb->env[i]; i++)
        free(sb->env[i]);
    free(sb->env);
    free(sb->cluster_name);
    free(sb->slurm_version);
    wjr_slurm_extra_free(sb->extra);
    free(sb);
}

int wjr_backend_slurm_new(wjr_backend **out, const wjr_slurm_options *opts)
{
    wjr_slurm_options defaults = WJR_SLURM_OPTIONS_INIT;
    slurm_backend *sb;
    size_t i, n = 0;
    uint32_t minutes;
    uint64_t mb;
    int64_t when;
    unsigned bits = 0;
    int error;

    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    if (opts->version >= 1 && opts->version <= 7) {
        /* a version 1 struct ends at accounting, a version 2 one at
         * requeue_exit_code, a version 3 one at mem_per_gpu, a version 4
         * one at wckey, a version 5 one at deadline, a version 6 one at
         * propagate, a version 7 one at clusters: the rest is defaults */
        memcpy(&defaults, opts,
               opts->version == 1   ? offsetof(wjr_slurm_options, nodes)
               : opts->version == 2 ? offsetof(wjr_slurm_options, nodelist)
               : opts->version == 3 ? offsetof(wjr_slurm_options, hint)
               : opts->version == 4 ? offsetof(wjr_slurm_options, begin)
               : opts->version == 5 ? offsetof(wjr_slurm_options, propagate)
               : opts->version == 6 ? offsetof(wjr_slurm_options, clusters)
                                    : offsetof(wjr_slurm_options, sockets_per_node));
        defaults.version = WJR_SLURM_OPTIONS_VERSION;
        opts = &defaults;
    }
    if (opts->version != WJR_SLURM_OPTIONS_VERSION)
        return wjr_error_set(WJR_EINVALID, "wjr_slurm_options: unsupported version %u",
                             opts->version);
    if (opts->time && wjr_slurm_parse_time(&minutes, opts->time) < 0)
        return wjr_error_set(WJR_ECONFIG, "slurm time limit '%s' is not a Slurm time", opts->time);
    if ((opts->begin && wjr_slurm_when(&when, "begin", opts->begin) < 0) ||
        (opts->deadline && wjr_slurm_when(&when, "deadline", opts->deadline) < 0) ||
        (opts->propagate && wjr_slurm_parse_propagate(&bits, opts->propagate) < 0))
        return WJR_ECONFIG;
    if (opts->mem && wjr_slurm_parse_mem(&mb, opts->mem) < 0)
        return wjr_error_set(WJR_ECONFIG, "slurm mem '%s' is not a memory size (e.g. 256M, 4G)",
                             opts->mem);
    if (opts->cpus_per_task < 0 || opts->cpus_per_task > 65535)
        return wjr_error_set(WJR_ECONFIG, "slurm cpus_per_task %d is out of range",
                             opts->cpus_per_task);
    if (opts->array_throttle < 0)
        return wjr_error_set(WJR_ECONFIG, "slurm array_throttle must not be negative");
    /* also read from study.json: a huge value would overflow the deadline */
    if (!(opts->rpc_timeout >= 0 && opts->rpc_timeout <= 86400))
        return wjr_error_set(WJR_ECONFIG, "slurm rpc_timeout %g must be 0 to 86400 seconds",
                             opts->rpc_timeout);
    for (i = 0; opts->env && opts->env[i]; i++) {
        if (strchr(opts->env[i], '=') == NULL || opts->env[i][0] == '=')
            return wjr_error_set(WJR_ECONFIG, "slurm env entry '%s' is not NAME=VALUE",
                                 opts->env[i]);
        n++;
    }
    sb = calloc(1, sizeof(*sb));
    if (sb == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    sb->parent.version = 1;
    sb->parent.type = "slurm";
    wjr__slurm_submit_ops(&sb->parent);
    wjr__slurm_query_ops(&sb->parent);
    wjr__slurm_info_ops(&sb->parent);
    sb->parent.to_json = slurm_to_json;
    sb->parent.free = slurm_free;
    sb->parent.resources = slurm_resources;
    sb->parent.learn_from = slurm_learn_from;
    sb->partition = wjr_strdup(opts->partition);
    sb->time = wjr_strdup(opts->time);
    sb->cpus_per_task = opts->cpus_per_task;
    sb->mem = wjr_strdup(opts->mem);
    sb->account = wjr_strdup(opts->account);
    sb->qos = wjr_strdup(opts->qos);
    sb->constraint = wjr_strdup(opts->constraint);
    sb->gres = wjr_strdup(opts->gres);
    sb->nodelist = wjr_strdup(opts->nodelist);
    sb->prefer = wjr_strdup(opts->prefer);
    sb->wckey = wjr_strdup(opts->wckey);
    sb->begin = wjr_strdup(opts->begin);
    sb->deadline = wjr_strdup(opts->deadline);
    sb->propagate = wjr_strdup(opts->propagate);
    sb->propagate_bits = bits;
    sb->clusters = wjr_strdup(opts->clusters);
    sb->exclude = wjr_strdup(opts->exclude);
    sb->mail_type = wjr_strdup(opts->mail_type);
    sb->mail_user = wjr_strdup(opts->mail_user);
    sb->tmp = wjr_strdup(opts->tmp);
    sb->env = calloc(n + 1, sizeof(char *));
    for (i = 0; sb->env && i < n; i++)
        sb->env[i] = wjr_strdup(opts->env[i]);
    sb->array_throttle = opts->array_throttle;
    sb->requeue = opts->requeue;
    sb->rpc_timeout = opts->rpc_timeout;
    sb->accounting = opts->accounting;
    sb->has_accounting = -1;
    if (sb->env == NULL) {
        slurm_free(&sb->parent);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    /* after wjr_slurm_extra_new has checked them: these cannot fail */
    error = wjr_slurm_extra_new(&sb->extra, opts);
    if (error == 0 && opts->mail_type != NULL)
        error = wjr_slurm_parse_mail_type(&sb->mail_bits, opts->mail_type);
    if (error == 0 && opts->tmp != NULL && (error = wjr_slurm_parse_mem(&mb, opts->tmp)) == 0)
        sb->tmp_mb = (uint32_t)mb;
    if (error < 0) {
        slurm_free(&sb->parent);
        return error;
    }
    /* no slurm_init() here: it reads slurm.conf, and a runner that only
     * reads its state must work on a machine without one */
    *out = &sb->parent;
    return 0;
}

static const char *json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int wjr__backend_slurm_from_json(wjr_backend **out, const char *text)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    json_error_t jerr;
    json_t *root, *env;
    const char **envv = NULL, **per_trial = NULL;
    size_t i, n;
    int error;

    *out = NULL;
    root = json_loads(text, 0, &jerr);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return wjr_error_set(WJR_EINVALID, "backend settings: %s", jerr.text);
    }
    o.partition = json_str(root, "partition");
    o.time = json_str(root, "time");
    o.cpus_per_task = (int)json_integer_value(json_object_get(root, "cpus_per_task"));
    o.mem = json_str(root, "mem");
    o.account = json_str(root, "account");
    o.qos = json_str(root, "qos");
    o.constraint = json_str(root, "constraint");
    o.gres = json_str(root, "gres");
    o.nodelist = json_str(root, "nodelist");
    o.prefer = json_str(root, "prefer");
    o.wckey = json_str(root, "wckey");
    o.begin = json_str(root, "begin");
    o.deadline = json_str(root, "deadline");
    o.propagate = json_str(root, "propagate");
    o.clusters = json_str(root, "clusters");
    o.exclude = json_str(root, "exclude");
    o.mail_type = json_str(root, "mail_type");
    o.mail_user = json_str(root, "mail_user");
    o.tmp = json_str(root, "tmp");
    o.array_throttle = (int)json_integer_value(json_object_get(root, "array_throttle"));
    if (json_object_get(root, "requeue"))
        o.requeue = (int)json_integer_value(json_object_get(root, "requeue"));
    o.rpc_timeout = json_number_value(json_object_get(root, "rpc_timeout"));
    if (json_object_get(root, "accounting"))
        o.accounting = (int)json_integer_value(json_object_get(root, "accounting"));
    if (wjr_slurm_extra_from_json(&o, &per_trial, root) < 0) {
        json_decref(root);
        return WJR_ENOMEM;
    }
    env = json_object_get(root, "env");
    n = json_is_array(env) ? json_array_size(env) : 0;
    envv = calloc(n + 1, sizeof(*envv));
    if (envv == NULL) {
        free(per_trial);
        json_decref(root);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        envv[i] = json_string_value(json_array_get(env, i));
    o.env = n ? envv : NULL;
    error = wjr_backend_slurm_new(out, &o);
    if (error == 0 && json_str(root, "slurm_version"))
        ((slurm_backend *)*out)->slurm_version = wjr_strdup(json_str(root, "slurm_version"));
    if (error == 0 && json_str(root, "cluster_name"))
        ((slurm_backend *)*out)->cluster_name = wjr_strdup(json_str(root, "cluster_name"));
    free(envv);
    free(per_trial);
    json_decref(root);
    return error;
}

const char *wjr_backend_slurm_version(const wjr_backend *backend)
{
    if (backend == NULL || strcmp(backend->type, "slurm") != 0)
        return NULL;
    return ((const slurm_backend *)backend)->slurm_version;
}
