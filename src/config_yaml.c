/*
 * config_yaml.c - reads YAML with libyaml, for BOA's configuration files
 * and for the output and status files a model may write as .yml/.yaml.
 *
 * A configuration becomes the same libconfig tree that a .cfg file gives,
 * so one parser (config.c) checks both formats; each setting keeps the
 * line of its YAML node, and its column in the setting's hook, so that
 * errors name file:line:column. Keys need not be libconfig names: a
 * setting is added under a placeholder name, then renamed. Scalars are
 * typed as YAML 1.2 does (ruamel.yaml, which BOA uses): quoted ones are
 * strings, plain ones may be null, booleans (true, false, in three
 * cases; yes, no, on and off too under a %YAML 1.1 directive), integers
 * or floats. Aliases are followed with a bound on depth and node count, so
 * a crafted file cannot expand without end. This file renders no
 * templates and knows no configuration key.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config_yaml.h"
#include "util.h"

#define MAX_DEPTH 64
#define MAX_NODES 200000

typedef enum { S_NULL, S_BOOL, S_INT, S_FLOAT, S_STRING } scalar_kind;

typedef struct scalar {
    scalar_kind kind;
    int b;
    long long i;
    double d;
    const char *s;
} scalar;

typedef struct walk {
    yaml_document_t *doc;
    const char *file;
    size_t nodes;
    unsigned placeholder;
} walk;

int wjr_config_is_yaml_path(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot == NULL || strchr(dot, '/') != NULL)
        return 0;
    return strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0;
}

unsigned wjr_config_column(const config_setting_t *s)
{
    return s != NULL ? (unsigned)(uintptr_t)config_setting_get_hook(s) : 0u;
}

/* Whether s is one of the first n words (NULL-terminated before n). */
static int any_of_n(const char *s, const char *const *words, size_t n)
{
    size_t i;

    for (i = 0; i < n && words[i] != NULL; i++)
        if (strcmp(s, words[i]) == 0)
            return 1;
    return 0;
}

static int any_of(const char *s, const char *const *words)
{
    return any_of_n(s, words, SIZE_MAX);
}

static int is_float_text(const char *s)
{
    const char *p = s;
    int digits = 0;

    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (digits == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* Type a scalar node. Returns 0, or WJR_ECONFIG for an integer out of range. */
static int resolve(scalar *out, const yaml_node_t *n, const walk *w)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes",
                                        "YES",  "on",   "On",   "ON",  NULL};
    static const char *const falses[] = {"false", "False", "FALSE", "no",  "No",
                                         "NO",    "off",   "Off",   "OFF", NULL};
    /* YAML 1.2 has only these; yes, no, on and off are YAML 1.1's */
    const yaml_version_directive_t *v = w->doc->version_directive;
    size_t words = v != NULL && v->major == 1 && v->minor == 1 ? 9 : 3;
    static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    const char *s = (const char *)n->data.scalar.value;
    size_t digits;

    memset(out, 0, sizeof(*out));
    out->kind = S_STRING;
    out->s = s;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    if (any_of(s, nulls)) {
        out->kind = S_NULL;
    } else if (any_of_n(s, trues, words) || any_of_n(s, falses, words)) {
        out->kind = S_BOOL;
        out->b = any_of_n(s, trues, words);
    } else if (any_of(s, infs) || any_of(s, ninfs) || any_of(s, nans)) {
        out->kind = S_FLOAT;
        out->d = any_of(s, nans) ? NAN : any_of(s, infs) ? INFINITY : -INFINITY;
    } else {
        digits = strspn(s + (s[0] == '-' || s[0] == '+'), "0123456789");
        if (digits > 0 && s[(s[0] == '-' || s[0] == '+') + digits] == '\0') {
            errno = 0;
            out->i = strtoll(s, NULL, 10);
            if (errno == ERANGE)
                return wjr_error_set(WJR_ECONFIG, "%s:%lu:%lu: integer %s is out of range", w->file,
                                     (unsigned long)n->start_mark.line + 1,
                                     (unsigned long)n->start_mark.column + 1, s);
            out->kind = S_INT;
        } else if (is_float_text(s)) {
            out->kind = S_FLOAT;
            out->d = strtod(s, NULL);
        }
    }
    return 0;
}

static int fail_node(const walk *w, const yaml_node_t *n, const char *what)
{
    return wjr_error_set(WJR_ECONFIG, "%s:%lu:%lu: %s", w->file,
                         (unsigned long)n->start_mark.line + 1,
                         (unsigned long)n->start_mark.column + 1, what);
}

static int count_node(walk *w, const yaml_node_t *n, int depth)
{
    if (depth > MAX_DEPTH)
        return fail_node(w, n, "nested too deeply");
    if (++w->nodes > MAX_NODES)
        return fail_node(w, n, "too many values (aliases expand too far?)");
    return 0;
}

static int load_document(yaml_document_t *doc, const char *text, size_t len, const char *file)
{
    yaml_parser_t parser;
    int error = 0;

    if (!yaml_parser_initialize(&parser))
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, doc)) {
        error = wjr_error_set(WJR_ECONFIG, "%s:%lu:%lu: YAML syntax error: %s%s%s", file,
                              (unsigned long)parser.problem_mark.line + 1,
                              (unsigned long)parser.problem_mark.column + 1,
                              parser.problem ? parser.problem : "invalid",
                              parser.context ? " " : "", parser.context ? parser.context : "");
    }
    yaml_parser_delete(&parser);
    return error;
}

/* ---- into libconfig --------------------------------------------------------- */

static int add_node(walk *w, config_setting_t *parent, const char *key, yaml_node_t *n, int depth);

static int set_place(config_setting_t *s, const yaml_node_t *n)
{
    s->line = (unsigned)n->start_mark.line + 1;
    config_setting_set_hook(s, (void *)(uintptr_t)(n->start_mark.column + 1));
    return 0;
}

static int add_children(walk *w, config_setting_t *s, yaml_node_t *n, int depth)
{
    yaml_node_item_t *item;
    yaml_node_pair_t *pair;
    int error;

    if (n->type == YAML_SEQUENCE_NODE) {
        for (item = n->data.sequence.items.start; item < n->data.sequence.items.top; item++) {
            error = add_node(w, s, NULL, yaml_document_get_node(w->doc, *item), depth + 1);
            if (error < 0)
                return error;
        }
        return 0;
    }
    for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, pair->key);
        const char *name;

        if (k == NULL || k->type != YAML_SCALAR_NODE)
            return fail_node(w, k != NULL ? k : n, "a key must be a plain name");
        name = (const char *)k->data.scalar.value;
        if (name[0] == '\0')
            return fail_node(w, k, "empty key");
        if (config_setting_get_member(s, name) != NULL) {
            char msg[200];
            snprintf(msg, sizeof(msg), "key '%.80s' appears twice", name);
            return fail_node(w, k, msg);
        }
        error = add_node(w, s, name, yaml_document_get_node(w->doc, pair->value), depth + 1);
        if (error < 0)
            return error;
        /* a member is placed at its key, as libconfig places a setting at its name */
        if (config_setting_get_member(s, name) != NULL)
            set_place(config_setting_get_member(s, name), k);
    }
    return 0;
}

/* 1 when every item of a sequence is a non-null scalar of one type. */
static int same_scalars(const walk *w, const yaml_node_t *n)
{
    yaml_node_item_t *item;
    scalar_kind kind = S_NULL;
    scalar v;

    for (item = n->data.sequence.items.start; item < n->data.sequence.items.top; item++) {
        const yaml_node_t *c = yaml_document_get_node(w->doc, *item);
        if (c == NULL || c->type != YAML_SCALAR_NODE || resolve(&v, c, w) < 0 || v.kind == S_NULL ||
            (kind != S_NULL && v.kind != kind))
            return 0;
        kind = v.kind;
    }
    return 1;
}

static int add_node(walk *w, config_setting_t *parent, const char *key, yaml_node_t *n, int depth)
{
    config_setting_t *s;
    char placeholder[32];
    scalar v;
    int type, error;

    if (n == NULL)
        return wjr_error_set(WJR_ECONFIG, "%s: broken YAML document", w->file);
    error = count_node(w, n, depth);
    if (error < 0)
        return error;
    memset(&v, 0, sizeof(v));
    if (n->type == YAML_MAPPING_NODE) {
        type = CONFIG_TYPE_GROUP;
    } else if (n->type == YAML_SEQUENCE_NODE) {
        /* scalars of one type are libconfig's [array], anything else a (list) */
        type = same_scalars(w, n) ? CONFIG_TYPE_ARRAY : CONFIG_TYPE_LIST;
    } else {
        error = resolve(&v, n, w);
        if (error < 0)
            return error;
        if (v.kind == S_NULL && key != NULL)
            return 0; /* `key:` with no value: as if absent */
        if (v.kind == S_NULL)
            return fail_node(w, n, "a list item is empty (null)");
        type = v.kind == S_BOOL    ? CONFIG_TYPE_BOOL
               : v.kind == S_INT   ? CONFIG_TYPE_INT64
               : v.kind == S_FLOAT ? CONFIG_TYPE_FLOAT
                                   : CONFIG_TYPE_STRING;
    }
    snprintf(placeholder, sizeof(placeholder), "wjr_%u", w->placeholder++);
    s = config_setting_add(parent, key != NULL ? placeholder : NULL, type);
    if (s == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    if (key != NULL) {
        char *name = wjr_strdup(key);
        if (name == NULL)
            return WJR_ENOMEM;
        free(s->name);
        s->name = name;
    }
    set_place(s, n);
    switch (type) {
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_LIST:
    case CONFIG_TYPE_ARRAY:
        return add_children(w, s, n, depth);
    case CONFIG_TYPE_BOOL:
        config_setting_set_bool(s, v.b);
        break;
    case CONFIG_TYPE_INT64:
        config_setting_set_int64(s, v.i);
        break;
    case CONFIG_TYPE_FLOAT:
        config_setting_set_float(s, v.d);
        break;
    default:
        if (config_setting_set_string(s, v.s) != CONFIG_TRUE)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    return 0;
}

int wjr_config_yaml_parse(config_t *lc, const char *text, size_t len, const char *file)
{
    yaml_document_t doc;
    yaml_node_t *root;
    walk w;
    int error;

    error = load_document(&doc, text, len, file);
    if (error < 0)
        return error;
    memset(&w, 0, sizeof(w));
    w.doc = &doc;
    w.file = file;
    root = yaml_document_get_root_node(&doc);
    if (root == NULL)
        error = wjr_error_set(WJR_ECONFIG, "%s:1:1: the file is empty", file);
    else if (root->type != YAML_MAPPING_NODE)
        error = fail_node(&w, root, "the file must hold a mapping of sections (objective:, ...)");
    else
        error = add_children(&w, config_root_setting(lc), root, 0);
    yaml_document_delete(&doc);
    return error;
}

/* ---- into JSON -------------------------------------------------------------- */

static int to_json(json_t **out, walk *w, yaml_node_t *n, int depth)
{
    yaml_node_item_t *item;
    yaml_node_pair_t *pair;
    json_t *v = NULL, *child;
    scalar sc;
    int error;

    *out = NULL;
    if (n == NULL)
        return wjr_error_set(WJR_EINVALID, "%s: broken YAML document", w->file);
    error = count_node(w, n, depth);
    if (error < 0)
        return error;
    if (n->type == YAML_SCALAR_NODE) {
        error = resolve(&sc, n, w);
        if (error < 0)
            return error;
        v = sc.kind == S_NULL    ? json_null()
            : sc.kind == S_BOOL  ? json_boolean(sc.b)
            : sc.kind == S_INT   ? json_integer((json_int_t)sc.i)
            : sc.kind == S_FLOAT ? json_real(sc.d)
                                 : json_string(sc.s);
        /* jansson refuses NaN and infinities: keep them as text, which the
         * metric reader reports as not a number */
        if (v == NULL && sc.kind == S_FLOAT)
            v = json_string(sc.s);
    } else if (n->type == YAML_SEQUENCE_NODE) {
        v = json_array();
        for (item = n->data.sequence.items.start; v && item < n->data.sequence.items.top; item++) {
            error = to_json(&child, w, yaml_document_get_node(w->doc, *item), depth + 1);
            if (error < 0)
                break;
            json_array_append_new(v, child);
        }
    } else {
        v = json_object();
        for (pair = n->data.mapping.pairs.start; v && pair < n->data.mapping.pairs.top; pair++) {
            yaml_node_t *k = yaml_document_get_node(w->doc, pair->key);
            if (k == NULL || k->type != YAML_SCALAR_NODE) {
                error = fail_node(w, k != NULL ? k : n, "a key must be a scalar");
                break;
            }
            error = to_json(&child, w, yaml_document_get_node(w->doc, pair->value), depth + 1);
            if (error < 0)
                break;
            json_object_set_new(v, (const char *)k->data.scalar.value, child);
        }
    }
    if (error < 0 || v == NULL) {
        json_decref(v);
        return error < 0 ? error : wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    *out = v;
    return 0;
}

int wjr_yaml_to_json(json_t **out, const char *text, size_t len, const char *name)
{
    yaml_document_t doc;
    yaml_node_t *root;
    walk w;
    int error;

    *out = NULL;
    error = load_document(&doc, text, len, name);
    if (error < 0) { /* a file's fault, not the configuration's: same message */
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", wjr_error_last());
        return wjr_error_set(WJR_EINVALID, "%s", msg);
    }
    memset(&w, 0, sizeof(w));
    w.doc = &doc;
    w.file = name;
    root = yaml_document_get_root_node(&doc);
    if (root == NULL)
        error = wjr_error_set(WJR_EINVALID, "%s is empty", name);
    else
        error = to_json(out, &w, root, 0);
    yaml_document_delete(&doc);
    return error < 0 && error == WJR_ECONFIG ? WJR_EINVALID : error;
}
