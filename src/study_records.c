/*
 * study_records.c - the text of the study's durable records: the lines of
 * a snapshot, the records of the journal, and the schema-1 study.json of
 * earlier versions, written and read back (study_records.h).
 *
 * Records are assembled as text: the trials' parameters are canonical JSON
 * already, and the runner's records are spliced in as the runner wrote
 * them. Reading parses one line or one record at a time, so memory follows
 * the largest record, not the study. A trial object applies as a whole
 * (the study's part is complete in every record), so replaying a record
 * twice, or a record older than the state it lands on, gives the same
 * trial.
 */
#include <stdlib.h>
#include <string.h>

#include "wjr/runner.h"
#include "jsonspan.h"
#include "jsontext.h"
#include "runner_store.h"
#include "study_records.h"
#include "study_view.h"

static const char *const state_names[] = {"running", "finished", "failed"};

void wjr__records_header(wjr_buf *b, const wjr_study *s, uint64_t epoch, size_t n_trials,
                         int64_t next_index, const char *runner_header)
{
    wjr_buf_printf(b, "{\"__type\":\"WjrStudy\",\"schema\":%d,\"epoch\":%llu,\"config\":\"%s\"",
                   STUDY_SCHEMA, (unsigned long long)epoch,
                   s->config->is_yaml ? CONFIG_COPY_YAML : CONFIG_COPY);
    wjr_buf_puts(b, ",\"config_dir\":");
    wjr_buf_json_text(b, s->config_dir);
    if (s->config_source != NULL) {
        wjr_buf_puts(b, ",\"config_source\":{\"path\":");
        wjr_buf_json_text(b, s->config_source);
        wjr_buf_printf(b, ",\"digest\":\"%016llx\"}", (unsigned long long)s->config_digest);
    }
    if (s->has_fixed_digest)
        wjr_buf_printf(b, ",\"config_fixed\":\"%016llx\"", (unsigned long long)s->fixed_digest);
    if (s->fixed_text != NULL)
        wjr_buf_printf(b, ",\"config_fixed_text\":%s", s->fixed_text);
    wjr_buf_printf(b,
                   ",\"state\":\"%s\",\"generator\":{\"seed\":%lld,\"drawn\":%lld%s},"
                   "\"n_trials\":%zu,\"next_index\":%lld,\"runner\":%s,\"trials\":[",
                   state_names[s->state], s->seed, (long long)s->drawn,
                   s->sobol_origin ? ",\"sobol_origin\":true" : "", n_trials, (long long)next_index,
                   runner_header);
}

void wjr__records_trial(wjr_buf *b, const wjr_study *s, const study_trial *t,
                        const char *run_record)
{
    wjr_buf_printf(b, "{\"index\":%lld", (long long)t->index);
    if (t->step != NULL)
        wjr_buf_printf(b, ",\"generation\":\"%s\"", t->step);
    if (t->overridden) {
        wjr_buf_printf(b, ",\"status\":\"%s\"", wjr_trial_status_name(t->override));
        if (t->override_reason != NULL) {
            wjr_buf_puts(b, ",\"reason\":");
            wjr_buf_json_text(b, t->override_reason);
        }
    }
    if (run_record != NULL)
        wjr_buf_printf(b, ",\"run\":%s}", run_record);
    else
        wjr_buf_printf(b, ",\"parameters\":%s}", wjr__study_params(s, t));
}

void wjr__records_open(wjr_buf *b, const wjr_study *s)
{
    wjr_buf_printf(b, "{\"state\":\"%s\",\"drawn\":%lld,\"next\":%lld,\"trials\":[",
                   state_names[s->state], (long long)s->drawn, (long long)wjr__study_next_index(s));
}

void wjr__records_close(wjr_buf *b, const char *runner_changes)
{
    wjr_buf_printf(b, "],\"runs\":%s}", runner_changes != NULL ? runner_changes : "[]");
}

static int parse_state(wjr_study *s, json_t *state)
{
    size_t i;

    if (state == NULL)
        return 0;
    for (i = 0; i < sizeof(state_names) / sizeof(*state_names); i++)
        if (json_is_string(state) && strcmp(json_string_value(state), state_names[i]) == 0) {
            s->state = (wjr_study_state)i;
            return 0;
        }
    return -1;
}

const char *wjr__records_config_copy(json_t *root)
{
    const char *copy = json_string_value(json_object_get(root, "config"));

    return copy != NULL && strcmp(copy, CONFIG_COPY_YAML) == 0 ? CONFIG_COPY_YAML : CONFIG_COPY;
}

/* config_dir, generator and state: the same keys in both schemas. */
static int read_study_state(wjr_study *s, json_t *root, const char *path)
{
    json_t *gen = json_object_get(root, "generator"), *source;

    s->config_dir = wjr_json_text_get(json_object_get(root, "config_dir"));
    if (s->config_dir == NULL)
        s->config_dir = wjr_strdup(s->dir);
    if (s->config_dir == NULL)
        return WJR_ENOMEM;
    if (json_is_object(source = json_object_get(root, "config_source"))) {
        const char *digest = json_string_value(json_object_get(source, "digest"));
        s->config_source = wjr_json_text_get(json_object_get(source, "path"));
        if (digest != NULL)
            s->config_digest = strtoull(digest, NULL, 16);
    }
    if (json_is_string(source = json_object_get(root, "config_fixed"))) {
        s->fixed_digest = strtoull(json_string_value(source), NULL, 16);
        s->has_fixed_digest = 1;
    }
    if (json_is_object(source = json_object_get(root, "config_fixed_text"))) {
        s->fixed_text = json_dumps(source, JSON_COMPACT | JSON_SORT_KEYS);
        if (s->fixed_text == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    s->seed = json_integer_value(json_object_get(gen, "seed"));
    s->drawn = json_integer_value(json_object_get(gen, "drawn"));
    /* absent in studies made before SOBOL started at the origin: they go
     * on with the sequence they began with */
    s->sobol_origin = json_is_true(json_object_get(gen, "sobol_origin"));
    if (parse_state(s, json_object_get(root, "state")) < 0)
        return wjr_error_set(WJR_EINVALID, "%s: the study's state is not one wjr writes", path);
    return 0;
}

int wjr__records_read_header(uint64_t *epoch, int64_t *n_trials, int64_t *next_index,
                             json_t **runner, wjr_study *s, json_t *root, const char *path)
{
    json_t *e = json_object_get(root, "epoch"), *n = json_object_get(root, "n_trials");
    json_t *next = json_object_get(root, "next_index");

    *runner = json_object_get(root, "runner");
    if (!json_is_integer(e) || json_integer_value(e) < 0 || !json_is_integer(n) ||
        json_integer_value(n) < 0 || !json_is_integer(next) || json_integer_value(next) < 0 ||
        !json_is_object(*runner))
        return wjr_error_set(WJR_EINVALID,
                             "%s:1: the header lacks its epoch, trial count, "
                             "next index or runner record",
                             path);
    *epoch = (uint64_t)json_integer_value(e);
    *n_trials = json_integer_value(n);
    *next_index = json_integer_value(next);
    return read_study_state(s, root, path);
}

/* The parameters of a new trial: *out its own (malloc'd), or NULL when the
 * runner's record holds them. 0, or -1 when neither has any. */
static int trial_params(char **out, const wjr_study *s, json_t *obj, int64_t index)
{
    json_t *params = json_object_get(obj, "parameters");
    const wjr_trial_info *info;

    *out = NULL;
    if (json_is_object(params)) {
        *out = wjr_json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
        return *out != NULL ? 0 : -1;
    }
    info = wjr_runner_trial(s->runner, index);
    return info != NULL && info->params_json != NULL ? 0 : -1;
}

int wjr__records_apply_trial(wjr_study *s, json_t *obj, const char *src, size_t src_len,
                             const char *where)
{
    json_t *idx = json_object_get(obj, "index"), *run = json_object_get(obj, "run");
    json_t *generation = json_object_get(obj, "generation");
    json_t *status = json_object_get(obj, "status");
    wjr_trial_status override = WJR_TRIAL_CANDIDATE;
    wjr_model model;
    study_trial *t;
    int64_t index;
    int error;

    if (!json_is_integer(idx) || json_integer_value(idx) < 0)
        return wjr_error_set(WJR_EINVALID, "%s: a trial without an index", where);
    index = json_integer_value(idx);
    if (json_is_string(status) && wjr_trial_status_parse(&override, json_string_value(status)) < 0)
        return wjr_error_set(WJR_EINVALID, "%s: trial %lld has a bad status", where,
                             (long long)index);
    if (run != NULL) {
        size_t off = 0, len = 0;

        if (src == NULL || wjr_json_member_span(src, src_len, "run", &off, &len) != 1)
            src = NULL;
        error = wjr__runner_apply_change_text(s->runner, run, src != NULL ? src + off : NULL, len);
        if (error < 0)
            return wjr_error_prefix("%s: trial %lld", where, (long long)index);
    }
    t = wjr__study_find_trial(s, index);
    if (t == NULL) {
        char *params;

        if (index < wjr__study_next_index(s))
            return wjr_error_set(WJR_EINVALID, "%s: trial %lld is out of order", where,
                                 (long long)index);
        if (trial_params(&params, s, obj, index) < 0)
            return wjr_error_set(WJR_EINVALID, "%s: trial %lld has no parameters", where,
                                 (long long)index);
        error = wjr__study_add_trial(s, index, params);
        if (error < 0)
            return error;
        t = &s->trials[s->n_trials - 1];
    }
    t->step = NULL;
    if (json_is_string(generation) &&
        wjr__config_parse_model(&model, json_string_value(generation)) == 0)
        t->step = wjr__model_name(model);
    free(t->override_reason);
    t->override_reason = NULL;
    t->overridden = json_is_string(status);
    if (t->overridden) {
        t->override = override;
        t->override_reason = wjr_json_text_get(json_object_get(obj, "reason"));
    }
    wjr__study_share_params(s, t);
    return 0;
}

int wjr__records_apply(wjr_study *s, const char *payload, size_t len, const char *where)
{
    json_error_t jerr;
    json_t *root = json_loadb(payload, len, 0, &jerr), *drawn, *v;
    size_t i;
    int error = 0;

    if (!json_is_object(root)) {
        json_decref(root);
        return wjr_error_set(WJR_EINVALID, "%s: not a study record: %s", where,
                             root == NULL ? jerr.text : "not an object");
    }
    drawn = json_object_get(root, "drawn");
    if (parse_state(s, json_object_get(root, "state")) < 0 ||
        (drawn != NULL && !json_is_integer(drawn)))
        error = wjr_error_set(WJR_EINVALID, "%s: the study's state is not one wjr writes", where);
    else if (drawn != NULL)
        s->drawn = json_integer_value(drawn);
    json_array_foreach(json_object_get(root, "trials"), i, v)
    {
        if (error == 0)
            error = wjr__records_apply_trial(s, v, NULL, 0, where);
    }
    json_array_foreach(json_object_get(root, "runs"), i, v)
    {
        study_trial *t;

        if (error == 0 && (error = wjr__runner_apply_change(s->runner, v)) < 0)
            wjr_error_prefix("%s", where);
        /* a trial the runner took: its copy of the parameters is the one */
        t = wjr__study_find_trial(s, json_integer_value(json_object_get(v, "index")));
        if (error == 0 && t != NULL)
            wjr__study_share_params(s, t);
    }
    json_decref(root);
    return error;
}

/* ---- schema 1 -------------------------------------------------------------- */

static int legacy_trials(wjr_study *s, json_t *arr, const char *path)
{
    size_t i;
    json_t *tj;

    if (!json_is_array(arr))
        return wjr_error_set(WJR_EINVALID, "%s: trials must be an array", path);
    json_array_foreach(arr, i, tj)
    {
        json_t *idx = json_object_get(tj, "index");
        json_t *status = json_object_get(tj, "status");
        wjr_trial_status st;
        wjr_model model;
        study_trial *t;
        char *text;
        int error;

        if (!json_is_integer(idx) || !json_is_object(json_object_get(tj, "parameters")) ||
            json_integer_value(idx) < wjr__study_next_index(s))
            return wjr_error_set(WJR_EINVALID, "%s: trial %zu is malformed", path, i);
        if (json_is_string(status) && wjr_trial_status_parse(&st, json_string_value(status)) < 0)
            return wjr_error_set(WJR_EINVALID, "%s: trial %lld has a bad status", path,
                                 (long long)json_integer_value(idx));
        text =
            wjr_json_dumps(json_object_get(tj, "parameters"), JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        error = wjr__study_add_trial(s, json_integer_value(idx), text);
        if (error < 0)
            return error;
        t = &s->trials[s->n_trials - 1];
        if (json_is_string(json_object_get(tj, "generation")) &&
            wjr__config_parse_model(&model, json_string_value(json_object_get(tj, "generation"))) ==
                0)
            t->step = wjr__model_name(model);
        if (json_is_string(status)) {
            t->overridden = 1;
            t->override = st;
            t->override_reason = wjr_json_text_get(json_object_get(tj, "reason"));
        }
    }
    return 0;
}

int wjr__records_read_legacy(char **runner_text, wjr_study *s, json_t *root, const char *path)
{
    int error = read_study_state(s, root, path);

    *runner_text = NULL;
    if (error == 0)
        error = legacy_trials(s, json_object_get(root, "trials"), path);
    if (error < 0)
        return error;
    if (!json_is_object(json_object_get(root, "runner")))
        return wjr_error_set(WJR_EINVALID, "%s: the runner record is missing", path);
    *runner_text = wjr_json_dumps(json_object_get(root, "runner"), JSON_COMPACT);
    return *runner_text != NULL ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

int wjr__records_apply_last(wjr_study *s, const char *payload, size_t len, const char *where)
{
    json_t *root = json_loadb(payload, len, 0, NULL), *drawn, *next;
    int error = 0;

    drawn = json_object_get(root, "drawn");
    next = json_object_get(root, "next");
    if (!json_is_object(root) || parse_state(s, json_object_get(root, "state")) < 0 ||
        !json_is_integer(drawn) || !json_is_integer(next))
        error = wjr_error_set(WJR_EINVALID, "%s: not a study record wjr writes", where);
    if (error == 0) {
        s->drawn = json_integer_value(drawn);
        if (json_integer_value(next) > s->unread_below)
            s->unread_below = json_integer_value(next);
    }
    json_decref(root);
    return error;
}
