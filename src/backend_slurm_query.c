/*
 * backend_slurm_query.c - the Slurm backend's polls: every job of the user
 * (slurm_load_job_user), or from Slurm 23.11.5 on the states alone of given
 * jobs (slurm_load_job_state), as job records for the runner. libslurm
 * retries on its own while slurmctld does not answer, so the calls run on
 * one worker thread per backend and the caller waits at most rpc_timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend_slurm_int.h"
#include "util.h"

/* 23.11.5 added slurm_load_job_state(): the states of given jobs only,
 * packed by slurmctld without the full job records (and, with
 * SlurmctldParameters=enable_job_state_cache, without the job lock). Its
 * packed pending array tasks come as a bitstr_t, which libslurm formats
 * with slurm_bit_fmt(): exported by every release, declared in no public
 * header. */
#if SLURM_AT_LEAST(23, 11, 5)
#define HAVE_LOAD_JOB_STATE 1
extern char *slurm_bit_fmt(char *str, int32_t len, bitstr_t *b);
#else
#define HAVE_LOAD_JOB_STATE 0
#endif

static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static int workers_running; /* query threads that have not returned yet */

int wjr__slurm_queries_running(void)
{
    int busy;

    pthread_mutex_lock(&workers_lock);
    busy = workers_running > 0;
    pthread_mutex_unlock(&workers_lock);
    return busy;
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
    r->start_time = (int64_t)j->start_time;
    r->end_time = (int64_t)j->end_time;
    r->name = j->name;
    r->comment = j->comment;
    r->reason = j->state_desc;
}

static void free_job_info(void *msg)
{
    slurm_free_job_info_msg(msg);
}

/*
 * libslurm retries on its own while slurmctld does not answer, for about
 * MessageTimeout per controller, and a login node must not hang on that.
 * Queries run on one worker thread per backend; the caller waits at most
 * rpc_timeout. A query that outlives its caller is dropped when it returns,
 * and until then the next poll fails at once: one query at a time reaches
 * slurmctld. The thread stays, so that its memory stays warm between polls.
 */
/* What the worker asks slurmctld: all jobs of this user, or (from 23.11.5)
 * the states of the jobs in ids[]. */
typedef enum { ASK_USER_JOBS, ASK_JOB_STATES } query_kind;

typedef struct query_worker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int busy;      /* a request is queued or running */
    int requested; /* a request waits for the thread */
    int done;      /* the answer is in rc/slurm_errno/answer */
    int abandoned; /* its caller gave up: drop the answer */
    int quit;      /* the backend is gone: end the thread */
    int orphan;    /* detached while a query ran: the thread frees this */
    query_kind kind;
    void *ids; /* ASK_JOB_STATES: slurm_selected_step_t[n_ids], the worker's */
    int n_ids;
    int rc;
    int slurm_errno;
    void *answer; /* job_info_msg_t or job_state_response_msg_t */
} query_worker;

static void free_answer(query_kind kind, void *answer)
{
    if (answer == NULL)
        return;
#if HAVE_LOAD_JOB_STATE
    if (kind == ASK_JOB_STATES) {
        slurm_free_job_state_response_msg(answer);
        return;
    }
#endif
    (void)kind;
    slurm_free_job_info_msg(answer);
}

static int ask(query_kind kind, void *ids, int n_ids, void **answer)
{
#if HAVE_LOAD_JOB_STATE
    if (kind == ASK_JOB_STATES)
        return slurm_load_job_state(n_ids, ids, (job_state_response_msg_t **)answer);
#else
    (void)ids;
    (void)n_ids;
#endif
    (void)kind;
    return slurm_load_job_user((job_info_msg_t **)answer, getuid(), SHOW_ALL);
}

/* How errors name a query: the same words for both calls, so that a
 * message does not depend on the Slurm release. */
static const char *ask_name(query_kind kind)
{
    (void)kind;
    return "job query to slurmctld";
}

static void query_worker_destroy(query_worker *w)
{
    free_answer(w->kind, w->answer);
    free(w->ids);
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
        void *answer = NULL;
        query_kind kind;
        int rc, e;

        while (!w->requested && !w->quit)
            pthread_cond_wait(&w->cond, &w->lock);
        if (!w->requested)
            break; /* quit */
        w->requested = 0;
        kind = w->kind; /* ids stay put until the answer is taken */
        pthread_mutex_unlock(&w->lock);

        pthread_mutex_lock(&workers_lock);
        workers_running++;
        pthread_mutex_unlock(&workers_lock);
        rc = ask(kind, w->ids, w->n_ids, &answer);
        e = rc == SLURM_SUCCESS ? 0 : SLURM_ERRNO();
        pthread_mutex_lock(&workers_lock);
        workers_running--;
        pthread_mutex_unlock(&workers_lock);

        pthread_mutex_lock(&w->lock);
        if (w->abandoned || w->quit) {
            free_answer(kind, answer);
            w->abandoned = 0;
            w->busy = 0;
            if (w->quit)
                break;
            continue;
        }
        w->rc = rc;
        w->slurm_errno = e;
        w->answer = answer;
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

/* One query on the worker, with a deadline; *answer is the caller's on
 * success. ids (ASK_JOB_STATES) passes to the worker, which frees it. */
static int ask_bounded(slurm_backend *sb, query_kind kind, void *ids, int n_ids, void **answer,
                       double timeout)
{
    query_worker *w = sb->worker;
    pthread_condattr_t cattr;
    struct timespec deadline;
    int error = 0;

    *answer = NULL;
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
            free(ids);
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
        free(ids);
        return wjr_error_set(WJR_ETIMEOUT,
                             "%s: the previous query to slurmctld has not "
                             "returned yet",
                             ask_name(kind));
    }
    free(w->ids); /* the previous request's, no longer read */
    w->kind = kind;
    w->ids = ids;
    w->n_ids = n_ids;
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
            error = wjr_error_set(WJR_EINTERRUPTED, "%s: interrupted while waiting for slurmctld",
                                  ask_name(kind));
        else
            error = wjr_error_set(WJR_ETIMEOUT, "%s: slurmctld did not answer within %.0f s",
                                  ask_name(kind), timeout);
    } else {
        if (w->rc != SLURM_SUCCESS)
            error = wjr__slurm_classify(w->slurm_errno, ask_name(kind));
        *answer = w->answer;
        w->answer = NULL;
        w->done = 0;
        w->busy = 0;
    }
    pthread_mutex_unlock(&w->lock);
    if (error < 0 && *answer) {
        free_answer(kind, *answer);
        *answer = NULL;
    }
    return error;
}

/* End the worker; one still inside libslurm finishes on its own. */
void wjr__slurm_query_stop(query_worker *w)
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

    memset(out, 0, sizeof(*out));
    error = wjr__slurm_reach(sb);
    if (error < 0)
        return error;
    b->rpc_count++;
    error = ask_bounded(sb, ASK_USER_JOBS, NULL, 0, (void **)&msg,
                        sb->rpc_timeout > 0 ? sb->rpc_timeout : 30.0);
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

#if HAVE_LOAD_JOB_STATE
/* Room for one array's packed pending tasks as text, e.g. "3-9,12,15-20". */
#define WJR_TASK_STR_MAX 65536

static void free_state_list(void *owner)
{
    free(owner); /* the array_task_str texts, one block */
}

/* The states of the jobs in job_ids[] (array job ids for arrays): one
 * REQUEST_JOB_STATE. The records are light: ids and state only. */
static int slurm_query_states(wjr_job_list *out, wjr_backend *b, const uint32_t *job_ids, size_t n)
{
    slurm_backend *sb = (slurm_backend *)b;
    job_state_response_msg_t *resp = NULL;
    slurm_selected_step_t *ids;
    size_t i, texts = 0;
    char *pool = NULL, *at;
    int error, truncated = 0;

    memset(out, 0, sizeof(*out));
    error = wjr__slurm_reach(sb);
    if (error < 0)
        return error;
    if (n == 0)
        return 0;
    if (n > INT32_MAX)
        return wjr_error_set(WJR_EINVALID, "slurm_load_job_state: too many jobs");
    ids = calloc(n, sizeof(*ids));
    if (ids == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        /* what SLURM_SELECTED_STEP_INITIALIZER sets: every id NO_VAL */
        ids[i].array_bitmap = NULL;
        ids[i].array_task_id = NO_VAL;
        ids[i].het_job_offset = NO_VAL;
        ids[i].step_id.job_id = job_ids[i];
        ids[i].step_id.step_id = NO_VAL;
        ids[i].step_id.step_het_comp = NO_VAL;
    }
    b->rpc_count++;
    error = ask_bounded(sb, ASK_JOB_STATES, ids, (int)n, (void **)&resp,
                        sb->rpc_timeout > 0 ? sb->rpc_timeout : 30.0);
    if (error < 0)
        return error;
    /* packed pending tasks: their bitmap as text, e.g. "3-9,12" */
    for (i = 0; i < resp->jobs_count; i++)
        if (resp->jobs[i].array_task_id_bitmap)
            texts++;
    if (resp->jobs_count > 0)
        out->jobs = calloc(resp->jobs_count, sizeof(*out->jobs));
    if (texts > 0)
        pool = malloc(texts * WJR_TASK_STR_MAX);
    if ((resp->jobs_count > 0 && out->jobs == NULL) || (texts > 0 && pool == NULL)) {
        free(out->jobs);
        free(pool);
        out->jobs = NULL;
        slurm_free_job_state_response_msg(resp);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    at = pool;
    for (i = 0; i < resp->jobs_count; i++) {
        const job_state_response_job_t *j = &resp->jobs[i];
        wjr_job_record *r = &out->jobs[i];
        r->light = 1;
        r->job_id = j->job_id;
        r->array_job_id = j->array_job_id;
        r->array_task_id = WJR_NO_TASK;
        if (j->array_job_id != 0 && j->array_task_id != NO_VAL && !j->array_task_id_bitmap)
            r->array_task_id = j->array_task_id;
        if (j->array_task_id_bitmap) {
            slurm_bit_fmt(at, WJR_TASK_STR_MAX, j->array_task_id_bitmap);
            truncated |= strlen(at) >= WJR_TASK_STR_MAX - 4;
            r->array_task_str = at;
            at += WJR_TASK_STR_MAX;
        }
        r->state = j->state;
        r->exit_code = -1;
    }
    out->count = resp->jobs_count;
    out->owner = pool; /* NULL when no record has a text: nothing to free */
    out->owner_free = pool ? free_state_list : NULL;
    slurm_free_job_state_response_msg(resp);
    if (truncated) {
        wjr_job_list_clear(out);
        return wjr_error_set(WJR_ERROR,
                             "slurm_load_job_state: the pending tasks of an array do "
                             "not fit in %d characters",
                             WJR_TASK_STR_MAX);
    }
    return 0;
}
#endif

void wjr__slurm_query_ops(wjr_backend *b)
{
    b->query = slurm_query;
#if HAVE_LOAD_JOB_STATE
    b->query_states = slurm_query_states;
#endif
}
