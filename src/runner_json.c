/*
 * runner_json.c - to_dict() and from_dict(): the runner as JSON text, in a
 * string or a file, and back.
 *
 * The runner's JSON is written and read without a jansson tree of the
 * whole document: a study of 100,000 trials must not need millions of
 * nodes. Trials go last, one per line, and fields with their default value
 * are left out. The reader takes the top-level object apart value by value
 * and parses one trial at a time. The backend and the wrapper write and
 * read their own settings; a wrapper of the caller's own type is built
 * back by the options' wrapper factory. A trial's object and the header
 * are also what the change log (runner_store.c) records and replays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsontext.h"
#include "jsonspan.h"
#include "runner_int.h"
#include "util.h"
#include "wrapper.h"

#define RUNNER_SCHEMA_VERSION 1

static const char *const sub_names[] = {"unsubmitted", "submitting", "submitted"};

/* Where the runner's JSON goes: a buffer, or a file it is flushed to. */
typedef struct json_out {
    wjr_buf buf;
    int fd;           /* -1: everything stays in buf */
    const char *path; /* the file's name, for messages */
    int error;        /* the first failed write */
} json_out;

static void out_flush(json_out *o, int force)
{
    if (o->fd < 0 || (!force && o->buf.len < 65536))
        return;
    if (o->error == 0 && o->buf.len > 0)
        o->error = wjr_write_all(o->fd, o->buf.ptr, o->buf.len, o->path);
    o->buf.len = 0;
}

static void put_json_str(wjr_buf *b, const char *key, const char *v)
{
    if (v == NULL)
        return;
    wjr_buf_printf(b, ",\"%s\":", key);
    wjr_buf_json_text(b, v); /* text that is not UTF-8 is kept as hex */
}

static void put_int(wjr_buf *b, const char *key, long long v, long long dflt)
{
    if (v != dflt)
        wjr_buf_printf(b, ",\"%s\":%lld", key, v);
}

void wjr__trial_emit(wjr_buf *b, const trial *t)
{
    wjr_buf_printf(b, "{\"index\":%lld,\"status\":\"%s\",\"submission\":\"%s\"",
                   (long long)t->info.index, wjr_trial_status_name(t->info.status),
                   sub_names[t->sub]);
    wjr_buf_printf(b, ",\"parameters\":%s", t->info.params_json ? t->info.params_json : "null");
    put_json_str(b, "key", t->key);
    put_int(b, "planned_task", t->planned_task, WJR_NO_TASK);
    put_int(b, "intent_time", t->intent_time, 0);
    put_json_str(b, "job_id", t->info.run.job_id);
    put_int(b, "slurm_job_id", t->info.run.slurm_job_id, 0);
    put_int(b, "array_job_id", t->info.run.array_job_id, 0);
    put_int(b, "array_task_id", t->info.run.array_task_id, WJR_NO_TASK);
    put_int(b, "submit_time", t->info.run.submit_time, 0);
    put_int(b, "start_time", t->info.start_time, 0);
    put_int(b, "end_time", t->info.end_time, 0);
    put_int(b, "restarts", t->info.restarts, 0);
    put_int(b, "state_word", t->state_word, 0);
    put_json_str(b, "slurm_state", t->info.slurm_state);
    put_json_str(b, "reason", t->info.reason);
    put_int(b, "exit_code", t->info.exit_code, -1);
    put_int(b, "signal", t->info.term_signal, 0);
    put_int(b, "attempt", t->info.attempt, 0);
    put_int(b, "retries", t->retries, 0);
    put_int(b, "prior_attempts", t->prior_attempts, 0);
    put_json_str(b, "history", t->history);
    if (t->info.metrics_json)
        wjr_buf_printf(b, ",\"metrics\":%s", t->info.metrics_json);
    put_json_str(b, "partition", t->info.run.partition);
    put_json_str(b, "cluster", t->info.run.cluster);
    wjr_buf_puts(b, "}");
}

int wjr__runner_emit_header(wjr_buf *b, const wjr_runner *r)
{
    char *backend = NULL, *wrapper = NULL;
    int error;

    error = r->backend->to_json(&backend, r->backend);
    if (error < 0)
        goto done;
    error = r->wrapper->to_json(&wrapper, r->wrapper);
    if (error < 0)
        goto done;
    wjr_buf_printf(b, "{\"__type\":\"WrappedJobRunner\",\"schema_version\":%d",
                   RUNNER_SCHEMA_VERSION);
    put_json_str(b, "study_id", r->study_id);
    put_json_str(b, "experiment_dir", r->experiment_dir);
    wjr_buf_printf(b, ",\"max_infrastructure_retries\":%d", r->max_infra_retries);
    wjr_buf_printf(b, ",\"backend\":{\"type\":\"%s\",\"settings\":%s}", r->backend->type, backend);
    put_json_str(b, "wrapper_type", r->wrapper->type);
    wjr_buf_printf(b, ",\"wrapper\":%s", wrapper);
done:
    free(backend);
    free(wrapper);
    return error;
}

static int emit_runner(json_out *o, const wjr_runner *r)
{
    size_t i;
    int error = wjr__runner_emit_header(&o->buf, r);

    if (error < 0)
        return error;
    wjr_buf_puts(&o->buf, ",\"trials\":[");
    for (i = 0; i < r->n_trials; i++) {
        wjr_buf_puts(&o->buf, i == 0 ? "\n" : ",\n");
        wjr__trial_emit(&o->buf, r->trials[i]);
        out_flush(o, 0);
    }
    wjr_buf_puts(&o->buf, "]}\n");
    out_flush(o, 1);
    if (o->buf.oom)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    return o->error;
}

int wjr_runner_to_json(char **out, const wjr_runner *r)
{
    json_out o = {WJR_BUF_INIT, -1, NULL, 0};
    int error;

    *out = NULL;
    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_to_json: no runner");
    error = emit_runner(&o, r);
    if (error < 0) {
        wjr_buf_free(&o.buf);
        return error;
    }
    return wjr_buf_detach(out, &o.buf);
}

static int emit_runner_file(int fd, const char *path, void *payload)
{
    json_out o = {WJR_BUF_INIT, fd, path, 0};
    int error = emit_runner(&o, payload);

    wjr_buf_free(&o.buf);
    return error;
}

int wjr_runner_to_json_file(const wjr_runner *r, const char *path)
{
    if (r == NULL || path == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_to_json_file: no runner or path");
    /* streamed into the one atomic writer: no whole-document copy in memory */
    return wjr_write_atomic(path, emit_runner_file, (void *)r);
}

/* A source of JSON text: a string, or a file read through stdio. */
typedef struct json_src {
    const char *p;
    const char *end;
    FILE *f;
    long offset;
} json_src;

static int src_peek(json_src *s)
{
    int c;

    if (s->f == NULL)
        return s->p < s->end ? (unsigned char)*s->p : EOF;
    c = getc_unlocked(s->f);
    if (c != EOF)
        ungetc(c, s->f);
    return c;
}

static int src_get(json_src *s)
{
    int c;

    if (s->f == NULL)
        c = s->p < s->end ? (unsigned char)*s->p++ : EOF;
    else
        c = getc_unlocked(s->f);
    if (c != EOF)
        s->offset++;
    return c;
}

static void src_skip_ws(json_src *s)
{
    int c = src_peek(s);

    while (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        src_get(s);
        c = src_peek(s);
    }
}

static int src_fail(json_src *s, const char *what)
{
    return wjr_error_set(WJR_EINVALID, "runner JSON: %s at byte %ld", what, s->offset);
}

/* Copy the raw text of one JSON value (any type) into b. */
static int src_capture(wjr_buf *b, json_src *s)
{
    int c = src_peek(s), depth = 0, in_str = 0;

    b->len = 0;
    if (c == EOF)
        return src_fail(s, "unexpected end");
    if (c != '{' && c != '[' && c != '"') {
        /* a number, true, false or null: up to the next delimiter */
        while (c != EOF && c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\t' &&
               c != '\r') {
            char ch = (char)src_get(s);
            wjr_buf_put(b, &ch, 1);
            c = src_peek(s);
        }
        return b->len > 0 ? 0 : src_fail(s, "a value is missing");
    }
    for (;;) {
        char ch;
        c = src_get(s);
        if (c == EOF)
            return src_fail(s, "unexpected end inside a value");
        ch = (char)c;
        wjr_buf_put(b, &ch, 1);
        if (in_str) {
            if (c == '\\') {
                c = src_get(s);
                if (c == EOF)
                    return src_fail(s, "unexpected end inside a string");
                ch = (char)c;
                wjr_buf_put(b, &ch, 1);
            } else if (c == '"') {
                in_str = 0;
                if (depth == 0)
                    break;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                break;
        }
    }
    return b->oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;
}

static int src_value(json_t **out, wjr_buf *b, json_src *s)
{
    json_error_t jerr;
    int error = src_capture(b, s);

    *out = NULL;
    if (error < 0)
        return error;
    *out = json_loadb(b->ptr, b->len, JSON_DECODE_ANY, &jerr);
    if (*out == NULL)
        return wjr_error_set(WJR_EINVALID, "runner JSON: %s near byte %ld", jerr.text, s->offset);
    return 0;
}

/* The text of member key of o: as src (o's text, when known) holds it,
 * or printed anew from jansson's value. NULL for none or null. */
static char *member_text(const json_t *o, const char *key, const char *src, size_t src_len)
{
    json_t *v = json_object_get(o, key);
    size_t off, len;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (src != NULL && wjr_json_member_span(src, src_len, key, &off, &len) == 1) {
        char *text = malloc(len + 1);

        if (text != NULL) {
            memcpy(text, src + off, len);
            text[len] = '\0';
        }
        return text;
    }
    return wjr_json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

int wjr__trial_from_json(trial **out, wjr_runner *r, const json_t *o, const char *src,
                         size_t src_len)
{
    trial *t;
    const char *s;
    json_t *v;
    size_t i;

    *out = NULL;
    v = json_object_get(o, "index");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return wjr_error_set(WJR_EINVALID, "runner JSON: a trial has no valid index");
    t = wjr__trial_new(r, (int64_t)json_integer_value(v), NULL);
    if (t == NULL)
        return WJR_ENOMEM;
    if (wjr_trial_status_parse(&t->info.status, json_string_value(json_object_get(o, "status"))) <
        0) {
        int64_t index = t->info.index;
        wjr__trial_free(t);
        return wjr_error_prefix("runner JSON: trial %lld", (long long)index);
    }
    s = json_string_value(json_object_get(o, "submission"));
    t->sub = SUB_NONE;
    for (i = 0; s && i < 3; i++)
        if (strcmp(s, sub_names[i]) == 0)
            t->sub = (sub_state)i;
    t->info.params_json = member_text(o, "parameters", src, src_len);
    t->info.metrics_json = member_text(o, "metrics", src, src_len);
    s = json_string_value(json_object_get(o, "key"));
    if (wjr__trial_key(r, t, s, wjr__key_is_array(r, s)) < 0) {
        wjr__trial_free(t);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    v = json_object_get(o, "planned_task");
    t->planned_task = json_is_integer(v) ? (uint32_t)json_integer_value(v) : WJR_NO_TASK;
    t->intent_time = (int64_t)json_integer_value(json_object_get(o, "intent_time"));
    wjr__set_text(&t->info.run.job_id, json_string_value(json_object_get(o, "job_id")));
    t->info.run.slurm_job_id = (uint32_t)json_integer_value(json_object_get(o, "slurm_job_id"));
    t->info.run.array_job_id = (uint32_t)json_integer_value(json_object_get(o, "array_job_id"));
    v = json_object_get(o, "array_task_id");
    t->info.run.array_task_id = json_is_integer(v) ? (uint32_t)json_integer_value(v) : WJR_NO_TASK;
    t->info.run.submit_time = (int64_t)json_integer_value(json_object_get(o, "submit_time"));
    t->info.start_time = (int64_t)json_integer_value(json_object_get(o, "start_time"));
    t->info.end_time = (int64_t)json_integer_value(json_object_get(o, "end_time"));
    t->info.restarts = (uint32_t)json_integer_value(json_object_get(o, "restarts"));
    t->state_word = (uint32_t)json_integer_value(json_object_get(o, "state_word"));
    t->info.slurm_state = wjr__intern(r, json_string_value(json_object_get(o, "slurm_state")));
    free((char *)t->info.reason);
    t->info.reason = wjr_json_text_get(json_object_get(o, "reason"));
    v = json_object_get(o, "exit_code");
    t->info.exit_code = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    t->info.term_signal = (int)json_integer_value(json_object_get(o, "signal"));
    t->info.attempt = (int)json_integer_value(json_object_get(o, "attempt"));
    t->retries = (int)json_integer_value(json_object_get(o, "retries"));
    t->prior_attempts = (int)json_integer_value(json_object_get(o, "prior_attempts"));
    wjr__set_str(&t->history, json_string_value(json_object_get(o, "history")));
    t->info.run.partition = wjr__intern(r, json_string_value(json_object_get(o, "partition")));
    t->info.run.cluster = wjr__intern(r, json_string_value(json_object_get(o, "cluster")));
    if (t->sub == SUB_SUBMITTED && t->info.run.job_id == NULL) {
        wjr__trial_free(t);
        return wjr_error_set(WJR_EINVALID, "runner JSON: submitted trial has no job id");
    }
    *out = t;
    return 0;
}

/*
 * The saved wrapper: a built-in type through the library's registry, any
 * other through the caller's factory (wjr_runner_options, version 2).
 */
static int load_wrapper(wjr_wrapper **out, const char *type, const char *settings,
                        const wjr_runner_options *opts)
{
    wjr_wrapper_factory_fn factory = opts && opts->version >= 2 ? opts->wrapper_factory : NULL;
    int error;

    *out = NULL;
    if (type == NULL || wjr__wrapper_type_builtin(type))
        return wjr_wrapper_from_json(out, type, settings);
    if (factory == NULL)
        return wjr_error_set(WJR_EINVALID,
                             "runner JSON: the wrapper is of type '%s', which is not built in: "
                             "wjr_runner_options.wrapper_factory must build it",
                             type);
    error = factory(out, type, settings, opts->wrapper_factory_payload);
    if (error == 0 && *out != NULL)
        return 0;
    if (error == 0) /* success without a wrapper */
        return wjr_error_set(WJR_EINVALID, "runner JSON: the wrapper factory built no '%s' wrapper",
                             type);
    wjr_wrapper_free(*out); /* nothing a failed factory left is kept */
    *out = NULL;
    if (error > 0)
        error = WJR_ERROR;
    /* the factory's own message when it set one (through a wjr call) */
    if (wjr_error_last_code() == error)
        return wjr_error_prefix("runner JSON: the wrapper factory could not build a '%s' wrapper",
                                type);
    return wjr_error_set(error, "runner JSON: the wrapper factory could not build a '%s' wrapper",
                         type);
}

static int runner_from_header(wjr_runner **out, json_t *root, const wjr_runner_options *opts)
{
    wjr_runner_options o = WJR_RUNNER_OPTIONS_INIT;
    json_t *backend_o, *v;
    wjr_backend *backend = NULL;
    wjr_wrapper *wrapper = NULL;
    char *settings = NULL, *exp_dir = NULL;
    const char *type;
    int error;

    *out = NULL;
    type = json_string_value(json_object_get(root, "__type"));
    if (type == NULL || strcmp(type, "WrappedJobRunner") != 0)
        return wjr_error_set(WJR_EINVALID, "runner JSON: __type is not WrappedJobRunner");
    v = json_object_get(root, "schema_version");
    if (!json_is_integer(v) || json_integer_value(v) > RUNNER_SCHEMA_VERSION)
        return wjr_error_set(WJR_EINVALID,
                             "runner JSON: schema version %lld is not supported (this wjr "
                             "reads up to %d)",
                             (long long)json_integer_value(v), RUNNER_SCHEMA_VERSION);
    /* without its id a runner would make a new one, and its trials' keys
     * would no longer name their jobs: exactly-once depends on it */
    if (!json_is_string(json_object_get(root, "study_id")))
        return wjr_error_set(WJR_EINVALID, "runner JSON: no study_id");
    backend_o = json_object_get(root, "backend");
    settings = member_text(backend_o, "settings", NULL, 0);
    error = wjr_backend_from_json(&backend, json_string_value(json_object_get(backend_o, "type")),
                                  settings ? settings : "{}");
    free(settings);
    if (error < 0)
        return error;
    settings = member_text(root, "wrapper", NULL, 0);
    error = load_wrapper(&wrapper, json_string_value(json_object_get(root, "wrapper_type")),
                         settings ? settings : "{}", opts);
    free(settings);
    if (error < 0) {
        wjr_backend_free(backend);
        return error;
    }
    if (opts) {
        o.log = opts->log;
        o.log_payload = opts->log_payload;
        o.log_level = opts->log_level;
        o.checkpoint = opts->checkpoint;
        o.checkpoint_payload = opts->checkpoint_payload;
    }
    exp_dir = wjr_json_text_get(json_object_get(root, "experiment_dir"));
    o.experiment_dir = exp_dir;
    o.study_id = json_string_value(json_object_get(root, "study_id"));
    if (opts && opts->experiment_dir)
        o.experiment_dir = opts->experiment_dir;
    error = wjr_runner_new(out, backend, wrapper, &o);
    v = json_object_get(root, "max_infrastructure_retries");
    if (error == 0 && json_is_integer(v))
        wjr_runner_set_infrastructure_retries(*out, (int)json_integer_value(v));
    free(exp_dir);
    return error;
}

static int add_trial_json(wjr_runner *r, json_t *o)
{
    trial *t;
    int error = wjr__trial_from_json(&t, r, o, NULL, 0);

    if (error < 0)
        return error;
    error = wjr__insert_trial(r, t);
    if (error < 0)
        wjr__trial_free(t);
    return error;
}

/* Read the trials array one element at a time. */
static int read_trials(wjr_runner *r, wjr_buf *b, json_src *s)
{
    json_t *v;
    int c, error;

    if (src_get(s) != '[')
        return src_fail(s, "\"trials\" is not a list");
    src_skip_ws(s);
    if (src_peek(s) == ']') {
        src_get(s);
        return 0;
    }
    for (;;) {
        src_skip_ws(s);
        error = src_value(&v, b, s);
        if (error < 0)
            return error;
        error = add_trial_json(r, v);
        json_decref(v);
        if (error < 0)
            return error;
        src_skip_ws(s);
        c = src_get(s);
        if (c == ']')
            return 0;
        if (c != ',')
            return src_fail(s, "expected ',' or ']' in \"trials\"");
    }
}

static int runner_read(wjr_runner **out, json_src *s, const wjr_runner_options *opts)
{
    json_t *header = json_object(), *key = NULL, *v = NULL, *late = NULL;
    wjr_buf b = WJR_BUF_INIT;
    wjr_runner *r = NULL;
    size_t i;
    int error = 0, c, seen_trials = 0;

    *out = NULL;
    src_skip_ws(s);
    if (src_get(s) != '{') {
        error = src_fail(s, "expected a JSON object");
        goto done;
    }
    src_skip_ws(s);
    if (src_peek(s) == '}') {
        src_get(s);
        goto build;
    }
    for (;;) {
        src_skip_ws(s);
        error = src_value(&key, &b, s);
        if (error < 0)
            goto done;
        if (!json_is_string(key)) {
            error = src_fail(s, "expected a key");
            goto done;
        }
        src_skip_ws(s);
        if (src_get(s) != ':') {
            error = src_fail(s, "expected ':'");
            goto done;
        }
        src_skip_ws(s);
        if (strcmp(json_string_value(key), "trials") == 0 && seen_trials++ > 0) {
            error = wjr_error_set(WJR_EINVALID, "runner JSON: \"trials\" appears twice");
            goto done;
        }
        if (strcmp(json_string_value(key), "trials") == 0 && late == NULL && r == NULL &&
            json_object_get(header, "backend") && json_object_get(header, "wrapper")) {
            error = runner_from_header(&r, header, opts);
            if (error < 0)
                goto done;
            error = read_trials(r, &b, s);
            if (error < 0)
                goto done;
        } else if (strcmp(json_string_value(key), "trials") == 0) {
            /* trials before the settings: keep them whole, read them below */
            error = src_value(&late, &b, s);
            if (error < 0)
                goto done;
        } else {
            error = src_value(&v, &b, s);
            if (error < 0)
                goto done;
            json_object_set_new(header, json_string_value(key), v);
            v = NULL;
        }
        json_decref(key);
        key = NULL;
        src_skip_ws(s);
        c = src_get(s);
        if (c == '}')
            break;
        if (c != ',') {
            error = src_fail(s, "expected ',' or '}'");
            goto done;
        }
    }
    src_skip_ws(s);
    if (src_peek(s) != EOF) {
        error = src_fail(s, "text after the runner's JSON object");
        goto done;
    }
build:
    if (r == NULL) {
        error = runner_from_header(&r, header, opts);
        if (error < 0)
            goto done;
    }
    if (late && !json_is_array(late)) {
        error = wjr_error_set(WJR_EINVALID, "runner JSON: \"trials\" is not a list");
        goto done;
    }
    for (i = 0; late && i < json_array_size(late); i++) {
        error = add_trial_json(r, json_array_get(late, i));
        if (error < 0)
            goto done;
    }
done:
    json_decref(header);
    json_decref(key);
    json_decref(v);
    json_decref(late);
    wjr_buf_free(&b);
    if (error < 0) {
        wjr_runner_free(r);
        return error;
    }
    *out = r;
    return 0;
}

int wjr_runner_from_json(wjr_runner **out, const char *text, const wjr_runner_options *opts)
{
    json_src s = {NULL, NULL, NULL, 0};

    *out = NULL;
    if (text == NULL)
        return wjr_error_set(WJR_EINVALID, "runner JSON: no text");
    s.p = text;
    s.end = text + strlen(text);
    return runner_read(out, &s, opts);
}

int wjr_runner_from_json_file(wjr_runner **out, const char *path, const wjr_runner_options *opts)
{
    json_src s = {NULL, NULL, NULL, 0};
    int error;

    *out = NULL;
    if (path == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr_runner_from_json_file: no path");
    s.f = fopen(path, "re");
    if (s.f == NULL)
        return wjr_error_set(errno == ENOENT ? WJR_ENOTFOUND : WJR_EIO, "cannot read %s: %s", path,
                             strerror(errno));
    error = runner_read(out, &s, opts);
    fclose(s.f);
    if (error < 0)
        wjr_error_prefix("%s", path);
    return error;
}
