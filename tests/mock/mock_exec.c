/*
 * mock_exec.c - the fake controller's execute mode, in which it also plays
 * slurmd: each query first moves the jobs submitted in execute mode on
 * (advance_jobs). A job is RUNNING for the first polls_until_done queries
 * that see it and then runs its batch script with /bin/sh, with the
 * environment, working directory and output files of its submission, and
 * ends COMPLETE or FAILED with the script's exit code; array tasks start
 * one by one as the throttle allows. It owns the two settings (on or off,
 * polls until done) and reads the job table and the submissions through
 * mock_slurm.c (mock_slurm.h, mock_int.h); it never adds to them but by
 * splitting a task out of its array's record.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>

#include "mock_int.h"

static struct {
    int exec;             /* execute mode */
    int polls_until_done; /* queries a job is RUNNING before it runs */
} X = {.polls_until_done = 1};

void mock__exec_reset(void)
{
    X.exec = 0;
    X.polls_until_done = 1;
}

int mock__exec_on(void)
{
    return X.exec;
}

int mock__exec_env(void)
{
    long v = 0;
    int rc = 0, got;

    got = mock__env_int(&v, "WJR_MOCK_POLLS_UNTIL_DONE");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        X.polls_until_done = v < 0 ? 0 : (int)v;
    got = mock__env_int(&v, "WJR_MOCK_EXEC");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        X.exec = v != 0;
    return rc;
}

void mock_set_exec(int on, int polls_until_done)
{
    X.exec = on;
    X.polls_until_done = polls_until_done < 0 ? 0 : polls_until_done;
}

/* The accepted submission behind a record (an array task's is its array's). */
static const mock_submission *submission_of(const mock_job *j)
{
    uint32_t id = j->array_job_id ? j->array_job_id : j->job_id;
    size_t i;

    for (i = mock_submission_count(); i-- > 0;)
        if (mock_submission_at(i)->job_id == id)
            return mock_submission_at(i);
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
    mock_job *j = mock_job_at(pos);

    j->polls++;
    if (j->polls > X.polls_until_done)
        run_job(j);
    else
        j->state = JOB_RUNNING;
    if (j->start_time == 0)
        j->start_time = (int64_t)time(NULL);
}

static size_t running_tasks(uint32_t array_id)
{
    size_t i, n = 0;

    for (i = 0; i < mock_job_count(); i++)
        if (mock_job_at(i)->array_job_id == array_id &&
            mock_job_at(i)->array_task_id != MOCK_NO_TASK &&
            !mock__is_terminal(mock_job_at(i)->state))
            n++;
    return n;
}

/* What the controller and the nodes did since the last query. */
void mock__advance_jobs(void)
{
    size_t i, n = mock_job_count(), pos;

    /* jobs and tasks already started (or plain jobs still pending) */
    for (i = 0; i < n; i++) {
        mock_job *j = mock_job_at(i);
        if (j->exec && !mock__is_terminal(j->state) &&
            !(j->array_job_id && j->array_task_id == MOCK_NO_TASK))
            step_job(i);
    }
    /* array tasks start one by one, as the throttle allows */
    for (i = 0; i < mock_job_count(); i++) {
        for (;;) {
            mock_job *p = mock_job_at(i);
            uint32_t array_id = p->array_job_id;
            if (!p->exec || mock__is_terminal(p->state) || !array_id ||
                p->array_task_id != MOCK_NO_TASK || p->n_pending == 0)
                break;
            if (p->throttle > 0 && running_tasks(array_id) >= (size_t)p->throttle)
                break;
            if (mock__split_task(&pos, array_id, p->pending[0]) < 0)
                break;
            step_job(pos);
        }
    }
}
