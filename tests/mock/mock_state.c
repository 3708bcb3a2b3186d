/*
 * mock_state.c - how the fake controller is set up from outside a test
 * and kept between processes. The state file (WJR_MOCK_STATE,
 * mock_set_state_file) holds the job table, the submissions and the RPC
 * and kill counts as JSON, read when it is named and written atomically
 * after every wrapped call that may change them (mock__save), so that
 * `wjr run` and a later `wjr resume` or `wjr poll` see one controller.
 * The WJR_MOCK_* variables (mock_load_env) are read once, at the first
 * wrapped call (mock__enter). It owns only the file's path and whether the
 * environment was read; what it saves and restores it reads and writes
 * through mock_slurm.c (mock_slurm.h, mock_int.h). Failures are per
 * process: they are not kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <slurm/slurm_errno.h>

#include "mock_int.h"

static struct {
    char *path; /* the state file, or NULL */
} S;

static int env_loaded; /* the WJR_MOCK_* variables were read */

void mock__state_reset(void)
{
    free(S.path);
    S.path = NULL;
}

/* ---- the state file ------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static char *json_dup(json_t *o, const char *key)
{
    return mock__dup(json_string_value(json_object_get(o, key)));
}

static uint32_t json_u32(json_t *o, const char *key)
{
    return (uint32_t)json_integer_value(json_object_get(o, key));
}

static const char *const rpc_names[MOCK_RPC_KINDS] = {
    "submit",  "query",        "kill",     "conf",  "partitions", "db_connect",
    "db_jobs", "reservations", "licenses", "nodes", "states",     "will_run"};

static json_t *job_to_json(const mock_job *j)
{
    json_t *o = json_object(), *pending = json_array();
    size_t k;

    for (k = 0; k < j->n_pending; k++)
        json_array_append_new(pending, json_integer(j->pending[k]));
    json_object_set_new(o, "job_id", json_integer(j->job_id));
    json_object_set_new(o, "array_job_id", json_integer(j->array_job_id));
    json_object_set_new(o, "array_task_id", json_integer(j->array_task_id));
    json_object_set_new(o, "pending", pending);
    json_object_set_new(o, "throttle", json_integer(j->throttle));
    json_object_set_new(o, "state", json_integer(j->state));
    json_object_set_new(o, "exit_code", json_integer(j->exit_code));
    json_object_set_new(o, "requeue", json_integer(j->requeue));
    json_object_set_new(o, "submit_time", json_integer(j->submit_time));
    json_object_set_new(o, "start_time", json_integer(j->start_time));
    json_object_set_new(o, "end_time", json_integer(j->end_time));
    json_object_set_new(o, "name", str_or_null(j->name));
    json_object_set_new(o, "comment", str_or_null(j->comment));
    json_object_set_new(o, "state_desc", str_or_null(j->state_desc));
    json_object_set_new(o, "exec", json_integer(j->exec));
    json_object_set_new(o, "polls", json_integer(j->polls));
    return o;
}

static json_t *submission_to_json(const mock_submission *s)
{
    json_t *o = json_object(), *env = json_array();
    size_t k;

    for (k = 0; k < s->env_size; k++)
        json_array_append_new(env, str_or_null(s->env[k]));
    json_object_set_new(o, "job_id", json_integer(s->job_id));
    json_object_set_new(o, "name", str_or_null(s->name));
    json_object_set_new(o, "comment", str_or_null(s->comment));
    json_object_set_new(o, "array_inx", str_or_null(s->array_inx));
    json_object_set_new(o, "partition", str_or_null(s->partition));
    json_object_set_new(o, "work_dir", str_or_null(s->work_dir));
    json_object_set_new(o, "std_out", str_or_null(s->std_out));
    json_object_set_new(o, "std_err", str_or_null(s->std_err));
    json_object_set_new(o, "script", str_or_null(s->script));
    json_object_set_new(o, "resources", str_or_null(s->resources));
    json_object_set_new(o, "env", env);
    return o;
}

/* Write the state file atomically (write, rename); errno is kept. */
void mock__save(void)
{
    json_t *root, *jobs, *subs, *rpc;
    char *tmp;
    size_t i;
    int saved = errno;

    if (S.path == NULL)
        return;
    root = json_object();
    jobs = json_array();
    subs = json_array();
    rpc = json_object();
    for (i = 0; i < mock_job_count(); i++)
        json_array_append_new(jobs, job_to_json(mock_job_at(i)));
    for (i = 0; i < mock_submission_count(); i++)
        json_array_append_new(subs, submission_to_json(mock_submission_at(i)));
    for (i = 0; i < MOCK_RPC_KINDS; i++)
        json_object_set_new(rpc, rpc_names[i], json_integer((json_int_t)mock_rpc_count(i)));
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "next_id", json_integer(mock__next_id()));
    json_object_set_new(root, "kills", json_integer((json_int_t)mock_kill_count()));
    json_object_set_new(root, "last_kill", json_string(mock_last_kill()));
    json_object_set_new(root, "rpc", rpc);
    json_object_set_new(root, "jobs", jobs);
    json_object_set_new(root, "submissions", subs);
    tmp = malloc(strlen(S.path) + 32);
    if (tmp == NULL)
        abort();
    sprintf(tmp, "%s.tmp.%ld", S.path, (long)getpid());
    if (json_dump_file(root, tmp, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 ||
        rename(tmp, S.path) != 0) {
        fprintf(stderr, "mock_slurm: cannot write %s\n", S.path);
        unlink(tmp);
    }
    free(tmp);
    json_decref(root);
    errno = saved;
}

static void job_from_json(json_t *o)
{
    mock_job *j = mock__new_job();
    json_t *pending = json_object_get(o, "pending");
    size_t k, cap = 0;

    j->job_id = json_u32(o, "job_id");
    j->array_job_id = json_u32(o, "array_job_id");
    j->array_task_id = json_u32(o, "array_task_id");
    for (k = 0; k < json_array_size(pending); k++) {
        j->pending = mock__grow(j->pending, &cap, j->n_pending, sizeof(*j->pending));
        j->pending[j->n_pending++] = (uint32_t)json_integer_value(json_array_get(pending, k));
    }
    j->throttle = (int)json_integer_value(json_object_get(o, "throttle"));
    j->state = json_u32(o, "state");
    j->exit_code = json_u32(o, "exit_code");
    j->requeue = (int)json_integer_value(json_object_get(o, "requeue"));
    j->submit_time = json_integer_value(json_object_get(o, "submit_time"));
    j->start_time = json_integer_value(json_object_get(o, "start_time"));
    j->end_time = json_integer_value(json_object_get(o, "end_time"));
    j->name = json_dup(o, "name");
    j->comment = json_dup(o, "comment");
    j->state_desc = json_dup(o, "state_desc");
    j->exec = (int)json_integer_value(json_object_get(o, "exec"));
    j->polls = (int)json_integer_value(json_object_get(o, "polls"));
}

static void submission_from_json(json_t *o)
{
    mock_submission *s;
    json_t *env = json_object_get(o, "env");
    size_t k;

    s = mock__new_submission();
    s->job_id = json_u32(o, "job_id");
    s->name = json_dup(o, "name");
    s->comment = json_dup(o, "comment");
    s->array_inx = json_dup(o, "array_inx");
    s->partition = json_dup(o, "partition");
    s->work_dir = json_dup(o, "work_dir");
    s->std_out = json_dup(o, "std_out");
    s->std_err = json_dup(o, "std_err");
    s->script = json_dup(o, "script");
    s->resources = json_dup(o, "resources");
    s->env_size = json_array_size(env);
    s->env = calloc(s->env_size + 1, sizeof(char *));
    if (s->env == NULL)
        abort();
    for (k = 0; k < s->env_size; k++)
        s->env[k] = mock__dup(json_string_value(json_array_get(env, k)));
}

/* Replace the job table, submissions and counters by the state file's. */
static int load_state(void)
{
    json_error_t jerr;
    json_t *root, *rpc;
    uint64_t counts[MOCK_RPC_KINDS];
    size_t i;

    if (access(S.path, F_OK) != 0)
        return 0;
    root = json_load_file(S.path, 0, &jerr);
    if (!json_is_object(root)) {
        fprintf(stderr, "mock_slurm: %s: %s\n", S.path, jerr.text);
        json_decref(root);
        return -1;
    }
    mock_purge_all();
    mock__clear_submissions();
    for (i = 0; i < json_array_size(json_object_get(root, "jobs")); i++)
        job_from_json(json_array_get(json_object_get(root, "jobs"), i));
    for (i = 0; i < json_array_size(json_object_get(root, "submissions")); i++)
        submission_from_json(json_array_get(json_object_get(root, "submissions"), i));
    rpc = json_object_get(root, "rpc");
    for (i = 0; i < MOCK_RPC_KINDS; i++)
        counts[i] = (uint64_t)json_integer_value(json_object_get(rpc, rpc_names[i]));
    mock__restore_counts(counts, json_u32(root, "next_id"),
                         (size_t)json_integer_value(json_object_get(root, "kills")),
                         json_string_value(json_object_get(root, "last_kill"))
                             ? json_string_value(json_object_get(root, "last_kill"))
                             : "");
    json_decref(root);
    return 0;
}

int mock_set_state_file(const char *path)
{
    free(S.path);
    S.path = mock__dup(path);
    return S.path ? load_state() : 0;
}

/* ---- the environment knobs ---------------------------------------------- */

int mock__env_int(long *out, const char *name)
{
    const char *v = getenv(name);
    char *end;

    if (v == NULL || *v == '\0')
        return 0;
    *out = strtol(v, &end, 10);
    if (end == v || *end != '\0') {
        fprintf(stderr, "mock_slurm: %s=%s is not a number\n", name, v);
        return -1;
    }
    return 1;
}

static int env_failure(mock_rpc kind, const char *name)
{
    const char *v = getenv(name);
    char *end;
    long err, count = -1;

    if (v == NULL || *v == '\0')
        return 0;
    err = strtol(v, &end, 10);
    if (end != v && *end == ':') {
        const char *c = end + 1;
        count = strtol(c, &end, 10);
        if (end == c)
            end = (char *)v;
    }
    if (end == v || *end != '\0') {
        fprintf(stderr, "mock_slurm: %s=%s is not ERRNO[:COUNT]\n", name, v);
        return -1;
    }
    mock_fail(kind, (int)count, (int)err);
    return 0;
}

int mock_load_env(void)
{
    static const struct {
        mock_rpc kind;
        const char *name;
    } fails[] = {{MOCK_RPC_SUBMIT, "WJR_MOCK_FAIL_SUBMIT"},
                 {MOCK_RPC_QUERY, "WJR_MOCK_FAIL_QUERY"},
                 {MOCK_RPC_KILL, "WJR_MOCK_FAIL_KILL"},
                 {MOCK_RPC_CONF, "WJR_MOCK_FAIL_CONF"},
                 {MOCK_RPC_PARTITIONS, "WJR_MOCK_FAIL_PARTITIONS"},
                 {MOCK_RPC_RESERVATIONS, "WJR_MOCK_FAIL_RESERVATIONS"},
                 {MOCK_RPC_LICENSES, "WJR_MOCK_FAIL_LICENSES"},
                 {MOCK_RPC_NODES, "WJR_MOCK_FAIL_NODES"},
                 {MOCK_RPC_WILL_RUN, "WJR_MOCK_FAIL_WILL_RUN"}};
    long v = 0;
    size_t i;
    int rc = 0, got;

    env_loaded = 1;
    if (mock__cluster_name() == NULL)
        mock_set_cluster_name("mockcluster");
    if (mock__exec_env() < 0)
        rc = -1;
    got = mock__env_int(&v, "WJR_MOCK_MAX_ARRAY_SIZE");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        mock_set_max_array_size((uint32_t)v);
    if (mock__cluster_env() < 0)
        rc = -1;
    for (i = 0; i < sizeof(fails) / sizeof(fails[0]); i++)
        if (env_failure(fails[i].kind, fails[i].name) < 0)
            rc = -1;
    got = mock__env_int(&v, "WJR_MOCK_UNREACHABLE");
    if (got < 0)
        rc = -1;
    for (i = 0; got > 0 && v != 0 && i < sizeof(fails) / sizeof(fails[0]); i++)
        mock_fail(fails[i].kind, -1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    got = mock__env_int(&v, "WJR_MOCK_EXIT_AFTER_SUBMIT");
    if (got < 0)
        rc = -1;
    else if (got > 0)
        mock__set_exit_after_submit(v != 0);
    got = mock__env_int(&v, "WJR_MOCK_LOSE_SUBMIT_ANSWER");
    if (got < 0)
        rc = -1;
    else if (got > 0 && v != 0)
        mock_submit_timeout_after_accept();
    if (getenv("WJR_MOCK_STATE") && *getenv("WJR_MOCK_STATE") &&
        mock_set_state_file(getenv("WJR_MOCK_STATE")) < 0)
        rc = -1;
    return rc;
}

/* Every wrapped call starts here: the environment is read once. */
void mock__enter(void)
{
    if (!env_loaded && mock_load_env() < 0)
        abort();
}
