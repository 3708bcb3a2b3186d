/*
 * mock_slurm.c - the fake controller behind the unit and CLI tests: __wrap_
 * versions of the libslurm calls that src/backend_slurm.c makes, over an
 * in-memory job table. The cluster around the jobs (partitions and the
 * like) is mock_cluster.c's, the slurmdbd mock_acct.c's (mock_int.h).
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
    int exec;             /* execute mode */
    int polls_until_done; /* execute mode: queries a job is RUNNING before it runs */
    char *state_path;     /* the state file, or NULL */
} M = {.next_id = 1000, .max_array = 1001, .polls_until_done = 1};

static int env_loaded; /* the WJR_MOCK_* variables were read */

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

static int is_terminal(uint32_t state)
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

static mock_job *new_job(void)
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
    if (!*found && task != MOCK_NO_TASK && split_task(&pos, id, task) == 0)
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
    mock__acct_reset();
    mock__cluster_reset();
    free(M.cluster);
    free(M.state_path);
    memset(&M, 0, sizeof(M));
    M.next_id = 1000;
    M.max_array = 1001;
    M.polls_until_done = 1;
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
    mock_job *j = new_job();

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

/* ---- execute mode: the fake slurmd --------------------------------------- */

void mock_set_exec(int on, int polls_until_done)
{
    M.exec = on;
    M.polls_until_done = polls_until_done < 0 ? 0 : polls_until_done;
}

/* The accepted submission behind a record (an array task's is its array's). */
static const mock_submission *submission_of(const mock_job *j)
{
    uint32_t id = j->array_job_id ? j->array_job_id : j->job_id;
    size_t i;

    for (i = M.n_subs; i-- > 0;)
        if (M.subs[i].job_id == id)
            return &M.subs[i];
    return NULL;
}

/* std_out/std_err as slurmstepd opens them: patterns replaced, relative
 * to the working directory. */
static char *expand_path(const char *pattern, const mock_job *j, const char *work_dir)
{
    size_t cap = strlen(pattern) + 256, len = 0;
    char *s = malloc(cap), num[32];
    const char *p, *add;
    struct passwd *pw;

    if (s == NULL)
        abort();
    s[0] = '\0';
    if (pattern[0] != '/' && work_dir != NULL)
        len = (size_t)snprintf(s, cap, "%s/", work_dir);
    for (p = pattern; *p; p++) {
        add = num;
        num[0] = *p;
        num[1] = '\0';
        if (*p == '%' && p[1] != '\0') {
            p++;
            switch (*p) {
            case 'j':
                snprintf(num, sizeof(num), "%u", j->job_id);
                break;
            case 'A':
                snprintf(num, sizeof(num), "%u", j->array_job_id ? j->array_job_id : j->job_id);
                break;
            case 'a':
                snprintf(num, sizeof(num), "%u",
                         j->array_task_id == MOCK_NO_TASK ? 4294967294u : j->array_task_id);
                break;
            case 'x':
                add = j->name ? j->name : "";
                break;
            case 'u':
                pw = getpwuid(getuid());
                add = pw ? pw->pw_name : "";
                break;
            case 'N':
                add = "localhost";
                break;
            case '%':
                break;
            default:
                snprintf(num, sizeof(num), "%%%c", *p);
            }
        }
        while (len + strlen(add) + 1 > cap) {
            cap *= 2;
            s = realloc(s, cap);
            if (s == NULL)
                abort();
        }
        len += (size_t)snprintf(s + len, cap - len, "%s", add);
    }
    return s;
}

static void env_add(char ***env, size_t *n, size_t *cap, char *entry)
{
    *env = mock__grow(*env, cap, *n + 1, sizeof(**env));
    (*env)[(*n)++] = entry;
    (*env)[*n] = NULL;
}

static char *env_entry(const char *name, uint32_t value)
{
    char buf[128];

    snprintf(buf, sizeof(buf), "%s=%u", name, value);
    return strdup(buf);
}

static int open_output(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* Run the batch script of record j to its end, as slurmd would, and record
 * how it ended. Everything the child needs is prepared before fork(). */
static void run_job(mock_job *j)
{
    const mock_submission *s = submission_of(j);
    const char *tmp = getenv("TMPDIR");
    char script_path[4096], *out_path = NULL, *err_path = NULL, **env = NULL;
    char *argv[3] = {"sh", script_path, NULL};
    size_t n_env = 0, cap_env = 0, i, len;
    int fd = -1, out_fd = -1, err_fd = -1, null_fd = -1, status = 0;
    pid_t pid;

    j->end_time = (int64_t)time(NULL);
    if (j->start_time == 0)
        j->start_time = j->end_time;
    if (s == NULL || s->script == NULL) {
        j->state = JOB_FAILED;
        j->exit_code = 1u << 8;
        return;
    }
    snprintf(script_path, sizeof(script_path), "%s/wjr-mock-script-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(script_path);
    len = strlen(s->script);
    if (fd < 0 || write(fd, s->script, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        unlink(script_path);
        j->state = JOB_FAILED;
        j->exit_code = 1u << 8;
        free(j->state_desc);
        j->state_desc = strdup("mock: cannot write the batch script");
        return;
    }
    close(fd);

    for (i = 0; i < s->env_size; i++)
        if (s->env[i] && strncmp(s->env[i], "SLURM_JOB_ID=", 13) != 0 &&
            strncmp(s->env[i], "SLURM_ARRAY_", 12) != 0)
            env_add(&env, &n_env, &cap_env, strdup(s->env[i]));
    env_add(&env, &n_env, &cap_env, env_entry("SLURM_JOB_ID", j->job_id));
    if (j->name) {
        char *name_entry = malloc(strlen(j->name) + 16);
        if (name_entry == NULL)
            abort();
        sprintf(name_entry, "SLURM_JOB_NAME=%s", j->name);
        env_add(&env, &n_env, &cap_env, name_entry);
    }
    if (j->array_job_id) {
        env_add(&env, &n_env, &cap_env, env_entry("SLURM_ARRAY_JOB_ID", j->array_job_id));
        env_add(&env, &n_env, &cap_env, env_entry("SLURM_ARRAY_TASK_ID", j->array_task_id));
    }
    out_path = expand_path(s->std_out        ? s->std_out
                           : j->array_job_id ? "slurm-%A_%a.out"
                                             : "slurm-%j.out",
                           j, s->work_dir);
    err_path = s->std_err ? expand_path(s->std_err, j, s->work_dir) : NULL;
    out_fd = open_output(out_path);
    err_fd = err_path && strcmp(err_path, out_path) != 0 ? open_output(err_path) : -1;
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out_fd < 0 || (err_path && strcmp(err_path, out_path) != 0 && err_fd < 0)) {
        j->state = JOB_FAILED;
        j->exit_code = 1u << 8;
        free(j->state_desc);
        j->state_desc = strdup("mock: cannot open the job's output files");
        goto done;
    }
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        if (s->work_dir && chdir(s->work_dir) < 0 && chdir("/tmp") < 0)
            _exit(1);
        dup2(null_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd >= 0 ? err_fd : out_fd, 2);
        execve("/bin/sh", argv, env);
        _exit(127);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    j->end_time = (int64_t)time(NULL);
    if (pid < 0) {
        j->state = JOB_FAILED;
        j->exit_code = 1u << 8;
    } else if (WIFEXITED(status)) {
        j->state = WEXITSTATUS(status) == 0 ? JOB_COMPLETE : JOB_FAILED;
        j->exit_code = (uint32_t)WEXITSTATUS(status) << 8;
    } else {
        j->state = JOB_FAILED;
        j->exit_code = (uint32_t)WTERMSIG(status) & 0x7f;
    }
done:
    unlink(script_path);
    if (out_fd >= 0)
        close(out_fd);
    if (err_fd >= 0)
        close(err_fd);
    if (null_fd >= 0)
        close(null_fd);
    for (i = 0; i < n_env; i++)
        free(env[i]);
    free(env);
    free(out_path);
    free(err_path);
}

/* One query's worth of progress for a live record: RUNNING while it has
 * been seen by at most polls_until_done queries, then it runs. */
static void step_job(size_t pos)
{
    mock_job *j = &M.jobs[pos];

    j->polls++;
    if (j->polls > M.polls_until_done)
        run_job(j);
    else
        j->state = JOB_RUNNING;
    if (j->start_time == 0)
        j->start_time = (int64_t)time(NULL);
}

static size_t running_tasks(uint32_t array_id)
{
    size_t i, n = 0;

    for (i = 0; i < M.n_jobs; i++)
        if (M.jobs[i].array_job_id == array_id && M.jobs[i].array_task_id != MOCK_NO_TASK &&
            !is_terminal(M.jobs[i].state))
            n++;
    return n;
}

/* What the controller and the nodes did since the last query. */
static void advance_jobs(void)
{
    size_t i, n = M.n_jobs, pos;

    /* jobs and tasks already started (or plain jobs still pending) */
    for (i = 0; i < n; i++) {
        mock_job *j = &M.jobs[i];
        if (j->exec && !is_terminal(j->state) &&
            !(j->array_job_id && j->array_task_id == MOCK_NO_TASK))
            step_job(i);
    }
    /* array tasks start one by one, as the throttle allows */
    for (i = 0; i < M.n_jobs; i++) {
        for (;;) {
            mock_job *p = &M.jobs[i];
            uint32_t array_id = p->array_job_id;
            if (!p->exec || is_terminal(p->state) || !array_id ||
                p->array_task_id != MOCK_NO_TASK || p->n_pending == 0)
                break;
            if (p->throttle > 0 && running_tasks(array_id) >= (size_t)p->throttle)
                break;
            if (split_task(&pos, array_id, p->pending[0]) < 0)
                break;
            step_job(pos);
        }
    }
}

/* ---- the state file ------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static char *json_dup(json_t *o, const char *key)
{
    return mock__dup(json_string_value(json_object_get(o, key)));
}

static uint32_t json_u32(json_t *o, const char *key)
{
    return (uint32_t)json_integer_value(json_object_get(o, key));
}

static const char *const rpc_names[MOCK_RPC_KINDS] = {
    "submit",  "query",        "kill",     "conf",  "partitions", "db_connect",
    "db_jobs", "reservations", "licenses", "nodes", "states"};

static json_t *job_to_json(const mock_job *j)
{
    json_t *o = json_object(), *pending = json_array();
    size_t k;

    for (k = 0; k < j->n_pending; k++)
        json_array_append_new(pending, json_integer(j->pending[k]));
    json_object_set_new(o, "job_id", json_integer(j->job_id));
    json_object_set_new(o, "array_job_id", json_integer(j->array_job_id));
    json_object_set_new(o, "array_task_id", json_integer(j->array_task_id));
    json_object_set_new(o, "pending", pending);
    json_object_set_new(o, "throttle", json_integer(j->throttle));
    json_object_set_new(o, "state", json_integer(j->state));
    json_object_set_new(o, "exit_code", json_integer(j->exit_code));
    json_object_set_new(o, "requeue", json_integer(j->requeue));
    json_object_set_new(o, "submit_time", json_integer(j->submit_time));
    json_object_set_new(o, "start_time", json_integer(j->start_time));
    json_object_set_new(o, "end_time", json_integer(j->end_time));
    json_object_set_new(o, "name", str_or_null(j->name));
    json_object_set_new(o, "comment", str_or_null(j->comment));
    json_object_set_new(o, "state_desc", str_or_null(j->state_desc));
    json_object_set_new(o, "exec", json_integer(j->exec));
    json_object_set_new(o, "polls", json_integer(j->polls));
    return o;
}

static json_t *submission_to_json(const mock_submission *s)
{
    json_t *o = json_object(), *env = json_array();
    size_t k;

    for (k = 0; k < s->env_size; k++)
        json_array_append_new(env, str_or_null(s->env[k]));
    json_object_set_new(o, "job_id", json_integer(s->job_id));
    json_object_set_new(o, "name", str_or_null(s->name));
    json_object_set_new(o, "comment", str_or_null(s->comment));
    json_object_set_new(o, "array_inx", str_or_null(s->array_inx));
    json_object_set_new(o, "partition", str_or_null(s->partition));
    json_object_set_new(o, "work_dir", str_or_null(s->work_dir));
    json_object_set_new(o, "std_out", str_or_null(s->std_out));
    json_object_set_new(o, "std_err", str_or_null(s->std_err));
    json_object_set_new(o, "script", str_or_null(s->script));
    json_object_set_new(o, "resources", str_or_null(s->resources));
    json_object_set_new(o, "env", env);
    return o;
}

/* Write the state file atomically (write, rename); errno is kept. */
static void save_state(void)
{
    json_t *root, *jobs, *subs, *rpc;
    char *tmp;
    size_t i;
    int saved = errno;

    if (M.state_path == NULL)
        return;
    root = json_object();
    jobs = json_array();
    subs = json_array();
    rpc = json_object();
    for (i = 0; i < M.n_jobs; i++)
        json_array_append_new(jobs, job_to_json(&M.jobs[i]));
    for (i = 0; i < M.n_subs; i++)
        json_array_append_new(subs, submission_to_json(&M.subs[i]));
    for (i = 0; i < MOCK_RPC_KINDS; i++)
        json_object_set_new(rpc, rpc_names[i], json_integer((json_int_t)M.rpc[i]));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "next_id", json_integer(M.next_id));
    json_object_set_new(root, "kills", json_integer((json_int_t)M.kills));
    json_object_set_new(root, "last_kill", json_string(M.last_kill));
    json_object_set_new(root, "rpc", rpc);
    json_object_set_new(root, "jobs", jobs);
    json_object_set_new(root, "submissions", subs);
    tmp = malloc(strlen(M.state_path) + 32);
    if (tmp == NULL)
        abort();
    sprintf(tmp, "%s.tmp.%ld", M.state_path, (long)getpid());
    if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 ||
        rename(tmp, M.state_path) != 0) {
        fprintf(stderr, "mock_slurm: cannot write %s\n", M.state_path);
        unlink(tmp);
    }
    free(tmp);
    json_decref(root);
    errno = saved;
}

static void job_from_json(json_t *o)
{
    mock_job *j = new_job();
    json_t *pending = json_object_get(o, "pending");
    size_t k, cap = 0;

    j->job_id = json_u32(o, "job_id");
    j->array_job_id = json_u32(o, "array_job_id");
    j->array_task_id = json_u32(o, "array_task_id");
    for (k = 0; k < json_array_size(pending); k++) {
        j->pending = mock__grow(j->pending, &cap, j->n_pending, sizeof(*j->pending));
        j->pending[j->n_pending++] = (uint32_t)json_integer_value(json_array_get(pending, k));
    }
    j->throttle = (int)json_integer_value(json_object_get(o, "throttle"));
    j->state = json_u32(o, "state");
    j->exit_code = json_u32(o, "exit_code");
    j->requeue = (int)json_integer_value(json_object_get(o, "requeue"));
    j->submit_time = json_integer_value(json_object_get(o, "submit_time"));
    j->start_time = json_integer_value(json_object_get(o, "start_time"));
    j->end_time = json_integer_value(json_object_get(o, "end_time"));
    j->name = json_dup(o, "name");
    j->comment = json_dup(o, "comment");
    j->state_desc = json_dup(o, "state_desc");
    j->exec = (int)json_integer_value(json_object_get(o, "exec"));
    j->polls = (int)json_integer_value(json_object_get(o, "polls"));
}

static void submission_from_json(json_t *o)
{
    mock_submission *s;
    json_t *env = json_object_get(o, "env");
    size_t k;

    M.subs = mock__grow(M.subs, &M.cap_subs, M.n_subs, sizeof(*M.subs));
    s = &M.subs[M.n_subs++];
    memset(s, 0, sizeof(*s));
    s->job_id = json_u32(o, "job_id");
    s->name = json_dup(o, "name");
    s->comment = json_dup(o, "comment");
    s->array_inx = json_dup(o, "array_inx");
    s->partition = json_dup(o, "partition");
    s->work_dir = json_dup(o, "work_dir");
    s->std_out = json_dup(o, "std_out");
    s->std_err = json_dup(o, "std_err");
    s->script = json_dup(o, "script");
    s->resources = json_dup(o, "resources");
    s->env_size = json_array_size(env);
    s->env = calloc(s->env_size + 1, sizeof(char *));
    if (s->env == NULL)
        abort();
    for (k = 0; k < s->env_size; k++)
        s->env[k] = mock__dup(json_string_value(json_array_get(env, k)));
}

/* Replace the job table, submissions and counters by the state file's. */
static int load_state(void)
{
    json_error_t jerr;
    json_t *root, *rpc;
    size_t i;

    if (access(M.state_path, F_OK) != 0)
        return 0;
    root = json_load_file(M.state_path, 0, &jerr);
    if (!json_is_object(root)) {
        fprintf(stderr, "mock_slurm: %s: %s\n", M.state_path, jerr.text);
        json_decref(root);
        return -1;
    }
    mock_purge_all();
    for (i = 0; i < M.n_subs; i++)
        submission_clear(&M.subs[i]);
    M.n_subs = 0;
    for (i = 0; i < json_array_size(json_object_get(root, "jobs")); i++)
        job_from_json(json_array_get(json_object_get(root, "jobs"), i));
    for (i = 0; i < json_array_size(json_object_get(root, "submissions")); i++)
        submission_from_json(json_array_get(json_object_get(root, "submissions"), i));
    rpc = json_object_get(root, "rpc");
    for (i = 0; i < MOCK_RPC_KINDS; i++)
        M.rpc[i] = (uint64_t)json_integer_value(json_object_get(rpc, rpc_names[i]));
    if (json_u32(root, "next_id") > 0)
        M.next_id = json_u32(root, "next_id");
    M.kills = (size_t)json_integer_value(json_object_get(root, "kills"));
    snprintf(M.last_kill, sizeof(M.last_kill), "%s",
             json_string_value(json_object_get(root, "last_kill"))
                 ? json_string_value(json_object_get(root, "last_kill"))
                 : "");
    json_decref(root);
    return 0;
}

int mock_set_state_file(const char *path)
{
    free(M.state_path);
    M.state_path = mock__dup(path);
    return M.state_path ? load_state() : 0;
}

/* ---- the environment knobs ---------------------------------------------- */

static int env_int(long *out, const char *name)
{
    const char *v = getenv(name);
    char *end;

    if (v == NULL || *v == '\0')
        return 0;
    *out = strtol(v, &end, 10);
    if (end == v || *end != '\0') {
        fprintf(stderr, "mock_slurm: %s=%s is not a number\n", name, v);
        return -1;
    }
    return 1;
}

static int env_failure(mock_rpc kind, const char *name)
{
    const char *v = getenv(name);
    char *end;
    long err, count = -1;

    if (v == NULL || *v == '\0')
        return 0;
    err = strtol(v, &end, 10);
    if (end != v && *end == ':') {
        const char *c = end + 1;
        count = strtol(c, &end, 10);
        if (end == c)
            end = (char *)v;
    }
    if (end == v || *end != '\0') {
        fprintf(stderr, "mock_slurm: %s=%s is not ERRNO[:COUNT]\n", name, v);
        return -1;
    }
    mock_fail(kind, (int)count, (int)err);
    return 0;
}

int mock_load_env(void)
{
    static const struct {
        mock_rpc kind;
        const char *name;
    } fails[] = {{MOCK_RPC_SUBMIT, "WJR_MOCK_FAIL_SUBMIT"},
                 {MOCK_RPC_QUERY, "WJR_MOCK_FAIL_QUERY"},
                 {MOCK_RPC_KILL, "WJR_MOCK_FAIL_KILL"},
                 {MOCK_RPC_CONF, "WJR_MOCK_FAIL_CONF"},
                 {MOCK_RPC_PARTITIONS, "WJR_MOCK_FAIL_PARTITIONS"},
                 {MOCK_RPC_RESERVATIONS, "WJR_MOCK_FAIL_RESERVATIONS"},
                 {MOCK_RPC_LICENSES, "WJR_MOCK_FAIL_LICENSES"},
                 {MOCK_RPC_NODES, "WJR_MOCK_FAIL_NODES"}};
    long v = 0;
    size_t i;
    int rc = 0, got;

    env_loaded = 1;
    if (M.cluster == NULL)
        M.cluster = strdup("mockcluster");
    got = env_int(&v, "WJR_MOCK_POLLS_UNTIL_DONE");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        M.polls_until_done = v < 0 ? 0 : (int)v;
    got = env_int(&v, "WJR_MOCK_EXEC");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        M.exec = v != 0;
    got = env_int(&v, "WJR_MOCK_MAX_ARRAY_SIZE");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        M.max_array = (uint32_t)v;
    if (mock__cluster_env() < 0)
        rc = -1;
    for (i = 0; i < sizeof(fails) / sizeof(fails[0]); i++)
        if (env_failure(fails[i].kind, fails[i].name) < 0)
            rc = -1;
    got = env_int(&v, "WJR_MOCK_UNREACHABLE");
    if (got < 0)
        rc = -1;
    for (i = 0; got > 0 && v != 0 && i < sizeof(fails) / sizeof(fails[0]); i++)
        mock_fail(fails[i].kind, -1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    got = env_int(&v, "WJR_MOCK_EXIT_AFTER_SUBMIT");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        exit_after_submit = v != 0;
    got = env_int(&v, "WJR_MOCK_LOSE_SUBMIT_ANSWER");
    if (got < 0)
        rc = -1;
    else if (got > 0 && v != 0)
        mock_submit_timeout_after_accept();
    if (getenv("WJR_MOCK_STATE") && *getenv("WJR_MOCK_STATE") &&
        mock_set_state_file(getenv("WJR_MOCK_STATE")) < 0)
        rc = -1;
    return rc;
}

/* Every wrapped call starts here: the environment is read once. */
static void enter(void)
{
    if (!env_loaded && mock_load_env() < 0)
        abort();
}

/* ---- what mock_cluster.c shares (mock_int.h) ---------------------------- */

void mock__enter(void)
{
    enter();
}

int mock__take_failure(mock_rpc kind)
{
    return take_failure(kind);
}

void mock__handed_out(int delta)
{
    M.outstanding += delta;
}

void mock__save(void)
{
    save_state();
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
    enter();
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

    M.subs = mock__grow(M.subs, &M.cap_subs, M.n_subs, sizeof(*M.subs));
    s = &M.subs[M.n_subs++];
    memset(s, 0, sizeof(*s));
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
    j = new_job();
    j->job_id = M.next_id++;
    j->name = mock__dup(desc->name);
    j->comment = mock__dup(desc->comment);
    j->requeue = desc->requeue == 0 ? 0 : 1;
    j->exec = M.exec;
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

    enter();
    rc = submit_batch_job(desc, resp);
    save_state();
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
        advance_jobs();
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
    enter();
    rc = load_job_user(out, uid, flags);
    save_state();
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
    advance_jobs();
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
    enter();
    rc = load_job_state(n_ids, ids, out);
    save_state();
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
        if (is_terminal(j->state))
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

    enter();
    *resp = NULL;
    M.kills++;
    snprintf(M.last_kill, sizeof(M.last_kill), "%s",
             msg->jobs_cnt > 0 && msg->jobs_array[0] ? msg->jobs_array[0] : "");
    if (take_failure(MOCK_RPC_KILL)) {
        save_state();
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
    save_state();
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

    enter();
    rc = kill_job2(job_id, signal, flags, sibling);
    save_state();
    return rc;
}

int __wrap_slurm_load_ctl_conf(time_t update_time, slurm_conf_t **out)
{
    slurm_conf_t *conf;

    (void)update_time;
    *out = NULL;
    enter();
    if (take_failure(MOCK_RPC_CONF)) {
        save_state();
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
    save_state();
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
