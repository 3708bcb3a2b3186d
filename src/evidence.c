/*
 * evidence.c - what a trial directory says about whether a job of the trial
 * ever started. The batch script writes a start marker (wjr_start.json) as
 * its first act and an exit record (wjr_exit.json) as its last; slurmd
 * creates slurm-<job>.out when the job starts. When neither slurmctld nor
 * accounting knows a trial that was being submitted, reconcile asks this
 * module before it may submit the trial again: any of these files means a
 * job ran, so the trial must not run twice.
 *
 * Files are opened without following links and without blocking, must be
 * regular and are read up to a small limit: a model can write them too.
 * This module reads only; it changes nothing in the trial directory.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "evidence.h"
#include "script.h"
#include "util.h"

#define EVIDENCE_MAX_BYTES 65536

/* A small regular file, read whole; NULL when absent, odd or too large. */
static char *read_small(const char *dir, const char *name)
{
    char *path = wjr_asprintf("%s/%s", dir, name), *text = NULL;
    struct stat st;
    ssize_t n;
    int fd;

    if (path == NULL)
        return NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > EVIDENCE_MAX_BYTES)
        goto done;
    text = calloc(1, (size_t)st.st_size + 1);
    if (text == NULL)
        goto done;
    n = read(fd, text, (size_t)st.st_size);
    if (n < 0) {
        free(text);
        text = NULL;
    } else {
        text[n] = '\0';
    }
done:
    close(fd);
    return text;
}

/* "123" or "123_4": digits, with at most one '_' between digits. */
static int valid_job_id(const char *s, size_t len)
{
    size_t i, underscores = 0;

    if (len == 0 || len > 31 || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[len - 1]))
        return 0;
    for (i = 0; i < len; i++) {
        if (s[i] == '_')
            underscores++;
        else if (!isdigit((unsigned char)s[i]))
            return 0;
    }
    return underscores <= 1;
}

/*
 * A JSON record of the script (start marker or exit record): 1 when it
 * counts for @p key, with its job id if it has a valid one. A record whose
 * job name names another submission does not count.
 */
static int from_record(char **job_id, const char *dir, const char *name, const char *key)
{
    char *text = read_small(dir, name);
    json_t *doc;
    const char *id, *job_name;
    int counts = 0;

    if (text == NULL)
        return 0;
    doc = json_loads(text, 0, NULL);
    free(text);
    if (doc == NULL)
        return 1; /* torn or garbled, but the script ran */
    job_name = json_string_value(json_object_get(doc, "job_name"));
    if (job_name == NULL || *job_name == '\0' || key == NULL || strcmp(job_name, key) == 0) {
        counts = 1;
        id = json_string_value(json_object_get(doc, "job_id"));
        if (id && *job_id == NULL && valid_job_id(id, strlen(id)))
            *job_id = wjr_strdup(id);
    }
    json_decref(doc);
    return counts;
}

/* slurm-<job>.out or slurm-<job>.err, as slurmd or the script names them. */
static int from_output_files(char **job_id, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 11 || strncmp(e->d_name, "slurm-", 6) != 0)
            continue;
        if (strcmp(e->d_name + len - 4, ".out") != 0 && strcmp(e->d_name + len - 4, ".err") != 0)
            continue;
        if (!valid_job_id(e->d_name + 6, len - 10))
            continue;
        found = 1;
        if (*job_id == NULL)
            *job_id = wjr_asprintf("%.*s", (int)(len - 10), e->d_name + 6);
        break;
    }
    closedir(d);
    return found;
}

int wjr_trial_evidence(char **job_id, char **source, const char *trial_dir, const char *key)
{
    const char *where = NULL;

    *job_id = NULL;
    if (source)
        *source = NULL;
    if (trial_dir == NULL)
        return 0;
    if (from_record(job_id, trial_dir, WJR_START_MARKER, key))
        where = WJR_START_MARKER;
    if (from_record(job_id, trial_dir, WJR_EXIT_RECORD, key) && where == NULL)
        where = WJR_EXIT_RECORD;
    if (from_output_files(job_id, trial_dir) && where == NULL)
        where = "slurm-*.out";
    if (where == NULL)
        return 0;
    if (source)
        *source = wjr_strdup(where);
    return 1;
}
