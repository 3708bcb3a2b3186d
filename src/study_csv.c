/*
 * study_csv.c - results.csv: the study's trials in the columns of BOA's
 * optimization.csv (index, status, job id, generation method, one column
 * per parameter, a mean and a sem column per metric, the reason).
 *
 * The columns are the declared parameters and metrics, then every other
 * name the trials carry, in the order a walk through the trials meets
 * them first. The study keeps a cache for results.csv (struct study_csv):
 * the columns, each with the place it was first met, and the row of each
 * settled trial, rendered once from what the trial views parsed once
 * (study_view.c) and again only if the columns change. The file's text is
 * then the header, the cached rows and the rows of the trials still open:
 * no trial's JSON is parsed again. wjr_study_results_csv() renders the
 * same text with a cache of its own, thrown away after.
 *
 * It writes no file: the store (study_store.c) does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "study_csv.h"
#include "study_view.h"
#include "util.h"

/* A column, and where a walk through the trials meets its name first:
 * pos 0 for the declared names, else 1 + the trial's position; key: the
 * name's place among the declared ones or in the trial's object. */
typedef struct csv_col {
    char *name;
    size_t pos, key;
} csv_col;

typedef struct csv_cols {
    csv_col *v; /* in the order met */
    size_t n, cap;
} csv_cols;

typedef struct csv_row {
    int params_seen;  /* its parameter names are among the columns */
    int metrics_seen; /* settled, and its metric names are among the columns */
    char *text;       /* settled: its line, rendered with columns `version` */
    unsigned version;
} csv_row;

struct study_csv {
    csv_cols params, metrics;
    int declared;     /* the declared names are in */
    unsigned version; /* counts the changes of the columns */
    csv_row *rows;    /* one per trial position */
    size_t n_rows;
    char *written; /* the text results.csv last received, or NULL */
    int oom;
};

/* ---- cells --------------------------------------------------------------- */

static void csv_field(wjr_buf *b, const char *text, int first)
{
    const char *p;

    if (!first)
        wjr_buf_puts(b, ",");
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL && text[0] != ' ' &&
        (text[0] == '\0' || text[strlen(text) - 1] != ' ')) {
        wjr_buf_puts(b, text);
        return;
    }
    wjr_buf_puts(b, "\"");
    for (p = text; *p != '\0'; p++) {
        if (*p == '"')
            wjr_buf_puts(b, "\"");
        wjr_buf_put(b, p, 1);
    }
    wjr_buf_puts(b, "\"");
}

/* A text field: one that a spreadsheet would read as a formula (=, +, -, @,
 * tab, carriage return first) gets a leading ' so that it stays text; a
 * plain number with its sign ("-1") is left as it is. */
static void csv_text(wjr_buf *b, const char *text)
{
    char *guarded;

    char *end;

    if (text == NULL || strchr("=+-@\t\r", text[0]) == NULL || text[0] == '\0') {
        csv_field(b, text, 0);
        return;
    }
    /* a plain number ("-1", "+2.5"): a spreadsheet reads the number, and
     * pandas the value the model saw */
    if (text[0] == '-' || text[0] == '+') {
        (void)strtod(text, &end);
        if (end != text && *end == '\0') {
            csv_field(b, text, 0);
            return;
        }
    }
    guarded = wjr_asprintf("'%s", text);
    if (guarded == NULL) {
        b->oom = 1;
        return;
    }
    csv_field(b, guarded, 0);
    free(guarded);
}

static void csv_json_value(wjr_buf *b, json_t *v)
{
    char num[64];
    char *text;

    if (v == NULL || json_is_null(v)) {
        csv_field(b, NULL, 0);
    } else if (json_is_string(v)) {
        csv_text(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        csv_field(b, num, 0);
    } else if (json_is_real(v)) {
        wjr_format_double(num, sizeof(num), json_real_value(v));
        csv_field(b, num, 0);
    } else {
        text = wjr_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        csv_field(b, text, 0);
        free(text);
    }
}

/* ---- columns ------------------------------------------------------------- */

/* (pos, key) comes before the place where col was met first. */
static int met_before(size_t pos, size_t key, const csv_col *col)
{
    return pos < col->pos || (pos == col->pos && key < col->key);
}

/* The name is met at (pos, key): a new column, or one met earlier than
 * known, takes its place in the order. Returns 1 when the columns changed. */
static int meet(study_csv *c, csv_cols *cols, const char *name, size_t pos, size_t key)
{
    csv_col col;
    size_t i, at;

    for (i = 0; i < cols->n && strcmp(cols->v[i].name, name) != 0; i++)
        ;
    if (i < cols->n && !met_before(pos, key, &cols->v[i]))
        return 0;
    if (i < cols->n) {
        col = cols->v[i];
        memmove(&cols->v[i], &cols->v[i + 1], (cols->n - i - 1) * sizeof(col));
        cols->n--;
    } else {
        if (cols->n == cols->cap) {
            size_t cap = cols->cap == 0 ? 16 : cols->cap * 2;
            csv_col *grown = realloc(cols->v, cap * sizeof(*grown));
            if (grown == NULL) {
                c->oom = 1;
                return 0;
            }
            cols->v = grown;
            cols->cap = cap;
        }
        col.name = wjr_strdup(name);
        if (col.name == NULL) {
            c->oom = 1;
            return 0;
        }
    }
    col.pos = pos;
    col.key = key;
    for (at = cols->n; at > 0 && met_before(pos, key, &cols->v[at - 1]); at--)
        ;
    memmove(&cols->v[at + 1], &cols->v[at], (cols->n - at) * sizeof(col));
    cols->v[at] = col;
    cols->n++;
    c->version++;
    return 1;
}

/* The names of a trial's object (parameters or metrics), met at pos. */
static void meet_object(study_csv *c, csv_cols *cols, json_t *obj, size_t pos)
{
    const char *name;
    json_t *v;
    size_t key = 0;

    json_object_foreach(obj, name, v)
    {
        meet(c, cols, name, pos, key++);
    }
}

/* The columns meet trial i's names: its parameters once, its metrics once
 * it is settled, or (open: a cache thrown away after) whatever it has now. */
static void meet_trial(study_csv *c, const wjr_study *s, size_t i, int open)
{
    const study_trial *t = &s->trials[i];
    csv_row *row = &c->rows[i];

    if (!row->params_seen) {
        json_t *p = wjr__study_trial_params(s, t);
        meet_object(c, &c->params, p, i + 1);
        json_decref(p);
        row->params_seen = 1;
    }
    if (!row->metrics_seen && (t->settled || open)) {
        json_t *m = wjr__study_trial_metrics(s, t);
        meet_object(c, &c->metrics, m, i + 1);
        json_decref(m);
        row->metrics_seen = 1;
    }
}

/* Room for a row per trial; the declared names first of all. */
static int prepare(study_csv *c, const wjr_study *s)
{
    size_t i;

    if (s->n_trials > c->n_rows) {
        csv_row *grown = realloc(c->rows, s->n_trials * sizeof(*grown));
        if (grown == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        memset(grown + c->n_rows, 0, (s->n_trials - c->n_rows) * sizeof(*grown));
        c->rows = grown;
        c->n_rows = s->n_trials;
    }
    if (!c->declared) {
        for (i = 0; i < s->config->n_params; i++)
            meet(c, &c->params, s->config->params[i].name, 0, i);
        for (i = 0; i < s->config->n_metrics; i++)
            meet(c, &c->metrics, s->config->metrics[i].name, 0, i);
        c->declared = 1;
    }
    return 0;
}

/* ---- rows ---------------------------------------------------------------- */

static void put_header(wjr_buf *b, const study_csv *c)
{
    size_t k;

    wjr_buf_puts(b, "trial_index,status,job_id,generation_method");
    for (k = 0; k < c->params.n; k++)
        csv_text(b, c->params.v[k].name);
    for (k = 0; k < c->metrics.n; k++) {
        char *sem = wjr_asprintf("%s_sem", c->metrics.v[k].name);
        csv_text(b, c->metrics.v[k].name);
        csv_text(b, sem);
        free(sem);
    }
    wjr_buf_puts(b, ",reason\n");
}

static void put_row(wjr_buf *b, const study_csv *c, const wjr_study *s, const study_trial *t)
{
    json_t *m = wjr__study_trial_metrics(s, t), *p = wjr__study_trial_params(s, t);
    wjr_study_trial v;
    size_t k;

    wjr__study_trial_view(&v, s, t);
    wjr_buf_printf(b, "%lld,%s", (long long)t->index, wjr_trial_status_name(v.status));
    csv_field(b, v.job_id, 0);
    csv_field(b, v.generation, 0);
    for (k = 0; k < c->params.n; k++)
        csv_json_value(b, json_object_get(p, c->params.v[k].name));
    for (k = 0; k < c->metrics.n; k++) {
        json_t *mv = json_object_get(m, c->metrics.v[k].name);
        csv_json_value(b, json_is_object(mv) ? json_object_get(mv, "mean") : mv);
        csv_json_value(b, json_is_object(mv) ? json_object_get(mv, "sem") : NULL);
    }
    csv_text(b, v.reason);
    wjr_buf_puts(b, "\n");
    json_decref(m);
    json_decref(p);
}

/* A settled trial's line from the cache, rendered when missing or made
 * with other columns. */
static void put_settled(wjr_buf *b, study_csv *c, const wjr_study *s, size_t i)
{
    csv_row *row = &c->rows[i];
    wjr_buf line = WJR_BUF_INIT;

    if (row->text == NULL || row->version != c->version) {
        free(row->text);
        row->text = NULL;
        put_row(&line, c, s, &s->trials[i]);
        if (wjr_buf_detach(&row->text, &line) < 0)
            c->oom = 1;
        row->version = c->version;
    }
    if (row->text != NULL)
        wjr_buf_puts(b, row->text);
}

/* results.csv's text with cache c; open: c is thrown away after, and
 * takes in the trials that are not settled too. */
static int render(char **out, const wjr_study *s, study_csv *c, int open)
{
    wjr_buf b = WJR_BUF_INIT;
    size_t i;
    int error;

    *out = NULL;
    error = prepare(c, s);
    if (error < 0)
        return error;
    for (i = 0; i < s->n_trials; i++)
        meet_trial(c, s, i, open);
    put_header(&b, c);
    for (i = 0; i < s->n_trials; i++) {
        if (!open && s->trials[i].settled)
            put_settled(&b, c, s, i);
        else
            put_row(&b, c, s, &s->trials[i]);
    }
    if (c->oom) {
        c->oom = 0;
        wjr_buf_free(&b);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    return wjr_buf_detach(out, &b);
}

/* ---- the cache ------------------------------------------------------------ */

static void cols_clear(csv_cols *cols)
{
    size_t i;

    for (i = 0; i < cols->n; i++)
        free(cols->v[i].name);
    free(cols->v);
}

static void csv_clear(study_csv *c)
{
    size_t i;

    cols_clear(&c->params);
    cols_clear(&c->metrics);
    for (i = 0; i < c->n_rows; i++)
        free(c->rows[i].text);
    free(c->rows);
    free(c->written);
}

void wjr__study_csv_free(study_csv *c)
{
    if (c == NULL)
        return;
    csv_clear(c);
    free(c);
}

int wjr_study_results_csv(char **out, const wjr_study *s)
{
    study_csv c;
    int error;

    *out = NULL;
    error = wjr__study_whole(s, "wjr_study_results_csv");
    if (error < 0)
        return error;
    memset(&c, 0, sizeof(c));
    error = render(out, s, &c, 1);
    csv_clear(&c);
    return error;
}

int wjr__study_csv(char **out, wjr_study *s)
{
    size_t i;

    *out = NULL;
    /* metrics of a trial not settled may still change, and with them the
     * columns: not for the cache (the runner gives metrics with the end) */
    for (i = 0; i < s->n_trials; i++) {
        const wjr_trial_info *info;

        if (s->trials[i].settled)
            continue;
        info = wjr__study_runner_info(s, s->trials[i].index);
        if (info != NULL && info->metrics_json != NULL)
            return wjr_study_results_csv(out, s);
    }
    if (s->csv == NULL) {
        s->csv = calloc(1, sizeof(*s->csv));
        if (s->csv == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    return render(out, s, s->csv, 0);
}

int wjr__study_csv_changed(const wjr_study *s, const char *text)
{
    return s->csv == NULL || s->csv->written == NULL || strcmp(s->csv->written, text) != 0;
}

void wjr__study_csv_written(wjr_study *s, char *text)
{
    if (s->csv == NULL) {
        free(text);
        return;
    }
    free(s->csv->written);
    s->csv->written = text;
}
