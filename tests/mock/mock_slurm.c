/*
 * mock_slurm.c - the fake controller behind the unit tests: __wrap_
 * versions of the libslurm calls that src/backend_slurm.c makes, over an
 * in-memory job table and accounting table.
 *
 * It behaves as slurmctld does where the runner depends on it: an array
 * is one submit that leaves one packed record of pending tasks (with the
 * throttle in its array_task_str); a task that starts gets a record of its
 * own (the last one takes over the array's record); task ids at or above
 * MaxArraySize are refused; unknown partitions are refused; errors reach
 * the caller through slurm_get_errno(). It does not schedule anything:
 * states change only when a test says so. Every buffer it hands out is
 * counted until the matching free call gives it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include "mock_slurm.h"

typedef struct failure {
    int count; /* < 0: until cleared */
    int err;
} failure;

static struct {
    mock_job *jobs;
    size_t n_jobs, cap_jobs;
    mock_submission *subs;
    size_t n_subs, cap_subs;
    mock_acct *acct;
    size_t n_acct, cap_acct;
    char **partitions;
    uint32_t *partition_time;
    size_t n_partitions;
    failure fail[MOCK_RPC_KINDS];
    uint64_t rpc[MOCK_RPC_KINDS];
    int timeout_after_accept;
    int err;
    uint32_t next_id;
    uint32_t max_array;
    int accounting;
    char *cluster;
    long outstanding;
    size_t kills;
    char last_kill[64];
    int64_t acct_since;
    size_t acct_names;
} M = {.next_id = 1000, .max_array = 1001};

static int db_handle;

/* ---- small helpers ------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    p = realloc(p, *cap * size);
    if (p == NULL)
        abort();
    return p;
}

static int is_terminal(uint32_t state)
{
    uint32_t base = state & JOB_STATE_BASE;
    return base >= JOB_COMPLETE && base != JOB_PREEMPTED;
}

/* Count the call; 1 (with the errno stored) when it is to fail. */
static int take_failure(mock_rpc kind)
{
    failure *f = &M.fail[kind];

    M.rpc[kind]++;
    if (f->count == 0)
        return 0;
    if (f->count > 0)
        f->count--;
    M.err = f->err;
    errno = f->err;
    return 1;
}

static int fail_with(int err)
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

static mock_job *new_job(void)
{
    mock_job *j;

    M.jobs = grow(M.jobs, &M.cap_jobs, M.n_jobs, sizeof(*M.jobs));
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
            *out = grow(*out, &cap, *n, sizeof(**out));
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
        while (k + 1 < j->n_pending && j->pending[k + 1] == j->pending[k] + 1)
            k++;
        if (k > i)
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
static int split_task(size_t *pos, uint32_t array_id, uint32_t task)
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
            t = new_job(); /* may move the table */
            t->job_id = M.next_id++;
            t->array_job_id = array_id;
            t->array_task_id = task;
            t->state = copy.state;
            t->requeue = copy.requeue;
            t->submit_time = copy.submit_time;
            t->name = dup_or_null(copy.name);
            t->comment = dup_or_null(copy.comment);
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
    if (!*found && task != MOCK_NO_TASK && split_task(&pos, id, task) == 0)
        *found = 1;
    return pos;
}

/* ---- the test-facing API ------------------------------------------------ */

void mock_reset(void)
{
    size_t i, k;

    for (i = 0; i < M.n_jobs; i++)
        job_clear(&M.jobs[i]);
    free(M.jobs);
    for (i = 0; i < M.n_subs; i++) {
        mock_submission *s = &M.subs[i];
        free(s->name);
        free(s->comment);
        free(s->script);
        free(s->array_inx);
        free(s->work_dir);
        free(s->std_out);
        free(s->std_err);
        free(s->partition);
        for (k = 0; k < s->env_size; k++)
            free(s->env[k]);
        free(s->env);
    }
    free(M.subs);
    for (i = 0; i < M.n_acct; i++)
        free(M.acct[i].name);
    free(M.acct);
    for (i = 0; i < M.n_partitions; i++)
        free(M.partitions[i]);
    free(M.partitions);
    free(M.partition_time);
    free(M.cluster);
    memset(&M, 0, sizeof(M));
    M.next_id = 1000;
    M.max_array = 1001;
    M.cluster = strdup("mockcluster");
}

void mock_set_max_array_size(uint32_t max)
{
    M.max_array = max;
}

void mock_set_accounting(int on)
{
    M.accounting = on;
}

void mock_set_cluster_name(const char *name)
{
    free(M.cluster);
    M.cluster = dup_or_null(name);
}

void mock_add_partition(const char *name, uint32_t max_time_minutes)
{
    M.partitions = realloc(M.partitions, (M.n_partitions + 1) * sizeof(char *));
    M.partition_time = realloc(M.partition_time, (M.n_partitions + 1) * sizeof(uint32_t));
    if (M.partitions == NULL || M.partition_time == NULL)
        abort();
    M.partitions[M.n_partitions] = strdup(name);
    M.partition_time[M.n_partitions++] = max_time_minutes;
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

uint64_t mock_rpc_count(mock_rpc kind)
{
    return M.rpc[kind];
}

uint64_t mock_rpc_total(void)
{
    uint64_t n = 0;
    int k;

    for (k = 0; k < MOCK_RPC_KINDS; k++)
        n += M.rpc[k];
    return n;
}

long mock_outstanding(void)
{
    return M.outstanding;
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
    mock_job *j = new_job();

    j->job_id = M.next_id++;
    j->name = dup_or_null(name);
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
    if (is_terminal(state))
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

mock_acct *mock_add_acct(uint32_t job_id, uint32_t array_job_id, uint32_t task_id, const char *name,
                         uint32_t state, int exit_code, int sig, int64_t submit_time,
                         int64_t end_time)
{
    mock_acct *a;

    M.acct = grow(M.acct, &M.cap_acct, M.n_acct, sizeof(*M.acct));
    a = &M.acct[M.n_acct++];
    a->job_id = job_id;
    a->array_job_id = array_job_id;
    a->array_task_id = task_id;
    a->name = dup_or_null(name);
    a->state = state;
    a->exit_code = ((uint32_t)exit_code << 8) | ((uint32_t)sig & 0x7f);
    a->submit_time = submit_time;
    a->end_time = end_time;
    return a;
}

int64_t mock_acct_last_since(void)
{
    return M.acct_since;
}

size_t mock_acct_last_names(void)
{
    return M.acct_names;
}

/* ---- the wrapped libslurm calls ----------------------------------------- */

void __wrap_slurm_init(const char *conf);
int __wrap_slurm_get_errno(void);
int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp);
void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg);
int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags);
void __wrap_slurm_free_job_info_msg(job_info_msg_t *msg);
int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags,
                           const char *sibling);
int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out);
void __wrap_slurm_free_ctl_conf(slurm_conf_t *conf);
int __wrap_slurm_load_partitions(time_t update_time, partition_info_msg_t **out, uint16_t flags);
void __wrap_slurm_free_partition_info_msg(partition_info_msg_t *msg);
void *__wrap_slurmdb_connection_get(uint16_t *flags);
int __wrap_slurmdb_connection_close(void **db);
List __wrap_slurmdb_jobs_get(void *db, slurmdb_job_cond_t *cond);

void __wrap_slurm_init(const char *conf)
{
    (void)conf;
}

int __wrap_slurm_get_errno(void)
{
    return M.err;
}

static void record_submission(const job_desc_msg_t *d)
{
    mock_submission *s;
    uint32_t i;

    M.subs = grow(M.subs, &M.cap_subs, M.n_subs, sizeof(*M.subs));
    s = &M.subs[M.n_subs++];
    memset(s, 0, sizeof(*s));
    s->name = dup_or_null(d->name);
    s->comment = dup_or_null(d->comment);
    s->script = dup_or_null(d->script);
    s->array_inx = dup_or_null(d->array_inx);
    s->work_dir = dup_or_null(d->work_dir);
    s->std_out = dup_or_null(d->std_out);
    s->std_err = dup_or_null(d->std_err);
    s->partition = dup_or_null(d->partition);
    s->env_size = d->env_size;
    s->env = calloc(d->env_size + 1, sizeof(char *));
    if (s->env == NULL)
        abort();
    for (i = 0; i < d->env_size && d->environment; i++)
        s->env[i] = dup_or_null(d->environment[i]);
}

static int partition_known(const char *name)
{
    size_t i;

    if (M.n_partitions == 0 || name == NULL)
        return 1;
    for (i = 0; i < M.n_partitions; i++)
        if (strcmp(M.partitions[i], name) == 0)
            return 1;
    return 0;
}

int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp)
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
        return fail_with(ESLURM_JOB_SCRIPT_MISSING);
    if (desc->environment == NULL || desc->env_size == 0)
        return fail_with(ESLURM_ENVIRONMENT_MISSING);
    if (!partition_known(desc->partition))
        return fail_with(ESLURM_INVALID_PARTITION_NAME);
    if (desc->array_inx) {
        if (parse_array_inx(&tasks, &n_tasks, &throttle, desc->array_inx) < 0 ||
            tasks[n_tasks - 1] >= M.max_array) {
            free(tasks);
            return fail_with(ESLURM_INVALID_ARRAY);
        }
    }
    j = new_job();
    j->job_id = M.next_id++;
    j->name = dup_or_null(desc->name);
    j->comment = dup_or_null(desc->comment);
    j->requeue = desc->requeue == 0 ? 0 : 1;
    if (tasks) {
        j->array_job_id = j->job_id;
        j->pending = tasks;
        j->n_pending = n_tasks;
        j->throttle = throttle;
    }
    s->job_id = j->job_id;
    if (M.timeout_after_accept) {
        M.timeout_after_accept = 0;
        return fail_with(SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    }
    *resp = calloc(1, sizeof(**resp));
    if (*resp == NULL)
        abort();
    (*resp)->job_id = j->job_id;
    M.outstanding++;
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg)
{
    if (msg == NULL)
        return;
    M.outstanding--;
    free(msg);
}

int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags)
{
    job_info_msg_t *msg;
    size_t i;

    (void)uid;
    (void)flags;
    *out = NULL;
    if (take_failure(MOCK_RPC_QUERY))
        return SLURM_ERROR;
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->last_update = time(NULL);
    msg->record_count = (uint32_t)M.n_jobs;
    msg->job_array = calloc(M.n_jobs ? M.n_jobs : 1, sizeof(slurm_job_info_t));
    if (msg->job_array == NULL)
        abort();
    for (i = 0; i < M.n_jobs; i++) {
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
        r->submit_time = (time_t)j->submit_time;
        r->end_time = (time_t)j->end_time;
        r->name = dup_or_null(j->name);
        r->comment = dup_or_null(j->comment);
        r->state_desc = dup_or_null(j->state_desc);
    }
    M.outstanding++;
    *out = msg;
    return SLURM_SUCCESS;
}

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
    M.outstanding--;
}

int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags, const char *sibling)
{
    uint32_t id, task;
    size_t i;
    int hit = 0;

    (void)signal;
    (void)flags;
    (void)sibling;
    M.kills++;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s", job_id ? job_id : "");
    if (take_failure(MOCK_RPC_KILL))
        return SLURM_ERROR;
    if (job_id == NULL || parse_id(job_id, &id, &task) < 0)
        return fail_with(ESLURM_INVALID_JOB_ID);
    if (task != MOCK_NO_TASK && mock_lookup(job_id) == NULL)
        return fail_with(ESLURM_INVALID_JOB_ID);
    for (i = 0; i < M.n_jobs; i++) {
        mock_job *j = &M.jobs[i];
        int match = task == MOCK_NO_TASK ? (j->job_id == id || j->array_job_id == id)
                                         : (j->array_job_id == id && j->array_task_id == task);
        if (!match)
            continue;
        if (hit == 0)
            hit = -1;
        if (is_terminal(j->state))
            continue;
        j->state = JOB_CANCELLED;
        j->end_time = (int64_t)time(NULL);
        hit = 1;
    }
    if (hit == 0)
        return fail_with(ESLURM_INVALID_JOB_ID);
    if (hit < 0)
        return fail_with(ESLURM_ALREADY_DONE);
    return SLURM_SUCCESS;
}

int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out)
{
    slurm_conf_t *conf;

    (void)update_time;
    *out = NULL;
    if (take_failure(MOCK_RPC_CONF))
        return SLURM_ERROR;
    conf = calloc(1, sizeof(*conf));
    if (conf == NULL)
        abort();
    conf->max_array_sz = M.max_array;
    conf->max_job_cnt = 10000;
    conf->min_job_age = 300;
    conf->cluster_name = dup_or_null(M.cluster);
    conf->version = strdup("22.05.8");
    conf->accounting_storage_type =
        strdup(M.accounting ? "accounting_storage/slurmdbd" : "accounting_storage/none");
    M.outstanding++;
    *out = conf;
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_ctl_conf(slurm_conf_t *conf)
{
    if (conf == NULL)
        return;
    free(conf->cluster_name);
    free(conf->version);
    free(conf->accounting_storage_type);
    free(conf);
    M.outstanding--;
}

int __wrap_slurm_load_partitions(time_t update_time, partition_info_msg_t **out, uint16_t flags)
{
    partition_info_msg_t *msg;
    size_t i;

    (void)update_time;
    (void)flags;
    *out = NULL;
    if (take_failure(MOCK_RPC_PARTITIONS))
        return SLURM_ERROR;
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->record_count = (uint32_t)M.n_partitions;
    msg->partition_array = calloc(M.n_partitions ? M.n_partitions : 1, sizeof(partition_info_t));
    if (msg->partition_array == NULL)
        abort();
    for (i = 0; i < M.n_partitions; i++) {
        msg->partition_array[i].name = strdup(M.partitions[i]);
        msg->partition_array[i].max_time = M.partition_time[i];
    }
    M.outstanding++;
    *out = msg;
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_partition_info_msg(partition_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++)
        free(msg->partition_array[i].name);
    free(msg->partition_array);
    free(msg);
    M.outstanding--;
}

void *__wrap_slurmdb_connection_get(uint16_t *flags)
{
    (void)flags;
    if (take_failure(MOCK_RPC_DB_CONNECT))
        return NULL;
    if (!M.accounting) {
        fail_with(SLURM_ERROR);
        return NULL;
    }
    M.outstanding++;
    return &db_handle;
}

int __wrap_slurmdb_connection_close(void **db)
{
    if (db && *db == &db_handle) {
        M.outstanding--;
        *db = NULL;
    }
    return SLURM_SUCCESS;
}

static void acct_rec_free(void *p)
{
    slurmdb_job_rec_t *r = p;

    free(r->jobname);
    free(r);
    M.outstanding--;
}

static int name_listed(List names, const char *name)
{
    ListIterator it;
    const char *n;
    int found = 0;

    if (names == NULL)
        return 1;
    if (name == NULL)
        return 0;
    it = slurm_list_iterator_create(names);
    while (!found && (n = slurm_list_next(it)) != NULL)
        found = strcmp(n, name) == 0;
    slurm_list_iterator_destroy(it);
    return found;
}

List __wrap_slurmdb_jobs_get(void *db, slurmdb_job_cond_t *cond)
{
    List out;
    size_t i;

    if (take_failure(MOCK_RPC_DB_JOBS))
        return NULL;
    if (db != &db_handle) {
        fail_with(SLURM_ERROR);
        return NULL;
    }
    M.acct_since = cond ? (int64_t)cond->usage_start : 0;
    M.acct_names = cond && cond->jobname_list ? (size_t)slurm_list_count(cond->jobname_list) : 0;
    out = slurm_list_create(acct_rec_free);
    for (i = 0; i < M.n_acct; i++) {
        const mock_acct *a = &M.acct[i];
        slurmdb_job_rec_t *r;
        if (!name_listed(cond ? cond->jobname_list : NULL, a->name))
            continue;
        /* slurmdbd: jobs that ran (or were eligible) at or after usage_start */
        if (cond && cond->usage_start && a->end_time && a->end_time < cond->usage_start)
            continue;
        r = calloc(1, sizeof(*r));
        if (r == NULL)
            abort();
        r->jobid = a->job_id;
        r->array_job_id = a->array_job_id;
        r->array_task_id = a->array_task_id == MOCK_NO_TASK ? NO_VAL : a->array_task_id;
        r->jobname = dup_or_null(a->name);
        r->state = a->state;
        r->exitcode = a->exit_code;
        r->submit = (time_t)a->submit_time;
        r->end = (time_t)a->end_time;
        M.outstanding++;
        slurm_list_append(out, r);
    }
    return out;
}
