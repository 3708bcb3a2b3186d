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
 * text changed. This is the only file that knows when the study is written; the records'
 * text is study_records.c's. It decides nothing about trials and contacts
 * no cluster.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "study_view.h"
#include "util.h"

/* The shortest trial line a snapshot can hold: {"index":0,"run":{}} */
#define TRIAL_LINE_MIN 16

#define STUDY_FILE   "study.json"
#define JOURNAL_FILE "study.journal"

/* ---- lock ---------------------------------------------------------------- */

int wjr__store_lock(wjr_study *s, const char *command)
{
    char *path = wjr_asprintf("%s/.lock", s->dir);
    char holder[512] = "";
    char host[256] = "?";
    ssize_t n;
    int fd, error = 0;

    if (path == NULL)
        return WJR_ENOMEM;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = wjr_error_set(WJR_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        long pid = 0;
        int used = 0;

        if (errno != EWOULDBLOCK) { /* e.g. ENOLCK: a file system without locks */
            error = wjr_error_set(WJR_EIO, "%s: cannot lock: %s", path, strerror(errno));
            close(fd);
            goto done;
        }
        n = pread(fd, holder, sizeof(holder) - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        if (sscanf(holder, "%ld %255s %n", &pid, host, &used) >= 2 && used > 0)
            error = wjr_error_set(WJR_ELOCKED, "study locked by pid %ld on %s (%s)", pid, host,
                                  holder + used);
        else
            error = wjr_error_set(WJR_ELOCKED, "study locked by another process (%s)", path);
        close(fd);
        goto done;
    }
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(holder, sizeof(holder), "%ld %s %s\n", (long)getpid(), host,
             command != NULL ? command : "wjr");
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

int wjr__store_exists(const wjr_study *s)
{
    char *path = wjr_asprintf("%s/%s", s->dir, STUDY_FILE);
    int exists = path != NULL && wjr_file_exists(path);

    free(path);
    return exists;
}

int wjr__store_copy_config(const wjr_study *s, const char *config_path)
{
    char *text = NULL, *dst = NULL;
    size_t len = 0;
    int error;

    if (s->config->rendered != NULL) {
        text = wjr_strdup(s->config->rendered);
        len = text != NULL ? strlen(text) : 0;
        error = text != NULL ? 0 : WJR_ENOMEM;
    } else {
        error = wjr_read_file(&text, &len, config_path);
    }
    if (error < 0)
        return error;
    dst = wjr_asprintf("%s/%s", s->dir, s->config->is_yaml ? CONFIG_COPY_YAML : CONFIG_COPY);
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
#define READ_ATTEMPTS 8

size_t wjr__store_compact_min = 256 * 1024;

struct wjr_store {
    wjr_journal *journal; /* NULL: read-only, or no snapshot made yet */
    uint64_t epoch;       /* of study.json and of the journal that goes with it */
    uint64_t snapshot_bytes;
    size_t n_recorded; /* trials[0, n_recorded) are in a snapshot or a record */
    size_t *touched;   /* positions of recorded trials changed since */
    size_t n_touched, cap_touched;
    int legacy;  /* read from a schema-1 study.json: the first write converts it */
    int torn;    /* the journal ended in a torn record, dropped on opening */
    int partial; /* WJR_STUDY_SUBMIT_ONLY: the snapshot's trials were not read, so
                    no snapshot can be written (and no results.csv) */
    wjr_study_state written_state;
    int64_t written_drawn;
};

static wjr_store *store_of(wjr_study *s)
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

static char *store_path(const wjr_study *s, const char *name)
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
static int snapshot(wjr_study *s)
{
    wjr_store *st = store_of(s);
    char *path = NULL, *jpath = NULL;
    snapshot_ctx ctx;
    size_t i;
    int error;

    if (st == NULL)
        return WJR_ENOMEM;
    path = store_path(s, STUDY_FILE);
    jpath = store_path(s, JOURNAL_FILE);
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
    st = store_of(s);
    if (st == NULL)
        return WJR_ENOMEM;
    if (st->partial) /* the next full open compacts */
        return st->journal != NULL ? append(s) : wjr_error_set(WJR_ESTATE, "no journal");
    if (st->journal == NULL || st->legacy || wjr__runner_header_changed(s->runner))
        return snapshot(s);
    error = append(s);
    if (error == 0 && (wjr__store_compact_min == 0 ||
                       wjr_journal_size(st->journal) > (st->snapshot_bytes > wjr__store_compact_min
                                                            ? st->snapshot_bytes
                                                            : wjr__store_compact_min)))
        error = snapshot(s);
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

/* ---- loading ------------------------------------------------------------- */

typedef struct load_ctx {
    wjr_study *s;
    size_t record;
} load_ctx;

static int replay(const char *payload, size_t len, void *arg)
{
    load_ctx *c = arg;
    char where[64];

    snprintf(where, sizeof(where), "%s: record %zu", JOURNAL_FILE, ++c->record);
    return wjr__records_apply(c->s, payload, len, where);
}

/* Forget what a read that has to start again had loaded. */
static void unload(wjr_study *s)
{
    wjr_runner_free(s->runner);
    s->runner = NULL;
    wjr_study_config_free(s->config);
    s->config = NULL;
    wjr__study_trials_free(s);
    s->trials = NULL;
    s->n_trials = s->cap = 0;
    free(s->config_dir);
    s->config_dir = NULL;
    s->unread_below = 0;
    s->store->partial = 0;
    s->store->legacy = 0;
}

static int load_config(wjr_study *s, json_t *root)
{
    char *path = store_path(s, wjr__records_config_copy(root));
    int error =
        path != NULL ? wjr_study_config_load_from(&s->config, path, s->config_dir) : WJR_ENOMEM;

    free(path);
    if (error == 0)
        s->config->seed = s->seed;
    return error;
}

static int runner_from_header(wjr_study *s, json_t *runner, const char *path,
                              const wjr_runner_options *ro)
{
    char *text = wjr_json_dumps(runner, JSON_COMPACT);
    int error;

    if (text == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = wjr_runner_from_json(&s->runner, text, ro);
    free(text);
    return error < 0 ? wjr_error_prefix("%s", path) : 0;
}

/* study.json read whole, as one JSON document: schema 1 (earlier versions;
 * the first write converts it), or a schema-2 snapshot that a tool has
 * written out again in another layout. */
static int load_whole(wjr_study *s, FILE *f, const char *path, const wjr_runner_options *ro)
{
    wjr_buf text = WJR_BUF_INIT;
    char chunk[65536], *runner_text = NULL, where[64];
    json_error_t jerr;
    json_t *root, *runner, *v;
    int64_t n_trials, next_index;
    json_int_t schema;
    size_t n, i;
    int error;

    rewind(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        wjr_buf_put(&text, chunk, n);
    if (text.oom) {
        wjr_buf_free(&text);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    root = json_loadb(text.ptr != NULL ? text.ptr : "", text.len, 0, &jerr);
    wjr_buf_free(&text);
    if (root == NULL || !json_is_string(json_object_get(root, "__type")) ||
        strcmp(json_string_value(json_object_get(root, "__type")), "WjrStudy") != 0) {
        error = wjr_error_set(WJR_EINVALID, "%s:%d: not a wjr study file%s%s", path,
                              root == NULL ? jerr.line : 1, root == NULL ? ": " : "",
                              root == NULL ? jerr.text : "");
        goto done;
    }
    schema = json_integer_value(json_object_get(root, "schema"));
    if (schema == STUDY_SCHEMA_LEGACY) {
        error = wjr__records_read_legacy(&runner_text, s, root, path);
        if (error == 0)
            error = load_config(s, root);
        if (error == 0 && (error = wjr_runner_from_json(&s->runner, runner_text, ro)) < 0)
            wjr_error_prefix("%s", path);
        for (i = 0; error == 0 && i < s->n_trials; i++)
            wjr__study_share_params(s, &s->trials[i]);
        s->store->legacy = 1;
        goto done;
    }
    if (schema != STUDY_SCHEMA) {
        error = wjr_error_set(WJR_EINVALID,
                              "%s: schema %lld is not %d: written by another wjr "
                              "version",
                              path, (long long)schema, STUDY_SCHEMA);
        goto done;
    }
    error =
        wjr__records_read_header(&s->store->epoch, &n_trials, &next_index, &runner, s, root, path);
    if (error == 0)
        error = load_config(s, root);
    if (error == 0)
        error = runner_from_header(s, runner, path, ro);
    json_array_foreach(json_object_get(root, "trials"), i, v)
    {
        snprintf(where, sizeof(where), "%s: trial %zu", STUDY_FILE, i);
        if (error == 0)
            error = wjr__records_apply_trial(s, v, where);
    }
done:
    json_decref(root);
    free(runner_text);
    return error;
}

/* study.json, schema 2: the first line (root), then one line per trial,
 * then the closing "]}". */
static int load_snapshot(wjr_study *s, FILE *f, json_t *root, const char *path,
                         const wjr_runner_options *ro)
{
    char *line = NULL, where[64];
    size_t cap = 0, lineno = 1;
    int64_t n_trials, next_index, k;
    json_t *runner;
    ssize_t len;
    int error;

    error =
        wjr__records_read_header(&s->store->epoch, &n_trials, &next_index, &runner, s, root, path);
    if (error == 0)
        error = load_config(s, root);
    if (error < 0)
        return error;
    error = runner_from_header(s, runner, path, ro);
    if (error < 0)
        return error;
    if (s->flags & WJR_STUDY_SUBMIT_ONLY) { /* the trials stay unread */
        s->unread_below = next_index;
        s->store->partial = 1;
        n_trials = -1;
    } else {
        /* Room for them, and a few more; but the header is the file's
         * word: no more than the lines the file can hold (each trial's at
         * least TRIAL_LINE_MIN bytes), so that a damaged count costs
         * nothing before the lines say the file is cut short. */
        struct stat st;
        uint64_t n = (uint64_t)n_trials, fit;
        size_t room;

        fit = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size / TRIAL_LINE_MIN
                                                           : 0;
        n = n < fit ? n : fit;
        room = (size_t)(n + n / 16 + 16);
        error = wjr__study_reserve(s, room);
        if (error == 0)
            error = wjr__runner_reserve(s->runner, room);
        if (error < 0)
            return error;
    }
    for (k = 0; k <= n_trials && error == 0; k++) {
        json_error_t jerr;
        json_t *obj;
        size_t skip;

        lineno++;
        len = getline(&line, &cap, f);
        if (len <= 0 || line[len - 1] != '\n') {
            error = wjr_error_set(WJR_EINVALID,
                                  "%s: %lld trial lines of %lld: the file is cut "
                                  "short",
                                  path, (long long)k, (long long)n_trials);
            break;
        }
        if (k == n_trials) {
            if (strcmp(line, "]}\n") != 0)
                error = wjr_error_set(WJR_EINVALID, "%s:%zu: expected the end of the trials", path,
                                      lineno);
            break;
        }
        skip = k > 0 && line[0] == ',';
        obj = json_loadb(line + skip, (size_t)len - skip, 0, &jerr);
        snprintf(where, sizeof(where), "%s:%zu", STUDY_FILE, lineno);
        error = obj != NULL ? wjr__records_apply_trial(s, obj, where)
                            : wjr_error_set(WJR_EINVALID, "%s: %s", where, jerr.text);
        json_decref(obj);
    }
    free(line);
    s->store->snapshot_bytes = (uint64_t)ftello(f);
    return error;
}

/* One attempt at reading the study: 1 when the files changed under the
 * read (a compaction by the driver) and it must start again. */
static int load_once(wjr_study *s, const char *dir, const wjr_runner_options *ro,
                     wjr_journal_scan *scan)
{
    char *path = store_path(s, STUDY_FILE), *jpath = store_path(s, JOURNAL_FILE), *line = NULL;
    size_t cap = 0;
    json_t *root = NULL;
    load_ctx ctx = {s, 0};
    FILE *f = NULL;
    ssize_t len;
    int error = 0;

    memset(scan, 0, sizeof(*scan));
    if (path == NULL || jpath == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        error = errno == ENOENT
                    ? wjr_error_set(WJR_ENOTFOUND,
                                    "%s holds no study (no %s): start one with `wjr "
                                    "run CONFIG` or `wjr init CONFIG`",
                                    dir, STUDY_FILE)
                    : wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    len = getline(&line, &cap, f);
    if (len > 2 && strcmp(line + len - 2, "[\n") == 0) { /* close it: {..."trials":[]} */
        char *closed = wjr_asprintf("%.*s]}", (int)(len - 1), line);

        root = closed != NULL ? json_loads(closed, 0, NULL) : NULL;
        free(closed);
    }
    if (root != NULL && json_integer_value(json_object_get(root, "schema")) == STUDY_SCHEMA)
        error = load_snapshot(s, f, root, path, ro);
    else
        error = load_whole(s, f, path, ro); /* schema 1 starts with a lone "{" */
    if (error < 0 || s->store->legacy)
        goto done;
    if (s->store->partial) { /* the last record says all that submitting needs */
        wjr_buf last = WJR_BUF_INIT;

        error = wjr_journal_read_last(&last, jpath, s->store->epoch, scan);
        if (error == 0 && last.len > 0)
            error = wjr__records_apply_last(s, last.ptr, last.len, JOURNAL_FILE);
        wjr_buf_free(&last);
    } else {
        error = wjr_journal_read(jpath, s->store->epoch, replay, &ctx, scan);
    }
    if (error == WJR_ENOTFOUND) {
        scan->stale = 1; /* none yet: a crash right after the first snapshot */
        scan->epoch = 0;
        error = 0;
    }
    if (error == 0 && scan->stale && scan->epoch > s->store->epoch)
        error = 1; /* compacted since study.json was opened */
done:
    if (f != NULL)
        fclose(f);
    json_decref(root);
    free(line);
    free(path);
    free(jpath);
    return error;
}

int wjr__store_load(wjr_study *s, const char *dir, const wjr_runner_options *ro)
{
    wjr_journal_scan scan;
    char *jpath;
    int attempt, error = WJR_ENOMEM;

    if (store_of(s) == NULL)
        return WJR_ENOMEM;
    for (attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        error = load_once(s, dir, ro, &scan);
        if (error <= 0)
            break;
        unload(s);
        s->state = WJR_STUDY_RUNNING;
    }
    if (error > 0)
        return wjr_error_set(WJR_EIO, "%s: the study's files kept changing while being read", dir);
    if (error < 0 || (s->flags & WJR_STUDY_READONLY))
        return error;
    /* The lock's holder appends from here on. */
    s->store->n_recorded = s->n_trials;
    s->store->written_state = s->state;
    s->store->written_drawn = s->drawn;
    if (s->store->legacy)
        return snapshot(s);                /* a schema-1 study converts on its first write */
    wjr__runner_forget_changes(s->runner); /* the header as read, for a later change */
    if (scan.stale && scan.epoch > s->store->epoch)
        return wjr_error_set(WJR_EINVALID, "%s: %s is newer than %s", dir, JOURNAL_FILE,
                             STUDY_FILE);
    jpath = store_path(s, JOURNAL_FILE);
    if (jpath == NULL)
        return WJR_ENOMEM;
    if (scan.stale)
        error = wjr_journal_create(&s->store->journal, jpath, s->store->epoch);
    else
        error = wjr_journal_open(&s->store->journal, jpath, scan.good_end);
    s->store->torn = scan.torn;
    free(jpath);
    return error;
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
