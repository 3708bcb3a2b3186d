/*
 * study_store.c - the study's durable record in its experiment directory:
 * the lock, the copy of the configuration, the snapshot (study.json), the
 * journal (study.journal) and results.csv.
 *
 * Every change the runner or the driver makes becomes one record appended
 * to the journal and fsync'd, of a size that depends on what changed, not
 * on the number of trials. When the journal has grown past the snapshot,
 * the next save writes a new snapshot at the next epoch and starts an
 * empty journal of that epoch (compaction). Opening reads the snapshot and
 * replays the journal; a torn last record, as a crash leaves, is dropped.
 * Readers take no lock: they read while the driver appends, and start
 * again when a compaction replaced the files under them (RELIABILITY.md,
 * "the study's files", says why this holds on NFS and Lustre too).
 *
 * results.csv (its text from study_csv.c) is written atomically when that
 * text changed. This file and study_load.c (which reads the files back) are
 * the only ones that know the study's files; the records' text is
 * study_records.c's. It decides nothing about trials and contacts no
 * cluster.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wjr/runner.h"
#include "journal.h"
#include "runner_store.h"
#include "study_records.h"
#include "study_csv.h"
#include "study_store.h"
#include "study_store_int.h"
#include "study_view.h"
#include "util.h"

/* ---- lock ---------------------------------------------------------------- */

/* The lock file: "PID HOST COMMAND\n", then "process BOOT_ID START\n"
 * (this host's boot and the holder's start in clock ticks since it, so
 * that a PID used again by another process is not taken for the holder),
 * then "slurm_job JOBID\n" when the holder runs in a Slurm job (the
 * detached driver does). Lines after the first are found by their key. */
#define LOCK_JOB_KEY     "slurm_job "
#define LOCK_PROCESS_KEY "process "

/* The text after "KEY" on a line after the first of a lock file's text,
 * or NULL. */
static const char *lock_line(const char *text, const char *key)
{
    const char *line = strchr(text, '\n');

    for (; line != NULL; line = strchr(line + 1, '\n'))
        if (strncmp(line + 1, key, strlen(key)) == 0)
            return line + 1 + strlen(key);
    return NULL;
}

/* The Slurm job a lock file's text names, or 0. */
static uint32_t holder_job(const char *text)
{
    const char *line = lock_line(text, LOCK_JOB_KEY);
    unsigned long v;
    char *end = NULL;

    if (line == NULL || *line < '0' || *line > '9')
        return 0;
    v = strtoul(line, &end, 10);
    return (*end == '\n' || *end == '\0') && v > 0 && v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* "slurm_job N\n" when this process runs in Slurm job N, else "". */
static void own_job_line(char *buf, size_t size)
{
    const char *id = getenv("SLURM_JOB_ID");
    size_t n = id != NULL ? strspn(id, "0123456789") : 0;

    buf[0] = '\0';
    if (n > 0 && n < 11 && id[n] == '\0')
        snprintf(buf, size, LOCK_JOB_KEY "%s\n", id);
}

/* This host's boot id (from /proc), or 0 when it cannot be read. */
static int boot_id(char *buf, size_t size)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    int ok = f != NULL && fgets(buf, (int)size, f) != NULL;

    if (f != NULL)
        fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok && buf[0] != '\0' && strspn(buf, "0123456789abcdef-") == strlen(buf);
}

/* When process `pid` started, in clock ticks since boot (field 22 of
 * /proc/PID/stat), or 0 when it cannot be read. */
static unsigned long long process_start(long pid)
{
    char path[64], buf[1024];
    unsigned long long start = 0;
    const char *p;
    FILE *f;
    size_t n;
    int field;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if ((f = fopen(path, "re")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command, field 2, may hold spaces and parentheses */
    for (field = 2; p != NULL && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p != NULL && sscanf(p + 1, "%llu", &start) != 1)
        start = 0;
    return start;
}

/* "process BOOT_ID START\n" for this process, or "" off Linux. */
static void own_process_line(char *buf, size_t size)
{
    char boot[64];
    unsigned long long start = process_start((long)getpid());

    buf[0] = '\0';
    if (start > 0 && boot_id(boot, sizeof(boot)))
        snprintf(buf, size, LOCK_PROCESS_KEY "%s %llu\n", boot, start);
}

/* Why the holder a lock file's text names is dead (see
 * wjr__store_lock_holder), or NULL when it may live. */
static const char *holder_dead(const char *text)
{
    const char *line = lock_line(text, LOCK_PROCESS_KEY);
    char host[256], own[256], boot[64], own_boot[64];
    unsigned long long start = 0, now;
    long pid = 0;

    if (sscanf(text, "%ld %255s", &pid, host) != 2 || pid <= 0 ||
        gethostname(own, sizeof(own) - 1) != 0)
        return NULL;
    own[sizeof(own) - 1] = '\0';
    if (strcmp(host, own) != 0)
        return NULL;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return "no such process on this host";
    if (line == NULL || sscanf(line, "%63s %llu", boot, &start) != 2)
        return NULL; /* a lock written before wjr recorded its process */
    if (boot_id(own_boot, sizeof(own_boot)) && strcmp(boot, own_boot) != 0)
        return "this host restarted since";
    now = process_start(pid);
    if (now > 0 && now != start)
        return "its process ID is now another process's";
    return NULL;
}

int wjr__store_lock_holder(char **holder, uint32_t *job, time_t *stepped, const char **dead,
                           const char *dir)
{
    char *path = wjr_asprintf("%s/.lock", dir), *text = NULL;
    struct stat st;
    size_t len = 0;

    *holder = NULL;
    *job = 0;
    *stepped = 0;
    *dead = NULL;
    if (path == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (wjr_read_file(&text, &len, path) == 0 && text[0] != '\0' && text[0] != '\n') {
        *job = holder_job(text);
        *dead = holder_dead(text);
        text[strcspn(text, "\n")] = '\0';
        *holder = text;
        text = NULL;
        if (stat(path, &st) == 0 && st.st_mtime > 0)
            *stepped = st.st_mtime;
    }
    free(text);
    free(path);
    return 0;
}

/* The lock on fd (the file at path) is held by another process: who, as
 * the error (WJR_ELOCKED) it returns. */
static int locked_by(int fd, const char *path)
{
    char holder[640] = "", job_line[48], host[256] = "?";
    ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
    uint32_t job;
    long pid = 0;
    int used = 0;

    holder[n > 0 ? n : 0] = '\0';
    job = holder_job(holder);
    holder[strcspn(holder, "\n")] = '\0';
    job_line[0] = '\0';
    if (job > 0)
        snprintf(job_line, sizeof(job_line), " in Slurm job %u", (unsigned)job);
    if (sscanf(holder, "%ld %255s %n", &pid, host, &used) >= 2 && used > 0)
        return wjr_error_set(WJR_ELOCKED, "study locked by pid %ld on %s (%s)%s", pid, host,
                             holder + used, job_line);
    return wjr_error_set(WJR_ELOCKED, "study locked by another process (%s)", path);
}

int wjr__store_locked(const wjr_study *s)
{
    char *path = wjr_asprintf("%s/.lock", s->dir);
    int fd, error = 0;

    if (path == NULL)
        return WJR_ENOMEM;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        error = locked_by(fd, path);
    if (fd >= 0)
        close(fd); /* a shared lock taken here goes with it, and nothing was written */
    free(path);
    return error;
}

int wjr__store_lock(wjr_study *s, const char *command)
{
    char *path = wjr_asprintf("%s/.lock", s->dir);
    char holder[640] = "", job_line[48], process_line[96];
    char host[256] = "?";
    size_t i;
    int fd, failed, error = 0;

    if (path == NULL)
        return WJR_ENOMEM;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = wjr_error_set(WJR_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    /* a few tries: wjr__store_locked() of another process may hold a
     * shared lock for an instant */
    for (i = 0;; i++) {
        failed = flock(fd, LOCK_EX | LOCK_NB) != 0 ? errno : 0;
        if (failed != EWOULDBLOCK || i == 4)
            break;
        usleep(20000);
    }
    if (failed != 0) {
        if (failed != EWOULDBLOCK) /* e.g. ENOLCK: a file system without locks */
            error = wjr_error_set(WJR_EIO, "%s: cannot lock: %s", path, strerror(failed));
        else
            error = locked_by(fd, path);
        close(fd);
        goto done;
    }
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    own_job_line(job_line, sizeof(job_line));
    own_process_line(process_line, sizeof(process_line));
    snprintf(holder, sizeof(holder) - sizeof(job_line) - sizeof(process_line), "%ld %s %s",
             (long)getpid(), host, command != NULL ? command : "wjr");
    for (i = 0; holder[i] != '\0'; i++)
        if (holder[i] == '\n')
            holder[i] = ' '; /* one line: the process's and the job's follow */
    holder[i++] = '\n';
    snprintf(holder + i, sizeof(holder) - i, "%s%s", process_line, job_line);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, holder, strlen(holder), 0) < 0) {
        error = wjr_error_set(WJR_EIO, "%s: %s", path, strerror(errno));
        close(fd);
        goto done;
    }
    s->lock_fd = fd;
done:
    free(path);
    return error;
}

/* ---- the directory ------------------------------------------------------- */

int wjr__store_exists_in(const char *dir)
{
    char *path = wjr_asprintf("%s/%s", dir, STUDY_FILE);
    int exists = path != NULL && wjr_file_exists(path);

    free(path);
    return exists;
}

int wjr__store_exists(const wjr_study *s)
{
    return wjr__store_exists_in(s->dir);
}

char *wjr__store_config_copy(const wjr_study *s)
{
    return wjr__store_path(s, s->config->is_yaml ? CONFIG_COPY_YAML : CONFIG_COPY);
}

/* s->config_source and its digest, for wjr__store_check_source(). */
static int note_source(wjr_study *s, const char *config_path)
{
    char *text = NULL;
    size_t len = 0;
    int error = wjr_read_file(&text, &len, config_path);

    if (error < 0)
        return error;
    s->config_digest = wjr_fnv1a(text, len);
    free(text);
    s->config_source = realpath(config_path, NULL);
    if (s->config_source == NULL)
        return wjr_error_set(errno == ENOMEM ? WJR_ENOMEM : WJR_EIO, "%s: %s", config_path,
                             strerror(errno));
    return 0;
}

int wjr__store_source_changed(const wjr_study *s)
{
    char *text = NULL;
    size_t len = 0;
    int changed;

    if (s->config_source == NULL)
        return 0;
    if (wjr_read_file(&text, &len, s->config_source) < 0) {
        wjr_error_clear(); /* moved or removed: the copy is all there is */
        return 0;
    }
    changed = wjr_fnv1a(text, len) != s->config_digest;
    free(text);
    return changed;
}

int wjr__store_copy_config(wjr_study *s, const char *config_path)
{
    char *text = NULL, *dst = NULL;
    size_t len = 0;
    int error = note_source(s, config_path);

    if (error < 0)
        return error;
    if (s->config->rendered != NULL) {
        text = wjr_strdup(s->config->rendered);
        len = text != NULL ? strlen(text) : 0;
        error = text != NULL ? 0 : WJR_ENOMEM;
    } else {
        error = wjr_read_file(&text, &len, config_path);
    }
    if (error < 0)
        return error;
    dst = wjr__store_config_copy(s);
    if (dst == NULL)
        error = WJR_ENOMEM;
    else
        error = wjr_write_file_atomic(dst, text, len);
    free(text);
    free(dst);
    return error;
}

/* results.csv, when its text changed since this study last wrote it. */
static int write_results(wjr_study *s)
{
    char *csv = NULL, *path = NULL;
    int error;

    if (s->flags & WJR_STUDY_READONLY)
        return 0;
    error = wjr__study_csv(&csv, s);
    if (error < 0)
        return error;
    if (wjr__study_csv_changed(s, csv)) {
        path = wjr_asprintf("%s/results.csv", s->dir);
        if (path == NULL)
            error = WJR_ENOMEM;
        else
            error = wjr_write_file_atomic(path, csv, strlen(csv));
        if (error == 0) {
            wjr__study_csv_written(s, csv);
            csv = NULL;
        }
    }
    if (error == 0)
        s->results_stale = 0;
    free(csv);
    free(path);
    return error;
}

/* ---- the store's state ----------------------------------------------------- */

/* When the journal outgrows this and the snapshot, the next record is a
 * snapshot instead: compaction costs O(N) once per O(N) bytes appended. */
size_t wjr__store_compact_min = 256 * 1024;

wjr_store *wjr__store_of(wjr_study *s)
{
    if (s->store == NULL) {
        s->store = calloc(1, sizeof(*s->store));
        if (s->store == NULL)
            wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    return s->store;
}

void wjr__store_free(wjr_study *s)
{
    if (s->store == NULL)
        return;
    wjr_journal_close(s->store->journal);
    free(s->store->touched);
    free(s->store);
    s->store = NULL;
}

void wjr__store_touch(wjr_study *s, study_trial *t)
{
    wjr_store *st = s->store;
    size_t pos = (size_t)(t - s->trials);

    if (st == NULL || pos >= st->n_recorded || t->touched)
        return; /* new trials go out with the next record anyway */
    if (st->n_touched == st->cap_touched) {
        size_t cap = st->cap_touched ? st->cap_touched * 2 : 16;
        size_t *grown = realloc(st->touched, cap * sizeof(*grown));

        if (grown == NULL)
            return; /* the next snapshot writes it: make one now */
        st->touched = grown;
        st->cap_touched = cap;
    }
    st->touched[st->n_touched++] = pos;
    t->touched = 1;
}

void wjr__store_header_changed(wjr_study *s)
{
    if (s->store != NULL)
        s->store->header_changed = 1;
}

char *wjr__store_path(const wjr_study *s, const char *name)
{
    char *path = wjr_asprintf("%s/%s", s->dir, name);

    if (path == NULL)
        wjr_error_set(WJR_ENOMEM, "out of memory");
    return path;
}

/* ---- snapshot -------------------------------------------------------------- */

/* Walk the study's trials and the runner's together in index order: each
 * call gives the next index, with the study's trial and the runner's
 * position of it when they have one. */
typedef struct walk {
    size_t i, j, n_run;
} walk;

static int walk_next(walk *w, const wjr_study *s, const study_trial **t, size_t *run)
{
    const wjr_trial_info *info = w->j < w->n_run ? wjr_runner_trial_at(s->runner, w->j) : NULL;
    const study_trial *st = w->i < s->n_trials ? &s->trials[w->i] : NULL;
    int64_t index;

    if (st == NULL && info == NULL)
        return 0;
    index = st != NULL && (info == NULL || st->index <= info->index) ? st->index : info->index;
    *t = st != NULL && st->index == index ? &s->trials[w->i++] : NULL;
    *run = info != NULL && info->index == index ? w->j++ : SIZE_MAX;
    return 1;
}

/* Write out what b holds once it is large (or `force`); 0 or WJR_EIO. */
static int drain(wjr_buf *b, int fd, const char *path, uint64_t *written, int force)
{
    int error = 0;

    if (b->len > 0 && (force || b->len >= 65536)) {
        error = wjr_write_all(fd, b->ptr, b->len, path);
        *written += b->len;
        b->len = 0;
    }
    return error;
}

/* The trial lines: the study's trials, each with the runner's record of
 * it, and any trial only the runner knows. */
static int emit_trials(wjr_buf *b, int fd, const char *path, uint64_t *written, const wjr_study *s)
{
    walk w = {0, 0, wjr_runner_trial_count(s->runner)};
    wjr_buf run = WJR_BUF_INIT;
    const study_trial *t;
    size_t pos, line = 0;
    int error = 0;

    while (error == 0 && walk_next(&w, s, &t, &pos)) {
        run.len = 0;
        if (pos != SIZE_MAX && (error = wjr__runner_trial_record(&run, s->runner, pos)) < 0)
            break;
        if (line++ > 0)
            wjr_buf_puts(b, ",");
        if (t != NULL)
            wjr__records_trial(b, s, t, pos != SIZE_MAX ? run.ptr : NULL);
        else
            wjr_buf_printf(b, "{\"index\":%lld,\"run\":%s}",
                           (long long)wjr_runner_trial_at(s->runner, pos)->index, run.ptr);
        wjr_buf_puts(b, "\n");
        if (b->oom || run.oom)
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
        else
            error = drain(b, fd, path, written, 0);
    }
    wjr_buf_free(&run);
    return error;
}

typedef struct snapshot_ctx {
    wjr_study *s;
    uint64_t written;
} snapshot_ctx;

static int snapshot_emit(int fd, const char *path, void *payload)
{
    snapshot_ctx *c = payload;
    wjr_study *s = c->s;
    wjr_buf b = WJR_BUF_INIT, header = WJR_BUF_INIT;
    walk w = {0, 0, wjr_runner_trial_count(s->runner)};
    const study_trial *t;
    size_t pos, n = 0;
    int error = wjr__runner_header_json(&header, s->runner);

    while (walk_next(&w, s, &t, &pos))
        n++;
    if (error == 0) {
        wjr__records_header(&b, s, s->store->epoch + 1, n, wjr__study_next_index(s), header.ptr);
        wjr_buf_puts(&b, "\n");
        error = emit_trials(&b, fd, path, &c->written, s);
    }
    if (error == 0) {
        wjr_buf_puts(&b, "]}\n");
        error = b.oom ? wjr_error_set(WJR_ENOMEM, "out of memory")
                      : drain(&b, fd, path, &c->written, 1);
    }
    wjr_buf_free(&b);
    wjr_buf_free(&header);
    return error;
}

/* study.json anew at the next epoch, then an empty journal of that epoch.
 * A crash between the two leaves the old journal, whose epoch is now
 * stale: its records are all in the new snapshot. */
int wjr__store_snapshot(wjr_study *s)
{
    wjr_store *st = wjr__store_of(s);
    char *path = NULL, *jpath = NULL;
    snapshot_ctx ctx;
    size_t i;
    int error;

    if (st == NULL)
        return WJR_ENOMEM;
    path = wjr__store_path(s, STUDY_FILE);
    jpath = wjr__store_path(s, JOURNAL_FILE);
    if (path == NULL || jpath == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    ctx.s = s;
    ctx.written = 0;
    error = wjr_write_atomic(path, snapshot_emit, &ctx);
    if (error < 0)
        goto done;
    st->epoch++;
    st->snapshot_bytes = ctx.written;
    st->legacy = 0;
    st->header_changed = 0;
    wjr_journal_close(st->journal);
    st->journal = NULL;
    error = wjr_journal_create(&st->journal, jpath, st->epoch);
    if (error < 0)
        goto done;
    wjr__runner_forget_changes(s->runner);
    for (i = 0; i < st->n_touched; i++)
        s->trials[st->touched[i]].touched = 0;
    st->n_touched = 0;
    st->n_recorded = s->n_trials;
    st->written_state = s->state;
    st->written_drawn = s->drawn;
done:
    free(path);
    free(jpath);
    return error;
}

/* ---- journal records ---------------------------------------------------- */

/* One record: the study's state, its new and changed trials, the runner's
 * changes; nothing when nothing changed. */
static int append(wjr_study *s)
{
    wjr_store *st = s->store;
    wjr_buf b = WJR_BUF_INIT, runs = WJR_BUF_INIT;
    size_t i, n = 0;
    int error;

    error = wjr__runner_take_changes(&runs, s->runner);
    if (error < 0)
        return error;
    wjr__records_open(&b, s);
    for (i = 0; i < st->n_touched; i++) {
        study_trial *t = &s->trials[st->touched[i]];

        wjr__records_trial(&b, s, t, NULL);
        wjr_buf_puts(&b, ",");
        t->touched = 0;
        n++;
    }
    for (i = st->n_recorded; i < s->n_trials; i++, n++) {
        wjr__records_trial(&b, s, &s->trials[i], NULL);
        wjr_buf_puts(&b, ",");
    }
    if (n > 0)
        b.len--; /* the last comma */
    wjr__records_close(&b, runs.ptr);
    st->n_touched = 0;
    st->n_recorded = s->n_trials;
    if (b.oom || runs.oom)
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
    else if (n > 0 || strcmp(runs.ptr, "[]") != 0 || st->written_state != s->state ||
             st->written_drawn != s->drawn)
        error = wjr_journal_append(st->journal, b.ptr, b.len);
    if (error == 0) {
        st->written_state = s->state;
        st->written_drawn = s->drawn;
    }
    wjr_buf_free(&b);
    wjr_buf_free(&runs);
    return error;
}

int wjr__store_save(wjr_study *s)
{
    wjr_store *st;
    int error;

    if (s->flags & WJR_STUDY_READONLY)
        return 0;
    st = wjr__store_of(s);
    if (st == NULL)
        return WJR_ENOMEM;
    if (st->partial) /* the next full open compacts */
        return st->journal != NULL ? append(s) : wjr_error_set(WJR_ESTATE, "no journal");
    if (st->journal == NULL || st->legacy || st->header_changed ||
        wjr__runner_header_changed(s->runner))
        return wjr__store_snapshot(s);
    error = append(s);
    if (error == 0 && (wjr__store_compact_min == 0 ||
                       wjr_journal_size(st->journal) > (st->snapshot_bytes > wjr__store_compact_min
                                                            ? st->snapshot_bytes
                                                            : wjr__store_compact_min)))
        error = wjr__store_snapshot(s);
    return error;
}

/* study.json and results.csv. */
int wjr__store_persist(wjr_study *s)
{
    int error = wjr__store_save(s);

    if (error == 0 && !s->store->partial)
        error = write_results(s);
    return error;
}

/* The runner changed a trial: a record now, results.csv at the step's end. */
int wjr__store_checkpoint(wjr_runner *runner, void *payload)
{
    wjr_study *s = payload;

    WJR_UNUSED(runner);
    s->results_stale = 1;
    return wjr__store_save(s);
}

int wjr__store_recovered_torn(const wjr_study *s)
{
    return s->store != NULL && s->store->torn;
}

int wjr__store_pending(const wjr_study *s)
{
    const wjr_store *st = s->store;

    return st != NULL && !(s->flags & WJR_STUDY_READONLY) &&
           (st->n_touched > 0 || st->n_recorded < s->n_trials ||
            (s->runner != NULL && wjr__runner_change_count(s->runner) > 0));
}

void wjr__store_heartbeat(wjr_study *s, int alive)
{
    struct timespec times[2] = {{0, 0}, {0, 0}};

    if (s->lock_fd < 0)
        return;
    if (alive)
        times[0].tv_nsec = times[1].tv_nsec = UTIME_NOW;
    (void)futimens(s->lock_fd, times); /* a sign only: a failure costs nothing */
}
