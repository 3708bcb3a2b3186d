/*
 * backend_slurm.c - the Slurm backend: submissions, queries, cancellations
 * and accounting look-ups through libslurm. This is the only file that
 * includes slurm.h; code for other Slurm releases goes here, behind
 * SLURM_VERSION_NUMBER checks.
 *
 * It does what sbatch would do for a caller of libslurm: it exports the
 * submitter's environment without inherited SLURM_* variables, sets the
 * working directory and the output paths, and retries while the controller
 * says it is busy. Slurm's errno and message are captured right after each
 * failing call. It knows jobs, not trials: names, comments and scripts come
 * ready-made from the runner.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include "backend.h"
#include "state.h"
#include "util.h"

/* state.c keeps Slurm's numbers without including slurm.h: check them. */
_Static_assert((int)WJR_JOB_PENDING == (int)JOB_PENDING && (int)WJR_JOB_OOM == (int)JOB_OOM &&
                   (int)WJR_JOB_END == (int)JOB_END,
               "job_states changed");
_Static_assert(WJR_JOB_STATE_BASE == JOB_STATE_BASE, "JOB_STATE_BASE changed");
_Static_assert(WJR_JOBF_REQUEUE == JOB_REQUEUE && WJR_JOBF_REQUEUE_HOLD == JOB_REQUEUE_HOLD &&
                   WJR_JOBF_SPECIAL_EXIT == JOB_SPECIAL_EXIT && WJR_JOBF_RESIZING == JOB_RESIZING &&
                   WJR_JOBF_CONFIGURING == JOB_CONFIGURING &&
                   WJR_JOBF_COMPLETING == JOB_COMPLETING && WJR_JOBF_STOPPED == JOB_STOPPED &&
                   WJR_JOBF_POWER_UP_NODE == JOB_POWER_UP_NODE && WJR_JOBF_REVOKED == JOB_REVOKED &&
                   WJR_JOBF_REQUEUE_FED == JOB_REQUEUE_FED &&
                   WJR_JOBF_RESV_DEL_HOLD == JOB_RESV_DEL_HOLD &&
                   WJR_JOBF_SIGNALING == JOB_SIGNALING && WJR_JOBF_STAGE_OUT == JOB_STAGE_OUT &&
                   WJR_JOBF_LAUNCH_FAILED == JOB_LAUNCH_FAILED,
               "job state flags changed");

extern char **environ;

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
    /* learnt from the controller */
    uint32_t max_array_size; /* 0 until asked */
    char *cluster_name;
    int has_accounting;          /* -1 until asked */
    struct query_worker *worker; /* started by the first query */
} slurm_backend;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static int workers_running; /* query threads that have not returned yet */

/* libslurm keeps its configuration until slurm_fini(); release it at exit,
 * unless a query that timed out still runs and reads it. */
static void slurm_fini_at_exit(void)
{
    int busy;

    pthread_mutex_lock(&workers_lock);
    busy = workers_running > 0;
    pthread_mutex_unlock(&workers_lock);
    if (!busy)
        slurm_fini();
}

static void slurm_init_once(void)
{
    slurm_init(NULL);
    atexit(slurm_fini_at_exit);
}

/* Capture Slurm's errno and message at once, before another call. */
static int slurm_fail(int code, int slurm_errno, const char *what)
{
    const char *msg = slurm_strerror(slurm_errno);
    return wjr_error_set(code, "%s: %s (Slurm error %d)", what, msg ? msg : "unknown error",
                         slurm_errno);
}

/* Did the request possibly reach slurmctld? Timeouts and lost answers say
 * "maybe"; a refused connection says "no". */
static int errno_is_uncertain(int e)
{
    return e == SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT || e == SLURM_COMMUNICATIONS_RECEIVE_ERROR ||
           e == SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR ||
           e == SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH ||
           e == SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH ||
           e == SLURM_COMMUNICATIONS_SHUTDOWN_ERROR ||
           e == SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR || e == ETIMEDOUT;
}

static int errno_is_unreachable(int e)
{
    return e == SLURM_COMMUNICATIONS_CONNECTION_ERROR ||
           e == SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR || e == SLURM_COMMUNICATIONS_SEND_ERROR ||
           e == SLURMCTLD_COMMUNICATIONS_SEND_ERROR ||
           e == SLURM_PROTOCOL_SOCKET_IMPL_NOT_ALL_DATA_SENT ||
           e == SLURM_COMMUNICATIONS_MISSING_SOCKET_ERROR || e == ECONNREFUSED;
}

/* The errors after which sbatch sleeps and tries again. */
static int errno_is_busy(int e)
{
    return e == EAGAIN || e == ESLURM_ERROR_ON_DESC_TO_RECORD_COPY || e == ESLURM_NODES_BUSY;
}

static int classify(int e, const char *what)
{
    if (errno_is_uncertain(e))
        return slurm_fail(WJR_ETIMEOUT, e, what);
    if (errno_is_unreachable(e))
        return slurm_fail(WJR_EUNREACHABLE, e, what);
    return slurm_fail(WJR_ESLURM, e, what);
}

/* ---- text forms of options --------------------------------------------- */

/* sbatch's --time forms: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S". */
/* Largest value of one field of a time limit: 10^9 days, hours or
 * minutes is beyond any limit Slurm holds (minutes in 32 bits). */
#define TIME_FIELD_MAX 1000000000L

int wjr_slurm_parse_time(uint32_t *minutes, const char *s)
{
    long v[4] = {0, 0, 0, 0};
    int n = 0, days = 0;
    long d = 0, total;
    const char *p = s;
    char *end;

    if (s == NULL || *s == '\0')
        return WJR_EINVALID;
    if (strcasecmp(s, "UNLIMITED") == 0 || strcasecmp(s, "INFINITE") == 0 || strcmp(s, "-1") == 0) {
        *minutes = INFINITE;
        return 0;
    }
    if (strchr(s, '-')) {
        errno = 0;
        d = strtol(p, &end, 10);
        if (end == p || *end != '-' || d < 0 || errno == ERANGE || d > TIME_FIELD_MAX)
            return WJR_EINVALID;
        days = 1;
        p = end + 1;
    }
    for (;;) {
        if (n == 3)
            return WJR_EINVALID;
        errno = 0;
        v[n] = strtol(p, &end, 10);
        if (end == p || v[n] < 0 || errno == ERANGE || v[n] > TIME_FIELD_MAX)
            return WJR_EINVALID;
        n++;
        if (*end == '\0')
            break;
        if (*end != ':')
            return WJR_EINVALID;
        p = end + 1;
    }
    /* every field is at most TIME_FIELD_MAX: no sum below overflows */
    if (days) {
        /* D-H, D-H:M, D-H:M:S */
        long secs = d * 86400 + v[0] * 3600 + (n > 1 ? v[1] * 60 : 0) + (n > 2 ? v[2] : 0);
        total = (secs + 59) / 60;
    } else if (n == 1) {
        total = v[0];
    } else if (n == 2) {
        total = v[0] + (v[1] > 0 ? 1 : 0);
    } else {
        long secs = v[0] * 3600 + v[1] * 60 + v[2];
        total = (secs + 59) / 60;
    }
    if (total >= (long)INFINITE)
        return WJR_EINVALID; /* larger than Slurm's largest finite limit */
    *minutes = (uint32_t)total;
    return 0;
}

/* "256", "256M", "4G", "1T" in megabytes, as --mem reads them. */
int wjr_slurm_parse_mem(uint64_t *mb, const char *s)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-')
        return WJR_EINVALID;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || errno == ERANGE)
        return WJR_EINVALID;
    switch (*end) {
    case '\0':
    case 'M':
    case 'm':
        break;
    case 'K':
    case 'k':
        v = (v + 1023) / 1024;
        break;
    case 'G':
    case 'g':
        if (v > UINT64_MAX / 1024)
            return WJR_EINVALID;
        v *= 1024;
        break;
    case 'T':
    case 't':
        if (v > UINT64_MAX / (1024 * 1024))
            return WJR_EINVALID;
        v *= 1024 * 1024;
        break;
    default:
        return WJR_EINVALID;
    }
    if (*end != '\0' && end[1] != '\0' && !((end[1] == 'B' || end[1] == 'b') && end[2] == '\0'))
        return WJR_EINVALID;
    *mb = v;
    return 0;
}

/* ---- environment --------------------------------------------------------- */

/* sbatch's default export: the submitter's environment, without the
 * SLURM_* variables inherited from an enclosing job, plus the extra
 * variables of the configuration (which win). */
static char **build_env(const slurm_backend *sb, const char *work_dir, uint32_t *count)
{
    size_t n = 0, i, k = 0, extra = 0;
    char **env;
    char host[256] = "";

    for (i = 0; environ && environ[i]; i++)
        n++;
    for (i = 0; sb->env && sb->env[i]; i++)
        extra++;
    env = calloc(n + extra + 3, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (i = 0; environ && environ[i]; i++) {
        const char *e = environ[i];
        size_t j, nl = strcspn(e, "=");
        int overridden = 0;
        if (strncmp(e, "SLURM_", 6) == 0 || strncmp(e, "SBATCH_", 7) == 0)
            continue;
        for (j = 0; sb->env && sb->env[j]; j++)
            if (strncmp(sb->env[j], e, nl + 1) == 0)
                overridden = 1;
        if (!overridden)
            env[k++] = (char *)e;
    }
    for (i = 0; sb->env && sb->env[i]; i++)
        env[k++] = sb->env[i];
    /* what sbatch tells the job about where it came from */
    gethostname(host, sizeof(host) - 1);
    env[k++] = wjr_asprintf("SLURM_SUBMIT_HOST=%s", host);
    env[k++] = wjr_asprintf("SLURM_SUBMIT_DIR=%s", work_dir ? work_dir : "/");
    *count = (uint32_t)k;
    return env;
}

static void free_env(char **env, uint32_t count)
{
    if (env == NULL)
        return;
    /* only the last two were allocated here */
    if (count >= 2) {
        free(env[count - 1]);
        free(env[count - 2]);
    }
    free(env);
}

/* ---- submit ------------------------------------------------------------ */

static int fill_desc(job_desc_msg_t *desc, const slurm_backend *sb, const wjr_job_spec *spec,
                     char **array_inx)
{
    uint32_t minutes;
    uint64_t mb;

    slurm_init_job_desc_msg(desc);
    desc->name = (char *)spec->name;
    desc->comment = (char *)spec->comment;
    desc->script = (char *)spec->script;
    desc->work_dir = (char *)spec->work_dir;
    desc->std_out = (char *)spec->std_out;
    desc->std_err = (char *)spec->std_err;
    desc->user_id = getuid();
    desc->group_id = getgid();
    desc->min_nodes = 1;
    desc->partition = sb->partition;
    desc->account = sb->account;
    desc->qos = sb->qos;
    desc->features = sb->constraint;
    if (sb->gres)
        desc->tres_per_node = wjr_asprintf("gres:%s", sb->gres);
    if (sb->cpus_per_task > 0) {
        desc->cpus_per_task = (uint16_t)sb->cpus_per_task;
        desc->min_cpus = (uint32_t)sb->cpus_per_task;
    }
    if (sb->time) {
        if (wjr_slurm_parse_time(&minutes, sb->time) < 0)
            return wjr_error_set(WJR_ECONFIG, "slurm.time: cannot read '%s'", sb->time);
        desc->time_limit = minutes;
    }
    if (sb->mem) {
        if (wjr_slurm_parse_mem(&mb, sb->mem) < 0)
            return wjr_error_set(WJR_ECONFIG, "slurm.mem: cannot read '%s'", sb->mem);
        desc->pn_min_memory = mb;
    }
    if (sb->requeue >= 0)
        desc->requeue = (uint16_t)sb->requeue;
    *array_inx = NULL;
    if (spec->array_inx) {
        if (sb->array_throttle > 0)
            *array_inx = wjr_asprintf("%s%%%d", spec->array_inx, sb->array_throttle);
        else
            *array_inx = wjr_strdup(spec->array_inx);
        if (*array_inx == NULL)
            return WJR_ENOMEM;
        desc->array_inx = *array_inx;
    }
    return 0;
}

static int slurm_submit(uint32_t *out, wjr_backend *b, const wjr_job_spec *spec)
{
    slurm_backend *sb = (slurm_backend *)b;
    job_desc_msg_t desc;
    submit_response_msg_t *resp = NULL;
    char *array_inx = NULL;
    char **env = NULL;
    uint32_t env_size = 0;
    double deadline = wjr_now() + (sb->rpc_timeout > 0 ? sb->rpc_timeout : 30.0);
    int error, rc, e, tries = 0;

    pthread_once(&init_once, slurm_init_once);
    error = fill_desc(&desc, sb, spec, &array_inx);
    if (error < 0)
        goto done;
    env = build_env(sb, spec->work_dir, &env_size);
    if (env == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    desc.environment = env;
    desc.env_size = env_size;

    for (;;) {
        b->rpc_count++;
        rc = slurm_submit_batch_job(&desc, &resp);
        if (rc == SLURM_SUCCESS)
            break;
        e = slurm_get_errno();
        if (errno_is_busy(e) && wjr_now() + (tries + 1) < deadline) {
            /* as sbatch does: sleep a little longer each time, then retry */
            sleep((unsigned)++tries);
            continue;
        }
        if (e == ESLURM_INVALID_PARTITION_NAME && sb->partition) {
            /* Slurm's message does not say which partition it refused */
            char *what = wjr_asprintf("slurm_submit_batch_job: partition '%s'", sb->partition);
            error = classify(e, what ? what : "slurm_submit_batch_job");
            free(what);
        } else {
            error = classify(e, "slurm_submit_batch_job");
        }
        goto done;
    }
    *out = resp->job_id;
    error = 0;
done:
    if (resp)
        slurm_free_submit_response_response_msg(resp);
    free(desc.tres_per_node);
    free(array_inx);
    free_env(env, env_size);
    return error;
}

/* ---- query ----------------------------------------------------------- */

/* Fill r from j. Its strings point into j: the list owns the answer. */
static void fill_record(wjr_job_record *r, slurm_job_info_t *j)
{
    memset(r, 0, sizeof(*r));
    r->job_id = j->job_id;
    r->array_job_id = j->array_job_id;
    r->array_task_id = WJR_NO_TASK;
    if (j->array_job_id != 0 && j->array_task_id != NO_VAL)
        r->array_task_id = j->array_task_id;
    if (j->array_job_id != 0 && j->array_task_id == NO_VAL && j->array_task_str)
        r->array_task_str = j->array_task_str;
    r->state = j->job_state;
    r->will_requeue = j->requeue != 0;
    if (j->exit_code == NO_VAL) {
        r->exit_code = -1;
    } else {
        r->exit_code = (int)((j->exit_code >> 8) & 0xff);
        r->term_signal = (int)(j->exit_code & 0x7f);
    }
    r->restart_cnt = j->restart_cnt;
    r->submit_time = (int64_t)j->submit_time;
    r->end_time = (int64_t)j->end_time;
    r->name = j->name;
    r->comment = j->comment;
    r->reason = j->state_desc;
}

static void free_job_info(void *msg)
{
    slurm_free_job_info_msg(msg);
}

void wjr_job_list_clear(wjr_job_list *list)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; list->owner == NULL && i < list->count; i++) {
        free(list->jobs[i].array_task_str);
        free(list->jobs[i].name);
        free(list->jobs[i].comment);
        free(list->jobs[i].reason);
    }
    if (list->owner)
        list->owner_free(list->owner);
    free(list->jobs);
    list->jobs = NULL;
    list->count = 0;
    list->owner = NULL;
    list->owner_free = NULL;
}

/*
 * libslurm retries on its own while slurmctld does not answer, for about
 * MessageTimeout per controller, and a login node must not hang on that.
 * Queries run on one worker thread per backend; the caller waits at most
 * rpc_timeout. A query that outlives its caller is dropped when it returns,
 * and until then the next poll fails at once: one query at a time reaches
 * slurmctld. The thread stays, so that its memory stays warm between polls.
 */
typedef struct query_worker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int busy;      /* a request is queued or running */
    int requested; /* a request waits for the thread */
    int done;      /* the answer is in rc/slurm_errno/msg */
    int abandoned; /* its caller gave up: drop the answer */
    int quit;      /* the backend is gone: end the thread */
    int orphan;    /* detached while a query ran: the thread frees this */
    int rc;
    int slurm_errno;
    job_info_msg_t *msg;
} query_worker;

static void query_worker_destroy(query_worker *w)
{
    if (w->msg)
        slurm_free_job_info_msg(w->msg);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
}

static void *query_worker_main(void *arg)
{
    query_worker *w = arg;
    int orphan;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        job_info_msg_t *msg = NULL;
        int rc, e;

        while (!w->requested && !w->quit)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->requested)
            break; /* quit */
        w->requested = 0;
        pthread_mutex_unlock(&w->lock);

        pthread_mutex_lock(&workers_lock);
        workers_running++;
        pthread_mutex_unlock(&workers_lock);
        rc = slurm_load_job_user(&msg, getuid(), SHOW_ALL);
        e = rc == SLURM_SUCCESS ? 0 : slurm_get_errno();
        pthread_mutex_lock(&workers_lock);
        workers_running--;
        pthread_mutex_unlock(&workers_lock);

        pthread_mutex_lock(&w->lock);
        if (w->abandoned || w->quit) {
            if (msg)
                slurm_free_job_info_msg(msg);
            w->abandoned = 0;
            w->busy = 0;
            if (w->quit)
                break;
            continue;
        }
        w->rc = rc;
        w->slurm_errno = e;
        w->msg = msg;
        w->done = 1;
        pthread_cond_broadcast(&w->cond);
    }
    orphan = w->orphan;
    pthread_mutex_unlock(&w->lock);
    /* the backend was freed while this query ran: nobody else will free w */
    if (orphan)
        query_worker_destroy(w);
    return NULL;
}

/* slurm_load_job_user with a deadline; *msg is the caller's on success. */
static int load_jobs_bounded(slurm_backend *sb, job_info_msg_t **msg, double timeout)
{
    query_worker *w = sb->worker;
    pthread_condattr_t cattr;
    struct timespec deadline;
    int error = 0;

    *msg = NULL;
    if (w == NULL) {
        w = calloc(1, sizeof(*w));
        if (w == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        pthread_mutex_init(&w->lock, NULL);
        /* the deadline is on the monotonic clock: a clock step must not
         * stretch or cut the wait */
        pthread_condattr_init(&cattr);
        pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cond, &cattr);
        pthread_condattr_destroy(&cattr);
        if (pthread_create(&w->thread, NULL, query_worker_main, w) != 0) {
            query_worker_destroy(w);
            return wjr_error_set(WJR_ERROR, "cannot start a thread for queries");
        }
        sb->worker = w;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)timeout;
    deadline.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->lock);
    if (w->busy) {
        pthread_mutex_unlock(&w->lock);
        return wjr_error_set(WJR_ETIMEOUT, "slurm_load_job_user: the previous query to "
                                           "slurmctld has not returned yet");
    }
    w->busy = 1;
    w->requested = 1;
    w->done = 0;
    pthread_cond_broadcast(&w->cond);
    /* in slices, so that wjr_interrupt() is seen within 200 ms */
    while (!w->done && !wjr_interrupted()) {
        struct timespec slice;
        clock_gettime(CLOCK_MONOTONIC, &slice);
        slice.tv_nsec += 200000000L;
        if (slice.tv_nsec >= 1000000000L) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000L;
        }
        if (slice.tv_sec > deadline.tv_sec ||
            (slice.tv_sec == deadline.tv_sec && slice.tv_nsec > deadline.tv_nsec))
            slice = deadline;
        if (pthread_cond_timedwait(&w->cond, &w->lock, &slice) != 0 && !w->done &&
            (slice.tv_sec == deadline.tv_sec && slice.tv_nsec == deadline.tv_nsec))
            break;
    }
    if (!w->done) {
        w->abandoned = 1; /* the thread drops the answer and frees itself up */
        if (wjr_interrupted())
            error = wjr_error_set(WJR_EINTERRUPTED,
                                  "slurm_load_job_user: interrupted while waiting for slurmctld");
        else
            error = wjr_error_set(WJR_ETIMEOUT,
                                  "slurm_load_job_user: slurmctld did not answer within %.0f s",
                                  timeout);
    } else {
        if (w->rc != SLURM_SUCCESS)
            error = classify(w->slurm_errno, "slurm_load_job_user");
        *msg = w->msg;
        w->msg = NULL;
        w->done = 0;
        w->busy = 0;
    }
    pthread_mutex_unlock(&w->lock);
    if (error < 0 && *msg) {
        slurm_free_job_info_msg(*msg);
        *msg = NULL;
    }
    return error;
}

/* End the worker; one still inside libslurm finishes on its own. */
static void query_worker_stop(query_worker *w)
{
    pthread_t thread;
    int running;

    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    running = w->busy && !w->done;
    w->orphan = running;
    thread = w->thread; /* once unlocked, an orphan may free w at any time */
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    if (running) {
        /* it sees quit when libslurm returns, and frees the struct itself */
        pthread_detach(thread);
        return;
    }
    pthread_join(thread, NULL);
    query_worker_destroy(w);
}

static int slurm_query(wjr_job_list *out, wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    job_info_msg_t *msg = NULL;
    uint32_t i;
    int error;

    pthread_once(&init_once, slurm_init_once);
    memset(out, 0, sizeof(*out));
    b->rpc_count++;
    error = load_jobs_bounded(sb, &msg, sb->rpc_timeout > 0 ? sb->rpc_timeout : 30.0);
    if (error < 0)
        return error;
    if (msg->record_count > 0) {
        out->jobs = calloc(msg->record_count, sizeof(*out->jobs));
        if (out->jobs == NULL) {
            slurm_free_job_info_msg(msg);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
    }
    for (i = 0; i < msg->record_count; i++)
        fill_record(&out->jobs[i], &msg->job_array[i]);
    out->count = msg->record_count;
    /* the records point into the answer: no copy of 3 strings per job */
    out->owner = msg;
    out->owner_free = free_job_info;
    return 0;
}

/* ---- controller configuration --------------------------------------- */

static int load_conf(slurm_backend *sb)
{
    slurm_conf_t *conf = NULL;

    pthread_once(&init_once, slurm_init_once);
    sb->parent.rpc_count++;
    if (slurm_load_ctl_conf((time_t)0, &conf) != SLURM_SUCCESS)
        return classify(slurm_get_errno(), "slurm_load_ctl_conf");
    sb->max_array_size = conf->max_array_sz;
    free(sb->cluster_name);
    sb->cluster_name = wjr_strdup(conf->cluster_name);
    sb->has_accounting =
        conf->accounting_storage_type && strstr(conf->accounting_storage_type, "slurmdbd") != NULL;
    slurm_free_ctl_conf(conf);
    return 0;
}

static int slurm_max_array_size(uint32_t *out, wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    int error;

    if (sb->max_array_size == 0) {
        error = load_conf(sb);
        if (error < 0)
            return error;
    }
    *out = sb->max_array_size;
    return 0;
}

static const char *slurm_cluster(wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;

    if (sb->cluster_name == NULL && load_conf(sb) < 0)
        return NULL;
    return sb->cluster_name;
}

static const char *slurm_partition(const wjr_backend *b)
{
    return ((const slurm_backend *)b)->partition;
}

static int slurm_cluster_info(wjr_cluster_info *out, wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    slurm_conf_t *conf = NULL;
    partition_info_msg_t *parts = NULL;
    uint32_t i;
    int error = 0;

    memset(out, 0, sizeof(*out));
    pthread_once(&init_once, slurm_init_once);
    b->rpc_count++;
    if (slurm_load_ctl_conf((time_t)0, &conf) != SLURM_SUCCESS)
        return classify(slurm_get_errno(), "slurm_load_ctl_conf");
    out->cluster_name = wjr_strdup(conf->cluster_name);
    out->slurm_version = wjr_strdup(conf->version);
    out->max_array_size = conf->max_array_sz;
    out->max_job_count = conf->max_job_cnt;
    out->min_job_age = conf->min_job_age;
    out->has_accounting =
        conf->accounting_storage_type && strstr(conf->accounting_storage_type, "slurmdbd") != NULL;
    sb->max_array_size = conf->max_array_sz;
    sb->has_accounting = out->has_accounting;
    slurm_free_ctl_conf(conf);

    out->partition_found = sb->partition == NULL;
    if (sb->partition == NULL)
        return 0;
    b->rpc_count++;
    if (slurm_load_partitions((time_t)0, &parts, SHOW_ALL) != SLURM_SUCCESS) {
        error = classify(slurm_get_errno(), "slurm_load_partitions");
        wjr_cluster_info_clear(out);
        return error;
    }
    for (i = 0; i < parts->record_count; i++) {
        partition_info_t *p = &parts->partition_array[i];
        if (p->name && strcmp(p->name, sb->partition) == 0) {
            out->partition_found = 1;
            if (p->max_time == INFINITE)
                out->partition_max_time = wjr_strdup("UNLIMITED");
            else
                out->partition_max_time = wjr_asprintf("%u minutes", (unsigned)p->max_time);
        }
    }
    slurm_free_partition_info_msg(parts);
    return 0;
}

void wjr_cluster_info_clear(wjr_cluster_info *info)
{
    if (info == NULL)
        return;
    free(info->cluster_name);
    free(info->slurm_version);
    free(info->partition_max_time);
    memset(info, 0, sizeof(*info));
}

/* ---- cancel -------------------------------------------------------------- */

static int slurm_cancel(wjr_backend *b, uint32_t job_id, uint32_t task_id)
{
    char id[64];
    int e;

    pthread_once(&init_once, slurm_init_once);
    if (task_id != WJR_NO_TASK)
        snprintf(id, sizeof(id), "%u_%u", (unsigned)job_id, (unsigned)task_id);
    else
        snprintf(id, sizeof(id), "%u", (unsigned)job_id);
    b->rpc_count++;
    if (slurm_kill_job2(id, SIGKILL, 0, NULL) == SLURM_SUCCESS)
        return 0;
    e = slurm_get_errno();
    if (e == ESLURM_ALREADY_DONE)
        return 0; /* it ended first: nothing to cancel */
    if (e == ESLURM_INVALID_JOB_ID)
        return slurm_fail(WJR_ENOTFOUND, e, id);
    return classify(e, "slurm_kill_job2");
}

/* ---- accounting -------------------------------------------------------- */

static int slurm_accounting(wjr_job_list *out, wjr_backend *b, const char *const *names, size_t n,
                            int64_t since)
{
    slurm_backend *sb = (slurm_backend *)b;
    slurmdb_job_cond_t cond;
    void *db = NULL;
    List jobs = NULL;
    ListIterator it = NULL;
    slurmdb_job_rec_t *rec;
    char uid[32];
    size_t i, k = 0;
    int error = 0, count;

    memset(out, 0, sizeof(*out));
    if (sb->accounting == 0)
        return wjr_error_set(WJR_ENOTFOUND, "accounting is turned off");
    if (sb->has_accounting < 0) {
        error = load_conf(sb);
        if (error < 0)
            return error;
    }
    if (!sb->has_accounting)
        return wjr_error_set(WJR_ENOTFOUND, "the cluster has no accounting database");
    if (n == 0)
        return 0;

    memset(&cond, 0, sizeof(cond));
    /* 0 would mean "scheduling flags none": slurmdbd then adds flags = 0 to
     * its query and misses every job the scheduler started. NOTSET asks for
     * no filter, as sacct does. */
    cond.db_flags = SLURMDB_JOB_FLAG_NOTSET;
    cond.flags = JOBCOND_FLAG_NO_STEP | JOBCOND_FLAG_NO_TRUNC;
    cond.usage_start = (time_t)(since > 0 ? since : 1);
    cond.usage_end = time(NULL) + 60;
    cond.jobname_list = slurm_list_create(NULL);
    cond.userid_list = slurm_list_create(NULL);
    if (sb->cluster_name) {
        cond.cluster_list = slurm_list_create(NULL);
        slurm_list_append(cond.cluster_list, sb->cluster_name);
    }
    snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
    slurm_list_append(cond.userid_list, uid);
    for (i = 0; i < n; i++)
        slurm_list_append(cond.jobname_list, (void *)names[i]);

    b->rpc_count++;
    db = slurmdb_connection_get(NULL);
    if (db == NULL) {
        error = classify(slurm_get_errno(), "slurmdb_connection_get");
        goto done;
    }
    b->rpc_count++;
    jobs = slurmdb_jobs_get(db, &cond);
    if (jobs == NULL) {
        error = classify(slurm_get_errno(), "slurmdb_jobs_get");
        goto done;
    }
    count = slurm_list_count(jobs);
    if (count > 0) {
        out->jobs = calloc((size_t)count, sizeof(*out->jobs));
        if (out->jobs == NULL) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            goto done;
        }
    }
    it = slurm_list_iterator_create(jobs);
    while ((rec = slurm_list_next(it)) != NULL && k < (size_t)count) {
        wjr_job_record *r = &out->jobs[k++];
        r->job_id = rec->jobid;
        r->array_job_id = rec->array_job_id;
        r->array_task_id = rec->array_task_id == NO_VAL || rec->array_job_id == 0
                               ? WJR_NO_TASK
                               : rec->array_task_id;
        if (rec->array_task_id == NO_VAL && rec->array_task_str)
            r->array_task_str = wjr_strdup(rec->array_task_str);
        r->state = rec->state;
        r->exit_code = (int)((rec->exitcode >> 8) & 0xff);
        r->term_signal = (int)(rec->exitcode & 0x7f);
        r->submit_time = (int64_t)rec->submit;
        r->end_time = (int64_t)rec->end;
        r->name = wjr_strdup(rec->jobname);
        r->from_accounting = 1;
    }
    out->count = k;
done:
    if (it)
        slurm_list_iterator_destroy(it);
    if (jobs)
        slurm_list_destroy(jobs);
    if (db)
        slurmdb_connection_close(&db);
    if (cond.jobname_list)
        slurm_list_destroy(cond.jobname_list);
    if (cond.userid_list)
        slurm_list_destroy(cond.userid_list);
    if (cond.cluster_list)
        slurm_list_destroy(cond.cluster_list);
    if (error < 0)
        wjr_job_list_clear(out);
    return error;
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
    for (i = 0; sb->env && sb->env[i]; i++)
        json_array_append_new(env, json_string(sb->env[i]));
    json_object_set_new(o, "env", env);
    json_object_set_new(o, "array_throttle", json_integer(sb->array_throttle));
    json_object_set_new(o, "requeue", json_integer(sb->requeue));
    json_object_set_new(o, "rpc_timeout", json_real(sb->rpc_timeout));
    json_object_set_new(o, "accounting", json_integer(sb->accounting));
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return *out ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

static void slurm_free(wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    size_t i;

    query_worker_stop(sb->worker);
    free(sb->partition);
    free(sb->time);
    free(sb->mem);
    free(sb->account);
    free(sb->qos);
    free(sb->constraint);
    free(sb->gres);
    for (i = 0; sb->env && sb->env[i]; i++)
        free(sb->env[i]);
    free(sb->env);
    free(sb->cluster_name);
    free(sb);
}

int wjr_backend_slurm_new(wjr_backend **out, const wjr_slurm_options *opts)
{
    wjr_slurm_options defaults = WJR_SLURM_OPTIONS_INIT;
    slurm_backend *sb;
    size_t i, n = 0;
    uint32_t minutes;
    uint64_t mb;

    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    if (opts->version != WJR_SLURM_OPTIONS_VERSION)
        return wjr_error_set(WJR_EINVALID, "wjr_slurm_options: unsupported version %u",
                             opts->version);
    if (opts->time && wjr_slurm_parse_time(&minutes, opts->time) < 0)
        return wjr_error_set(WJR_ECONFIG, "slurm time limit '%s' is not a Slurm time", opts->time);
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
    sb->parent.submit = slurm_submit;
    sb->parent.query = slurm_query;
    sb->parent.accounting = slurm_accounting;
    sb->parent.cancel = slurm_cancel;
    sb->parent.cluster_info = slurm_cluster_info;
    sb->parent.max_array_size = slurm_max_array_size;
    sb->parent.partition = slurm_partition;
    sb->parent.cluster = slurm_cluster;
    sb->parent.to_json = slurm_to_json;
    sb->parent.free = slurm_free;
    sb->partition = wjr_strdup(opts->partition);
    sb->time = wjr_strdup(opts->time);
    sb->cpus_per_task = opts->cpus_per_task;
    sb->mem = wjr_strdup(opts->mem);
    sb->account = wjr_strdup(opts->account);
    sb->qos = wjr_strdup(opts->qos);
    sb->constraint = wjr_strdup(opts->constraint);
    sb->gres = wjr_strdup(opts->gres);
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
    /* no slurm_init() here: it reads slurm.conf, and a runner that only
     * reads its state must work on a machine without one */
    *out = &sb->parent;
    return 0;
}

static const char *json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int wjr_backend_from_json(wjr_backend **out, const char *type, const char *text)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    json_error_t jerr;
    json_t *root, *env;
    const char **envv = NULL;
    size_t i, n;
    int error;

    *out = NULL;
    if (type == NULL || strcmp(type, "slurm") != 0)
        return wjr_error_set(WJR_EINVALID, "unknown backend type '%s'", type ? type : "(none)");
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
    o.array_throttle = (int)json_integer_value(json_object_get(root, "array_throttle"));
    if (json_object_get(root, "requeue"))
        o.requeue = (int)json_integer_value(json_object_get(root, "requeue"));
    o.rpc_timeout = json_number_value(json_object_get(root, "rpc_timeout"));
    if (json_object_get(root, "accounting"))
        o.accounting = (int)json_integer_value(json_object_get(root, "accounting"));
    env = json_object_get(root, "env");
    n = json_is_array(env) ? json_array_size(env) : 0;
    envv = calloc(n + 1, sizeof(*envv));
    if (envv == NULL) {
        json_decref(root);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++)
        envv[i] = json_string_value(json_array_get(env, i));
    o.env = n ? envv : NULL;
    error = wjr_backend_slurm_new(out, &o);
    free(envv);
    json_decref(root);
    return error;
}

void wjr_backend_free(wjr_backend *backend)
{
    if (backend && backend->free)
        backend->free(backend);
}

int wjr_backend_cluster_info(wjr_cluster_info *out, wjr_backend *backend)
{
    if (backend == NULL || out == NULL)
        return wjr_error_set(WJR_EINVALID, "no backend");
    return backend->cluster_info(out, backend);
}

uint64_t wjr_backend_rpc_count(const wjr_backend *backend)
{
    return backend ? backend->rpc_count : 0;
}
