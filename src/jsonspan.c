/*
 * jsonspan.c - JSON text used as it was written (see jsonspan.h): a scan
 * of an object's compact text for where a member's value lies, and the
 * re-indentation of compact text. Neither checks the text: the caller
 * hands text that jansson parsed, or that wjr wrote; a scan that finds
 * what it cannot be sure of says so, and the caller reads jansson's tree.
 */
#include <string.h>

#include "jsonspan.h"

/* The end of the string that opens at text[i] ('"'), just past its closing
 * quote; len when it is cut short. *escaped is set when it holds a '\'. */
static size_t string_end(const char *text, size_t len, size_t i, int *escaped)
{
    const char *q = memchr(text + i + 1, '"', len - i - 1);

    if (q == NULL)
        return len;
    if (memchr(text + i + 1, '\\', (size_t)(q - text) - i - 1) == NULL)
        return (size_t)(q - text) + 1;
    *escaped = 1; /* walk it: a quote may be escaped */
    for (i++; i < len && text[i] != '"'; i++)
        if (text[i] == '\\')
            i++;
    return i < len ? i + 1 : len;
}

/* The characters value_end stops at; the others it passes in a run. */
static const unsigned char stop[256] = {
    ['"'] = 1, ['{'] = 1, ['['] = 1,  ['}'] = 1,  [']'] = 1,
    [','] = 1, [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

/* The end of the value that starts at text[i]; 0 when it cannot tell
 * (whitespace, a text cut short). */
static size_t value_end(const char *text, size_t len, size_t i)
{
    int depth = 0, escaped = 0;

    while (i < len) {
        char c = text[i];

        if (!stop[(unsigned char)c]) {
            while (i < len && !stop[(unsigned char)text[i]])
                i++;
            if (depth == 0 && i < len && (text[i] == ',' || text[i] == '}'))
                return i;
            continue;
        }

        if (c == '"') {
            i = string_end(text, len, i, &escaped);
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
            i++;
        } else if (c == ',') {
            if (depth == 0)
                return i;
            i++;
        } else {
            return 0; /* whitespace */
        }
        if (depth == 0 && i < len && (text[i] == ',' || text[i] == '}'))
            return i;
    }
    return 0;
}

int wjr_json_member_span(const char *text, size_t len, const char *key, size_t *off, size_t *vlen)
{
    size_t klen = strlen(key), i = 1, k_end, v_end;
    int found = 0;

    /* jansson reads past a NUL byte after a number; a copy of the text
     * would end there */
    if (len < 2 || text[0] != '{' || memchr(text, '\0', len) != NULL)
        return -1;
    if (text[1] == '}')
        return 0;
    while (i < len) {
        int escaped = 0;

        if (text[i] != '"')
            return -1;
        k_end = string_end(text, len, i, &escaped);
        if (escaped || k_end >= len || text[k_end] != ':')
            return -1;
        v_end = value_end(text, len, k_end + 1);
        if (v_end == 0 || v_end == k_end + 1)
            return -1;
        if (k_end - i - 2 == klen && memcmp(text + i + 1, key, klen) == 0) {
            *off = k_end + 1;
            *vlen = v_end - (k_end + 1);
            found = 1; /* a later repeat replaces it, as in jansson */
        }
        if (text[v_end] == '}')
            return found;
        i = v_end + 1; /* past the ',' */
    }
    return -1;
}

static void newline(wjr_buf *b, int depth)
{
    static const char spaces[] = "                                ";
    size_t n = (size_t)depth * 2;

    wjr_buf_put(b, "\n", 1);
    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

        wjr_buf_put(b, spaces, k);
        n -= k;
    }
}

void wjr_buf_json_indent(wjr_buf *b, const char *text, size_t len, int depth)
{
    size_t i = 0, run;
    int escaped = 0;

    while (i < len) {
        char c = text[i];

        if (c == '"') {
            run = string_end(text, len, i, &escaped) - i;
            wjr_buf_put(b, text + i, run);
            i += run;
            continue;
        }
        if ((c == '{' || c == '[') && i + 1 < len && (text[i + 1] == '}' || text[i + 1] == ']')) {
            wjr_buf_put(b, text + i, 2); /* {} and [] stay on their line */
            i += 2;
            continue;
        }
        if (c == '{' || c == '[') {
            wjr_buf_put(b, &c, 1);
            newline(b, ++depth);
        } else if (c == '}' || c == ']') {
            newline(b, --depth);
            wjr_buf_put(b, &c, 1);
        } else if (c == ',') {
            wjr_buf_put(b, ",", 1);
            newline(b, depth);
        } else if (c == ':') {
            wjr_buf_put(b, ": ", 2);
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            for (run = 1; i + run < len && strchr("\"{}[],: \t\n\r", text[i + run]) == NULL; run++)
                ;
            wjr_buf_put(b, text + i, run); /* a number, true, false or null */
            i += run;
            continue;
        }
        i++;
    }
}
