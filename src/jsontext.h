/*
 * jsontext.h - text of any bytes in JSON, byte for byte. Private.
 */
#ifndef WJR_JSONTEXT_H
#define WJR_JSONTEXT_H

#include <jansson.h>

#include "util.h"

/* 1 when @p s (NUL-terminated) is valid UTF-8, which JSON strings need. */
int wjr_utf8_valid(const char *s);

/*
 * A JSON value for the bytes of @p s (new reference; NULL when s is NULL or
 * memory runs out): a string when they are UTF-8, else {"hex": "2f74..."},
 * so that nothing is dropped or changed.
 */
json_t *wjr_json_text(const char *s);

/* The bytes of a value written by wjr_json_text (malloc'd), or NULL when
 * @p v is neither form. */
char *wjr_json_text_get(const json_t *v);

/* The one JSON string writer: append wjr_json_text(s) to @p b as JSON text
 * (a string, or {"hex": "..."} for bytes that are not UTF-8), or null when
 * s is NULL. Out of memory marks the buffer (b->oom). */
void wjr_buf_json_text(wjr_buf *b, const char *s);

#endif
