/*
 * config_slurm.c - reads the configuration's slurm group: partition, time,
 * cpus_per_task, mem, account, qos, constraint, gres, env, array_throttle,
 * requeue, and the resource keys nodes, ntasks, ntasks_per_node, mem_per_cpu (exclusive with mem),
 * gpus, gpus_per_task, exclusive, reservation, licenses, time_min, nice and
 * export, and finds the keys whose value is a parameter ("{{ threads }}").
 * Such a key must name a declared parameter, and every value that
 * parameter can take must fit the key (an integer range for a count, each
 * choice a valid memory size for mem...): a study that would fail at its
 * hundredth trial fails at `wjr check` instead. Every error names
 * file:line. The checks of values are those of slurm_resources.c, which
 * the backend applies again.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "config_slurm.h"
#include "slurm_resources.h"
#include "study_int.h"
#include "util.h"

const char *const wjr_config_slurm_keys[] = {
    "nodes",         "ntasks",    "ntasks_per_node", "mem_per_cpu",       "gpus",
    "gpus_per_task", "exclusive", "reservation",     "licenses",          "time_min",
    "nice",          "export",    "signal",          "requeue_exit_code", "driver_partition",
    "driver_time",   NULL};

static int fail(const char *file, const config_setting_t *s, const char *fmt, ...) WJR_FORMAT(3, 4);

static int fail(const char *file, const config_setting_t *s, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    unsigned line = s != NULL ? (unsigned)config_setting_source_line(s) : 0u;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return wjr_error_set(WJR_ECONFIG, "%s:%u: %s", file, line > 0 ? line : 1u, msg);
}

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
static int check_param_values(const char *file, const config_setting_t *s, const char *key,
                              const wjr_param *p)
{
    json_t *v;
    char *text = NULL;
    size_t i;
    int error = 0;

    if (p->kind == WJR_PARAM_RANGE) {
        if (!p->is_int)
            return fail(file, s,
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
        return fail(file, s, "parameter '%s' can take a value that does not fit: %s", p->name,
                    wjr_error_last());
    return 0;
}

/* Record key = "{{ name }}" as a per-trial option. */
static int add_per_trial(wjr_slurm_cfg *c, const char *file, const config_setting_t *s,
                         const char *key, const char *name, const wjr_study_config *cfg)
{
    const wjr_param *p = NULL;
    char **grown;
    size_t i;
    int error;

    if (!wjr_slurm_res_per_trial_key(key))
        return fail(file, s, "slurm.%s cannot come from a parameter", key);
    for (i = 0; i < cfg->n_params; i++)
        if (strcmp(cfg->params[i].name, name) == 0)
            p = &cfg->params[i];
    if (p == NULL)
        return fail(file, s,
                    "slurm.%s names parameter '%s', which the parameters group does "
                    "not declare",
                    key, name);
    error = check_param_values(file, s, key, p);
    if (error < 0)
        return error;
    grown = realloc(c->per_trial, (c->n_per_trial + 2) * sizeof(char *));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    c->per_trial = grown;
    c->per_trial[c->n_per_trial] = wjr_asprintf("%s=%s", key, name);
    c->per_trial[c->n_per_trial + 1] = NULL;
    if (c->per_trial[c->n_per_trial] == NULL)
        return WJR_ENOMEM;
    c->n_per_trial++;
    return 0;
}

/* A text option (a string, or an integer where the key takes one). */
static int read_text(char **out, const char *file, const config_setting_t *s, const char *key)
{
    int t = config_setting_type(s);

    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        *out = wjr_asprintf("%lld", (long long)config_setting_get_int64(s));
    else if (t == CONFIG_TYPE_STRING)
        *out = wjr_strdup(config_setting_get_string(s));
    else
        return fail(file, s, "slurm.%s must be a string in double quotes", key);
    if (*out == NULL)
        return WJR_ENOMEM;
    if (wjr_slurm_res_check(key, *out) < 0)
        return fail(file, s, "%s", wjr_error_last());
    return 0;
}

static int read_count(int *out, const char *file, const config_setting_t *s, const char *key,
                      long long lo, long long hi)
{
    long long v;
    int t = config_setting_type(s);

    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
        return fail(file, s, "slurm.%s must be an integer, or \"{{ parameter }}\"", key);
    v = config_setting_get_int64(s);
    if (v < lo || v > hi)
        return fail(file, s, "slurm.%s must be between %lld and %lld, not %lld", key, lo, hi, v);
    *out = (int)v;
    return 0;
}

static int read_one(wjr_slurm_cfg *c, const char *file, const config_setting_t *s, const char *key)
{
    if (strcmp(key, "ntasks") == 0)
        return read_count(&c->ntasks, file, s, key, 1, 1000000);
    if (strcmp(key, "ntasks_per_node") == 0)
        return read_count(&c->ntasks_per_node, file, s, key, 1, 65535);
    if (strcmp(key, "requeue_exit_code") == 0)
        return read_count(&c->requeue_exit_code, file, s, key, 1, 255);
    if (strcmp(key, "signal") == 0)
        return read_text(&c->signal, file, s, key);
    if (strcmp(key, "driver_time") == 0) {
        if (config_setting_type(s) != CONFIG_TYPE_STRING &&
            config_setting_type(s) != CONFIG_TYPE_INT)
            return fail(file, s, "slurm.driver_time must be a Slurm time such as \"7-00:00:00\"");
        c->driver_time = config_setting_type(s) == CONFIG_TYPE_INT
                             ? wjr_asprintf("%d", config_setting_get_int(s))
                             : wjr_strdup(config_setting_get_string(s));
        if (c->driver_time == NULL || wjr_slurm_res_check("time", c->driver_time) < 0)
            return fail(file, s, "slurm.driver_time \"%s\" is not a Slurm time",
                        c->driver_time ? c->driver_time : "");
        return 0;
    }
    if (strcmp(key, "driver_partition") == 0) {
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return fail(file, s, "slurm.driver_partition must be a string in double quotes");
        c->driver_partition = wjr_strdup(config_setting_get_string(s));
        return 0;
    }
    if (strcmp(key, "nice") == 0)
        return read_count(&c->nice, file, s, key, -2147483645LL, 2147483645LL);
    if (strcmp(key, "exclusive") == 0) {
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return fail(file, s, "slurm.exclusive must be true or false");
        c->exclusive = config_setting_get_bool(s);
        return 0;
    }
    if (strcmp(key, "nodes") == 0)
        return read_text(&c->nodes, file, s, key);
    if (strcmp(key, "mem_per_cpu") == 0)
        return read_text(&c->mem_per_cpu, file, s, key);
    if (strcmp(key, "gpus") == 0)
        return read_text(&c->gpus, file, s, key);
    if (strcmp(key, "gpus_per_task") == 0)
        return read_text(&c->gpus_per_task, file, s, key);
    if (strcmp(key, "time_min") == 0)
        return read_text(&c->time_min, file, s, key);
    if (strcmp(key, "export") == 0)
        return read_text(&c->export_env, file, s, key);
    if (strcmp(key, "reservation") == 0 || strcmp(key, "licenses") == 0) {
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return fail(file, s, "slurm.%s must be a string in double quotes", key);
        *(key[0] == 'r' ? &c->reservation : &c->licenses) =
            wjr_strdup(config_setting_get_string(s));
        return 0;
    }
    return 0; /* a key of config.c's */
}

int wjr_config_slurm_parse(wjr_slurm_cfg *out, const char *file, const config_setting_t *g,
                           const wjr_study_config *cfg)
{
    int i, n = config_setting_length(g), kind, error;
    const config_setting_t *mem, *mpc, *rq, *rqc;
    char *name = NULL;

    free(out->file);
    out->file = wjr_strdup(file);

    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *key = config_setting_name(s);

        if (strcmp(key, "nodes") == 0)
            out->line_nodes = (int)config_setting_source_line(s);
        else if (strcmp(key, "ntasks") == 0)
            out->line_ntasks = (int)config_setting_source_line(s);
        else if (strcmp(key, "cpus_per_task") == 0)
            out->line_cpus = (int)config_setting_source_line(s);

        if (config_setting_type(s) == CONFIG_TYPE_STRING) {
            kind = template_name(&name, config_setting_get_string(s));
            if (kind < 0)
                return fail(file, s, "slurm.%s: a parameter is written \"{{ name }}\", alone", key);
            if (kind == 1) {
                error = add_per_trial(out, file, s, key, name, cfg);
                free(name);
                name = NULL;
                if (error < 0)
                    return error;
                continue;
            }
        }
        error = read_one(out, file, s, key);
        if (error < 0)
            return error;
    }
    mem = config_setting_get_member(g, "mem");
    mpc = config_setting_get_member(g, "mem_per_cpu");
    if (mem != NULL && mpc != NULL)
        return fail(file, mpc,
                    "slurm.mem_per_cpu and slurm.mem exclude each other (sbatch's "
                    "--mem-per-cpu and --mem): keep one");
    rq = config_setting_get_member(g, "requeue");
    rqc = config_setting_get_member(g, "requeue_exit_code");
    if (rqc != NULL && rq != NULL && config_setting_type(rq) == CONFIG_TYPE_BOOL &&
        !config_setting_get_bool(rq))
        return fail(file, rqc,
                    "slurm.requeue_exit_code asks Slurm to requeue the job, which "
                    "slurm.requeue = false forbids");
    return 0;
}

int wjr_config_setup_parse(wjr_slurm_cfg *out, const char *file, const config_setting_t *s)
{
    wjr_buf b = WJR_BUF_INIT;
    int i, n, list = config_setting_is_list(s) || config_setting_is_array(s);

    n = list ? config_setting_length(s) : 1;
    for (i = 0; i < n; i++) {
        const config_setting_t *e = list ? config_setting_get_elem(s, (unsigned)i) : s;
        const char *line;
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            wjr_buf_free(&b);
            return fail(file, e,
                        "script_options.setup must be a list of strings, one shell "
                        "line each");
        }
        line = config_setting_get_string(e);
        if (strchr(line, '\n') != NULL || strchr(line, '\r') != NULL) {
            wjr_buf_free(&b);
            return fail(file, e,
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

/* The largest count option key can ask for: its fixed value, or the
 * largest value its parameter can take ("2-4" counts as 2); 0 when unset. */
static long long largest(const wjr_study_config *cfg, const char *key, long long fixed)
{
    const wjr_slurm_cfg *c = &cfg->res;
    const wjr_param *p = NULL;
    size_t i, n = strlen(key);
    long long best = 0, v;
    char *text = NULL;

    for (i = 0; i < c->n_per_trial; i++)
        if (strncmp(c->per_trial[i], key, n) == 0 && c->per_trial[i][n] == '=') {
            size_t k;
            for (k = 0; k < cfg->n_params; k++)
                if (strcmp(cfg->params[k].name, c->per_trial[i] + n + 1) == 0)
                    p = &cfg->params[k];
        }
    if (p == NULL)
        return fixed;
    if (p->kind == WJR_PARAM_RANGE)
        return (long long)p->hi;
    for (i = 0; i < (p->kind == WJR_PARAM_CHOICE ? json_array_size(p->values) : 1); i++) {
        const json_t *val = p->kind == WJR_PARAM_CHOICE ? json_array_get(p->values, i) : p->values;
        if (wjr_slurm_res_value(&text, key, val) == 0) {
            v = atoll(text);
            best = v > best ? v : best;
        }
        free(text);
        text = NULL;
    }
    return best;
}

int wjr_config_slurm_check_cluster(const wjr_study_config *cfg, const wjr_cluster_info *info)
{
    const wjr_slurm_cfg *c = &cfg->res;
    const char *file = c->file ? c->file : cfg->path;
    long long nodes = largest(cfg, "nodes", c->nodes ? atoll(c->nodes) : 0);
    long long ntasks = largest(cfg, "ntasks", c->ntasks);
    long long cpus = largest(cfg, "cpus_per_task", cfg->cpus_per_task);
    long long need = (ntasks > 0 ? ntasks : 1) * (cpus > 0 ? cpus : 1);

    if (info->partition_nodes > 0 && nodes > (long long)info->partition_nodes)
        return wjr_error_set(WJR_ECONFIG,
                             "%s:%d: slurm.nodes asks for %lld nodes, partition %s "
                             "has %u",
                             file, c->line_nodes > 0 ? c->line_nodes : 1, nodes,
                             cfg->partition ? cfg->partition : "(default)",
                             (unsigned)info->partition_nodes);
    if (info->partition_max_nodes > 0 && nodes > (long long)info->partition_max_nodes)
        return wjr_error_set(WJR_ECONFIG,
                             "%s:%d: slurm.nodes asks for %lld nodes, partition %s "
                             "allows %u per job (MaxNodes)",
                             file, c->line_nodes > 0 ? c->line_nodes : 1, nodes,
                             cfg->partition ? cfg->partition : "(default)",
                             (unsigned)info->partition_max_nodes);
    if (info->partition_cpus > 0 && need > (long long)info->partition_cpus)
        return wjr_error_set(
            WJR_ECONFIG,
            "%s:%d: a trial asks for %lld CPUs (ntasks x "
            "cpus_per_task), partition %s has %u",
            file, c->line_ntasks > 0 ? c->line_ntasks : (c->line_cpus > 0 ? c->line_cpus : 1), need,
            cfg->partition ? cfg->partition : "(default)", (unsigned)info->partition_cpus);
    return 0;
}

int wjr_config_slurm_per_trial(const wjr_slurm_cfg *c, const char *key)
{
    size_t i, n = strlen(key);

    for (i = 0; i < c->n_per_trial; i++)
        if (strncmp(c->per_trial[i], key, n) == 0 && c->per_trial[i][n] == '=')
            return 1;
    return 0;
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
    out->per_trial = (const char *const *)c->per_trial;
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
    free(c->file);
    for (i = 0; i < c->n_per_trial; i++)
        free(c->per_trial[i]);
    free(c->per_trial);
    memset(c, 0, sizeof(*c));
}

static int valid_env_name(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
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
        if (strchr(entry, '=') == NULL || !valid_env_name(entry, strcspn(entry, "=")))
            return fail_at(ctx, s,
                           "environment entry \"%s\" must be NAME=VALUE with NAME made of "
                           "letters, digits and _",
                           entry);
    }
    return 0;
}

int wjr__cfg_parse_slurm(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const base_keys[] = {
        "partition", "time", "cpus_per_task",  "mem",     "account", "qos", "constraint",
        "gres",      "env",  "array_throttle", "requeue", NULL};
    const char *keys[sizeof(base_keys) / sizeof(base_keys[0]) + 16];
    const config_setting_t *e;
    size_t nk = 0, k;
    int64_t v;
    int error;

    for (k = 0; base_keys[k] != NULL; k++)
        keys[nk++] = base_keys[k];
    for (k = 0; wjr_config_slurm_keys[k] != NULL; k++)
        keys[nk++] = wjr_config_slurm_keys[k];
    keys[nk] = NULL;
    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = wjr_config_slurm_parse(&cfg->res, ctx->file, g, cfg);
    if (error == 0)
        error = get_string(&cfg->partition, ctx, g, "partition");
    if (error == 0 && !wjr_config_slurm_per_trial(&cfg->res, "time"))
        error = get_string_or_int(&cfg->time, ctx, g, "time");
    if (error == 0 && !wjr_config_slurm_per_trial(&cfg->res, "mem"))
        error = get_string_or_int(&cfg->mem, ctx, g, "mem");
    if (error == 0)
        error = get_string(&cfg->account, ctx, g, "account");
    if (error == 0)
        error = get_string(&cfg->qos, ctx, g, "qos");
    if (error == 0)
        error = get_string(&cfg->constraint, ctx, g, "constraint");
    if (error == 0)
        error = get_string(&cfg->gres, ctx, g, "gres");
    if (error < 0)
        return error;
    v = 0;
    if (!wjr_config_slurm_per_trial(&cfg->res, "cpus_per_task"))
        error = get_int(&v, ctx, g, "cpus_per_task", 1);
    if (error < 0)
        return error;
    if (v > 100000)
        return type_error(ctx, config_setting_get_member(g, "cpus_per_task"), "at most 100000");
    cfg->cpus_per_task = (int)v;
    v = 0;
    error = get_int(&v, ctx, g, "array_throttle", 0);
    if (error < 0)
        return error;
    if (v > 1000000)
        return type_error(ctx, config_setting_get_member(g, "array_throttle"), "at most 1000000");
    cfg->array_throttle = (int)v;
    if (config_setting_get_member(g, "requeue") != NULL) {
        error = get_bool(&cfg->requeue, ctx, g, "requeue");
        if (error < 0)
            return error;
    }
    e = config_setting_get_member(g, "env");
    if (e != NULL)
        return parse_env(cfg, ctx, e);
    return 0;
}
