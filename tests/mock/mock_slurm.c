/*
 * mock_slurm.c - the core of the fake controller behind the unit and CLI
 * tests: the in-memory job table and its lookups, the submissions kept,
 * the RPC counts and the failures a test asks for, the buffers handed out,
 * the lock, the configuration (MaxArraySize, cluster name), the test-facing
 * API of mock_slurm.h over them, and the __wrap_ versions of slurm_init
 * and slurm_load_ctl_conf. The other libslurm calls of src/backend_slurm.c
 * are faked by the parts, which reach this state only through mock_int.h
 * and mock_slurm.h: mock_jobs.c (submit, query), mock_kill.c (kill),
 * mock_exec.c (execute mode, the fake slurmd), mock_state.c (the state
 * file, the WJR_MOCK_* variables), mock_cluster.c (partitions,
 * reservations, licenses, the node's GRES) and mock_acct.c (the slurmdbd).
 *
 * Together they behave as slurmctld does where the runner depends on it:
 * an array is one submit that leaves one packed record of pending tasks
 * (with the throttle in its array_task_str); a task that starts gets a
 * record of its own (the last one takes over the array's record); task
 * ids at or above MaxArraySize are refused; unknown partitions are
 * refused; errors reach the caller through errno. By default it schedules
 * nothing: states change only when a test says so. Every buffer handed out
 * is counted until the matching free call gives it back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm.h>
#include <slurm/slurmdb.h>

#include "mock_int.h"
#include "slurm_compat.h"

/* Where libslurm's API differs between releases (the same places as in
 * src/backend_slurm.c, which names what changed when): slurm_compat.h, and
 * the name of the configuration's free call. */
#if SLURM_AT_LEAST(26, 5, 0)
#define WRAP_FREE_CTL_CONF __wrap_slurm_free_conf
#else
#define WRAP_FREE_CTL_CONF __wrap_slurm_free_ctl_conf
#endif

typedef struct failure {
    int count; /* < 0: until cleared */
    int err;
} failure;

static struct {
    mock_job *jobs;
    size_t n_jobs, cap_jobs;
    mock_submission *subs;
    size_t n_subs, cap_subs;
    failure fail[MOCK_RPC_KINDS];
    uint64_t rpc[MOCK_RPC_KINDS];
    uint32_t next_id;
    uint32_t max_array;
    char *cluster;
    long outstanding;
    size_t kills;
    char last_kill[64];
    uint64_t elsewhere[MOCK_RPC_KINDS]; /* sent to working_cluster_rec's cluster */
    char last_cluster[64];              /* "" for slurm.conf's */
} M = {.next_id = 1000, .max_array = 1001};

/* ---- small helpers ------------------------------------------------------ */

char *mock__dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void *mock__grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    p = realloc(p, *cap * size);
    if (p == NULL)
        abort();
    return p;
}

int mock__is_terminal(uint32_t state)
{
    uint32_t base = state & JOB_STATE_BASE;
    return base >= JOB_COMPLETE && base != JOB_PREEMPTED;
}

/* Count the call; 1 (with the errno stored) when it is to fail. */
/* 1 right after a slurm_load_job_state: a poll that then asks for whole
 * records is still one poll, and the jobs move on once per poll. */
static int after_states;

/* Which controller the RPC went to: libslurm sends it to
 * working_cluster_rec's when that is set (-M). */
static void note_cluster(mock_rpc kind)
{
    const char *name = working_cluster_rec != NULL ? working_cluster_rec->name : NULL;

    M.elsewhere[kind] += name != NULL;
    snprintf(M.last_cluster, sizeof(M.last_cluster), "%s", name != NULL ? name : "");
}

static int take_failure(mock_rpc kind)
{
    failure *f = &M.fail[kind];

    after_states = 0;
    M.rpc[kind]++;
    note_cluster(kind);
    if (f->count == 0)
        return 0;
    if (f->count > 0)
        f->count--;
    errno = f->err;
    return 1;
}

int mock__fail_with(int err)
{
    errno = err;
    return SLURM_ERROR;
}

static void job_clear(mock_job *j)
{
    free(j->pending);
    free(j->name);
    free(j->comment);
    free(j->state_desc);
}

mock_job *mock__new_job(void)
{
    mock_job *j;

    M.jobs = mock__grow(M.jobs, &M.cap_jobs, M.n_jobs, sizeof(*M.jobs));
    j = &M.jobs[M.n_jobs++];
    memset(j, 0, sizeof(*j));
    j->array_task_id = MOCK_NO_TASK;
    j->exit_code = MOCK_NO_TASK;
    j->state = JOB_PENDING;
    j->requeue = 1;
    j->submit_time = (int64_t)time(NULL);
    return j;
}

int mock__parse_id(const char *text, uint32_t *id, uint32_t *task)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    *id = (uint32_t)v;
    *task = MOCK_NO_TASK;
    if (end == text)
        return -1;
    if (*end == '_') {
        const char *t = end + 1;
        v = strtoul(t, &end, 10);
        if (end == t)
            return -1;
        *task = (uint32_t)v;
    }
    return *end == '\0' ? 0 : -1;
}

static size_t find_record(uint32_t id, uint32_t task, int *found)
{
    size_t i;

    *found = 1;
    for (i = 0; i < M.n_jobs; i++) {
        const mock_job *j = &M.jobs[i];
        if (task == MOCK_NO_TASK && j->job_id == id)
            return i;
        if (task != MOCK_NO_TASK && j->array_job_id == id && j->array_task_id == task)
            return i;
    }
    *found = 0;
    return 0;
}

/* Split task out of its array's packed record; the index of its record. */
int mock__split_task(size_t *pos, uint32_t array_id, uint32_t task)
{
    size_t i, k;

    for (i = 0; i < M.n_jobs; i++) {
        mock_job *p = &M.jobs[i];
        if (p->array_job_id != array_id || p->array_task_id != MOCK_NO_TASK)
            continue;
        for (k = 0; k < p->n_pending && p->pending[k] != task; k++)
            ;
        if (k == p->n_pending)
            return -1;
        memmove(p->pending + k, p->pending + k + 1, (p->n_pending - k - 1) * sizeof(uint32_t));
        p->n_pending--;
        if (p->n_pending == 0) {
            /* the last pending task takes over the array's own record */
            free(p->pending);
            p->pending = NULL;
            p->array_task_id = task;
            *pos = i;
            return 0;
        } else {
            mock_job copy = *p, *t;
            t = mock__new_job(); /* may move the table */
            t->job_id = M.next_id++;
            t->array_job_id = array_id;
            t->array_task_id = task;
            t->state = copy.state;
            t->requeue = copy.requeue;
            t->submit_time = copy.submit_time;
            t->name = mock__dup(copy.name);
            t->comment = mock__dup(copy.comment);
            t->exec = copy.exec;
            *pos = M.n_jobs - 1;
            return 0;
        }
    }
    return -1;
}

static size_t lookup_pos(const char *text, int *found)
{
    uint32_t id, task;
    size_t pos;

    *found = 0;
    if (mock__parse_id(text, &id, &task) < 0)
        return 0;
    pos = find_record(id, task, found);
    if (!*found && task != MOCK_NO_TASK && mock__split_task(&pos, id, task) == 0)
        *found = 1;
    return pos;
}

/* ---- the test-facing API ------------------------------------------------ */

static void submission_clear(mock_submission *s)
{
    size_t k;

    free(s->name);
    free(s->comment);
    free(s->script);
    free(s->array_inx);
    free(s->work_dir);
    free(s->std_out);
    free(s->std_err);
    free(s->partition);
    free(s->resources);
    for (k = 0; k < s->env_size; k++)
        free(s->env[k]);
    free(s->env);
}

/* The calls that the backend's poll worker thread makes (query, free,
 * errno) hold this lock, as do mock_reset() and mock_outstanding(): a
 * test that reads the fake after a detached worker has finished is then
 * ordered after it (ThreadSanitizer sees no race). Recursive: a wrapped
 * call may reset the fake when it first reads the environment. */
static pthread_mutex_t mock_lock;
static pthread_once_t mock_lock_once = PTHREAD_ONCE_INIT;

static void mock_lock_init(void)
{
    pthread_mutexattr_t a;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mock_lock, &a);
    pthread_mutexattr_destroy(&a);
}

void mock__lock(void)
{
    pthread_once(&mock_lock_once, mock_lock_init);
    pthread_mutex_lock(&mock_lock);
}

void mock__unlock(void)
{
    pthread_mutex_unlock(&mock_lock);
}

void mock_reset(void)
{
    size_t i;

    mock__lock();
    mock__jobs_reset();
    for (i = 0; i < M.n_jobs; i++)
        job_clear(&M.jobs[i]);
    free(M.jobs);
    for (i = 0; i < M.n_subs; i++)
        submission_clear(&M.subs[i]);
    free(M.subs);
    mock__exec_reset();
    mock__acct_reset();
    mock__cluster_reset();
    free(M.cluster);
    mock__state_reset();
    memset(&M, 0, sizeof(M));
    M.next_id = 1000;
    M.max_array = 1001;
    M.cluster = strdup("mockcluster");
    mock__unlock();
}

void mock_set_max_array_size(uint32_t max)
{
    M.max_array = max;
}

void mock_set_cluster_name(const char *name)
{
    free(M.cluster);
    M.cluster = mock__dup(name);
}

void mock_fail(mock_rpc kind, int count, int err)
{
    M.fail[kind].count = count;
    M.fail[kind].err = err;
}

uint64_t mock_rpc_count(mock_rpc kind)
{
    return M.rpc[kind];
}

uint64_t mock_rpc_count_elsewhere(mock_rpc kind)
{
    return M.elsewhere[kind];
}

const char *mock_last_rpc_cluster(void)
{
    return M.last_cluster[0] != '\0' ? M.last_cluster : NULL;
}

uint64_t mock_rpc_total(void)
{
    uint64_t n = 0;
    int k;

    /* MOCK_RPC_STATES are counted among the MOCK_RPC_QUERY already */
    for (k = 0; k < MOCK_RPC_KINDS; k++)
        if (k != MOCK_RPC_STATES)
            n += M.rpc[k];
    return n;
}

long mock_outstanding(void)
{
    long n;

    mock__lock();
    n = M.outstanding;
    mock__unlock();
    return n;
}

size_t mock_job_count(void)
{
    return M.n_jobs;
}

mock_job *mock_job_at(size_t i)
{
    return i < M.n_jobs ? &M.jobs[i] : NULL;
}

mock_job *mock_add_job(const char *name)
{
    mock_job *j = mock__new_job();

    j->job_id = M.next_id++;
    j->name = mock__dup(name);
    return j;
}

mock_job *mock_lookup(const char *job_id_text)
{
    int found;
    size_t pos = lookup_pos(job_id_text, &found);

    return found ? &M.jobs[pos] : NULL;
}

int mock_set_state(const char *job_id_text, uint32_t state, int exit_code, int sig)
{
    mock_job *j = mock_lookup(job_id_text);

    if (j == NULL)
        return -1;
    j->state = state;
    j->exit_code = ((uint32_t)exit_code << 8) | ((uint32_t)sig & 0x7f);
    if (state != JOB_PENDING && j->start_time == 0)
        j->start_time = (int64_t)time(NULL);
    if (mock__is_terminal(state))
        j->end_time = (int64_t)time(NULL);
    return 0;
}

int mock_purge(const char *job_id_text)
{
    int found;
    size_t pos = lookup_pos(job_id_text, &found);

    if (!found)
        return -1;
    job_clear(&M.jobs[pos]);
    memmove(M.jobs + pos, M.jobs + pos + 1, (M.n_jobs - pos - 1) * sizeof(*M.jobs));
    M.n_jobs--;
    return 0;
}

void mock_purge_all(void)
{
    size_t i;

    for (i = 0; i < M.n_jobs; i++)
        job_clear(&M.jobs[i]);
    M.n_jobs = 0;
}

size_t mock_submission_count(void)
{
    return M.n_subs;
}

const mock_submission *mock_submission_at(size_t i)
{
    return i < M.n_subs ? &M.subs[i] : NULL;
}

const char *mock_submission_env(const mock_submission *s, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; s && i < s->env_size; i++)
        if (s->env[i] && strncmp(s->env[i], name, n) == 0 && s->env[i][n] == '=')
            return s->env[i] + n + 1;
    return NULL;
}

size_t mock_kill_count(void)
{
    return M.kills;
}

const char *mock_last_kill(void)
{
    return M.last_kill;
}

/* ---- what the other parts share (mock_int.h) ----------------------------- */

int mock__take_failure(mock_rpc kind)
{
    return take_failure(kind);
}

void mock__handed_out(int delta)
{
    M.outstanding += delta;
}

mock_submission *mock__new_submission(void)
{
    mock_submission *s;

    M.subs = mock__grow(M.subs, &M.cap_subs, M.n_subs, sizeof(*M.subs));
    s = &M.subs[M.n_subs++];
    memset(s, 0, sizeof(*s));
    return s;
}

void mock__clear_submissions(void)
{
    size_t i;

    for (i = 0; i < M.n_subs; i++)
        submission_clear(&M.subs[i]);
    M.n_subs = 0;
}

uint32_t mock__next_id(void)
{
    return M.next_id;
}

void mock__restore_counts(const uint64_t *rpc, uint32_t next_id, size_t kills,
                          const char *last_kill)
{
    memcpy(M.rpc, rpc, sizeof(M.rpc));
    if (next_id > 0)
        M.next_id = next_id;
    M.kills = kills;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s", last_kill);
}

uint32_t mock__max_array(void)
{
    return M.max_array;
}

void mock__count(mock_rpc kind)
{
    M.rpc[kind]++;
    note_cluster(kind);
}

int mock__same_poll(void)
{
    return after_states;
}

void mock__states_answered(void)
{
    after_states = 1;
}

void mock__note_kill(const char *job_id)
{
    M.kills++;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s", job_id);
}

const char *mock__cluster_name(void)
{
    return M.cluster;
}

/* ---- the wrapped configuration calls ------------------------------------- */

void __wrap_slurm_init(const char *conf);
int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out);
void WRAP_FREE_CTL_CONF(slurm_conf_t *conf);

void __wrap_slurm_init(const char *conf)
{
    (void)conf;
    mock__enter();
}

int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out)
{
    slurm_conf_t *conf;

    (void)update_time;
    *out = NULL;
    mock__enter();
    if (take_failure(MOCK_RPC_CONF)) {
        mock__save();
        return SLURM_ERROR;
    }
    conf = calloc(1, sizeof(*conf));
    if (conf == NULL)
        abort();
    conf->max_array_sz = M.max_array;
    conf->max_job_cnt = 10000;
    conf->min_job_age = 300;
    conf->cluster_name =
        mock__dup(working_cluster_rec != NULL ? working_cluster_rec->name : M.cluster);
    conf->version = strdup("22.05.8");
    conf->accounting_storage_type =
        strdup(mock__accounting() ? "accounting_storage/slurmdbd" : "accounting_storage/none");
    M.outstanding++;
    *out = conf;
    mock__save();
    return SLURM_SUCCESS;
}

void WRAP_FREE_CTL_CONF(slurm_conf_t *conf)
{
    if (conf == NULL)
        return;
    free(conf->cluster_name);
    free(conf->version);
    free(conf->accounting_storage_type);
    free(conf);
    M.outstanding--;
}
