/*
 * fuzz_util.h - what the libFuzzer targets share: a private scratch folder
 * made once per process, files written into it, and a log sink that drops
 * everything (a fuzzed runner must not write logs all over the disk).
 */
#ifndef WJR_FUZZ_UTIL_H
#define WJR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "wjr.h"

/* A folder of this process, made on first use (removed at exit). */
const char *fz_dir(void);

/* Write @p size bytes to <fz_dir()>/<name>; returns its path (static
 * buffer per name slot, valid until the next call with the same name). */
const char *fz_write(const char *name, const uint8_t *data, size_t size);

/* Remove <fz_dir()>/<name> if it is there. */
void fz_remove(const char *name);

/* The input as a NUL-terminated string (malloc'd; embedded NULs cut it). */
char *fz_string(const uint8_t *data, size_t size);

/* A wjr_log_fn that drops every record. */
void fz_no_log(wjr_log_level level, int64_t trial, const char *message, void *payload);

/* abort() with a message: libFuzzer reports it as a crash. */
void fz_fail(const char *what, const char *detail);

#endif
