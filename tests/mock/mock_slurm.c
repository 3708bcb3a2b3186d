/*
 * mock_slurm.c - the fake controller behind the unit and CLI tests: __wrap_
 * versions of the libslurm calls that src/backend_slurm.c makes, over an
 * in-memory job table. The cluster around the jobs (partitions and the
 * like) is mock_cluster.c's, the slurmdbd mock_acct.c's, the fake slurmd
 * of execute mode mock_exec.c's (mock_int.h).
 *
 * It behaves as slurmctld does where the runner depends on it: an array
 * is one submit that leaves one packed record of pending tasks (with the
 * throttle in its array_task_str); a task that starts gets a record of its
 * own (the last one takes over the array's record); task ids at or above
 * MaxArraySize are refused; unknown partitions are refused; errors reach
 * the caller through errno. By default it schedules nothing:
 * states change only when a test says so. In execute mode it also plays
 * slurmd: a job that is due runs its batch script with /bin/sh and ends
 * COMPLETE or FAILED with the script's exit code. With a state file the
 * controller outlives the process, so that `wjr run` and a later
 * `wjr resume` or `wjr poll` see the same jobs. Every buffer it hands out
 * is counted until the matching free call gives it back.
 */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include "mock_int.h"
#include "mock_slurm.h"
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
    int timeout_after_accept;
    int hide_queries; /* job queries still answered with an empty table */
    int err;
    uint32_t next_id;
    uint32_t max_array;
    char *cluster;
    long outstanding;
    size_t kills;
    char last_kill[64];
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

static int take_failure(mock_rpc kind)
{
    failure *f = &M.fail[kind];

    after_states = 0;
    M.rpc[kind]++;
    if (f->count == 0)
        return 0;
    if (f->count > 0)
        f->count--;
    M.err = f->err;
    errno = f->err;
    return 1;
}

int mock__fail_with(int err)
{
    M.err = err;
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

/* "0-9%4", "1,3-5", "0-10:2": the task ids, ascending; -1 when malformed. */
static int parse_array_inx(uint32_t **out, size_t *n, int *throttle, const char *s)
{
    size_t cap = 0;
    const char *p = s;
    char *end;

    *out = NULL;
    *n = 0;
    *throttle = 0;
    while (*p && *p != '%') {
        unsigned long lo = strtoul(p, &end, 10), hi, step = 1, v;
        if (end == p)
            return -1;
        hi = lo;
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            if (end == p + 1 || hi < lo)
                return -1;
            p = end;
            if (*p == ':') {
                step = strtoul(p + 1, &end, 10);
                if (end == p + 1 || step == 0)
                    return -1;
                p = end;
            }
        }
        for (v = lo; v <= hi; v += step) {
            *out = mock__grow(*out, &cap, *n, sizeof(**out));
            (*out)[(*n)++] = (uint32_t)v;
        }
        if (*p == ',')
            p++;
        else if (*p != '\0' && *p != '%')
            return -1;
    }
    if (*p == '%') {
        *throttle = atoi(p + 1);
        if (*throttle <= 0)
            return -1;
    }
    return *n > 0 ? 0 : -1;
}

static int task_str_steps;    /* mock_set_task_str_steps */
static int exit_after_submit; /* WJR_MOCK_EXIT_AFTER_SUBMIT */

/* The packed record's task string as slurmctld writes it: "0-3,7%2". */
static char *task_str(const mock_job *j)
{
    size_t i = 0, len = 0, cap = 32 + j->n_pending * 24;
    char *s = malloc(cap);

    if (s == NULL)
        abort();
    s[0] = '\0';
    while (i < j->n_pending) {
        size_t k = i;
        uint32_t step = i + 1 < j->n_pending ? j->pending[i + 1] - j->pending[i] : 0;
        while (k + 1 < j->n_pending && j->pending[k + 1] == j->pending[k] + 1)
            k++;
        if (k == i && task_str_steps && step > 1 && i + 2 < j->n_pending &&
            j->pending[i + 2] - j->pending[i + 1] == step) {
            while (k + 1 < j->n_pending && j->pending[k + 1] - j->pending[k] == step)
                k++;
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u:%u", i ? "," : "", j->pending[i],
                                    j->pending[k], step);
        } else if (k > i)
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u", i ? "," : "", j->pending[i],
                                    j->pending[k]);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s%u", i ? "," : "", j->pending[i]);
        i = k + 1;
    }
    if (j->throttle > 0)
        snprintf(s + len, cap - len, "%%%d", j->throttle);
    return s;
}

static int parse_id(const char *text, uint32_t *id, uint32_t *task)
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
    if (parse_id(text, &id, &task) < 0)
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

/* atomic: the test changes it while the poll worker thread reads it */
static _Atomic int query_delay_ms;

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

static void lock_fake(void)
{
    pthread_once(&mock_lock_once, mock_lock_init);
    pthread_mutex_lock(&mock_lock);
}

static void unlock_fake(void)
{
    pthread_mutex_unlock(&mock_lock);
}

void mock_reset(void)
{
    size_t i;

    lock_fake();
    query_delay_ms = 0;
    task_str_steps = 0;
    exit_after_submit = 0;
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
    unlock_fake();
}

void mock_set_max_array_size(uint32_t max)
{
    M.max_array = max;
}

void mock_set_task_str_steps(int on)
{
    task_str_steps = on;
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

void mock_submit_timeout_after_accept(void)
{
    M.timeout_after_accept = 1;
}

void mock_hide_jobs(int queries)
{
    M.hide_queries = queries;
}

uint64_t mock_rpc_count(mock_rpc kind)
{
    return M.rpc[kind];
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

    lock_fake();
    n = M.outstanding;
    unlock_fake();
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

const char *mock__cluster_name(void)
{
    return M.cluster;
}

void mock__set_exit_after_submit(int on)
{
    exit_after_submit = on;
}

/* ---- the wrapped libslurm calls ----------------------------------------- */

void __wrap_slurm_init(const char *conf);
int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp);
void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg);
int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags);
void __wrap_slurm_free_job_info_msg(job_info_msg_t *msg);
int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags,
                           const char *sibling);
int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out);
void WRAP_FREE_CTL_CONF(slurm_conf_t *conf);

void __wrap_slurm_init(const char *conf)
{
    (void)conf;
    mock__enter();
}

/* The resource fields of a job description that are set. */
static char *desc_resources(const job_desc_msg_t *d)
{
    char buf[2048];
    size_t n = 0;

#define PUT(cond, ...)                                                                             \
    do {                                                                                           \
        if ((cond) && n < sizeof(buf))                                                             \
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__);                          \
    } while (0)
    buf[0] = '\0';
    PUT(d->min_nodes != NO_VAL, " min_nodes=%u", d->min_nodes);
    PUT(d->max_nodes != NO_VAL, " max_nodes=%u", d->max_nodes);
    PUT(d->num_tasks != NO_VAL, " num_tasks=%u", d->num_tasks);
    PUT(d->ntasks_per_node != NO_VAL16, " ntasks_per_node=%u", d->ntasks_per_node);
    PUT(d->cpus_per_task != NO_VAL16, " cpus_per_task=%u", d->cpus_per_task);
    PUT(d->min_cpus != NO_VAL, " min_cpus=%u", d->min_cpus);
    PUT(d->pn_min_memory != NO_VAL64 && !(d->pn_min_memory & MEM_PER_CPU), " mem=%llu",
        (unsigned long long)d->pn_min_memory);
    PUT(d->pn_min_memory != NO_VAL64 && (d->pn_min_memory & MEM_PER_CPU), " mem_per_cpu=%llu",
        (unsigned long long)(d->pn_min_memory & ~MEM_PER_CPU));
    PUT(d->time_limit != NO_VAL, " time_limit=%u", d->time_limit);
    PUT(d->time_min != NO_VAL, " time_min=%u", d->time_min);
    PUT(d->tres_per_job != NULL, " tres_per_job=%s", d->tres_per_job);
    PUT(d->tres_per_task != NULL, " tres_per_task=%s", d->tres_per_task);
    PUT(d->tres_per_node != NULL, " tres_per_node=%s", d->tres_per_node);
    PUT(d->shared != NO_VAL16, " shared=%u", d->shared);
    PUT(d->reservation != NULL, " reservation=%s", d->reservation);
    PUT(d->licenses != NULL, " licenses=%s", d->licenses);
    PUT(d->nice != NO_VAL, " nice=%lld", (long long)d->nice - (long long)NICE_OFFSET);
    PUT(d->warn_signal != 0 && d->warn_signal != NO_VAL16,
        " warn_signal=%u warn_time=%u warn_flags=%u", d->warn_signal, d->warn_time, d->warn_flags);
#undef PUT
    return mock__dup(buf);
}

static void record_submission(const job_desc_msg_t *d)
{
    mock_submission *s;
    uint32_t i;

    s = mock__new_submission();
    s->name = mock__dup(d->name);
    s->comment = mock__dup(d->comment);
    s->script = mock__dup(d->script);
    s->array_inx = mock__dup(d->array_inx);
    s->work_dir = mock__dup(d->work_dir);
    s->std_out = mock__dup(d->std_out);
    s->std_err = mock__dup(d->std_err);
    s->partition = mock__dup(d->partition);
    s->resources = desc_resources(d);
    s->env_size = d->env_size;
    s->env = calloc(d->env_size + 1, sizeof(char *));
    if (s->env == NULL)
        abort();
    for (i = 0; i < d->env_size && d->environment; i++)
        s->env[i] = mock__dup(d->environment[i]);
}

static int submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp)
{
    mock_submission *s;
    mock_job *j;
    uint32_t *tasks = NULL;
    size_t n_tasks = 0;
    int throttle = 0;

    record_submission(desc);
    s = &M.subs[M.n_subs - 1];
    if (take_failure(MOCK_RPC_SUBMIT))
        return SLURM_ERROR;
    if (desc->script == NULL || desc->script[0] != '#')
        return mock__fail_with(ESLURM_JOB_SCRIPT_MISSING);
    if (desc->environment == NULL || desc->env_size == 0)
        return mock__fail_with(ESLURM_ENVIRONMENT_MISSING);
    if (!mock__partition_known(desc->partition))
        return mock__fail_with(ESLURM_INVALID_PARTITION_NAME);
    if (desc->array_inx) {
        if (parse_array_inx(&tasks, &n_tasks, &throttle, desc->array_inx) < 0 ||
            tasks[n_tasks - 1] >= M.max_array) {
            free(tasks);
            return mock__fail_with(ESLURM_INVALID_ARRAY);
        }
    }
    j = mock__new_job();
    j->job_id = M.next_id++;
    j->name = mock__dup(desc->name);
    j->comment = mock__dup(desc->comment);
    j->requeue = desc->requeue == 0 ? 0 : 1;
    j->exec = mock__exec_on();
    if (tasks) {
        j->array_job_id = j->job_id;
        j->pending = tasks;
        j->n_pending = n_tasks;
        j->throttle = throttle;
    }
    s->job_id = j->job_id;
    if (M.timeout_after_accept) {
        M.timeout_after_accept = 0;
        return mock__fail_with(SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    }
    *resp = calloc(1, sizeof(**resp));
    if (*resp == NULL)
        abort();
#if SLURM_AT_LEAST(25, 11, 0)
    (*resp)->step_id.job_id = j->job_id;
#else
    (*resp)->job_id = j->job_id;
#endif
    M.outstanding++;
    return SLURM_SUCCESS;
}

int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp)
{
    int rc;

    mock__enter();
    rc = submit_batch_job(desc, resp);
    mock__save();
    if (rc == SLURM_SUCCESS && exit_after_submit) {
        /* the process is killed as the answer arrives (WJR_MOCK_EXIT_AFTER_SUBMIT) */
        _exit(137);
    }
    return rc;
}

void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg)
{
    if (msg == NULL)
        return;
    M.outstanding--;
    free(msg);
}

static int load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags)
{
    job_info_msg_t *msg;
    size_t i;

    int same_poll = after_states;

    (void)uid;
    (void)flags;
    *out = NULL;
    if (take_failure(MOCK_RPC_QUERY))
        return SLURM_ERROR;
    if (!same_poll)
        mock__advance_jobs();
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->last_update = time(NULL);
    msg->record_count = (uint32_t)M.n_jobs;
    if (M.hide_queries > 0) {
        M.hide_queries--;
        msg->record_count = 0;
    }
    msg->job_array = calloc(M.n_jobs ? M.n_jobs : 1, sizeof(slurm_job_info_t));
    if (msg->job_array == NULL)
        abort();
    for (i = 0; i < msg->record_count; i++) {
        const mock_job *j = &M.jobs[i];
        slurm_job_info_t *r = &msg->job_array[i];
        r->job_id = j->job_id;
        r->array_job_id = j->array_job_id;
        r->array_task_id = j->array_task_id == MOCK_NO_TASK ? NO_VAL : j->array_task_id;
        if (j->array_job_id && j->array_task_id == MOCK_NO_TASK)
            r->array_task_str = task_str(j);
        r->job_state = j->state;
        r->exit_code = j->exit_code == MOCK_NO_TASK ? NO_VAL : j->exit_code;
        r->requeue = (uint16_t)j->requeue;
        r->restart_cnt = j->restart_cnt;
        r->submit_time = (time_t)j->submit_time;
        r->start_time = (time_t)j->start_time;
        r->end_time = (time_t)j->end_time;
        r->name = mock__dup(j->name);
        r->comment = mock__dup(j->comment);
        r->state_desc = mock__dup(j->state_desc);
    }
    M.outstanding++;
    *out = msg;
    return SLURM_SUCCESS;
}

void mock_set_query_delay_ms(int ms)
{
    query_delay_ms = ms;
}

int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags)
{
    int delay_ms = query_delay_ms, rc;

    if (delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    lock_fake();
    mock__enter();
    rc = load_job_user(out, uid, flags);
    mock__save();
    unlock_fake();
    return rc;
}

#if SLURM_AT_LEAST(23, 11, 5)
/* slurm_load_job_state: the states of the jobs (and array tasks) of the
 * given job ids. A packed record's "bitmap" is the text of its pending
 * tasks, which the wrapped slurm_bit_fmt below hands back. It fails, and
 * counts, as a MOCK_RPC_QUERY (it is the poll's query RPC), and is counted
 * once more as MOCK_RPC_STATES. */
int __wrap_slurm_load_job_state(int n_ids, slurm_selected_step_t *ids,
                                job_state_response_msg_t **out);
void __wrap_slurm_free_job_state_response_msg(job_state_response_msg_t *msg);
char *__wrap_slurm_bit_fmt(char *str, int32_t len, bitstr_t *b);

static int wanted(const mock_job *j, int n_ids, const slurm_selected_step_t *ids)
{
    int i;

    for (i = 0; i < n_ids; i++)
        if (ids[i].step_id.job_id == j->job_id ||
            (j->array_job_id != 0 && ids[i].step_id.job_id == j->array_job_id))
            return 1;
    return 0;
}

static int load_job_state(int n_ids, const slurm_selected_step_t *ids,
                          job_state_response_msg_t **out)
{
    job_state_response_msg_t *msg;
    size_t i, k = 0;

    *out = NULL;
    M.rpc[MOCK_RPC_STATES]++;
    if (take_failure(MOCK_RPC_QUERY))
        return SLURM_ERROR;
    mock__advance_jobs();
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->jobs = calloc(M.n_jobs ? M.n_jobs : 1, sizeof(*msg->jobs));
    if (msg->jobs == NULL)
        abort();
    for (i = 0; i < M.n_jobs; i++) {
        const mock_job *j = &M.jobs[i];
        job_state_response_job_t *r;
        if (!wanted(j, n_ids, ids))
            continue;
        r = &msg->jobs[k++];
        r->job_id = j->job_id;
        r->array_job_id = j->array_job_id;
        r->array_task_id = j->array_task_id == MOCK_NO_TASK ? NO_VAL : j->array_task_id;
        if (j->array_job_id && j->array_task_id == MOCK_NO_TASK) {
            char *text = task_str(j);
            text[strcspn(text, "%")] = '\0'; /* a bitmap has no throttle */
            r->array_task_id_bitmap = (bitstr_t *)text;
        }
        r->state = j->state;
    }
    msg->jobs_count = (uint32_t)k;
    M.outstanding++;
    *out = msg;
    after_states = 1;
    return SLURM_SUCCESS;
}

int __wrap_slurm_load_job_state(int n_ids, slurm_selected_step_t *ids,
                                job_state_response_msg_t **out)
{
    int delay_ms = query_delay_ms, rc;

    if (delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    lock_fake();
    mock__enter();
    rc = load_job_state(n_ids, ids, out);
    mock__save();
    unlock_fake();
    return rc;
}

void __wrap_slurm_free_job_state_response_msg(job_state_response_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->jobs_count; i++)
        free(msg->jobs[i].array_task_id_bitmap);
    free(msg->jobs);
    free(msg);
    lock_fake();
    M.outstanding--;
    unlock_fake();
}

char *__wrap_slurm_bit_fmt(char *str, int32_t len, bitstr_t *b)
{
    snprintf(str, (size_t)len, "%s", (const char *)b);
    return str;
}
#endif

void __wrap_slurm_free_job_info_msg(job_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++) {
        free(msg->job_array[i].array_task_str);
        free(msg->job_array[i].name);
        free(msg->job_array[i].comment);
        free(msg->job_array[i].state_desc);
    }
    free(msg->job_array);
    free(msg);
    lock_fake();
    M.outstanding--;
    unlock_fake();
}

/* Cancel job id (all its tasks) or one task of array id: 1 when something
 * was cancelled, -1 when all of it had ended, 0 when nothing matched. */
static int kill_one(uint32_t id, uint32_t task)
{
    char text[32];
    size_t i;
    int hit = 0;

    if (task != MOCK_NO_TASK) {
        /* a pending task is split out of its array's packed record first */
        snprintf(text, sizeof(text), "%u_%u", (unsigned)id, (unsigned)task);
        if (mock_lookup(text) == NULL)
            return 0;
    }
    for (i = 0; i < M.n_jobs; i++) {
        mock_job *j = &M.jobs[i];
        int match = task == MOCK_NO_TASK ? (j->job_id == id || j->array_job_id == id)
                                         : (j->array_job_id == id && j->array_task_id == task);
        if (!match)
            continue;
        if (hit == 0)
            hit = -1;
        if (mock__is_terminal(j->state))
            continue;
        j->state = JOB_CANCELLED;
        j->end_time = (int64_t)time(NULL);
        hit = 1;
    }
    return hit;
}

/* One kill request: "123", "456_7", or an array's tasks "456_[0-3,7]" as
 * scancel sends them. Its result, as slurmctld's: 0, ESLURM_ALREADY_DONE
 * or ESLURM_INVALID_JOB_ID. */
static int kill_expression(const char *job_id)
{
    const char *open = job_id ? strstr(job_id, "_[") : NULL;
    uint32_t id, task;
    int hit = 0, one;

    if (open == NULL) {
        if (job_id == NULL || parse_id(job_id, &id, &task) < 0)
            return ESLURM_INVALID_JOB_ID;
        hit = kill_one(id, task);
    } else {
        const char *p = open + 2;
        char *end;
        id = (uint32_t)strtoul(job_id, &end, 10);
        if (end != open)
            return ESLURM_INVALID_JOB_ID;
        for (;;) {
            unsigned long lo = strtoul(p, &end, 10), hi = lo, t;
            if (end == p)
                return ESLURM_INVALID_JOB_ID;
            p = end;
            if (*p == '-') {
                hi = strtoul(p + 1, &end, 10);
                if (end == p + 1 || hi < lo)
                    return ESLURM_INVALID_JOB_ID;
                p = end;
            }
            for (t = lo; t <= hi; t++) {
                one = kill_one(id, (uint32_t)t);
                if (one > 0 || (one < 0 && hit == 0))
                    hit = one;
            }
            if (*p == ',') {
                p++;
                continue;
            }
            if (p[0] != ']' || p[1] != '\0')
                return ESLURM_INVALID_JOB_ID;
            break;
        }
    }
    if (hit == 0)
        return ESLURM_INVALID_JOB_ID;
    return hit < 0 ? ESLURM_ALREADY_DONE : 0;
}

static int kill_job2(const char *job_id, uint16_t signal, uint16_t flags, const char *sibling)
{
    int e;

    (void)signal;
    (void)flags;
    (void)sibling;
    M.kills++;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s", job_id ? job_id : "");
    if (take_failure(MOCK_RPC_KILL))
        return SLURM_ERROR;
    e = kill_expression(job_id);
    return e == 0 ? SLURM_SUCCESS : mock__fail_with(e);
}

#if SLURM_AT_LEAST(24, 5, 0)
/* slurm_kill_jobs (24.05 and later): one request for many expressions,
 * an answer per expression. Counted as one MOCK_RPC_KILL. */
int __wrap_slurm_kill_jobs(kill_jobs_msg_t *msg, kill_jobs_resp_msg_t **resp);
void __wrap_slurm_free_kill_jobs_response_msg(kill_jobs_resp_msg_t *msg);

int __wrap_slurm_kill_jobs(kill_jobs_msg_t *msg, kill_jobs_resp_msg_t **resp)
{
    kill_jobs_resp_msg_t *r;
    uint32_t i;

    mock__enter();
    *resp = NULL;
    M.kills++;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s",
             msg->jobs_cnt > 0 && msg->jobs_array[0] ? msg->jobs_array[0] : "");
    if (take_failure(MOCK_RPC_KILL)) {
        mock__save();
        return M.err;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL || (msg->jobs_cnt > 0 && (r->job_responses = calloc(
                                                msg->jobs_cnt, sizeof(*r->job_responses))) == NULL))
        abort();
    r->jobs_cnt = msg->jobs_cnt;
    for (i = 0; i < msg->jobs_cnt; i++)
        r->job_responses[i].error_code = (uint32_t)kill_expression(msg->jobs_array[i]);
    M.outstanding++;
    *resp = r;
    mock__save();
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_kill_jobs_response_msg(kill_jobs_resp_msg_t *msg)
{
    if (msg == NULL)
        return;
    free(msg->job_responses);
    free(msg);
    M.outstanding--;
}
#endif

int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags, const char *sibling)
{
    int rc;

    mock__enter();
    rc = kill_job2(job_id, signal, flags, sibling);
    mock__save();
    return rc;
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
    conf->cluster_name = mock__dup(M.cluster);
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
