/*
 * jsonspan.h - JSON text used as it was written, without a parse and a
 * print in between: where a member's value lies in an object's compact
 * text, and compact text laid out as jansson's JSON_INDENT(2) writes it.
 * A study of 100,000 trials keeps its parameters and metrics as the text
 * its snapshot holds; reading and printing them through jansson's trees
 * cost most of the time `wjr status --json` took.
 */
#ifndef WJR_JSONSPAN_H
#define WJR_JSONSPAN_H

#include <stddef.h>

#include "util.h"

/*
 * The value of the member named key at the top level of the JSON object
 * text[0..len), which jansson has parsed: its offset in *off and its
 * length in *vlen. Returns 1 when found (the last of repeated keys, the one
 * jansson keeps), 0 when the object has no such member, and -1 when the
 * text cannot say for sure: not compact (whitespace between tokens), a key
 * written with an escape, a NUL byte (which jansson passes over after a
 * number), not an object. On -1 use the parsed value.
 */
int wjr_json_member_span(const char *text, size_t len, const char *key, size_t *off, size_t *vlen);

/*
 * Append compact JSON text[0..len) to b laid out as json_dumps with
 * JSON_INDENT(2) writes a value nested depth levels deep: members one per
 * line, "key": value, empty objects and arrays as {} and [].
 */
void wjr_buf_json_indent(wjr_buf *b, const char *text, size_t len, int depth);

#endif
