/*
 * slurm_resources.c - the resource options of a Slurm job beyond the basic
 * ones: nodes, ntasks, ntasks_per_node, mem_per_cpu, gpus, gpus_per_task,
 * gpus_per_node, cpus_per_gpu, mem_per_gpu, exclusive, reservation,
 * licenses, time_min, nice, export, hint, threads_per_core,
 * ntasks_per_core, sockets_per_node, cores_per_socket, ntasks_per_socket,
 * distribution, gpu_bind and oversubscribe, and the
 * options a trial takes from its own parameters ("cpus_per_task" from the
 * parameter "threads"). It checks their values with slurm_values.c's
 * parsers, keeps the backend's copy of them, turns a trial's parameters into a canonical override
 * text, and resolves all of it into plain numbers that the Slurm backend copies into Slurm's job
 * description. It does not include slurm.h and sends nothing.
 *
 * A value taken from a parameter is checked as a count, a node range, a
 * memory size, a time or a GPU request when the trial's value is rendered,
 * and an error names the parameter, the option and the value; it goes into
 * the job description only, never into a script or onto a command line.
 * When a trial's GPUs, nodes or tasks come from parameters, its GPU
 * request as a whole is checked too (slurm_gpus.h), as the configuration's
 * fixed values were at load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "slurm_dist.h"
#include "slurm_gpus.h"
#include "slurm_resources.h"
#include "slurm_values.h"
#include "util.h"

struct wjr_slurm_extra {
    char *nodes, *mem_per_cpu, *gpus, *gpus_per_task, *reservation, *licenses, *time_min,
        *export_env, *gpus_per_node, *mem_per_gpu, *gres, *hint, *distribution, *gpu_bind;
    int ntasks, ntasks_per_node, exclusive, nice, cpus_per_gpu, threads_per_core, ntasks_per_core,
        oversubscribe, sockets_per_node, cores_per_socket, ntasks_per_socket;
    char **per_trial; /* "key=parameter", NULL-terminated */
    char *signal;
    int requeue_exit_code;
    char *job_env; /* "WJR_REQUEUE_EXIT_CODE=N" or NULL */
};

/* ---- the backend's copy ---------------------------------------------------- */

void wjr_slurm_extra_free(wjr_slurm_extra *x)
{
    size_t i;

    if (x == NULL)
        return;
    free(x->nodes);
    free(x->mem_per_cpu);
    free(x->gpus);
    free(x->gpus_per_task);
    free(x->gpus_per_node);
    free(x->mem_per_gpu);
    free(x->gres);
    free(x->reservation);
    free(x->licenses);
    free(x->time_min);
    free(x->export_env);
    free(x->hint);
    free(x->distribution);
    free(x->gpu_bind);
    free(x->signal);
    free(x->job_env);
    for (i = 0; x->per_trial && x->per_trial[i]; i++)
        free(x->per_trial[i]);
    free(x->per_trial);
    free(x);
}

/* 1 when the NULL-terminated "key=parameter" list (or NULL) names key. */
static int names_key(const char *const *per_trial, const char *key)
{
    size_t i, n = strlen(key);

    for (i = 0; per_trial && per_trial[i]; i++)
        if (strncmp(per_trial[i], key, n) == 0 && per_trial[i][n] == '=')
            return 1;
    return 0;
}

static int per_trial_has(const wjr_slurm_options *o, const char *key)
{
    return names_key(o->per_trial, key);
}

/* wjr_slurm_exclusive's view of o: an option's text, "" for a number or a
 * value from a parameter, NULL when not set. */
static const char *opt_text(const char *key, const void *ctx)
{
    const wjr_slurm_options *o = ctx;
    const struct {
        const char *key, *text;
        int number;
    } opts[] = {{"mem", o->mem, 0},
                {"mem_per_cpu", o->mem_per_cpu, 0},
                {"mem_per_gpu", o->mem_per_gpu, 0},
                {"gpus_per_node", o->gpus_per_node, 0},
                {"gres", o->gres, 0},
                {"hint", o->hint, 0},
                {"cpus_per_task", NULL, o->cpus_per_task},
                {"cpus_per_gpu", NULL, o->cpus_per_gpu},
                {"threads_per_core", NULL, o->threads_per_core},
                {"ntasks_per_core", NULL, o->ntasks_per_core},
                {"sockets_per_node", NULL, o->sockets_per_node},
                {"cores_per_socket", NULL, o->cores_per_socket},
                {"exclusive", NULL, o->exclusive},
                {"oversubscribe", NULL, o->oversubscribe}};
    size_t i;

    for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (strcmp(opts[i].key, key) != 0)
            continue;
        if (opts[i].text != NULL)
            return opts[i].text;
        if (opts[i].number > 0)
            return "";
    }
    return per_trial_has(o, key) ? "" : NULL;
}

static int check_opts(const wjr_slurm_options *o)
{
    /* a node list may name many nodes; the other texts are short */
    const struct {
        const char *key, *text;
        size_t max;
    } texts[] = {{"nodes", o->nodes, WJR_RES_TEXT_MAX},
                 {"mem_per_cpu", o->mem_per_cpu, WJR_RES_TEXT_MAX},
                 {"gpus", o->gpus, WJR_RES_TEXT_MAX},
                 {"gpus_per_task", o->gpus_per_task, WJR_RES_TEXT_MAX},
                 {"time_min", o->time_min, WJR_RES_TEXT_MAX},
                 {"export", o->export_env, WJR_RES_TEXT_MAX},
                 {"signal", o->signal, WJR_RES_TEXT_MAX},
                 {"reservation", o->reservation, WJR_RES_TEXT_MAX},
                 {"licenses", o->licenses, WJR_RES_TEXT_MAX},
                 {"gpus_per_node", o->gpus_per_node, WJR_RES_TEXT_MAX},
                 {"mem_per_gpu", o->mem_per_gpu, WJR_RES_TEXT_MAX},
                 {"nodelist", o->nodelist, WJR_NODE_LIST_MAX},
                 {"exclude", o->exclude, WJR_NODE_LIST_MAX},
                 {"mail_type", o->mail_type, WJR_RES_TEXT_MAX},
                 {"mail_user", o->mail_user, WJR_RES_TEXT_MAX},
                 {"tmp", o->tmp, WJR_RES_TEXT_MAX},
                 {"hint", o->hint, WJR_HINT_MAX},
                 {"prefer", o->prefer, WJR_RES_TEXT_MAX},
                 {"wckey", o->wckey, WJR_RES_TEXT_MAX},
                 {"distribution", o->distribution, WJR_DIST_TEXT_MAX},
                 {"gpu_bind", o->gpu_bind, WJR_GPU_BIND_MAX}};
    const char *second;
    char why[256];
    size_t i;
    int error;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        if (texts[i].text == NULL)
            continue;
        if (strlen(texts[i].text) >= texts[i].max)
            return wjr_error_set(WJR_ECONFIG, "slurm.%s is longer than %zu characters",
                                 texts[i].key, texts[i].max - 1);
        error = wjr_slurm_res_check(texts[i].key, texts[i].text);
        if (error < 0)
            return error;
    }
    if (o->ntasks < 0 || o->ntasks > 1000000 || o->ntasks_per_node < 0 ||
        o->ntasks_per_node > 65535)
        return wjr_error_set(WJR_ECONFIG, "slurm ntasks or ntasks_per_node is out of range");
    if (o->requeue_exit_code < 0 || o->requeue_exit_code > 255)
        return wjr_error_set(WJR_ECONFIG, "slurm requeue_exit_code must be from 1 to 255");
    if (o->requeue_exit_code > 0 && o->requeue == 0)
        return wjr_error_set(WJR_ECONFIG,
                             "slurm requeue_exit_code needs a job Slurm may requeue: not "
                             "requeue = false");
    if (o->cpus_per_gpu < 0 || o->cpus_per_gpu > 65535)
        return wjr_error_set(WJR_ECONFIG, "slurm cpus_per_gpu %d is out of range", o->cpus_per_gpu);
    if (o->threads_per_core < 0 || o->threads_per_core > 65535 || o->ntasks_per_core < 0 ||
        o->ntasks_per_core > 65535)
        return wjr_error_set(WJR_ECONFIG,
                             "slurm threads_per_core or ntasks_per_core is out of range");
    if (o->sockets_per_node < 0 || o->sockets_per_node > 65535 || o->cores_per_socket < 0 ||
        o->cores_per_socket > 65535 || o->ntasks_per_socket < 0 || o->ntasks_per_socket > 65535)
        return wjr_error_set(WJR_ECONFIG, "slurm sockets_per_node, cores_per_socket or "
                                          "ntasks_per_socket is out of range");
    if (wjr_slurm_exclusive(&second, why, sizeof(why), opt_text, o))
        return wjr_error_set(WJR_ECONFIG, "%s", why);
    for (i = 0; o->per_trial && o->per_trial[i]; i++) {
        const char *eq = strchr(o->per_trial[i], '=');
        if (eq == NULL || eq[1] == '\0' ||
            !wjr_slurm_res_per_trial_keyn(o->per_trial[i], (size_t)(eq - o->per_trial[i])))
            return wjr_error_set(WJR_ECONFIG,
                                 "slurm per-trial entry '%s' is not OPTION=PARAMETER with an "
                                 "option that a parameter may set",
                                 o->per_trial[i]);
    }
    return 0;
}

int wjr_slurm_extra_new(wjr_slurm_extra **out, const wjr_slurm_options *o)
{
    wjr_slurm_extra *x;
    size_t i, n = 0;
    int error;

    *out = NULL;
    error = check_opts(o);
    if (error < 0)
        return error;
    x = calloc(1, sizeof(*x));
    if (x == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    x->nodes = wjr_strdup(o->nodes);
    x->mem_per_cpu = wjr_strdup(o->mem_per_cpu);
    x->gpus = wjr_strdup(o->gpus);
    x->gpus_per_task = wjr_strdup(o->gpus_per_task);
    x->gpus_per_node = wjr_strdup(o->gpus_per_node);
    x->mem_per_gpu = wjr_strdup(o->mem_per_gpu);
    x->gres = wjr_strdup(o->gres);
    x->cpus_per_gpu = o->cpus_per_gpu;
    x->reservation = wjr_strdup(o->reservation);
    x->licenses = wjr_strdup(o->licenses);
    x->time_min = wjr_strdup(o->time_min);
    x->export_env = wjr_strdup(o->export_env);
    x->hint = wjr_strdup(o->hint);
    x->threads_per_core = o->threads_per_core;
    x->ntasks_per_core = o->ntasks_per_core;
    x->sockets_per_node = o->sockets_per_node;
    x->cores_per_socket = o->cores_per_socket;
    x->ntasks_per_socket = o->ntasks_per_socket;
    x->distribution = wjr_strdup(o->distribution);
    x->gpu_bind = wjr_strdup(o->gpu_bind);
    x->oversubscribe = o->oversubscribe ? 1 : 0;
    x->ntasks = o->ntasks;
    x->ntasks_per_node = o->ntasks_per_node;
    x->exclusive = o->exclusive ? 1 : 0;
    x->nice = o->nice;
    x->signal = wjr_strdup(o->signal);
    x->requeue_exit_code = o->requeue_exit_code;
    if (x->requeue_exit_code > 0)
        x->job_env = wjr_asprintf("WJR_REQUEUE_EXIT_CODE=%d", x->requeue_exit_code);
    for (i = 0; o->per_trial && o->per_trial[i]; i++)
        n++;
    x->per_trial = calloc(n + 1, sizeof(char *));
    if (x->per_trial == NULL) {
        wjr_slurm_extra_free(x);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        x->per_trial[i] = wjr_strdup(o->per_trial[i]);
        if (x->per_trial[i] == NULL) {
            wjr_slurm_extra_free(x);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
    }
    *out = x;
    return 0;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

static void set_int(json_t *o, const char *key, int v)
{
    if (v)
        json_object_set_new(o, key, json_integer(v));
}

void wjr_slurm_extra_to_json(json_t *o, const wjr_slurm_extra *x)
{
    json_t *pt;
    size_t i;

    set_str(o, "nodes", x->nodes);
    set_str(o, "mem_per_cpu", x->mem_per_cpu);
    set_str(o, "gpus", x->gpus);
    set_str(o, "gpus_per_task", x->gpus_per_task);
    set_str(o, "gpus_per_node", x->gpus_per_node);
    set_str(o, "mem_per_gpu", x->mem_per_gpu);
    set_int(o, "cpus_per_gpu", x->cpus_per_gpu);
    set_str(o, "reservation", x->reservation);
    set_str(o, "licenses", x->licenses);
    set_str(o, "time_min", x->time_min);
    set_str(o, "export", x->export_env);
    set_str(o, "hint", x->hint);
    set_int(o, "threads_per_core", x->threads_per_core);
    set_int(o, "ntasks_per_core", x->ntasks_per_core);
    set_int(o, "sockets_per_node", x->sockets_per_node);
    set_int(o, "cores_per_socket", x->cores_per_socket);
    set_int(o, "ntasks_per_socket", x->ntasks_per_socket);
    set_str(o, "distribution", x->distribution);
    set_str(o, "gpu_bind", x->gpu_bind);
    set_int(o, "oversubscribe", x->oversubscribe);
    set_int(o, "ntasks", x->ntasks);
    set_int(o, "ntasks_per_node", x->ntasks_per_node);
    set_int(o, "exclusive", x->exclusive);
    set_int(o, "nice", x->nice);
    set_str(o, "signal", x->signal);
    set_int(o, "requeue_exit_code", x->requeue_exit_code);
    if (x->per_trial[0] == NULL)
        return;
    pt = json_array();
    for (i = 0; x->per_trial[i]; i++)
        json_array_append_new(pt, json_string(x->per_trial[i]));
    json_object_set_new(o, "per_trial", pt);
}

static const char *get_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int get_int(json_t *o, const char *key)
{
    return (int)json_integer_value(json_object_get(o, key));
}

int wjr_slurm_extra_from_json(wjr_slurm_options *o, const char ***per_trial, json_t *root)
{
    json_t *pt = json_object_get(root, "per_trial");
    size_t i, n = json_is_array(pt) ? json_array_size(pt) : 0;

    o->nodes = get_str(root, "nodes");
    o->mem_per_cpu = get_str(root, "mem_per_cpu");
    o->gpus = get_str(root, "gpus");
    o->gpus_per_task = get_str(root, "gpus_per_task");
    o->gpus_per_node = get_str(root, "gpus_per_node");
    o->mem_per_gpu = get_str(root, "mem_per_gpu");
    o->cpus_per_gpu = get_int(root, "cpus_per_gpu");
    o->reservation = get_str(root, "reservation");
    o->licenses = get_str(root, "licenses");
    o->time_min = get_str(root, "time_min");
    o->export_env = get_str(root, "export");
    o->hint = get_str(root, "hint");
    o->threads_per_core = get_int(root, "threads_per_core");
    o->ntasks_per_core = get_int(root, "ntasks_per_core");
    o->sockets_per_node = get_int(root, "sockets_per_node");
    o->cores_per_socket = get_int(root, "cores_per_socket");
    o->ntasks_per_socket = get_int(root, "ntasks_per_socket");
    o->distribution = get_str(root, "distribution");
    o->gpu_bind = get_str(root, "gpu_bind");
    o->oversubscribe = get_int(root, "oversubscribe");
    o->ntasks = get_int(root, "ntasks");
    o->ntasks_per_node = get_int(root, "ntasks_per_node");
    o->exclusive = get_int(root, "exclusive");
    o->nice = get_int(root, "nice");
    o->signal = get_str(root, "signal");
    o->requeue_exit_code = get_int(root, "requeue_exit_code");
    *per_trial = calloc(n + 1, sizeof(char *));
    if (*per_trial == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++)
        (*per_trial)[i] = json_string_value(json_array_get(pt, i));
    o->per_trial = n ? *per_trial : NULL;
    return 0;
}

/* ---- per trial ------------------------------------------------------------- */

/* The options a trial's GPU request depends on, as the trial has them. */
enum { G_GPUS, G_GPUS_PER_TASK, G_GPUS_PER_NODE, G_NODES, G_NTASKS, G_NTASKS_PER_NODE, G_N };
static const char *const gpu_keys[G_N] = {"gpus",  "gpus_per_task", "gpus_per_node",
                                          "nodes", "ntasks",        "ntasks_per_node"};

/* With some of them from the trial's parameters (given[k], else the fixed
 * value): what slurmctld would refuse of its GPU request taken together
 * (slurm_gpus.h), an error naming it; 0 when it would take it. */
static int check_trial_gpus(const wjr_slurm_extra *x, char *const given[G_N])
{
    wjr_gpu_request r;
    const char *key;
    char msg[512];
    size_t k;

    for (k = 0; k < G_N && given[k] == NULL; k++)
        ;
    if (k == G_N)
        return 0; /* nothing from a parameter: checked at load */
    memset(&r, 0, sizeof(r));
    r.gres = x->gres;
    r.gpus = given[G_GPUS] ? given[G_GPUS] : x->gpus;
    r.gpus_per_task = given[G_GPUS_PER_TASK] ? given[G_GPUS_PER_TASK] : x->gpus_per_task;
    r.gpus_per_node = given[G_GPUS_PER_NODE] ? given[G_GPUS_PER_NODE] : x->gpus_per_node;
    r.nodes = given[G_NODES] ? given[G_NODES] : x->nodes;
    r.has_gpus = r.gpus != NULL;
    r.has_gpus_per_task = r.gpus_per_task != NULL;
    r.has_tasks = x->ntasks > 0 || x->ntasks_per_node > 0 || given[G_NTASKS] != NULL ||
                  given[G_NTASKS_PER_NODE] != NULL;
    if (!wjr_slurm_gpu_conflict(&key, msg, sizeof(msg), &r))
        return 0;
    return wjr_error_set(WJR_EINVALID, "%s, with the values its parameters give", msg);
}

int wjr_slurm_extra_for_trial(char **out, const wjr_slurm_extra *x, const char *params_json)
{
    wjr_buf b = WJR_BUF_INIT;
    json_t *params = NULL;
    char *text = NULL, *key = NULL, *given[G_N] = {NULL};
    size_t i;
    int error = 0;

    *out = NULL;
    if (x == NULL || x->per_trial[0] == NULL)
        return 0;
    params = json_loads(params_json ? params_json : "{}", 0, NULL);
    if (!json_is_object(params)) {
        json_decref(params);
        return wjr_error_set(WJR_EINVALID, "trial parameters are not a JSON object");
    }
    for (i = 0; x->per_trial[i] && error == 0; i++) {
        const char *eq = strchr(x->per_trial[i], '=');
        const json_t *v = json_object_get(params, eq + 1);
        size_t k;
        free(key);
        key = wjr_asprintf("%.*s", (int)(eq - x->per_trial[i]), x->per_trial[i]);
        if (key == NULL) {
            error = WJR_ENOMEM;
        } else if (v == NULL) {
            error = wjr_error_set(WJR_EINVALID,
                                  "slurm.%s comes from parameter '%s', which the "
                                  "trial does not have",
                                  key, eq + 1);
        } else {
            error = wjr_slurm_res_value(&text, key, v);
            if (error < 0)
                wjr_error_prefix("parameter '%s'", eq + 1);
        }
        if (error == 0) {
            wjr_buf_printf(&b, "%s=%s\n", key, text);
            for (k = 0; k < G_N && strcmp(key, gpu_keys[k]) != 0; k++)
                ;
            if (k < G_N && given[k] == NULL) {
                given[k] = text; /* kept for the GPU check */
                text = NULL;
            }
            free(text);
            text = NULL;
        }
    }
    if (error == 0)
        error = check_trial_gpus(x, given);
    for (i = 0; i < G_N; i++)
        free(given[i]);
    free(key);
    json_decref(params);
    if (error < 0) {
        wjr_buf_free(&b);
        return error;
    }
    return wjr_buf_detach(out, &b);
}

/* A text option into its buffer; longer ones were refused before. */
static void copy_text(char dst[WJR_RES_TEXT_MAX], const char *v)
{
    if (strlen(v) < WJR_RES_TEXT_MAX)
        strcpy(dst, v);
}

/* Put one option's text into res; the text was checked before. */
/* The field of a count from 1 to 65535 (Slurm's 16 bits), or NULL. */
static uint32_t *count16(wjr_slurm_res *res, const char *key, size_t len)
{
    const struct {
        const char *key;
        uint32_t *field;
    } counts[] = {{"cpus_per_task", &res->cpus_per_task},
                  {"ntasks_per_node", &res->ntasks_per_node},
                  {"cpus_per_gpu", &res->cpus_per_gpu},
                  {"threads_per_core", &res->threads_per_core},
                  {"ntasks_per_core", &res->ntasks_per_core},
                  {"sockets_per_node", &res->sockets_per_node},
                  {"cores_per_socket", &res->cores_per_socket},
                  {"ntasks_per_socket", &res->ntasks_per_socket}};
    size_t i;

    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
        if (strlen(counts[i].key) == len && strncmp(key, counts[i].key, len) == 0)
            return counts[i].field;
    return NULL;
}

static void apply(wjr_slurm_res *res, const char *key, size_t len, const char *v)
{
    uint32_t *count = count16(res, key, len);
    long long n = 0;
    uint64_t mb = 0;
    uint32_t minutes = 0;

    if (count != NULL) {
        if (wjr_slurm_parse_int(&n, v, 1, 65535) == 0)
            *count = (uint32_t)n;
    } else if (len == 4 && strncmp(key, "time", 4) == 0) {
        if (wjr_slurm_parse_time_limit(&minutes, v) == 0) {
            res->time_minutes = minutes;
            res->time_set = 1;
        }
    } else if (len == 8 && strncmp(key, "time_min", 8) == 0) {
        if (wjr_slurm_parse_time(&minutes, v) == 0)
            res->time_min_minutes = minutes;
    } else if (len == 3 && strncmp(key, "mem", 3) == 0) {
        if (wjr_slurm_parse_mem(&mb, v) == 0)
            res->mem_mb = mb;
    } else if (len == 11 && strncmp(key, "mem_per_cpu", 11) == 0) {
        if (wjr_slurm_parse_mem(&mb, v) == 0)
            res->mem_per_cpu_mb = mb;
    } else if (len == 5 && strncmp(key, "nodes", 5) == 0) {
        wjr_slurm_parse_nodes(&res->min_nodes, &res->max_nodes, v);
    } else if (len == 6 && strncmp(key, "ntasks", 6) == 0) {
        if (wjr_slurm_parse_int(&n, v, 1, 1000000) == 0)
            res->ntasks = (uint32_t)n;
    } else if (len == 4 && strncmp(key, "gpus", 4) == 0) {
        if (wjr_slurm_check_gpus(v) == 0)
            strcpy(res->gpus, v);
    } else if (len == 13 && strncmp(key, "gpus_per_task", 13) == 0) {
        if (wjr_slurm_check_gpus(v) == 0)
            strcpy(res->gpus_per_task, v);
    } else if (len == 13 && strncmp(key, "gpus_per_node", 13) == 0) {
        if (wjr_slurm_check_gpus(v) == 0)
            strcpy(res->gpus_per_node, v);
    } else if (len == 11 && strncmp(key, "mem_per_gpu", 11) == 0) {
        if (wjr_slurm_parse_mem(&mb, v) == 0)
            res->mem_per_gpu_mb = mb;
    } else if (len == 4 && strncmp(key, "nice", 4) == 0) {
        if (wjr_slurm_parse_int(&n, v, -2147483645LL, 2147483645LL) == 0) {
            res->nice = (int)n;
            res->nice_set = 1;
        }
    } else if (len == 9 && strncmp(key, "exclusive", 9) == 0) {
        res->exclusive = wjr_slurm_parse_bool(v) == 1;
    } else if (len == 13 && strncmp(key, "oversubscribe", 13) == 0) {
        res->oversubscribe = wjr_slurm_parse_bool(v) == 1;
    } else if (len == 4 && strncmp(key, "hint", 4) == 0) {
        wjr_slurm_hint h; /* not with threads_per_core or ntasks_per_core */
        if (wjr_slurm_parse_hint(&h, v) == 0) {
            strcpy(res->hint, v);
            res->threads_per_core = h.threads_per_core;
            res->cores_per_socket = h.cores_per_socket;
            res->ntasks_per_core = h.ntasks_per_core;
        }
    } else if (len == 11 && strncmp(key, "reservation", 11) == 0) {
        copy_text(res->reservation, v);
    } else if (len == 8 && strncmp(key, "licenses", 8) == 0) {
        copy_text(res->licenses, v);
    } else if (len == 6 && strncmp(key, "export", 6) == 0) {
        copy_text(res->export_env, v);
    }
}

int wjr_slurm_extra_resolve(wjr_slurm_res *out, const wjr_slurm_extra *x, const char *overrides)
{
    const char *p = overrides;
    char key[32], value[WJR_RES_TEXT_MAX];

    memset(out, 0, sizeof(*out));
    if (x != NULL) {
        if (x->nodes)
            apply(out, "nodes", 5, x->nodes);
        if (x->mem_per_cpu)
            apply(out, "mem_per_cpu", 11, x->mem_per_cpu);
        if (x->gpus)
            apply(out, "gpus", 4, x->gpus);
        if (x->gpus_per_task)
            apply(out, "gpus_per_task", 13, x->gpus_per_task);
        if (x->gpus_per_node)
            apply(out, "gpus_per_node", 13, x->gpus_per_node);
        if (x->mem_per_gpu)
            apply(out, "mem_per_gpu", 11, x->mem_per_gpu);
        out->cpus_per_gpu = (uint32_t)x->cpus_per_gpu;
        if (x->time_min)
            apply(out, "time_min", 8, x->time_min);
        out->ntasks = (uint32_t)x->ntasks;
        out->ntasks_per_node = (uint32_t)x->ntasks_per_node;
        out->exclusive = x->exclusive;
        out->oversubscribe = x->oversubscribe;
        out->threads_per_core = (uint32_t)x->threads_per_core;
        out->ntasks_per_core = (uint32_t)x->ntasks_per_core;
        out->sockets_per_node = (uint32_t)x->sockets_per_node;
        out->cores_per_socket = (uint32_t)x->cores_per_socket;
        out->ntasks_per_socket = (uint32_t)x->ntasks_per_socket;
        if (x->distribution)
            (void)wjr_slurm_parse_dist(&out->dist, NULL, 0, x->distribution);
        if (x->gpu_bind)
            snprintf(out->gpu_bind, sizeof(out->gpu_bind), "%s", x->gpu_bind);
        if (x->hint)
            apply(out, "hint", 4, x->hint);
        out->nice = x->nice;
        out->nice_set = x->nice != 0;
        if (x->reservation)
            copy_text(out->reservation, x->reservation);
        if (x->licenses)
            copy_text(out->licenses, x->licenses);
        if (x->export_env)
            copy_text(out->export_env, x->export_env);
        if (x->signal)
            wjr_slurm_parse_signal(&out->warn_signal, &out->warn_seconds, x->signal);
    }
    while (p && *p) {
        size_t line = strcspn(p, "\n"), klen = strcspn(p, "=");
        if (klen >= line || klen >= sizeof(key) || line - klen - 1 >= sizeof(value) ||
            !wjr_slurm_res_per_trial_keyn(p, klen))
            return wjr_error_set(WJR_EINVALID, "bad per-trial resource line '%.*s'", (int)line, p);
        memcpy(key, p, klen);
        key[klen] = '\0';
        memcpy(value, p + klen + 1, line - klen - 1);
        value[line - klen - 1] = '\0';
        if (wjr_slurm_res_check(key, value) < 0)
            return wjr_error_set(WJR_EINVALID, "bad per-trial resource line '%.*s'", (int)line, p);
        apply(out, p, klen, value);
        p += line;
        if (*p == '\n')
            p++;
    }
    return 0;
}

int wjr_slurm_extra_per_trial(const wjr_slurm_extra *x, const char *key)
{
    return x != NULL && names_key((const char *const *)x->per_trial, key);
}

const char *wjr_slurm_extra_job_env(const wjr_slurm_extra *x)
{
    return x ? x->job_env : NULL;
}

int wjr_slurm_res_exports(const wjr_slurm_res *res, const char *entry)
{
    const char *p;
    size_t nl = strcspn(entry, "=");

    if (res->export_env[0] == '\0' || strcasecmp(res->export_env, "ALL") == 0)
        return 1;
    if (strcasecmp(res->export_env, "NONE") == 0)
        return 0;
    for (p = res->export_env; *p;) {
        size_t n = strcspn(p, ",");
        if (n == nl && strncmp(p, entry, n) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ---- grouping trials for arrays ------------------------------------------ */

typedef struct group_item {
    void *item;
    char *text;
    size_t pos;
} group_item;

static int cmp_group(const void *a, const void *b)
{
    const group_item *x = a, *y = b;
    int c = strcmp(x->text ? x->text : "", y->text ? y->text : "");

    if (c != 0)
        return c;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

int wjr_res_group_sort(void **items, char **texts, size_t n)
{
    group_item *g;
    size_t i;

    if (n < 2)
        return 0;
    g = malloc(n * sizeof(*g));
    if (g == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        g[i].item = items[i];
        g[i].text = texts[i];
        g[i].pos = i;
    }
    qsort(g, n, sizeof(*g), cmp_group);
    for (i = 0; i < n; i++) {
        items[i] = g[i].item;
        texts[i] = g[i].text;
    }
    free(g);
    return 0;
}
