/*
 * test_util.c - shared helpers of the unit tests (see test_util.h): the
 * fixture, the recording log sink, a wrapper without files, file and
 * process helpers, and the check of a small study's slurm group and the
 * round trip of a backend's text that several tests make. It tests
 * nothing by itself.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "backend.h"
#include "mock_slurm.h"
#include "test_util.h"

/* ---- log capture ------------------------------------------------------- */

void tu_log_fn(wjr_log_level level, int64_t trial_index, const char *message, void *payload)
{
    tu_log *log = payload;

    if (log->count == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 64;
        log->records = realloc(log->records, log->cap * sizeof(*log->records));
        assert_non_null(log->records);
    }
    log->records[log->count].level = level;
    log->records[log->count].trial = trial_index;
    log->records[log->count].message = strdup(message);
    log->count++;
}

long tu_log_find(const tu_log *log, wjr_log_level level, int64_t trial, const char *needle)
{
    size_t i;

    for (i = 0; i < log->count; i++) {
        const tu_record *r = &log->records[i];
        if ((level == 0 || r->level == level) && r->trial == trial &&
            strstr(r->message, needle) != NULL)
            return (long)i;
    }
    return -1;
}

void tu_log_clear(tu_log *log)
{
    size_t i;

    for (i = 0; i < log->count; i++)
        free(log->records[i].message);
    free(log->records);
    memset(log, 0, sizeof(*log));
}

/* ---- files and processes ------------------------------------------------ */

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);

    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *tu_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

void tu_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

int tu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *tu_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = tu_path(tmp && *tmp ? tmp : "/tmp", "wjr-unit-XXXXXX");

    assert_non_null(mkdtemp(dir));
    return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void tu_rm_rf(const char *path)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int tu_run_sh(const char *script_path, const char *cwd, const char *const *env)
{
    pid_t pid = fork();
    int status = 0;
    size_t i;

    assert_true(pid >= 0);
    if (pid == 0) {
        for (i = 0; env && env[i]; i++) {
            char *kv = strdup(env[i]), *eq = strchr(kv, '=');
            *eq = '\0';
            setenv(kv, eq + 1, 1);
        }
        if (cwd && chdir(cwd) < 0)
            _exit(126);
        execl("/bin/sh", "sh", script_path, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* ---- a wrapper that writes nothing -------------------------------------- */

typedef struct plain_wrapper {
    wjr_wrapper parent;
    char *run_model;
} plain_wrapper;

static int plain_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    (void)t;
    *out = strdup(((plain_wrapper *)w)->run_model);
    return *out ? 0 : WJR_ENOMEM;
}

static int plain_to_json(char **out, const wjr_wrapper *w)
{
    (void)w;
    *out = strdup("{}");
    return *out ? 0 : WJR_ENOMEM;
}

static void plain_free(wjr_wrapper *w)
{
    free(((plain_wrapper *)w)->run_model);
    free(w);
}

wjr_wrapper *tu_plain_wrapper(const char *run_model)
{
    plain_wrapper *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    w->parent.version = WJR_WRAPPER_VERSION;
    w->parent.type = "TestWrapper";
    w->parent.run_model = plain_run_model;
    w->parent.to_json = plain_to_json;
    w->parent.free = plain_free;
    w->run_model = strdup(run_model);
    return &w->parent;
}

wjr_wrapper *tu_script_wrapper(const char *run_model, const char *write_configs)
{
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;

    so.run_model = run_model;
    so.write_configs = write_configs;
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    return w;
}

/* ---- the fixture ---------------------------------------------------------- */

int tu_setup(void **state)
{
    tu_fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    mock_reset();
    f->dir = tu_mkdtemp();
    *state = f;
    return 0;
}

int tu_teardown(void **state)
{
    tu_fixture *f = *state;

    wjr_runner_free(f->runner);
    f->runner = NULL;
    /* every buffer libslurm handed out went back to its free call */
    assert_int_equal(mock_outstanding(), 0);
    mock_reset();
    tu_rm_rf(f->dir);
    free(f->dir);
    tu_log_clear(&f->log);
    free(f);
    return 0;
}

int tu_runner_checkpointed(tu_fixture *f, wjr_wrapper *wrapper, const wjr_slurm_options *slurm,
                           wjr_checkpoint_fn checkpoint, void *payload)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_backend *backend = NULL;

    assert_int_equal(wjr_backend_slurm_new(&backend, slurm), 0);
    ro.experiment_dir = f->dir;
    ro.study_id = TU_STUDY;
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    ro.checkpoint = checkpoint;
    ro.checkpoint_payload = payload;
    if (wjr_runner_new(&f->runner, backend, wrapper ? wrapper : tu_plain_wrapper("true"), &ro) < 0)
        return -1;
    /* keys are looked up once; the tests of the bounded wait set their own */
    wjr_runner_set_lookup_wait(f->runner, 0);
    return 0;
}

void tu_runner(tu_fixture *f, wjr_wrapper *wrapper, const wjr_slurm_options *slurm)
{
    assert_int_equal(tu_runner_checkpointed(f, wrapper, slurm, NULL, NULL), 0);
}

const wjr_trial_info *tu_run(tu_fixture *f, int64_t index, const char *params_json)
{
    wjr_trial_spec spec = {index, params_json};
    const wjr_run_metadata *meta = NULL;
    int rc = wjr_runner_run(&meta, f->runner, &spec);

    if (rc != 0)
        fail_msg("run(%lld): %d %s", (long long)index, rc, wjr_error_last());
    assert_non_null(meta);
    return wjr_runner_trial(f->runner, index);
}

wjr_trial_status tu_poll_one(tu_fixture *f, int64_t index)
{
    wjr_poll_result *res = NULL;
    wjr_trial_status s;

    assert_int_equal(wjr_runner_poll(&res, f->runner, &index, 1), 0);
    assert_int_equal(res->count, 1);
    assert_int_equal(res->indices[0], index);
    s = res->statuses[0];
    wjr_poll_result_free(res);
    return s;
}

wjr_trial_spec *tu_make_specs(size_t n, int64_t first)
{
    wjr_trial_spec *s = calloc(n, sizeof(*s));
    size_t i;

    assert_non_null(s);
    for (i = 0; i < n; i++) {
        s[i].index = first + (int64_t)i;
        s[i].params_json = "{\"x\": 0.5}";
    }
    return s;
}

int tu_run_script(tu_fixture *f, const char *script, const char *const *env)
{
    char *path = tu_path(f->dir, "job.sh");
    int rc;

    tu_write(path, script);
    rc = tu_run_sh(path, f->dir, env);
    free(path);
    return rc;
}

void tu_trial_ctx(wjr_trial_ctx *ctx, tu_fixture *f, char **dir)
{
    *dir = tu_path(f->dir, "000001");
    mkdir(*dir, 0755);
    memset(ctx, 0, sizeof(*ctx));
    ctx->index = 1;
    ctx->trial_dir = *dir;
    ctx->experiment_dir = f->dir;
    ctx->params_json = "{\"x\": 1}";
    ctx->log = tu_log_fn;
    ctx->log_payload = &f->log;
}

void tu_put(const char *dir, const char *name, const char *text)
{
    char *path = tu_path(dir, name);
    if (text)
        tu_write(path, text);
    else
        remove(path);
    free(path);
}

char *tu_study_config(tu_fixture *f, const char *body)
{
    char *path = tu_path(f->dir, "study.cfg");
    char text[4096];

    snprintf(text, sizeof(text),
             "%sscript_options = { run_model = \"true\"; experiment_dir = \"%s/exp\"; };\n"
             "slurm = { partition = \"debug\"; };\n",
             body, f->dir);
    tu_write(path, text);
    return path;
}

/* ---- the runner's own record of a trial --------------------------------- */

char *tu_trial_field(wjr_runner *r, int64_t index, const char *field)
{
    char *text = NULL, *out = NULL;
    json_t *root, *trials;
    size_t i;

    assert_int_equal(wjr_runner_to_json(&text, r), 0);
    root = json_loads(text, 0, NULL);
    assert_non_null(root);
    trials = json_object_get(root, "trials");
    for (i = 0; i < json_array_size(trials); i++) {
        json_t *t = json_array_get(trials, i);
        if (json_integer_value(json_object_get(t, "index")) == index) {
            json_t *v = json_object_get(t, field);
            out = v ? json_dumps(v, JSON_ENCODE_ANY) : strdup("null");
        }
    }
    json_decref(root);
    free(text);
    if (out == NULL)
        fail_msg("trial %lld is not in the runner's JSON", (long long)index);
    return out;
}

long long tu_trial_int(wjr_runner *r, int64_t index, const char *field)
{
    char *text = tu_trial_field(r, index, field);
    long long v = strtoll(text, NULL, 10);

    free(text);
    return v;
}

void tu_assert_submission(wjr_runner *r, int64_t index, const char *want)
{
    char *got = tu_trial_field(r, index, "submission"), quoted[64];

    snprintf(quoted, sizeof(quoted), "\"%s\"", want);
    assert_string_equal(got, quoted);
    free(got);
}

const struct mock_submission *tu_last_sub(void)
{
    assert_true(mock_submission_count() > 0);
    return mock_submission_at(mock_submission_count() - 1);
}

void tu_assert_res(const struct mock_submission *s, const char *what)
{
    char *word = malloc(strlen(what) + 2);
    const char *p;
    size_t n;

    assert_non_null(word);
    word[0] = ' ';
    strcpy(word + 1, what);
    n = strlen(word);
    p = strstr(s->resources, word);
    if (p == NULL || (p[n] != ' ' && p[n] != '\0'))
        fail_msg("'%s' not in '%s'", what, s->resources);
    free(word);
}

void tu_assert_no_res(const struct mock_submission *s, const char *what)
{
    if (strstr(s->resources, what) != NULL)
        fail_msg("'%s' unexpectedly in '%s'", what, s->resources);
}

int tu_check_slurm(tu_fixture *f, const char *slurm_group, const char *parameters,
                   wjr_cluster_info **info, char *warnings, size_t size)
{
    char *path = tu_path(f->dir, "c.cfg"), text[1024];
    wjr_study_config *cfg = NULL;
    wjr_cluster_info *got = NULL;
    int rc;

    snprintf(text, sizeof(text),
             "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
             "slurm = {\n%s\n};\nparameters = { %s };\n",
             slurm_group,
             parameters ? parameters : "x = { type = \"range\"; bounds = [0.0, 1.0]; };");
    tu_write(path, text);
    rc = wjr_study_check(&got, &cfg, path);
    if (warnings != NULL)
        snprintf(warnings, size, "%s",
                 cfg != NULL && wjr_study_config_warnings(cfg) ? wjr_study_config_warnings(cfg)
                                                               : "");
    if (info != NULL)
        *info = got;
    else
        wjr_cluster_info_free(got);
    wjr_study_config_free(cfg);
    free(path);
    return rc;
}

void tu_assert_error_has(const char *what)
{
    if (strstr(wjr_error_last(), what) == NULL)
        fail_msg("'%s' not in '%s'", what, wjr_error_last());
}

/* The backend made from o, written out, read back and written again:
 * the same text, which holds each of has[] (NULL-terminated). */
void tu_survives_to_json(const wjr_slurm_options *o, const char *const *has)
{
    wjr_backend *b = NULL, *b2 = NULL;
    char *j1 = NULL, *j2 = NULL;

    assert_int_equal(wjr_backend_slurm_new(&b, o), 0);
    assert_int_equal(b->to_json(&j1, b), 0);
    for (; *has; has++)
        if (strstr(j1, *has) == NULL)
            fail_msg("%s not in %s", *has, j1);
    assert_int_equal(wjr_backend_from_json(&b2, "slurm", j1), 0);
    assert_int_equal(b2->to_json(&j2, b2), 0);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
    wjr_backend_free(b);
    wjr_backend_free(b2);
}
