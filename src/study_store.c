/*
 * study_store.c - the study's durable record in its experiment directory:
 * the lock, the copy of the configuration, study.json and results.csv.
 *
 * study.json is the checkpoint: the trials' parameters and the study's
 * own decisions, the generator's state, the study's state and the
 * runner's record. It is rewritten atomically whenever the runner asks
 * for a checkpoint (before every submit RPC and after every change) and
 * whenever the driver persists the study; results.csv (its text from
 * study_csv.c) follows it, written atomically when that text changed. This
 * is the only file that knows study.json's format: the driver, the
 * reports and the views see the study's record in memory. It decides
 * nothing about trials and contacts no cluster.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "wjr/runner.h"
#include "jsontext.h"
#include "study_csv.h"
#include "study_store.h"
#include "study_view.h"
#include "util.h"

#define STUDY_FILE       "study.json"
#define CONFIG_COPY      "config.cfg"
#define CONFIG_COPY_YAML "config.yaml" /* BOA's YAML, template variables rendered */
#define STUDY_SCHEMA     1

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

/* ---- checkpoint ---------------------------------------------------------- */

/* Append s as a JSON string; text that is not UTF-8 as {"hex": ...}. */
static void put_json_string(wjr_buf *b, const char *s)
{
    json_t *v = wjr_json_text(s);
    char *text = v != NULL ? wjr_json_dumps(v, JSON_ENCODE_ANY) : NULL;

    if (v != NULL && text == NULL)
        b->oom = 1;
    wjr_buf_puts(b, text != NULL ? text : "null");
    free(text);
    json_decref(v);
}

/*
 * study.json's text. It is written at every checkpoint, so it is assembled
 * as text: the trials' parameters are canonical JSON already and the
 * runner's record is spliced in as the runner wrote it, never parsed again.
 */
static int study_text(char **out, const wjr_study *s, wjr_runner *runner)
{
    static const char *const states[] = {"running", "finished", "failed"};
    wjr_buf b = WJR_BUF_INIT;
    char *runner_json = NULL;
    size_t i;
    int error;

    *out = NULL;
    if (runner != NULL) {
        error = wjr_runner_to_json(&runner_json, runner);
        if (error < 0)
            return error;
    }
    wjr_buf_printf(&b, "{\n \"__type\": \"WjrStudy\",\n \"schema\": %d,\n \"config\": \"%s\",\n",
                   STUDY_SCHEMA, s->config->is_yaml ? CONFIG_COPY_YAML : CONFIG_COPY);
    wjr_buf_puts(&b, " \"config_dir\": ");
    put_json_string(&b, s->config_dir);
    wjr_buf_printf(&b,
                   ",\n \"state\": \"%s\",\n \"generator\": {\"seed\": %lld, \"drawn\": %lld},\n"
                   " \"trials\": [",
                   states[s->state], s->seed, (long long)s->drawn);
    for (i = 0; i < s->n_trials; i++) {
        const study_trial *t = &s->trials[i];

        wjr_buf_printf(&b, "%s\n  {\"index\": %lld, \"parameters\": %s", i > 0 ? "," : "",
                       (long long)t->index, t->params_json);
        if (t->step != NULL)
            wjr_buf_printf(&b, ", \"generation\": \"%s\"", t->step);
        if (t->overridden) {
            wjr_buf_printf(&b, ", \"status\": \"%s\"", wjr_trial_status_name(t->override));
            if (t->override_reason != NULL) {
                wjr_buf_puts(&b, ", \"reason\": ");
                put_json_string(&b, t->override_reason);
            }
        }
        wjr_buf_puts(&b, "}");
    }
    wjr_buf_printf(&b, "%s],\n \"runner\": %s\n}\n", s->n_trials > 0 ? "\n " : "",
                   runner_json != NULL ? runner_json : "null");
    free(runner_json);
    return wjr_buf_detach(out, &b);
}

int wjr__store_save(wjr_study *s, wjr_runner *runner)
{
    char *text = NULL, *path = NULL;
    int error;

    if (s->flags & WJR_STUDY_READONLY)
        return 0;
    error = study_text(&text, s, runner);
    if (error < 0)
        return error;
    path = wjr_asprintf("%s/%s", s->dir, STUDY_FILE);
    if (path == NULL)
        error = WJR_ENOMEM;
    else
        error = wjr_write_file_atomic(path, text, strlen(text));
    free(text);
    free(path);
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

int wjr__store_persist(wjr_study *s)
{
    int error = wjr__store_save(s, s->runner);

    if (error == 0)
        error = write_results(s);
    return error;
}

/* The runner changed a trial: study.json now, results.csv at the step's end. */
int wjr__store_checkpoint(wjr_runner *runner, void *payload)
{
    wjr_study *s = payload;

    s->results_stale = 1;
    return wjr__store_save(s, runner);
}

/* ---- loading ------------------------------------------------------------- */

static int load_trials(wjr_study *s, json_t *arr)
{
    size_t i;
    json_t *tj;
    int error;

    if (!json_is_array(arr))
        return wjr_error_set(WJR_EINVALID, "study.json: trials must be an array");
    json_array_foreach(arr, i, tj)
    {
        json_t *idx = json_object_get(tj, "index");
        json_t *params = json_object_get(tj, "parameters");
        json_t *status = json_object_get(tj, "status");
        json_t *reason = json_object_get(tj, "reason");
        json_t *generation = json_object_get(tj, "generation");
        wjr_model model;
        char *text;
        study_trial *t;

        if (!json_is_integer(idx) || !json_is_object(params) ||
            (s->n_trials > 0 && json_integer_value(idx) <= s->trials[s->n_trials - 1].index))
            return wjr_error_set(WJR_EINVALID, "study.json: trial %zu is malformed", i);
        text = wjr_json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        error = wjr__study_add_trial(s, json_integer_value(idx), text);
        if (error < 0)
            return error;
        t = &s->trials[s->n_trials - 1];
        if (json_is_string(generation) &&
            wjr__config_parse_model(&model, json_string_value(generation)) == 0)
            t->step = wjr__model_name(model);
        if (json_is_string(status)) {
            if (wjr_trial_status_parse(&t->override, json_string_value(status)) < 0)
                return wjr_error_set(WJR_EINVALID, "study.json: trial %lld has a bad status",
                                     (long long)t->index);
            t->overridden = 1;
            t->override_reason = wjr_json_text_get(reason);
        }
    }
    return 0;
}

int wjr__store_load(wjr_study *s, const char *dir, const wjr_runner_options *ro)
{
    json_t *root = NULL, *gen, *state;
    json_error_t jerr;
    char *text = NULL, *path = NULL, *runner_text = NULL;
    const char *copy;
    size_t len = 0;
    int error;

    path = wjr_asprintf("%s/%s", s->dir, STUDY_FILE);
    if (path == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    error = wjr_read_file(&text, &len, path);
    if (error == WJR_ENOTFOUND)
        error = wjr_error_set(WJR_ENOTFOUND,
                              "%s holds no study (no %s): start one with `wjr run "
                              "CONFIG` or `wjr init CONFIG`",
                              dir, STUDY_FILE);
    if (error < 0)
        goto done;
    root = json_loads(text, 0, &jerr);
    if (root == NULL || !json_is_string(json_object_get(root, "__type")) ||
        strcmp(json_string_value(json_object_get(root, "__type")), "WjrStudy") != 0) {
        error = wjr_error_set(WJR_EINVALID, "%s:%d: not a wjr study file%s%s", path,
                              root == NULL ? jerr.line : 1, root == NULL ? ": " : "",
                              root == NULL ? jerr.text : "");
        goto done;
    }
    if (json_integer_value(json_object_get(root, "schema")) != STUDY_SCHEMA) {
        error = wjr_error_set(WJR_EINVALID,
                              "%s: schema %lld is not %d: written by another wjr "
                              "version",
                              path, (long long)json_integer_value(json_object_get(root, "schema")),
                              STUDY_SCHEMA);
        goto done;
    }
    s->config_dir = wjr_json_text_get(json_object_get(root, "config_dir"));
    if (s->config_dir == NULL)
        s->config_dir = wjr_strdup(s->dir);
    free(path);
    copy = json_string_value(json_object_get(root, "config"));
    path = wjr_asprintf("%s/%s", s->dir,
                        copy != NULL && strcmp(copy, CONFIG_COPY_YAML) == 0 ? CONFIG_COPY_YAML
                                                                            : CONFIG_COPY);
    if (s->config_dir == NULL || path == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    error = wjr_study_config_load_from(&s->config, path, s->config_dir);
    if (error < 0)
        goto done;
    gen = json_object_get(root, "generator");
    s->seed = json_integer_value(json_object_get(gen, "seed"));
    s->drawn = json_integer_value(json_object_get(gen, "drawn"));
    s->config->seed = s->seed;
    state = json_object_get(root, "state");
    if (json_is_string(state) && strcmp(json_string_value(state), "finished") == 0)
        s->state = WJR_STUDY_FINISHED;
    else if (json_is_string(state) && strcmp(json_string_value(state), "failed") == 0)
        s->state = WJR_STUDY_FAILED;
    error = load_trials(s, json_object_get(root, "trials"));
    if (error < 0)
        goto done;
    runner_text = wjr_json_dumps(json_object_get(root, "runner"), JSON_COMPACT);
    if (runner_text == NULL || !json_is_object(json_object_get(root, "runner"))) {
        error = wjr_error_set(WJR_EINVALID, "%s: the runner record is missing", STUDY_FILE);
        goto done;
    }
    error = wjr_runner_from_json(&s->runner, runner_text, ro);
    if (error < 0)
        wjr_error_prefix("%s/%s", s->dir, STUDY_FILE);
done:
    json_decref(root);
    free(text);
    free(path);
    free(runner_text);
    return error;
}
