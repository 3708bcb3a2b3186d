/*
 * wrapper.h - the registry of built-in wrapper types (wrapper.c), private
 * to the library: which types a saved runner may name without a factory
 * of the caller's, and each type's own rebuild from its to_json text.
 */
#ifndef WJR_WRAPPER_PRIV_H
#define WJR_WRAPPER_PRIV_H

#include "wjr/wrapper.h"

/* 1 when @p type names a wrapper the library itself can rebuild. */
int wjr__wrapper_type_builtin(const char *type);

/* Each built-in type's rebuild from its to_json text, listed in wrapper.c. */
int wjr__wrapper_script_from_json(wjr_wrapper **out, const char *json);

#endif
