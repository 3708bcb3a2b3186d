/*
 * study_load.c - reading a study back from its experiment directory: the
 * snapshot study.json a line at a time (or whole, for schema 1 and for a
 * file laid out anew), then the journal's records replayed on it; for a
 * study opened to submit only, the snapshot's first line and the
 * journal's last record. Readers take no lock: when a compaction replaced
 * the files under a read, it starts again (up to READ_ATTEMPTS times). A
 * writable study is left ready to append (study_store.c); a schema-1 file
 * is converted by that first write. The records' text is
 * study_records.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wjr/runner.h"
#include "journal.h"
#include "runner_store.h"
#include "study_lines.h"
#include "study_records.h"
#include "study_store.h"
#include "study_store_int.h"
#include "study_view.h"
#include "util.h"

/* Reads of a study whose files keep changing under them before giving up. */
#define READ_ATTEMPTS 8

/* The shortest trial line a snapshot can hold: {"index":0,"run":{}} */
#define TRIAL_LINE_MIN 16

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
    free(s->config_source);
    s->config_source = NULL;
    s->has_fixed_digest = 0;
    free(s->fixed_text);
    s->fixed_text = NULL;
    s->unread_below = 0;
    s->store->partial = 0;
    s->store->legacy = 0;
}

static int load_config(wjr_study *s, json_t *root)
{
    char *path = wjr__store_path(s, wjr__records_config_copy(root));
    int error =
        path != NULL ? wjr_study_config_load_from(&s->config, path, s->config_dir) : WJR_ENOMEM;

    free(path);
    if (error == 0) {
        s->config->seed = s->seed;
        s->config->sobol_origin = s->sobol_origin;
    }
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
            error = wjr__records_apply_trial(s, v, NULL, 0, where);
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
    char where[64];
    size_t lineno = 1;
    int64_t n_trials, next_index, k;
    wjr_lines *lines = NULL;
    json_t *runner;
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
    if (n_trials >= 0 && wjr_lines_start(&lines, f, n_trials) < 0)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (k = 0; k <= n_trials && error == 0; k++) {
        const wjr_line *l = wjr_lines_next(lines);
        size_t skip;

        lineno++;
        if (l == NULL || l->len <= 0 || l->text[l->len - 1] != '\n') {
            error = wjr_error_set(WJR_EINVALID,
                                  "%s: %lld trial lines of %lld: the file is cut "
                                  "short",
                                  path, (long long)k, (long long)n_trials);
            break;
        }
        if (k == n_trials) {
            if (strcmp(l->text, "]}\n") != 0)
                error = wjr_error_set(WJR_EINVALID, "%s:%zu: expected the end of the trials", path,
                                      lineno);
            break;
        }
        skip = k > 0 && l->text[0] == ',';
        snprintf(where, sizeof(where), "%s:%zu", STUDY_FILE, lineno);
        error = l->obj != NULL ? wjr__records_apply_trial(s, l->obj, l->text + skip,
                                                          (size_t)l->len - skip - 1, where)
                               : wjr_error_set(WJR_EINVALID, "%s: %s", where, l->err);
    }
    wjr_lines_stop(lines);
    s->store->snapshot_bytes = (uint64_t)ftello(f);
    return error;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* For "DIR holds no study": the folders right below dir that hold one (a
 * BOA output_dir holds a folder per study), sorted, at most three named,
 * appended to b as "; but FOLDER does" or "; but these folders do: ...". */
static void studies_below(wjr_buf *b, const char *dir)
{
    char *names[64];
    size_t n = 0, more = 0, k, len = strlen(dir);
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while (len > 1 && dir[len - 1] == '/')
        len--;
    while ((e = readdir(d)) != NULL) {
        char *path = e->d_name[0] == '.'
                         ? NULL
                         : wjr_asprintf("%.*s/%s/%s", (int)len, dir, e->d_name, STUDY_FILE);
        struct stat st;

        if (path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            path[strlen(path) - strlen(STUDY_FILE) - 1] = '\0';
            if (n < sizeof(names) / sizeof(names[0])) {
                names[n++] = path;
                path = NULL;
            } else {
                more++;
            }
        }
        free(path);
    }
    closedir(d);
    if (n == 0)
        return;
    qsort(names, n, sizeof(names[0]), by_name);
    wjr_buf_puts(b, n == 1 ? "; but " : "; but these folders do: ");
    for (k = 0; k < n; k++) {
        if (k < 3)
            wjr_buf_printf(b, "%s%s", k > 0 ? ", " : "", names[k]);
        free(names[k]);
    }
    if (n == 1)
        wjr_buf_puts(b, " does: name it instead");
    else if (n + more > 3)
        wjr_buf_printf(b, " and %zu more", n + more - 3);
}

/* One attempt at reading the study: 1 when the files changed under the
 * read (a compaction by the driver) and it must start again. */
static int load_once(wjr_study *s, const char *dir, const wjr_runner_options *ro,
                     wjr_journal_scan *scan)
{
    char *path = wjr__store_path(s, STUDY_FILE), *jpath = wjr__store_path(s, JOURNAL_FILE),
         *line = NULL;
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
        if (errno == ENOENT) {
            wjr_buf below = WJR_BUF_INIT;

            studies_below(&below, dir);
            error = wjr_error_set(WJR_ENOTFOUND, "%s holds no study (no %s)%s", dir, STUDY_FILE,
                                  below.len > 0 ? below.ptr
                                                : ": start one with `wjr run CONFIG` or "
                                                  "`wjr init CONFIG`");
            wjr_buf_free(&below);
        } else {
            error = wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
        }
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

    if (wjr__store_of(s) == NULL)
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
        return wjr__store_snapshot(s);     /* a schema-1 study converts on its first write */
    wjr__runner_forget_changes(s->runner); /* the header as read, for a later change */
    if (scan.stale && scan.epoch > s->store->epoch)
        return wjr_error_set(WJR_EINVALID, "%s: %s is newer than %s", dir, JOURNAL_FILE,
                             STUDY_FILE);
    jpath = wjr__store_path(s, JOURNAL_FILE);
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
