/*
 * jsontext.c - keeps text that is not UTF-8 (a Latin-1 path, a byte string
 * in a Slurm reason) whole through JSON files. Jansson refuses such strings,
 * and a writer that then leaves the field out loses it: a study under a
 * Latin-1 folder would lose its paths on the first checkpoint. Valid UTF-8
 * stays a plain JSON string; anything else becomes {"hex": "..."}, which the
 * reader turns back into the same bytes. wjr_buf_json_text is the one
 * writer of such text into a buffer, for files assembled as text.
 */
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"
#include "util.h"

int wjr_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned c = *p, n, i;
        unsigned long cp;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* overlong forms, surrogates and values past U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

json_t *wjr_json_text(const char *s)
{
    static const char digits[] = "0123456789abcdef";
    size_t i, n;
    char *hex;
    json_t *v;

    if (s == NULL)
        return NULL;
    if (wjr_utf8_valid(s))
        return json_string(s);
    n = strlen(s);
    hex = malloc(2 * n + 1);
    if (hex == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        hex[2 * i] = digits[(unsigned char)s[i] >> 4];
        hex[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    hex[2 * n] = '\0';
    v = json_pack("{ss}", "hex", hex);
    free(hex);
    return v;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *wjr_json_text_get(const json_t *v)
{
    const char *hex;
    size_t i, n;
    char *out;

    if (json_is_string(v))
        return wjr_strdup(json_string_value(v));
    hex = json_string_value(json_object_get(v, "hex"));
    if (hex == NULL || strlen(hex) % 2 != 0)
        return NULL;
    n = strlen(hex) / 2;
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        out[i] = (char)(hi << 4 | lo);
    }
    out[n] = '\0';
    return out;
}

void wjr_buf_json_text(wjr_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    json_t *v;
    char *text;

    /* printable ASCII with nothing to escape: the text jansson writes */
    while (p != NULL && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
        p++;
    if (p != NULL && *p == '\0') {
        wjr_buf_put(b, "\"", 1);
        wjr_buf_put(b, s, (size_t)(p - (const unsigned char *)s));
        wjr_buf_put(b, "\"", 1);
        return;
    }
    v = wjr_json_text(s);
    text = v ? wjr_json_dumps(v, JSON_ENCODE_ANY) : NULL;

    if (s != NULL && text == NULL)
        b->oom = 1;
    wjr_buf_puts(b, text ? text : "null");
    free(text);
    json_decref(v);
}
