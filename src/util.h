/*
 * util.h - private helpers shared by the library's modules: error setting,
 * strings, a growable buffer, files written atomically, shell quoting.
 */
#ifndef WJR_UTIL_H
#define WJR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "wjr/common.h"

#define WJR_UNUSED(x) (void)(x)

/* Store code and message in the thread's error slot; returns code. */
int wjr_error_set(int code, const char *fmt, ...) WJR_FORMAT(2, 3);
/* Put "prefix: " before the current message; returns the current code. */
int wjr_error_prefix(const char *fmt, ...) WJR_FORMAT(1, 2);

/* malloc'd copies; NULL on out-of-memory (error set) or NULL input. */
char *wjr_strdup(const char *s);
char *wjr_asprintf(const char *fmt, ...) WJR_FORMAT(1, 2);

/* A growable, always NUL-terminated byte buffer. */
typedef struct wjr_buf {
    char *ptr;
    size_t len;
    size_t cap;
    int oom; /* set once an append failed; later appends are no-ops */
} wjr_buf;

#define WJR_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void wjr_buf_put(wjr_buf *b, const char *s, size_t n);
void wjr_buf_puts(wjr_buf *b, const char *s);
void wjr_buf_printf(wjr_buf *b, const char *fmt, ...) WJR_FORMAT(2, 3);
/* Append s as one POSIX shell word in single quotes. */
void wjr_buf_shell_quote(wjr_buf *b, const char *s);
/* Hand the text over (caller frees); WJR_ENOMEM if any append failed. */
int wjr_buf_detach(char **out, wjr_buf *b);
void wjr_buf_free(wjr_buf *b);

/* mkdir -p; 0 or WJR_EIO with the path and errno text. */
int wjr_mkdir_p(const char *path, unsigned int mode);
/* Writes a file's whole content to @p fd, an open temporary file named
 * @p path (for messages); 0, or an error with its message set. */
typedef int (*wjr_emit_fn)(int fd, const char *path, void *payload);
/* The one atomic writer: a temporary file in @p path's folder filled by
 * @p emit, fsync'd, renamed over @p path, then the folder fsync'd, so that
 * a crash leaves the old or the new content. On failure the temporary
 * file is removed and @p path is untouched. */
int wjr_write_atomic(const char *path, wjr_emit_fn emit, void *payload);
/* wjr_write_atomic with @p len bytes of @p data. */
int wjr_write_file_atomic(const char *path, const char *data, size_t len);
/* Write all of @p data to @p fd, again after EINTR; WJR_EIO naming @p path. */
int wjr_write_all(int fd, const char *data, size_t len, const char *path);
/* fsync the folder that holds @p path, so that a rename in it is durable
 * (WJR_EIO when it cannot be opened or synced). */
int wjr_fsync_parent(const char *path);
/* Write a file in place, without syncing: for files that can be made again. */
int wjr_write_file(const char *path, const char *data, size_t len);
/* Read a whole file; *out is malloc'd and NUL-terminated. WJR_ENOTFOUND if absent. */
int wjr_read_file(char **out, size_t *len, const char *path);
int wjr_file_exists(const char *path);
/* FNV-1a, 64 bits, of len bytes: tells a changed text from the one seen before. */
uint64_t wjr_fnv1a(const char *text, size_t len);

/* The shortest decimal text that reads back as the same double. */
void wjr_format_double(char *buf, size_t size, double v);
struct json_t;
/* json_dumps, with every real number in that shortest form (jansson
 * writes 17 significant digits: 48.657020000000003 for 48.65702). The
 * caller frees the text; NULL when jansson fails or memory runs out. */
char *wjr_json_dumps(const struct json_t *value, size_t flags);

/* "<experiment_dir>/<index as %06d>" (malloc'd). */
char *wjr_trial_dir_path(const char *experiment_dir, int64_t index);

/* Seconds since the epoch, as a double, from CLOCK_REALTIME. */
double wjr_now(void);
/* Seconds on CLOCK_MONOTONIC: for waits that a clock change must not stretch. */
double wjr_monotonic(void);

/* Log through a sink with printf formatting. */
void wjr_log_emit(wjr_log_fn fn, void *payload, wjr_log_level level, int64_t trial, const char *fmt,
                  ...) WJR_FORMAT(5, 6);
void wjr_log_emitv(wjr_log_fn fn, void *payload, wjr_log_level level, int64_t trial,
                   const char *fmt, va_list ap);

#endif
