/*
 * proc.c - runs the script wrapper's login-node hooks (write_configs,
 * set_trial_status, fetch_trial_data) and routes what they print into the
 * runner's log: stdout as INFO, stderr as WARNING, each line tagged with its
 * trial index.
 *
 * The hook is user configuration and runs through /bin/sh; the trial
 * directory goes to it as "$1", so nothing of a trial's data is ever parsed
 * by the shell. It does not run batch jobs: those go through the backend.
 *
 * A hook runs in its own process group with a time limit (WJR_HOOK_TIMEOUT
 * seconds in the environment, 600 by default): past it, or when
 * wjr_interrupt() is called, the whole group gets SIGTERM, then SIGKILL.
 * Its pipes are close-on-exec, so that no other child inherits them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

typedef struct line_buf {
    wjr_buf buf;
    wjr_log_level level;
} line_buf;

static void flush_lines(line_buf *lb, const wjr_trial_ctx *trial, int final)
{
    char *start = lb->buf.ptr, *nl;

    if (start == NULL)
        return;
    while ((nl = memchr(start, '\n', lb->buf.len - (size_t)(start - lb->buf.ptr))) != NULL) {
        *nl = '\0';
        wjr_trial_log(trial, lb->level, "%s", start);
        start = nl + 1;
    }
    if (final && start < lb->buf.ptr + lb->buf.len) {
        wjr_trial_log(trial, lb->level, "%s", start);
        start = lb->buf.ptr + lb->buf.len;
    }
    lb->buf.len -= (size_t)(start - lb->buf.ptr);
    memmove(lb->buf.ptr, start, lb->buf.len);
    lb->buf.ptr[lb->buf.len] = '\0';
}

/* The hook time limit: WJR_HOOK_TIMEOUT (seconds), else the default. */
static double hook_timeout(void)
{
    const char *e = getenv("WJR_HOOK_TIMEOUT");
    double v = e && *e ? strtod(e, NULL) : 0;

    return v > 0 && v <= 7 * 86400.0 ? v : WJR_HOOK_TIMEOUT_DEFAULT;
}

/* End the hook's process group: SIGTERM, then SIGKILL after a grace. */
static void end_group(pid_t pid, int *status)
{
    double until = wjr_monotonic() + 2.0;
    struct timespec slice = {0, 50 * 1000 * 1000};

    kill(-pid, SIGTERM);
    while (waitpid(pid, status, WNOHANG) == 0) {
        if (wjr_monotonic() > until) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        nanosleep(&slice, NULL);
    }
    kill(-pid, SIGKILL); /* what the shell left behind */
}

static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

int wjr_proc_run_hook(int *exit_status, const char *command, const char *last_arg, const char *cwd,
                      const wjr_trial_ctx *trial)
{
    return wjr_proc_run_hook_timed(exit_status, command, last_arg, cwd, trial, hook_timeout());
}

int wjr_proc_run_hook_timed(int *exit_status, const char *command, const char *last_arg,
                            const char *cwd, const wjr_trial_ctx *trial, double timeout)
{
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    char *script = NULL;
    line_buf lines[2] = {{WJR_BUF_INIT, WJR_LOG_INFO}, {WJR_BUF_INIT, WJR_LOG_WARNING}};
    struct pollfd fds[2];
    pid_t pid;
    int status = 0, open_fds, error = 0, i, stop = 0;
    double deadline = wjr_monotonic() + timeout;

    *exit_status = -1;
    script = wjr_asprintf("%s \"$1\"", command);
    if (script == NULL)
        return WJR_ENOMEM;
    if (cloexec_pipe(out) < 0 || cloexec_pipe(err) < 0) {
        error = wjr_error_set(WJR_EIO, "pipe: %s", strerror(errno));
        goto done;
    }
    pid = fork();
    if (pid < 0) {
        error = wjr_error_set(WJR_EIO, "fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        setpgid(0, 0);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        if (cwd && chdir(cwd) < 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", script, "wjr-hook", last_arg, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: no race with the child's own call */
    close(out[1]);
    close(err[1]);
    out[1] = err[1] = -1;
    fds[0].fd = out[0];
    fds[1].fd = err[0];
    fds[0].events = fds[1].events = POLLIN;
    open_fds = 2;
    while (open_fds > 0) {
        double left = deadline - wjr_monotonic();
        int rc;
        if (wjr_interrupted() || left <= 0) {
            stop = wjr_interrupted() ? 1 : 2;
            break;
        }
        /* short slices: an interrupt request is seen within 200 ms */
        rc = poll(fds, 2, left > 0.2 ? 200 : (int)(left * 1000) + 1);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < 2; i++) {
            char chunk[4096];
            ssize_t n;
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(fds[i].fd, chunk, sizeof(chunk));
            if (n > 0) {
                wjr_buf_put(&lines[i].buf, chunk, (size_t)n);
                flush_lines(&lines[i], trial, 0);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                if (i == 0)
                    out[0] = -1;
                else
                    err[0] = -1;
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    flush_lines(&lines[0], trial, 1);
    flush_lines(&lines[1], trial, 1);
    if (stop) {
        end_group(pid, &status);
        if (stop == 1)
            error = wjr_error_set(WJR_EINTERRUPTED, "hook '%s' was interrupted", command);
        else
            error = wjr_error_set(WJR_ETIMEOUT,
                                  "hook '%s' did not finish within %.0f s (WJR_HOOK_TIMEOUT); "
                                  "it was killed",
                                  command, timeout);
        goto done;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status))
        *exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        *exit_status = 128 + WTERMSIG(status);
done:
    for (i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
        wjr_buf_free(&lines[i].buf);
    }
    free(script);
    return error;
}
