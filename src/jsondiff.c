/*
 * jsondiff.c - where two JSON values differ, as a line of "path: old ->
 * new" items (jsondiff.h). A walk over both values at once: objects by
 * key, arrays of named objects by name, other arrays by position, and
 * everything else compared whole with json_equal. A path names members
 * with dots and entries with brackets; a name that would blur it is
 * written as a JSON string (parameters["a.b"]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsondiff.h"
#include "util.h"

typedef struct {
    wjr_buf out;
    size_t n, max;
    size_t value_max; /* bytes of a value shown before "...", 0: all */
} json_diff;

static void put_value(json_diff *d, const json_t *v)
{
    char *text;
    size_t len;

    if (v == NULL) {
        wjr_buf_puts(&d->out, "(none)");
        return;
    }
    /* 15 digits: 0.1, not 0.10000000000000001 */
    text = json_dumps(v, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (text == NULL) {
        wjr_buf_puts(&d->out, "?");
        return;
    }
    len = strlen(text);
    if (d->value_max > 0 && len > d->value_max) {
        len = d->value_max;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* not inside a UTF-8 character */
        wjr_buf_put(&d->out, text, len);
        wjr_buf_puts(&d->out, "...");
    } else {
        wjr_buf_puts(&d->out, text);
    }
    free(text);
}

static void emit(json_diff *d, const char *path, const json_t *was, const json_t *now)
{
    if (++d->n > d->max)
        return;
    if (d->n > 1)
        wjr_buf_puts(&d->out, "; ");
    wjr_buf_printf(&d->out, "%s: ", *path ? path : "(the whole value)");
    put_value(d, was);
    wjr_buf_puts(&d->out, " -> ");
    put_value(d, now);
}

static const char *name_of(const json_t *v)
{
    return json_string_value(json_object_get(v, "name"));
}

/* Every element an object with a "name" string, no name twice. */
static int named(const json_t *a)
{
    size_t i, j;

    if (!json_is_array(a))
        return 0;
    for (i = 0; i < json_array_size(a); i++) {
        if (name_of(json_array_get(a, i)) == NULL)
            return 0;
        for (j = 0; j < i; j++)
            if (strcmp(name_of(json_array_get(a, j)), name_of(json_array_get(a, i))) == 0)
                return 0;
    }
    return 1;
}

static const json_t *find_named(const json_t *a, const char *name)
{
    size_t i;

    for (i = 0; i < json_array_size(a); i++)
        if (strcmp(name_of(json_array_get(a, i)), name) == 0)
            return json_array_get(a, i);
    return NULL;
}

/* An array with an object or an array in it: compared element by element
 * (an array of numbers, such as bounds, reads better whole). */
static int nested(const json_t *a)
{
    size_t i;

    for (i = 0; i < json_array_size(a); i++)
        if (json_is_object(json_array_get(a, i)) || json_is_array(json_array_get(a, i)))
            return 1;
    return 0;
}

static void walk(json_diff *d, const char *path, const json_t *was, const json_t *now);

/* PATH with KEY appended into sub: ".key" for a member (just "key" at the
 * top), "[key]" for a named entry. A key the path could not tell apart
 * (empty, or with '.', '[', ']', '"', a space or a control character) goes
 * in quoted as a JSON string, ["a.b"], so that a.b and a["b"] differ. */
static void segment(char *sub, size_t size, const char *path, const char *key, int named)
{
    const unsigned char *c;
    char *quoted = NULL;
    int plain = *key != '\0';

    for (c = (const unsigned char *)key; *c != '\0' && plain; c++)
        plain = *c > ' ' && strchr(".[]\"", *c) == NULL && *c != 0x7f;
    if (!plain) {
        json_t *k = json_string(key);
        quoted = k != NULL ? json_dumps(k, JSON_ENCODE_ANY) : NULL;
        json_decref(k);
    }
    if (quoted != NULL)
        snprintf(sub, size, "%s[%s]", path, quoted);
    else if (named)
        snprintf(sub, size, "%s[%s]", path, key);
    else
        snprintf(sub, size, "%s%s%s", path, *path ? "." : "", key);
    free(quoted);
}

static void walk_objects(json_diff *d, const char *path, const json_t *was, const json_t *now)
{
    char sub[256];
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)was, key, v)
    {
        segment(sub, sizeof(sub), path, key, 0);
        walk(d, sub, v, json_object_get(now, key));
    }
    json_object_foreach((json_t *)now, key, v)
    {
        if (json_object_get(was, key) != NULL)
            continue;
        segment(sub, sizeof(sub), path, key, 0);
        emit(d, sub, NULL, v);
    }
}

/* The names of a named array, in its order. */
static json_t *names(const json_t *a)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < json_array_size(a); i++)
        json_array_append_new(out, json_string(name_of(json_array_get(a, i))));
    return out;
}

static void walk_named(json_diff *d, const char *path, const json_t *was, const json_t *now)
{
    char sub[256];
    size_t i, before = d->n;

    for (i = 0; i < json_array_size(was); i++) {
        const json_t *v = json_array_get(was, i);
        segment(sub, sizeof(sub), path, name_of(v), 1);
        walk(d, sub, v, find_named(now, name_of(v)));
    }
    for (i = 0; i < json_array_size(now); i++) {
        const json_t *v = json_array_get(now, i);
        if (find_named(was, name_of(v)) != NULL)
            continue;
        segment(sub, sizeof(sub), path, name_of(v), 1);
        emit(d, sub, NULL, v);
    }
    if (d->n == before) { /* the same entries in another order */
        json_t *a = names(was), *b = names(now);
        snprintf(sub, sizeof(sub), "%s (order)", path);
        emit(d, sub, a, b);
        json_decref(a);
        json_decref(b);
    }
}

static void walk(json_diff *d, const char *path, const json_t *was, const json_t *now)
{
    char sub[256];
    size_t i;

    if (was != NULL && now != NULL && json_equal((json_t *)was, (json_t *)now))
        return;
    if (json_is_object(was) && json_is_object(now)) {
        walk_objects(d, path, was, now);
    } else if (named(was) && named(now) && json_array_size(was) + json_array_size(now) > 0) {
        walk_named(d, path, was, now);
    } else if (json_is_array(was) && json_is_array(now) &&
               json_array_size(was) == json_array_size(now) && (nested(was) || nested(now))) {
        for (i = 0; i < json_array_size(was); i++) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            walk(d, sub, json_array_get(was, i), json_array_get(now, i));
        }
    } else {
        emit(d, path, was, now);
    }
}

char *wjr_json_diff(const json_t *was, const json_t *now, size_t max_items, size_t value_max)
{
    json_diff d = {WJR_BUF_INIT, 0, max_items > 0 ? max_items : 1, value_max};
    char *text = NULL;

    walk(&d, "", was, now);
    if (d.n > d.max)
        wjr_buf_printf(&d.out, "; and %zu more", d.n - d.max);
    if (wjr_buf_detach(&text, &d.out) < 0)
        return NULL;
    return text;
}
