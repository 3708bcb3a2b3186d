/*
 * util.c - strings, a growable buffer, shell quoting and careful file I/O
 * for the rest of the library.
 *
 * Files that hold state are written atomically (temporary file, fsync,
 * rename, fsync of the folder) so that a crash leaves the old or the new
 * content, never a mix. Nothing here knows trials or Slurm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util.h"

char *wjr_strdup(const char *s)
{
    char *copy;

    if (s == NULL)
        return NULL;
    copy = strdup(s);
    if (copy == NULL)
        wjr_error_set(WJR_ENOMEM, "out of memory");
    return copy;
}

char *wjr_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0)
        out = malloc((size_t)n + 1);
    if (out == NULL) {
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static int buf_grow(wjr_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return -1;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->ptr, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->ptr = p;
    b->cap = cap;
    return 0;
}

void wjr_buf_put(wjr_buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n) < 0)
        return;
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void wjr_buf_puts(wjr_buf *b, const char *s)
{
    wjr_buf_put(b, s, strlen(s));
}

void wjr_buf_printf(wjr_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    int n;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && buf_grow(b, (size_t)n) == 0) {
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void wjr_buf_shell_quote(wjr_buf *b, const char *s)
{
    /* Inside single quotes nothing is special but the quote itself,
     * which is closed, escaped and reopened: ' -> '\'' */
    wjr_buf_put(b, "'", 1);
    for (; *s; s++) {
        if (*s == '\'')
            wjr_buf_put(b, "'\\''", 4);
        else
            wjr_buf_put(b, s, 1);
    }
    wjr_buf_put(b, "'", 1);
}

int wjr_buf_detach(char **out, wjr_buf *b)
{
    if (b->oom) {
        wjr_buf_free(b);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    if (b->ptr == NULL && buf_grow(b, 0) < 0)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    b->ptr[b->len] = '\0';
    *out = b->ptr;
    b->ptr = NULL;
    b->len = b->cap = 0;
    return 0;
}

void wjr_buf_free(wjr_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

int wjr_mkdir_p(const char *path, unsigned int mode)
{
    char *copy;
    char *p;
    int error = 0;

    /* the common cases first: one call when the parent exists */
    if (mkdir(path, (mode_t)mode) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return wjr_error_set(WJR_EIO, "cannot create directory %s: %s", path, strerror(errno));
    copy = wjr_strdup(path);
    if (copy == NULL)
        return WJR_ENOMEM;
    for (p = copy + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(copy, (mode_t)mode) < 0 && errno != EEXIST) {
                error =
                    wjr_error_set(WJR_EIO, "cannot create directory %s: %s", copy, strerror(errno));
                break;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(copy);
    return error;
}

int wjr_fsync_parent(const char *path)
{
    char *dir = wjr_strdup(path);
    char *slash;
    int fd, error = 0;

    if (dir == NULL)
        return WJR_ENOMEM;
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL && errno != EROFS))
        error = wjr_error_set(WJR_EIO, "cannot sync folder %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return error;
}

int wjr_write_all(int fd, const char *data, size_t len, const char *path)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return wjr_error_set(WJR_EIO, "cannot write %s: %s", path, strerror(errno));
        done += (size_t)n;
    }
    return 0;
}

int wjr_write_atomic(const char *path, wjr_emit_fn emit, void *payload)
{
    char *tmp = wjr_asprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = -1, error = 0;

    if (tmp == NULL)
        return WJR_ENOMEM;
    /* in the same folder as path: a rename does not cross file systems */
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = wjr_error_set(WJR_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    error = emit(fd, tmp, payload);
    if (error < 0)
        goto done;
    if (fsync(fd) < 0) {
        error = wjr_error_set(WJR_EIO, "cannot sync %s: %s", tmp, strerror(errno));
        goto done;
    }
    error = close(fd) < 0 ? wjr_error_set(WJR_EIO, "cannot write %s: %s", tmp, strerror(errno)) : 0;
    fd = -1;
    if (error < 0)
        goto done;
    if (rename(tmp, path) < 0) {
        error = wjr_error_set(WJR_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto done;
    }
    error = wjr_fsync_parent(path); /* the rename itself must survive a crash */
done:
    if (fd >= 0)
        close(fd);
    if (error < 0)
        unlink(tmp);
    free(tmp);
    return error;
}

/* The bytes of wjr_write_file_atomic: one write of the whole text. */
typedef struct bytes {
    const char *data;
    size_t len;
} bytes;

static int emit_bytes(int fd, const char *path, void *payload)
{
    const bytes *b = payload;

    return wjr_write_all(fd, b->data, b->len, path);
}

int wjr_write_file_atomic(const char *path, const char *data, size_t len)
{
    bytes b = {data, len};

    return wjr_write_atomic(path, emit_bytes, &b);
}

int wjr_write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int error;

    if (fd < 0)
        return wjr_error_set(WJR_EIO, "cannot write %s: %s", path, strerror(errno));
    error = wjr_write_all(fd, data, len, path);
    if (close(fd) < 0 && error == 0)
        error = wjr_error_set(WJR_EIO, "cannot write %s: %s", path, strerror(errno));
    return error;
}

int wjr_read_file(char **out, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    wjr_buf b = WJR_BUF_INIT;
    char chunk[8192];
    size_t n;

    *out = NULL;
    if (f == NULL) {
        if (errno == ENOENT)
            return wjr_error_set(WJR_ENOTFOUND, "%s: no such file", path);
        return wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        wjr_buf_put(&b, chunk, n);
    if (ferror(f)) {
        fclose(f);
        wjr_buf_free(&b);
        return wjr_error_set(WJR_EIO, "cannot read %s", path);
    }
    fclose(f);
    if (len)
        *len = b.len;
    return wjr_buf_detach(out, &b);
}

int wjr_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void wjr_format_double(char *buf, size_t size, double v)
{
    int prec;

    /* the shortest text that reads back as the same double; 17 digits
     * always do, so they need no check */
    for (prec = 15; prec <= 16; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
    snprintf(buf, size, "%.17g", v);
}

/* Copy the number token at *p of json_dumps' text, shortened if it is a real. */
static void put_number(char **q, const char **p)
{
    char *end, buf[40];
    double d = strtod(*p, &end);
    size_t n = (size_t)(end - *p), k;

    if (n > 0 && memchr(*p, '.', n) == NULL && memchr(*p, 'e', n) == NULL &&
        memchr(*p, 'E', n) == NULL) {
        memcpy(*q, *p, n); /* an integer stays as it is */
    } else if (n > 0) {
        wjr_format_double(buf, sizeof(buf) - 2, d);
        if (strpbrk(buf, ".eEn") == NULL)
            strcat(buf, ".0"); /* still a real when read back */
        k = strlen(buf);
        if (k < n) {
            memcpy(*q, buf, k);
            *q += k;
            *p = end;
            return;
        }
        memcpy(*q, *p, n);
    } else {
        n = 1; /* a lone '-' cannot happen in JSON; copy it anyway */
        **q = **p;
    }
    *q += n;
    *p += n;
}

char *wjr_json_dumps(const json_t *value, size_t flags)
{
    char *text = json_dumps(value, flags), *out, *q;
    const char *p;
    int in_string = 0;

    if (text == NULL)
        return NULL;
    out = malloc(strlen(text) + 1); /* never longer than jansson's text */
    if (out == NULL) {
        free(text);
        return NULL;
    }
    for (p = text, q = out; *p != '\0';) {
        if (in_string) {
            if (*p == '\\' && p[1] != '\0')
                *q++ = *p++;
            else if (*p == '"')
                in_string = 0;
            *q++ = *p++;
        } else if (*p == '"') {
            in_string = 1;
            *q++ = *p++;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            put_number(&q, &p);
        } else {
            *q++ = *p++;
        }
    }
    *q = '\0';
    free(text);
    return out;
}

char *wjr_trial_dir_path(const char *experiment_dir, int64_t index)
{
    size_t n = strlen(experiment_dir);
    char digits[24];
    int k = snprintf(digits, sizeof(digits), "%06lld", (long long)index);
    char *path = k > 0 ? malloc(n + (size_t)k + 2) : NULL;

    if (path == NULL) {
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(path, experiment_dir, n);
    path[n] = '/';
    memcpy(path + n + 1, digits, (size_t)k + 1);
    return path;
}

double wjr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wjr_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wjr_log_emitv(wjr_log_fn fn, void *payload, wjr_log_level level, int64_t trial,
                   const char *fmt, va_list ap)
{
    char msg[2048];

    if (fn == NULL)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    fn(level, trial, msg, payload);
}

void wjr_log_emit(wjr_log_fn fn, void *payload, wjr_log_level level, int64_t trial, const char *fmt,
                  ...)
{
    va_list ap;

    va_start(ap, fmt);
    wjr_log_emitv(fn, payload, level, trial, fmt, ap);
    va_end(ap);
}

uint64_t wjr_fnv1a(const char *text, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    return h;
}
