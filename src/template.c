/*
 * template.c - BOA's `{{ name }}` templates, without Jinja2.
 *
 * BOA renders its configuration file with Jinja2 (template variables
 * config_path, config_dir, config_dir_name, config_file_name; undefined
 * names are kept as written), and renders each command again with the
 * trial's parameters and trial_dir. wjr supports the plain `{{ name }}`
 * form of both. In commands, which wjr runs through /bin/sh, every value
 * becomes one single-quoted word: the scanner follows the shell's quoting
 * (outside quotes, '...', "...") and, inside quotes, escapes that word for
 * the quotes, so that a shell reading the quoted text again (sh -c) still
 * sees it quoted. Blocks, comments, filters and expressions are
 * refused with their place. This file knows no configuration keys beyond
 * the names of the command keys, and runs nothing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

enum { Q_OUT, Q_SINGLE, Q_DOUBLE };

static char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return wjr_strdup(path);
    if (slash[1] == '\0' && slash == path)
        return wjr_strdup("/");
    return wjr_strdup(slash + 1);
}

int wjr_template_vars_init(wjr_template_vars *out, const char *config_path)
{
    char *slash;

    memset(out, 0, sizeof(*out));
    out->config_path = wjr_strdup(config_path);
    out->config_dir = wjr_strdup(config_path);
    if (out->config_dir != NULL) {
        slash = strrchr(out->config_dir, '/');
        if (slash == out->config_dir)
            slash[1] = '\0';
        else if (slash != NULL)
            *slash = '\0';
    }
    out->config_file_name = last_part(config_path);
    out->config_dir_name = out->config_dir ? last_part(out->config_dir) : NULL;
    if (out->config_path == NULL || out->config_dir == NULL || out->config_file_name == NULL ||
        out->config_dir_name == NULL) {
        wjr_template_vars_free(out);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    return 0;
}

void wjr_template_vars_free(wjr_template_vars *v)
{
    free(v->config_path);
    free(v->config_dir);
    free(v->config_dir_name);
    free(v->config_file_name);
    memset(v, 0, sizeof(*v));
}

const char *wjr_template_var(const wjr_template_vars *v, const char *name)
{
    if (v == NULL)
        return NULL;
    if (strcmp(name, "config_path") == 0)
        return v->config_path;
    if (strcmp(name, "config_dir") == 0)
        return v->config_dir;
    if (strcmp(name, "config_dir_name") == 0)
        return v->config_dir_name;
    if (strcmp(name, "config_file_name") == 0)
        return v->config_file_name;
    return NULL;
}

char *wjr_template_scalar_text(const json_t *v)
{
    char num[64];

    if (json_is_string(v))
        return wjr_strdup(json_string_value(v));
    if (json_is_integer(v))
        return wjr_asprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) {
        wjr_format_double(num, sizeof(num), json_real_value(v));
        /* Python prints a float with a point: 1.0, not 1 */
        if (strspn(num, "-0123456789") == strlen(num))
            return wjr_asprintf("%s.0", num);
        return wjr_strdup(num);
    }
    if (json_is_true(v))
        return wjr_strdup("True");
    if (json_is_false(v))
        return wjr_strdup("False");
    if (json_is_null(v))
        return wjr_strdup("None");
    return NULL;
}

/*
 * At p (just past "{{"): a plain name then "}}". Returns the length of the
 * whole "{{ name }}" from p - 2, or 0 when it is not a plain name; the
 * name goes into buf.
 */
static size_t parse_name(const char *p, char *buf, size_t size)
{
    const char *s = p, *start;
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    start = s;
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    while (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.')
        s++;
    n = (size_t)(s - start);
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] != '}' || s[1] != '}' || n >= size)
        return 0;
    memcpy(buf, start, n);
    buf[n] = '\0';
    return (size_t)(s + 2 - p) + 2;
}

/*
 * A value as one single-quoted shell word. Outside quotes it is inserted as
 * is. Inside quotes the quoted text may be read by a second shell
 * (sh -c "... {{ x }}"), so the word is escaped for the quotes it sits in:
 * the first shell keeps it as text, the one that reads that text sees one
 * quoted word. Either way no shell reads the value itself.
 */
static void put_quoted(wjr_buf *b, const char *v, int state)
{
    wjr_buf word = WJR_BUF_INIT;
    const char *w;

    if (state == Q_OUT) {
        wjr_buf_shell_quote(b, v);
        return;
    }
    wjr_buf_shell_quote(&word, v);
    for (w = word.ptr; w != NULL && w < word.ptr + word.len; w++) {
        if (state == Q_SINGLE && *w == '\'')
            wjr_buf_puts(b, "'\\''");
        else if (state == Q_DOUBLE && strchr("\\\"$`", *w) != NULL) {
            wjr_buf_put(b, "\\", 1);
            wjr_buf_put(b, w, 1);
        } else
            wjr_buf_put(b, w, 1);
    }
    if (word.oom)
        b->oom = 1;
    wjr_buf_free(&word);
}

static int refuse_block(const char *tmpl, const char *p)
{
    return wjr_error_set(WJR_ECONFIG,
                         "'%.2s' at character %d: Jinja2 blocks and comments are not supported "
                         "by wjr; use only {{ name }} substitutions",
                         p, (int)(p - tmpl) + 1);
}

int wjr_template_command(char **out, const char *tmpl, wjr_template_lookup lookup, void *payload,
                         int keep_unknown)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *p = tmpl;
    int state = Q_OUT;
    char name[128];

    *out = NULL;
    while (*p != '\0') {
        if (p[0] == '{' && (p[1] == '%' || p[1] == '#')) {
            wjr_buf_free(&b);
            return refuse_block(tmpl, p);
        }
        if (p[0] == '{' && p[1] == '{') {
            size_t n = parse_name(p + 2, name, sizeof(name));
            char *owned = NULL;
            const char *v;

            if (n == 0) {
                wjr_buf_free(&b);
                return wjr_error_set(WJR_ECONFIG,
                                     "'%.40s' at character %d: only {{ name }} substitutions are "
                                     "supported (no filters or expressions)",
                                     p, (int)(p - tmpl) + 1);
            }
            v = lookup(payload, name, &owned);
            if (v == NULL && !keep_unknown) {
                wjr_buf_free(&b);
                return wjr_error_set(WJR_ECONFIG,
                                     "unknown template variable '%s': use a parameter's name, "
                                     "trial_dir, config_path, config_dir, config_dir_name or "
                                     "config_file_name",
                                     name);
            }
            if (v == NULL)
                wjr_buf_put(&b, p, n);
            else
                put_quoted(&b, v, state);
            free(owned);
            p += n;
            continue;
        }
        if (state != Q_SINGLE && *p == '\\' && p[1] != '\0') {
            wjr_buf_put(&b, p, 2);
            p += 2;
            continue;
        }
        if (state == Q_OUT && *p == '\'')
            state = Q_SINGLE;
        else if (state == Q_OUT && *p == '"')
            state = Q_DOUBLE;
        else if ((state == Q_SINGLE && *p == '\'') || (state == Q_DOUBLE && *p == '"'))
            state = Q_OUT;
        wjr_buf_put(&b, p++, 1);
    }
    return wjr_buf_detach(out, &b);
}

static const char *collect_name(void *payload, const char *name, char **owned)
{
    json_t *names = payload;

    *owned = NULL;
    json_array_append_new(names, json_string(name));
    return NULL;
}

int wjr_template_names(json_t **out, const char *tmpl)
{
    json_t *names = json_array();
    char *text = NULL;
    int error;

    *out = NULL;
    if (names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = wjr_template_command(&text, tmpl, collect_name, names, 1);
    free(text);
    if (error < 0) {
        json_decref(names);
        return error;
    }
    *out = names;
    return 0;
}

int wjr_template_text(char **out, const char *text, const wjr_template_vars *vars)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *p = text;
    char name[128];

    while (*p != '\0') {
        size_t n = p[0] == '{' && p[1] == '{' ? parse_name(p + 2, name, sizeof(name)) : 0;
        const char *v = n > 0 ? wjr_template_var(vars, name) : NULL;

        if (v != NULL) {
            wjr_buf_puts(&b, v);
            p += n;
        } else {
            wjr_buf_put(&b, p++, 1);
        }
    }
    return wjr_buf_detach(out, &b);
}

/* ---- a YAML configuration's text ------------------------------------------ */

/*
 * 1 when a line of YAML holds a command key (run_model: ..., also within a
 * flow mapping {run_model: ...}); *indent gets the line's indentation, which
 * continuation lines exceed.
 */
static int is_command_key_line(const char *s, size_t len, size_t *indent)
{
    static const char *const keys[] = {"run_model",        "run_cmd",          "write_configs",
                                       "set_trial_status", "fetch_trial_data", NULL};
    size_t i, n, at;

    *indent = strspn(s, " ");
    for (i = 0; keys[i] != NULL; i++) {
        n = strlen(keys[i]);
        for (at = 0; at + n <= len; at++) {
            const char *p = s + at + n;
            if (strncmp(s + at, keys[i], n) != 0)
                continue;
            if (at > 0 && strchr(" \t{,-'\"", s[at - 1]) == NULL)
                continue;
            if (p < s + len && (*p == '"' || *p == '\''))
                p++;
            while (p < s + len && *p == ' ')
                p++;
            if (p < s + len && *p == ':')
                return 1;
        }
    }
    return 0;
}

int wjr_template_render_file(char **out, const char *text, const char *file,
                             const wjr_template_vars *vars)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *line = text;
    long cmd_col = -1;
    int lineno = 1;
    char name[128];

    *out = NULL;
    while (*line != '\0') {
        size_t len = strcspn(line, "\n"), indent = strspn(line, " "), key_col;
        int blank = indent == len || line[indent] == '#';
        int command;
        const char *p;

        if (cmd_col >= 0 && !blank && (long)indent <= cmd_col)
            cmd_col = -1;
        command = cmd_col >= 0;
        if (!command && is_command_key_line(line, len, &key_col)) {
            command = 1;
            cmd_col = (long)key_col;
        }
        for (p = line; p < line + len;) {
            size_t n;
            const char *v;

            if (p[0] == '{' && (p[1] == '%' || p[1] == '#')) {
                wjr_buf_free(&b);
                return wjr_error_set(WJR_ECONFIG,
                                     "%s:%d:%d: '%.2s': Jinja2 blocks and comments are not "
                                     "supported by wjr; render the file with Jinja2 first, or "
                                     "use only {{ name }} substitutions",
                                     file, lineno, (int)(p - line) + 1, p);
            }
            if (command || p[0] != '{' || p[1] != '{') {
                wjr_buf_put(&b, p++, 1);
                continue;
            }
            n = parse_name(p + 2, name, sizeof(name));
            if (n == 0) {
                wjr_buf_free(&b);
                return wjr_error_set(WJR_ECONFIG,
                                     "%s:%d:%d: only {{ name }} substitutions are supported (no "
                                     "filters or expressions)",
                                     file, lineno, (int)(p - line) + 1);
            }
            v = wjr_template_var(vars, name);
            if (v != NULL)
                wjr_buf_puts(&b, v);
            else
                wjr_buf_put(&b, p, n);
            p += n;
        }
        line += len;
        if (*line == '\n') {
            wjr_buf_put(&b, "\n", 1);
            line++;
        }
        lineno++;
    }
    return wjr_buf_detach(out, &b);
}
