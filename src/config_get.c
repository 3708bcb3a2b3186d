/*
 * config_get.c - the configuration parser's shared lookups: one setting
 * read as a string, an integer, a number in a range, a boolean or a JSON
 * scalar; the unknown-key check with its "did you mean" (from
 * wjr_closest_name, closest.c) and BOA's refused keys; errors
 * and warnings that name file:line (and the column, for YAML) with the
 * setting's path;
 * and lexical path joining. The sections' parsers (config_params.c,
 * config_objective.c, config_scheduler.c, config_strategy.c,
 * config_script.c, config_slurm.c, config_boa.c) call these; this file
 * knows no section.
 */
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_boa.h"
#include "config_int.h"
#include "config_yaml.h"
#include "util.h"

/* "<file>:<line>[:<column>]: <message>" at setting s (the root group has
 * no line of its own: the first is named). */
static void vlocated(char *buf, size_t size, const parse_ctx *ctx, const config_setting_t *s,
                     const char *fmt, va_list ap)
{
    unsigned line = s != NULL ? (unsigned)config_setting_source_line(s) : 0u;
    unsigned column = wjr_config_column(s);
    int n;

    if (column > 0)
        n = snprintf(buf, size, "%s:%u:%u: ", ctx->file, line > 0 ? line : 1u, column);
    else
        n = snprintf(buf, size, "%s:%u: ", ctx->file, line > 0 ? line : 1u);
    if (n >= 0 && (size_t)n < size)
        vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

int fail_at(const parse_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
    char msg[1280];
    va_list ap;

    va_start(ap, fmt);
    vlocated(msg, sizeof(msg), ctx, s, fmt, ap);
    va_end(ap);
    return wjr_error_set(WJR_ECONFIG, "%s", msg);
}

int warn_at(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *s, const char *fmt,
            ...)
{
    char msg[1280];
    va_list ap;

    va_start(ap, fmt);
    vlocated(msg, sizeof(msg), ctx, s, fmt, ap);
    va_end(ap);
    return wjr__config_warn(cfg, "%s", msg);
}

int wjr__config_warn(wjr_study_config *cfg, const char *fmt, ...)
{
    char msg[2048], *all;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    all = wjr_asprintf("%s%s\n", cfg->warnings != NULL ? cfg->warnings : "", msg);
    if (all == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    free(cfg->warnings);
    cfg->warnings = all;
    return 0;
}

/* A path for messages: "scheduler.total_trials", "objective.metrics[0].name". */
static void setting_path(char *buf, size_t size, const config_setting_t *s)
{
    const config_setting_t *chain[32];
    size_t n = 0, used = 0;

    while (s != NULL && config_setting_parent(s) != NULL && n < 32) {
        chain[n++] = s;
        s = config_setting_parent(s);
    }
    buf[0] = '\0';
    while (n > 0 && used < size) {
        const config_setting_t *c = chain[--n];
        const char *name = config_setting_name(c);
        int w;

        if (name != NULL)
            w = snprintf(buf + used, size - used, "%s%s", used > 0 ? "." : "", name);
        else
            w = snprintf(buf + used, size - used, "[%d]", config_setting_index(c));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Every member of group s must be one of the NULL-terminated allowed names. */
int check_keys(const parse_ctx *ctx, const config_setting_t *s, const char *const *allowed)
{
    int i, n = config_setting_length(s);
    char where[256];

    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(m);
        const char *guess;
        size_t k;

        for (k = 0; allowed[k] != NULL && strcasecmp(name, allowed[k]) != 0; k++)
            ;
        if (allowed[k] != NULL)
            continue;
        guess = wjr_closest_name(name, allowed);
        setting_path(where, sizeof(where), s);
        {
            char section[256];
            const char *instead;

            wjr_config_section_of(section, sizeof(section), where);
            instead = wjr_config_refused(section, name);
            if (instead != NULL)
                return fail_at(ctx, m, "%s%s%s is not supported by wjr: %s", where,
                               where[0] ? "." : "", name, instead);
        }
        if (guess != NULL)
            return fail_at(ctx, m, "unknown key '%s' in %s (did you mean '%s'?)", name,
                           where[0] ? where : "the top level", guess);
        return fail_at(ctx, m, "unknown key '%s' in %s", name, where[0] ? where : "the top level");
    }
    return 0;
}

int type_error(const parse_ctx *ctx, const config_setting_t *s, const char *what)
{
    char where[256];

    setting_path(where, sizeof(where), s);
    return fail_at(ctx, s, "%s must be %s", where, what);
}

int need_group(const parse_ctx *ctx, const config_setting_t *s)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP)
        return type_error(ctx, s, "a group { ... }");
    return 0;
}

int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

int is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

double number_of(const config_setting_t *s)
{
    if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
        return config_setting_get_float(s);
    return (double)config_setting_get_int64(s);
}

/* Optional string member; *out is malloc'd (left alone when absent). */
int get_string(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return type_error(ctx, s, "a string in double quotes");
    free(*out);
    *out = wjr_strdup(config_setting_get_string(s));
    return *out != NULL ? 0 : WJR_ENOMEM;
}

/* Optional string or integer member (time = "00:05:00" or time = 5). */
int get_string_or_int(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s != NULL && is_integer(s)) {
        free(*out);
        *out = wjr_asprintf("%lld", (long long)config_setting_get_int64(s));
        return *out != NULL ? 0 : WJR_ENOMEM;
    }
    return get_string(out, ctx, g, key);
}

int get_int(int64_t *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
            int64_t min)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    char where[256];

    if (s == NULL)
        return 0;
    if (!is_integer(s))
        return type_error(ctx, s, "an integer");
    *out = config_setting_get_int64(s);
    if (*out < min) {
        setting_path(where, sizeof(where), s);
        return fail_at(ctx, s, "%s must be at least %lld, not %lld", where, (long long)min,
                       (long long)*out);
    }
    return 0;
}

int get_double(double *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
               double min, double max)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    char where[256];

    if (s == NULL)
        return 0;
    if (!is_number(s))
        return type_error(ctx, s, "a number");
    *out = number_of(s);
    if (!(*out >= min && *out <= max)) {
        setting_path(where, sizeof(where), s);
        return fail_at(ctx, s, "%s must be between %g and %g, not %g", where, min, max, *out);
    }
    return 0;
}

int get_bool(int *out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL)
        return 0;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        const char *text = config_setting_get_string(s);

        /* YAML 1.1's booleans are strings in YAML 1.2, as BOA reads it */
        if (ctx->yaml && text != NULL &&
            (strcasecmp(text, "yes") == 0 || strcasecmp(text, "no") == 0 ||
             strcasecmp(text, "on") == 0 || strcasecmp(text, "off") == 0)) {
            char where[256];

            setting_path(where, sizeof(where), s);
            return fail_at(ctx, s,
                           "%s must be true or false: '%s' is a string in YAML 1.2, as BOA "
                           "reads it (or start the file with %%YAML 1.1)",
                           where, text);
        }
        return type_error(ctx, s, "true or false");
    }
    *out = config_setting_get_bool(s);
    return 0;
}

/* A libconfig scalar as a new JSON value; NULL for non-scalars. */
json_t *scalar_json(const config_setting_t *s)
{
    int t = config_setting_type(s);

    if (t == CONFIG_TYPE_GROUP || t == CONFIG_TYPE_LIST || t == CONFIG_TYPE_ARRAY)
        return NULL;
    return wjr_config_setting_json(s);
}

/* ---- paths --------------------------------------------------------------- */

/* Join and normalise lexically ("." and ".." removed). malloc'd. */
char *path_join(const char *base, const char *rel)
{
    char *joined, *out, *p, *save = NULL, *tok;
    size_t len = 0;

    if (rel[0] == '/')
        joined = wjr_strdup(rel);
    else
        joined = wjr_asprintf("%s/%s", base, rel);
    if (joined == NULL)
        return NULL;
    out = calloc(1, strlen(joined) + 2);
    if (out == NULL) {
        free(joined);
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    for (tok = strtok_r(joined, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            p = strrchr(out, '/');
            len = p != NULL ? (size_t)(p - out) : 0;
            out[len] = '\0';
            continue;
        }
        out[len++] = '/';
        memcpy(out + len, tok, strlen(tok) + 1);
        len += strlen(tok);
    }
    if (len == 0)
        strcpy(out, "/");
    free(joined);
    return out;
}
