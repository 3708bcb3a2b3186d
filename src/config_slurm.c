/*
 * config_slurm.c - reads the configuration's slurm group: where and as whom
 * the trials run (partition, account, qos, wckey, reservation, constraint,
 * prefer, nodelist, exclude), what each asks for (time, time_min, cpus_per_task,
 * mem, mem_per_cpu, nodes, ntasks, ntasks_per_node, gpus, gpus_per_task,
 * gpus_per_node, cpus_per_gpu, mem_per_gpu, gres, licenses, exclusive,
 * oversubscribe, nice, tmp, hint, threads_per_core, ntasks_per_core,
 * sockets_per_node, cores_per_socket, ntasks_per_socket, distribution,
 * gpu_bind), how
 * Slurm treats it (signal, requeue, requeue_exit_code,
 * array_throttle, mail_type, mail_user), when the jobs may run (begin,
 * deadline), its environment (env, export, propagate),
 * the detached driver's job (driver_partition, driver_time), and
 * script_options.setup.
 *
 * Every value is checked at load, with the parsers of slurm_values.c that
 * the backend uses again, and a bad one fails with file:line (and the
 * column, for YAML) naming the key and the value, before anything is
 * created; so are pairs sbatch would refuse (any two of mem, mem_per_cpu
 * and mem_per_gpu; cpus_per_task with cpus_per_gpu; gpus_per_node with a
 * gpu in gres; hint with threads_per_core, ntasks_per_core,
 * sockets_per_node or cores_per_socket; exclusive
 * with oversubscribe; a time_min longer than time; a deadline before the
 * begin, both read by libslurm's own parser; GPU counts that slurmctld
 * finds at odds, such as gpus_per_task without a count of tasks, and GPU
 * requests with a type beside ones without). A key whose value is a
 * parameter ("{{ threads }}") must name a declared parameter, and every
 * value that parameter can take must fit the key (an integer range for a
 * count, each choice a valid memory size for mem...); the trial's own
 * value is checked again when it is rendered (slurm_resources.c). The
 * comparison with what the cluster has, for `wjr check`, is
 * config_slurm_cluster.c's. It contacts no cluster.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "backend.h"
#include "config_slurm.h"
#include "slurm_gpus.h"
#include "slurm_limits.h"
#include "slurm_values.h"
#include "study_int.h"
#include "util.h"

static const char *const slurm_keys[] = {"partition",
                                         "time",
                                         "cpus_per_task",
                                         "mem",
                                         "account",
                                         "qos",
                                         "constraint",
                                         "gres",
                                         "env",
                                         "array_throttle",
                                         "requeue",
                                         "nodes",
                                         "ntasks",
                                         "ntasks_per_node",
                                         "mem_per_cpu",
                                         "gpus",
                                         "gpus_per_task",
                                         "exclusive",
                                         "reservation",
                                         "licenses",
                                         "time_min",
                                         "nice",
                                         "export",
                                         "signal",
                                         "requeue_exit_code",
                                         "driver_partition",
                                         "driver_time",
                                         "nodelist",
                                         "exclude",
                                         "mail_type",
                                         "mail_user",
                                         "tmp",
                                         "gpus_per_node",
                                         "cpus_per_gpu",
                                         "mem_per_gpu",
                                         "hint",
                                         "threads_per_core",
                                         "ntasks_per_core",
                                         "oversubscribe",
                                         "prefer",
                                         "wckey",
                                         "begin",
                                         "deadline",
                                         "propagate",
                                         "clusters",
                                         "sockets_per_node",
                                         "cores_per_socket",
                                         "ntasks_per_socket",
                                         "distribution",
                                         "gpu_bind",
                                         NULL};

/* "{{ name }}": the name (malloc'd) in *out; 0 when s is no template, 1 when
 * it is one, -1 when it looks like one but is not well formed. */
static int template_name(char **out, const char *s)
{
    const char *p = s, *start;
    size_t n;

    *out = NULL;
    if (strstr(s, "{{") == NULL && strstr(s, "}}") == NULL)
        return 0;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "{{", 2) != 0)
        return -1;
    p += 2;
    while (isspace((unsigned char)*p))
        p++;
    start = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    n = (size_t)(p - start);
    while (isspace((unsigned char)*p))
        p++;
    if (n == 0 || isdigit((unsigned char)*start) || strncmp(p, "}}", 2) != 0)
        return -1;
    p += 2;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return -1;
    *out = wjr_asprintf("%.*s", (int)n, start);
    return *out ? 1 : -1;
}

/* Every value parameter p can take must fit key. */
static int check_param_values(const parse_ctx *ctx, const config_setting_t *s, const char *key,
                              const wjr_param *p)
{
    json_t *v;
    char *text = NULL;
    size_t i;
    int error = 0;

    if (p->kind == WJR_PARAM_RANGE) {
        if (!p->is_int)
            return fail_at(ctx, s,
                           "slurm.%s comes from parameter '%s', which must be an integer "
                           "range (value_type = \"int\") or a choice",
                           key, p->name);
        for (i = 0; i < 2 && error == 0; i++) {
            v = json_integer((json_int_t)(i == 0 ? p->lo : p->hi));
            error = wjr_slurm_res_value(&text, key, v);
            json_decref(v);
            free(text);
            text = NULL;
        }
    } else if (p->kind == WJR_PARAM_CHOICE) {
        for (i = 0; i < json_array_size(p->values) && error == 0; i++) {
            error = wjr_slurm_res_value(&text, key, json_array_get(p->values, i));
            free(text);
            text = NULL;
        }
    } else {
        error = wjr_slurm_res_value(&text, key, p->values);
        free(text);
    }
    if (error < 0)
        return fail_at(ctx, s, "parameter '%s' can take a value that does not fit: %s", p->name,
                       wjr_error_last());
    return 0;
}

/* Record key = "{{ name }}" as a per-trial option. */
static int add_per_trial(wjr_slurm_cfg *c, const parse_ctx *ctx, const config_setting_t *s,
                         const char *key, const char *name, const wjr_study_config *cfg)
{
    wjr_slurm_per_trial *grown, *e;
    char **texts;
    size_t i;
    int error;

    if (!wjr_slurm_res_per_trial_key(key))
        return fail_at(ctx, s, "slurm.%s cannot come from a parameter", key);
    for (i = 0; i < cfg->n_params && strcmp(cfg->params[i].name, name) != 0; i++)
        ;
    if (i == cfg->n_params)
        return fail_at(ctx, s,
                       "slurm.%s names parameter '%s', which the parameters group does "
                       "not declare",
                       key, name);
    error = check_param_values(ctx, s, key, &cfg->params[i]);
    if (error < 0)
        return error;
    grown = realloc(c->per_trial, (c->n_per_trial + 1) * sizeof(*grown));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    c->per_trial = grown;
    texts = realloc(c->per_trial_text, (c->n_per_trial + 2) * sizeof(char *));
    if (texts == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    c->per_trial_text = texts;
    texts[c->n_per_trial] = wjr_asprintf("%s=%s", key, name);
    texts[c->n_per_trial + 1] = NULL;
    e = &grown[c->n_per_trial];
    e->key = wjr_strdup(key);
    e->param = i;
    e->line = (int)config_setting_source_line(s);
    if (texts[c->n_per_trial] == NULL || e->key == NULL) {
        free(texts[c->n_per_trial]);
        texts[c->n_per_trial] = NULL;
        free(e->key);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    c->n_per_trial++;
    return 0;
}

/* A text option: a string, or an integer where ints (time = 30), checked
 * for its key's form. *out is malloc'd. */
static int read_text(char **out, const parse_ctx *ctx, const config_setting_t *s, const char *key,
                     int ints)
{
    int t = config_setting_type(s);

    if (ints && (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64))
        *out = wjr_asprintf("%lld", (long long)config_setting_get_int64(s));
    else if (t == CONFIG_TYPE_STRING)
        *out = wjr_strdup(config_setting_get_string(s));
    else
        return fail_at(ctx, s, "slurm.%s must be a string in double quotes", key);
    if (*out == NULL)
        return WJR_ENOMEM;
    if (wjr_slurm_res_check(key, *out) < 0)
        return fail_at(ctx, s, "%s", wjr_error_last());
    return 0;
}

/* An integer option in [lo, hi]; what: the form named when it is none. */
static int read_count(int *out, const parse_ctx *ctx, const config_setting_t *s, const char *key,
                      long long lo, long long hi, const char *what)
{
    long long v;
    int t = config_setting_type(s);

    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
        return fail_at(ctx, s, "slurm.%s must be %s", key, what);
    v = config_setting_get_int64(s);
    if (v < lo || v > hi)
        return fail_at(ctx, s, "slurm.%s must be between %lld and %lld, not %lld", key, lo, hi, v);
    *out = (int)v;
    return 0;
}

static int read_bool(int *out, const parse_ctx *ctx, const config_setting_t *s, const char *key)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail_at(ctx, s, "slurm.%s must be true or false", key);
    *out = config_setting_get_bool(s);
    return 0;
}

static int parse_env(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *e)
{
    int i, n = config_setting_length(e), t = config_setting_type(e);

    if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_GROUP)
        return type_error(ctx, e, "a list of \"NAME=VALUE\" strings or a group { NAME = ...; }");
    cfg->env = calloc((size_t)n + 1, sizeof(char *));
    if (cfg->env == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(e, (unsigned)i);
        char *entry = NULL;

        if (t == CONFIG_TYPE_GROUP) {
            json_t *v = scalar_json(s);
            if (v == NULL || json_is_boolean(v)) {
                json_decref(v);
                return type_error(ctx, s, "a string or a number");
            }
            if (json_is_string(v))
                entry = wjr_asprintf("%s=%s", config_setting_name(s), json_string_value(v));
            else if (json_is_integer(v))
                entry = wjr_asprintf("%s=%lld", config_setting_name(s),
                                     (long long)json_integer_value(v));
            else {
                char num[64];

                wjr_format_double(num, sizeof(num), json_real_value(v));
                entry = wjr_asprintf("%s=%s", config_setting_name(s), num);
            }
            json_decref(v);
        } else {
            if (config_setting_type(s) != CONFIG_TYPE_STRING)
                return type_error(ctx, s, "a \"NAME=VALUE\" string");
            entry = wjr_strdup(config_setting_get_string(s));
        }
        if (entry == NULL)
            return WJR_ENOMEM;
        cfg->env[i] = entry;
        if (strchr(entry, '=') == NULL || !wjr_slurm_env_name(entry, strcspn(entry, "=")))
            return fail_at(ctx, s,
                           "environment entry \"%s\" must be NAME=VALUE with NAME made of "
                           "letters, digits and _",
                           entry);
    }
    return 0;
}

#define OR_PARAMETER "an integer, or \"{{ parameter }}\""

/* One member of the slurm group whose value is no parameter. */
static int read_one(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *s,
                    const char *key)
{
    wjr_slurm_cfg *c = &cfg->res;
    const struct {
        const char *key;
        char **field;
        int ints; /* an integer is read as its text */
    } texts[] = {
        {"partition", &cfg->partition, 0},
        {"time", &cfg->time, 1},
        {"mem", &cfg->mem, 1},
        {"account", &cfg->account, 0},
        {"qos", &cfg->qos, 0},
        {"constraint", &cfg->constraint, 0},
        {"gres", &cfg->gres, 0},
        {"nodes", &c->nodes, 1},
        {"mem_per_cpu", &c->mem_per_cpu, 1},
        {"gpus", &c->gpus, 1},
        {"gpus_per_task", &c->gpus_per_task, 1},
        {"time_min", &c->time_min, 1},
        {"export", &c->export_env, 1},
        {"signal", &c->signal, 1},
        {"reservation", &c->reservation, 0},
        {"licenses", &c->licenses, 0},
        {"driver_partition", &c->driver_partition, 0},
        {"driver_time", &c->driver_time, 1},
        {"nodelist", &c->nodelist, 0},
        {"exclude", &c->exclude, 0},
        {"mail_type", &c->mail_type, 0},
        {"mail_user", &c->mail_user, 0},
        {"tmp", &c->tmp, 1},
        {"gpus_per_node", &c->gpus_per_node, 1},
        {"mem_per_gpu", &c->mem_per_gpu, 1},
        {"hint", &c->hint, 0},
        {"prefer", &c->prefer, 0},
        {"wckey", &c->wckey, 0},
        {"begin", &c->begin, 0},
        {"deadline", &c->deadline, 0},
        {"propagate", &c->propagate, 0},
        {"clusters", &c->clusters, 0},
        {"distribution", &c->distribution, 0},
        {"gpu_bind", &c->gpu_bind, 0},
    };
    const struct {
        const char *key;
        int *field;
    } counts16[] = {
        /* counts from 1 to 65535 (Slurm's 16 bits), or a parameter */
        {"ntasks_per_node", &c->ntasks_per_node},    {"cpus_per_gpu", &c->cpus_per_gpu},
        {"threads_per_core", &c->threads_per_core},  {"ntasks_per_core", &c->ntasks_per_core},
        {"sockets_per_node", &c->sockets_per_node},  {"cores_per_socket", &c->cores_per_socket},
        {"ntasks_per_socket", &c->ntasks_per_socket}};
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (strcmp(key, texts[i].key) == 0)
            return read_text(texts[i].field, ctx, s, key, texts[i].ints);
    for (i = 0; i < sizeof(counts16) / sizeof(counts16[0]); i++)
        if (strcmp(key, counts16[i].key) == 0)
            return read_count(counts16[i].field, ctx, s, key, 1, 65535, OR_PARAMETER);
    if (strcmp(key, "cpus_per_task") == 0)
        return read_count(&cfg->cpus_per_task, ctx, s, key, 1, 65535, "an integer");
    if (strcmp(key, "array_throttle") == 0)
        return read_count(&cfg->array_throttle, ctx, s, key, 0, 1000000, "an integer");
    if (strcmp(key, "ntasks") == 0)
        return read_count(&c->ntasks, ctx, s, key, 1, 1000000, OR_PARAMETER);
    if (strcmp(key, "nice") == 0)
        return read_count(&c->nice, ctx, s, key, -2147483645LL, 2147483645LL, OR_PARAMETER);
    if (strcmp(key, "requeue_exit_code") == 0)
        return read_count(&c->requeue_exit_code, ctx, s, key, 1, 255, "an integer");
    if (strcmp(key, "exclusive") == 0)
        return read_bool(&c->exclusive, ctx, s, key);
    if (strcmp(key, "oversubscribe") == 0)
        return read_bool(&c->oversubscribe, ctx, s, key);
    if (strcmp(key, "requeue") == 0)
        return read_bool(&cfg->requeue, ctx, s, key);
    if (strcmp(key, "env") == 0)
        return parse_env(cfg, ctx, s);
    return 0; /* check_keys let no other key through */
}

/* Where the check against the cluster names the key's line, or NULL. */
static int *line_of(wjr_slurm_cfg *c, const char *key)
{
    const struct {
        const char *key;
        int *line;
    } lines[] = {
        {"nodes", &c->line_nodes},
        {"ntasks", &c->line_ntasks},
        {"cpus_per_task", &c->line_cpus},
        {"reservation", &c->line_reservation},
        {"licenses", &c->line_licenses},
        {"gres", &c->line_gres},
        {"gpus", &c->line_gpus},
        {"gpus_per_task", &c->line_gpus_per_task},
        {"gpus_per_node", &c->line_gpus_per_node},
        {"mem", &c->line_mem},
        {"mem_per_cpu", &c->line_mem_per_cpu},
        {"mem_per_gpu", &c->line_mem_per_gpu},
        {"constraint", &c->line_constraint},
        {"time", &c->line_time},
        {"time_min", &c->line_time_min},
        {"partition", &c->line_partition},
        {"threads_per_core", &c->line_threads_per_core},
        {"prefer", &c->line_prefer},
        {"account", &c->line_account},
        {"qos", &c->line_qos},
        {"wckey", &c->line_wckey},
        {"nodelist", &c->line_nodelist},
        {"exclude", &c->line_exclude},
        {"deadline", &c->line_deadline},
        {"clusters", &c->line_clusters},
    };
    size_t i;

    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (strcmp(key, lines[i].key) == 0)
            return lines[i].line;
    return NULL;
}

/* The entry for key when a parameter sets it, NULL otherwise. */
static const wjr_slurm_per_trial *per_trial_of(const wjr_slurm_cfg *c, const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < c->n_per_trial; i++)
        if (strcmp(c->per_trial[i].key, key) == 0)
            return &c->per_trial[i];
    return NULL;
}

int wjr_config_slurm_line(const wjr_slurm_cfg *c, const char *key)
{
    const int *line = key != NULL ? line_of((wjr_slurm_cfg *)c, key) : NULL;
    const wjr_slurm_per_trial *e = per_trial_of(c, key);

    if (line != NULL && *line > 0)
        return *line;
    return e != NULL ? e->line : 0;
}

const wjr_param *wjr_config_slurm_param(const wjr_study_config *cfg, const char *key)
{
    const wjr_slurm_per_trial *e = per_trial_of(&cfg->res, key);

    return e != NULL ? &cfg->params[e->param] : NULL;
}

char *wjr_config_slurm_trial_values(const wjr_study_config *cfg, const char *params_json)
{
    const wjr_slurm_cfg *c = &cfg->res;
    json_t *params = params_json != NULL ? json_loads(params_json, 0, NULL) : NULL;
    wjr_buf b = WJR_BUF_INIT;
    const char *name;
    char *v, *out = NULL;
    size_t i, j;

    for (i = 0; params != NULL && i < c->n_per_trial; i++) {
        for (j = 0; j < i && c->per_trial[j].param != c->per_trial[i].param; j++)
            ;
        if (j < i)
            continue; /* said for the option before */
        name = cfg->params[c->per_trial[i].param].name;
        v = json_dumps(json_object_get(params, name), JSON_ENCODE_ANY | JSON_COMPACT);
        wjr_buf_printf(&b, "%s%s = %s (slurm.%s)", b.len > 0 ? ", " : "", name, v != NULL ? v : "?",
                       c->per_trial[i].key);
        free(v);
    }
    json_decref(params);
    if (b.len == 0 || wjr_buf_detach(&out, &b) < 0) {
        wjr_buf_free(&b);
        return NULL;
    }
    return out;
}

/* slurmctld refuses a job whose time_min is longer than its time limit
 * (ESLURM_INVALID_TIME_MIN_LIMIT). time "0" is no limit, as "UNLIMITED";
 * time_min "0" is not sent. A value from a parameter is not known here. */
static int check_time_min(const wjr_study_config *cfg, const parse_ctx *ctx,
                          const config_setting_t *g)
{
    const config_setting_t *s = config_setting_get_member(g, "time_min");
    uint32_t limit, least;

    if (s == NULL || cfg->time == NULL || cfg->res.time_min == NULL)
        return 0;
    if (wjr_slurm_parse_time_limit(&limit, cfg->time) < 0 ||
        wjr_slurm_parse_time(&least, cfg->res.time_min) < 0 || least == 0 || least <= limit)
        return 0;
    return fail_at(ctx, s,
                   "slurm.time_min \"%s\" is longer than slurm.time \"%s\": Slurm refuses a "
                   "job whose minimum time exceeds its time limit",
                   cfg->res.time_min, cfg->time);
}

/* begin and deadline as libslurm reads them (its own parser, sbatch's),
 * and a deadline before the begin, which sbatch refuses. Relative times
 * count from now here, and from each submission when the jobs go. */
static int check_when(const wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *b = config_setting_get_member(g, "begin");
    const config_setting_t *d = config_setting_get_member(g, "deadline");
    int64_t begin = 0, deadline = 0;

    if (b != NULL && wjr_slurm_when(&begin, "begin", cfg->res.begin) < 0)
        return fail_at(ctx, b, "%s", wjr_error_last());
    if (d != NULL && wjr_slurm_when(&deadline, "deadline", cfg->res.deadline) < 0)
        return fail_at(ctx, d, "%s", wjr_error_last());
    if (b != NULL && d != NULL && deadline < begin)
        return fail_at(ctx, d,
                       "slurm.deadline \"%s\" comes before slurm.begin \"%s\": no job could "
                       "start (sbatch refuses the pair)",
                       cfg->res.deadline, cfg->res.begin);
    return 0;
}

/* GPU requests slurmctld would refuse taken together (slurm_gpus.h), at
 * the line of the option to blame. A key that names a parameter counts as
 * given, and its value is checked for each trial. */
static int check_gpus(const wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    wjr_gpu_request r;
    const char *key;
    char msg[512];

    memset(&r, 0, sizeof(r));
    r.gres = cfg->gres;
    r.gpus = cfg->res.gpus;
    r.gpus_per_node = cfg->res.gpus_per_node;
    r.gpus_per_task = cfg->res.gpus_per_task;
    r.nodes = cfg->res.nodes;
    r.has_gpus = config_setting_get_member(g, "gpus") != NULL;
    r.has_gpus_per_task = config_setting_get_member(g, "gpus_per_task") != NULL;
    r.has_tasks = config_setting_get_member(g, "ntasks") != NULL ||
                  config_setting_get_member(g, "ntasks_per_node") != NULL;
    if (!wjr_slurm_gpu_conflict(&key, msg, sizeof(msg), &r))
        return 0;
    return fail_at(ctx, config_setting_get_member(g, key), "%s", msg);
}

/* wjr_slurm_exclusive's view of the slurm group g: a member's text, "" for
 * one that is not a string, NULL when absent or false. */
static const char *member_text(const char *key, const void *g)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL || (config_setting_type(s) == CONFIG_TYPE_BOOL && !config_setting_get_bool(s)))
        return NULL;
    return config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
}

int wjr__cfg_parse_slurm(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    wjr_slurm_cfg *out = &cfg->res;
    const config_setting_t *rq, *rqc;
    const char *second;
    char why[256];
    char *name = NULL;
    unsigned bits;
    int i, n, kind, error;

    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, slurm_keys);
    if (error < 0)
        return error;
    free(out->file);
    out->file = wjr_strdup(ctx->file);
    out->line_group = (int)config_setting_source_line(g);
    n = config_setting_length(g);
    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *key = config_setting_name(s);

        int *line = line_of(out, key);

        if (line != NULL)
            *line = (int)config_setting_source_line(s);
        if (config_setting_type(s) == CONFIG_TYPE_STRING) {
            kind = template_name(&name, config_setting_get_string(s));
            if (kind < 0)
                return fail_at(ctx, s, "slurm.%s: a parameter is written \"{{ name }}\", alone",
                               key);
            if (kind == 1) {
                error = add_per_trial(out, ctx, s, key, name, cfg);
                free(name);
                name = NULL;
                if (error < 0)
                    return error;
                continue;
            }
        }
        error = read_one(cfg, ctx, s, key);
        if (error < 0)
            return error;
    }
    if (wjr_slurm_exclusive(&second, why, sizeof(why), member_text, g))
        return fail_at(ctx, config_setting_get_member(g, second), "%s: keep one", why);
    error = check_time_min(cfg, ctx, g);
    if (error == 0)
        error = check_when(cfg, ctx, g);
    if (error == 0 && cfg->res.propagate != NULL &&
        wjr_slurm_parse_propagate(&bits, cfg->res.propagate) < 0)
        error = fail_at(ctx, config_setting_get_member(g, "propagate"), "%s", wjr_error_last());
    if (error == 0)
        error = check_gpus(cfg, ctx, g);
    if (error == 0 && cfg->res.clusters != NULL &&
        (strchr(cfg->res.clusters, ',') != NULL || strcasecmp(cfg->res.clusters, "all") == 0))
        error = fail_at(ctx, config_setting_get_member(g, "clusters"),
                        "slurm.clusters \"%s\": name one cluster. wjr follows each trial's job on "
                        "one controller, and with a list sbatch -M would choose a cluster "
                        "for each job",
                        cfg->res.clusters);
    if (error < 0)
        return error;
    rq = config_setting_get_member(g, "requeue");
    rqc = config_setting_get_member(g, "requeue_exit_code");
    if (rqc != NULL && rq != NULL && config_setting_type(rq) == CONFIG_TYPE_BOOL &&
        !config_setting_get_bool(rq))
        return fail_at(ctx, rqc,
                       "slurm.requeue_exit_code asks Slurm to requeue the job, which "
                       "slurm.requeue = false forbids");
    return 0;
}

int wjr__cfg_parse_setup(wjr_slurm_cfg *out, const parse_ctx *ctx, const config_setting_t *s)
{
    wjr_buf b = WJR_BUF_INIT;
    int i, n, list = config_setting_is_list(s) || config_setting_is_array(s);

    n = list ? config_setting_length(s) : 1;
    for (i = 0; i < n; i++) {
        const config_setting_t *e = list ? config_setting_get_elem(s, (unsigned)i) : s;
        const char *line;
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            wjr_buf_free(&b);
            return fail_at(ctx, e,
                           "script_options.setup must be a list of strings, one shell "
                           "line each");
        }
        line = config_setting_get_string(e);
        if (strchr(line, '\n') != NULL || strchr(line, '\r') != NULL) {
            wjr_buf_free(&b);
            return fail_at(ctx, e,
                           "script_options.setup: one line per string, without line "
                           "breaks");
        }
        wjr_buf_printf(&b, "%s%s", i > 0 ? "\n" : "", line);
    }
    free(out->setup);
    out->setup = NULL;
    if (n == 0)
        return 0;
    return wjr_buf_detach(&out->setup, &b);
}

void wjr_config_slurm_options(wjr_slurm_options *out, const wjr_slurm_cfg *c)
{
    out->nodes = c->nodes;
    out->ntasks = c->ntasks;
    out->ntasks_per_node = c->ntasks_per_node;
    out->mem_per_cpu = c->mem_per_cpu;
    out->gpus = c->gpus;
    out->gpus_per_task = c->gpus_per_task;
    out->exclusive = c->exclusive;
    out->reservation = c->reservation;
    out->licenses = c->licenses;
    out->time_min = c->time_min;
    out->nice = c->nice;
    out->export_env = c->export_env;
    out->signal = c->signal;
    out->requeue_exit_code = c->requeue_exit_code;
    out->per_trial = (const char *const *)c->per_trial_text;
    out->nodelist = c->nodelist;
    out->exclude = c->exclude;
    out->mail_type = c->mail_type;
    out->mail_user = c->mail_user;
    out->tmp = c->tmp;
    out->gpus_per_node = c->gpus_per_node;
    out->cpus_per_gpu = c->cpus_per_gpu;
    out->mem_per_gpu = c->mem_per_gpu;
    out->hint = c->hint;
    out->threads_per_core = c->threads_per_core;
    out->ntasks_per_core = c->ntasks_per_core;
    out->oversubscribe = c->oversubscribe;
    out->prefer = c->prefer;
    out->wckey = c->wckey;
    out->begin = c->begin;
    out->deadline = c->deadline;
    out->propagate = c->propagate;
    out->clusters = c->clusters;
    out->sockets_per_node = c->sockets_per_node;
    out->cores_per_socket = c->cores_per_socket;
    out->ntasks_per_socket = c->ntasks_per_socket;
    out->distribution = c->distribution;
    out->gpu_bind = c->gpu_bind;
}

void wjr_config_slurm_clear(wjr_slurm_cfg *c)
{
    size_t i;

    free(c->nodes);
    free(c->mem_per_cpu);
    free(c->gpus);
    free(c->gpus_per_task);
    free(c->reservation);
    free(c->licenses);
    free(c->time_min);
    free(c->export_env);
    free(c->setup);
    free(c->signal);
    free(c->driver_partition);
    free(c->driver_time);
    free(c->nodelist);
    free(c->exclude);
    free(c->mail_type);
    free(c->mail_user);
    free(c->tmp);
    free(c->gpus_per_node);
    free(c->mem_per_gpu);
    free(c->hint);
    free(c->prefer);
    free(c->wckey);
    free(c->begin);
    free(c->deadline);
    free(c->propagate);
    free(c->clusters);
    free(c->distribution);
    free(c->gpu_bind);
    free(c->file);
    for (i = 0; i < c->n_per_trial; i++) {
        free(c->per_trial[i].key);
        free(c->per_trial_text[i]);
    }
    free(c->per_trial);
    free(c->per_trial_text);
    memset(c, 0, sizeof(*c));
}
