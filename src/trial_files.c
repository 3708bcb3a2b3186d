/*
 * trial_files.c - reads what a model wrote into its trial directory, with
 * BOA's file names, and without trusting the model.
 *
 * BOA reads outputs from output, outputs, result, results, metric or
 * metrics, and statuses from trial_status or TrialStatus, each with the
 * extension .json, .yml or .yaml. A model may leave a FIFO, a device or a
 * link to /dev/zero under such a name: every file is opened without
 * blocking and without following a final symbolic link, must be a regular
 * file no larger than a limit, and a link is followed only when its target
 * stays inside the trial directory. This file reads and parses; it does
 * not decide statuses or metrics (the script wrapper does).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wjr/runner.h"
#include "config_yaml.h"
#include "trial_files.h"
#include "util.h"

const char *const wjr_output_names[] = {"output", "outputs", "result", "results",
                                        "metric", "metrics", NULL};
const char *const wjr_status_names[] = {"trial_status", "TrialStatus", NULL};

/* The final component is a link: follow it only into the trial directory. */
static int open_link(int *fd, const char *trial_dir, const char *name)
{
    char *path = wjr_asprintf("%s/%s", trial_dir, name);
    char *target = path ? realpath(path, NULL) : NULL;
    char *dir = realpath(trial_dir, NULL);
    size_t n = dir ? strlen(dir) : 0;
    int error = 0;

    if (path == NULL) {
        error = WJR_ENOMEM;
    } else if (target == NULL || dir == NULL) {
        error = wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EINVALID,
                              "%s is a link that leads nowhere", name);
    } else if (strncmp(target, dir, n) != 0 || target[n] != '/') {
        error =
            wjr_error_set(WJR_EINVALID, "%s is a link out of the trial directory: not read", name);
    } else {
        *fd = open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (*fd < 0)
            error = wjr_error_set(WJR_EINVALID, "%s: %s", name, strerror(errno));
    }
    free(path);
    free(target);
    free(dir);
    return error;
}

/* Open <trial_dir>/<name> for reading as wjr_trial_file_read says, into
 * *fd with its *st: a regular file only. */
static int open_regular(int *fd, struct stat *st, const char *trial_dir, const char *name)
{
    int dfd, error = 0;

    *fd = -1;
    dfd = open(trial_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EIO, "%s: %s", trial_dir,
                             strerror(errno));
    *fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dfd);
    if (*fd < 0 && errno == ENOENT)
        return wjr_error_set(WJR_ENOTFOUND, "%s: no such file", name);
    if (*fd < 0 && (errno == ELOOP || errno == EMLINK)) {
        error = open_link(fd, trial_dir, name);
        if (error < 0)
            return error;
    } else if (*fd < 0) {
        return wjr_error_set(WJR_EINVALID, "%s: %s", name, strerror(errno));
    }
    if (fstat(*fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(*fd);
        *fd = -1;
        return wjr_error_set(WJR_EINVALID, "%s is not a regular file: not read", name);
    }
    return 0;
}

int wjr_trial_file_read(char **out, size_t *len, const char *trial_dir, const char *name,
                        size_t limit)
{
    wjr_buf b = WJR_BUF_INIT;
    struct stat st;
    char chunk[65536];
    int fd = -1, error;
    ssize_t n;

    *out = NULL;
    if (len)
        *len = 0;
    error = open_regular(&fd, &st, trial_dir, name);
    if (error < 0)
        return error;
    if ((unsigned long long)st.st_size > limit) {
        error = wjr_error_set(WJR_EINVALID, "%s holds %lld bytes, more than the %zu allowed", name,
                              (long long)st.st_size, limit);
        goto done;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = wjr_error_set(WJR_EIO, "cannot read %s: %s", name, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > limit) { /* it grew while being read */
            error = wjr_error_set(WJR_EINVALID, "%s grew past the %zu bytes allowed", name, limit);
            goto done;
        }
        wjr_buf_put(&b, chunk, (size_t)n);
    }
    if (len)
        *len = b.len;
    error = wjr_buf_detach(out, &b);
done:
    close(fd);
    wjr_buf_free(&b);
    return error;
}

static int has_output_ext(const char *ext)
{
    return strcasecmp(ext, "json") == 0 || strcasecmp(ext, "yml") == 0 ||
           strcasecmp(ext, "yaml") == 0;
}

int wjr_trial_file_find(char **found, const char *trial_dir, const char *const *bases)
{
    DIR *d = opendir(trial_dir);
    struct dirent *e;
    char *first[16] = {NULL}, *second[16] = {NULL};
    size_t i, n_bases = 0;
    int error = 0;

    *found = NULL;
    while (n_bases < 16 && bases[n_bases] != NULL)
        n_bases++;
    if (d == NULL)
        return errno == ENOENT ? 0 : wjr_error_set(WJR_EIO, "%s: %s", trial_dir, strerror(errno));
    while (error == 0 && (e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        size_t n;

        if (dot == NULL || !has_output_ext(dot + 1))
            continue;
        n = (size_t)(dot - e->d_name);
        for (i = 0; i < n_bases; i++)
            if (strlen(bases[i]) == n && strncmp(bases[i], e->d_name, n) == 0)
                break;
        if (i == n_bases || second[i] != NULL)
            continue;
        if ((*(first[i] == NULL ? &first[i] : &second[i]) = wjr_strdup(e->d_name)) == NULL)
            error = WJR_ENOMEM;
    }
    closedir(d);
    /* as BOA reads them: the names in order, the first that is there
     * wins; one name with two extensions is an error */
    for (i = 0; i < n_bases && error == 0 && *found == NULL; i++) {
        if (second[i] != NULL)
            error = wjr_error_set(WJR_EINVALID,
                                  "the trial directory holds both %s and %s: keep one output file",
                                  first[i], second[i]);
        else if (first[i] != NULL) {
            *found = first[i];
            first[i] = NULL;
        }
    }
    for (i = 0; i < n_bases; i++) {
        free(first[i]);
        free(second[i]);
    }
    return error;
}

int wjr_trial_file_load(json_t **out, const char *trial_dir, const char *name)
{
    const char *dot = strrchr(name, '.');
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    int error;

    *out = NULL;
    error = wjr_trial_file_read(&text, &len, trial_dir, name, WJR_TRIAL_FILE_LIMIT);
    if (error < 0)
        return error;
    if (dot != NULL && strcasecmp(dot, ".json") != 0) {
        error = wjr_yaml_to_json(out, text, len, name);
    } else {
        *out = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
        if (*out == NULL && (strstr(text, "NaN") || strstr(text, "Infinity")))
            error =
                wjr_error_set(WJR_EINVALID, "%s holds NaN or Infinity (line %d)", name, jerr.line);
        else if (*out == NULL)
            error = wjr_error_set(WJR_EINVALID, "%s is not valid JSON: %s (line %d)", name,
                                  jerr.text, jerr.line);
    }
    free(text);
    return error;
}

/* The last max_lines lines of <dir>/<name> that end in more than blank
 * lines, from its last max_bytes bytes: *out NULL when there are none. */
static int file_tail(char **out, const char *dir, const char *name, int max_lines, size_t max_bytes)
{
    struct stat st;
    char *buf;
    size_t got = 0, at;
    off_t from;
    ssize_t n = 0;
    int fd, lines = 0, error = open_regular(&fd, &st, dir, name);

    *out = NULL;
    if (error == WJR_ENOTFOUND) {
        wjr_error_clear();
        return 0;
    }
    if (error < 0)
        return error;
    from = st.st_size > (off_t)max_bytes ? st.st_size - (off_t)max_bytes : 0;
    buf = malloc((size_t)(st.st_size - from) + 1);
    if (buf == NULL) {
        close(fd);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    while (got < (size_t)(st.st_size - from) &&
           ((n = pread(fd, buf + got, (size_t)(st.st_size - from) - got, from + (off_t)got)) > 0 ||
            (n < 0 && errno == EINTR)))
        got += n > 0 ? (size_t)n : 0;
    close(fd);
    buf[got] = '\0';
    if (n < 0)
        error = wjr_error_set(WJR_EIO, "cannot read %s: %s", name, strerror(errno));
    /* blank lines at the end are dropped; the first line read may be cut */
    while (got > 0 && isspace((unsigned char)buf[got - 1]))
        buf[--got] = '\0';
    for (at = got; at > 0 && max_lines > 0; at--)
        if (buf[at - 1] == '\n' && ++lines == max_lines)
            break;
    memmove(buf, buf + at, got - at + 1);
    if (error < 0 || buf[0] == '\0')
        free(buf);
    else
        *out = buf;
    return error;
}

int wjr_trial_stderr_tail(char **out, const char *experiment_dir, const char *trial_dir,
                          const char *job_id, int max_lines, size_t max_bytes)
{
    char *name, *logs = NULL;
    int error;

    if (out == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_trial_stderr_tail: no output");
    *out = NULL;
    if (trial_dir == NULL || job_id == NULL || *job_id == '\0' || strchr(job_id, '/') != NULL)
        return 0;
    name = wjr_asprintf("slurm-%s.err", job_id);
    if (name == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = file_tail(out, trial_dir, name, max_lines, max_bytes);
    if (error == 0 && *out == NULL && experiment_dir != NULL && strchr(job_id, '_') != NULL) {
        logs = wjr_asprintf("%s/logs", experiment_dir);
        error = logs != NULL ? file_tail(out, logs, name, max_lines, max_bytes)
                             : wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    free(logs);
    free(name);
    return error;
}
