/*
 * jsondiff.h - where two JSON values differ, said in a line a person can
 * act on. A study refuses to go on when its parameters, metrics or
 * strategy changed since it began; the refusal names each change, as
 * path: old -> new, instead of leaving the user to compare two files.
 */
#ifndef WJR_JSONDIFF_H
#define WJR_JSONDIFF_H

#include <stddef.h>

#include <jansson.h>

/*
 * The differences between was and now, at most max_items of them (then
 * "and N more"), joined by "; ". Each is the path to the value, then its
 * old and new text: `parameters[x].bounds: [0.0, 1.0] -> [0.0, 2.0]`.
 * Objects are compared key by key (a missing key is "(none)"); arrays of
 * objects that all carry a "name" string are compared by name, so that a
 * removed parameter is one change, not one per parameter after it (the
 * same entries reordered are one change: `parameters (order): [...] ->
 * [...]`); other
 * arrays of equal length that hold objects or arrays element by element;
 * anything else (numbers, strings, an array of them) as a whole.
 * Values longer than value_max bytes (0: no limit) are cut short with
 * "...". Reals show 15 significant digits. Returns a new string the caller
 * frees ("" exactly when they are equal), or NULL when out of memory.
 */
char *wjr_json_diff(const json_t *was, const json_t *now, size_t max_items, size_t value_max);

#endif
