/*
 * journal.c - the append-only record file of journal.h: framing, the
 * checksum, reading a prefix of whole records, and durable appends.
 *
 * Reading streams one record at a time, so memory follows the largest
 * record, not the file. When a record fails its frame or checksum, the rest
 * of the file decides what it was: if no whole record starts anywhere after
 * it, it is the torn tail a crash leaves behind (dropped); if one does, the
 * file was damaged in the middle, and reading stops with an error rather
 * than skip records silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "util.h"

#define FRAME_HEAD      18 /* "LLLLLLLL CCCCCCCC " */
#define MAX_RECORD      (1u << 30)
#define JOURNAL_VERSION 1

struct wjr_journal {
    char *path;
    int fd;
    uint64_t size;
    int broken; /* an append failed: no more appends */
};

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    uint32_t n, c;
    int k;

    for (n = 0; n < 256; n++) {
        for (c = n, k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        crc_table[n] = c;
    }
}

uint32_t wjr_crc32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xffffffffu;
    size_t i;

    pthread_once(&crc_once, crc_init);
    for (i = 0; i < len; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static int hex8(uint32_t *out, const char *s)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 8; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* The frame head of a record: 0, or -1 when it is not one. */
static int parse_head(uint32_t *len, uint32_t *crc, const char *h)
{
    if (hex8(len, h) < 0 || h[8] != ' ' || hex8(crc, h + 9) < 0 || h[17] != ' ' ||
        *len > MAX_RECORD)
        return -1;
    return 0;
}

/* Does a whole, valid record start at p (n bytes available)? */
static int whole_record_at(const char *p, size_t n)
{
    uint32_t len, crc;

    if (n < FRAME_HEAD + 1 || parse_head(&len, &crc, p) < 0 || n - FRAME_HEAD - 1 < len)
        return 0;
    return p[FRAME_HEAD + len] == '\n' && wjr_crc32(p + FRAME_HEAD, len) == crc;
}

/* A bad record at byte `at`: a torn tail, or damage with whole records
 * after it? Reads the rest of the file (this happens once, at the end). */
static int judge_bad_record(FILE *f, const char *path, uint64_t at, wjr_journal_scan *scan)
{
    wjr_buf rest = WJR_BUF_INIT;
    char chunk[8192];
    size_t n, i;
    int damaged = 0;

    if (fseeko(f, (off_t)at, SEEK_SET) != 0)
        return wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        wjr_buf_put(&rest, chunk, n);
    if (rest.oom) {
        wjr_buf_free(&rest);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    for (i = 1; i < rest.len && !damaged; i++)
        if (rest.ptr[i - 1] == '\n' && whole_record_at(rest.ptr + i, rest.len - i))
            damaged = 1;
    wjr_buf_free(&rest);
    if (damaged)
        return wjr_error_set(WJR_EINVALID,
                             "%s: damaged record at byte %" PRIu64
                             " with whole records after it; the journal is not read past "
                             "it (see RELIABILITY.md, \"the study's files\")",
                             path, at);
    scan->torn = 1;
    return 0;
}

/* Read one record at the current position into buf: 1 read, 0 end of
 * file, -1 bad (short, bad frame or bad checksum). */
static int read_record(wjr_buf *buf, FILE *f)
{
    char head[FRAME_HEAD];
    uint32_t len, crc;
    size_t n = fread(head, 1, sizeof(head), f);

    if (n == 0 && feof(f))
        return 0;
    if (n < sizeof(head) || parse_head(&len, &crc, head) < 0)
        return -1;
    buf->len = 0;
    if (buf->cap < (size_t)len + 2) {
        char *p = realloc(buf->ptr, (size_t)len + 2);

        if (p == NULL)
            return -2;
        buf->ptr = p;
        buf->cap = (size_t)len + 2;
    }
    if (fread(buf->ptr, 1, (size_t)len + 1, f) != (size_t)len + 1 || buf->ptr[len] != '\n' ||
        wjr_crc32(buf->ptr, len) != crc)
        return -1;
    buf->ptr[len] = '\0';
    buf->len = len;
    return 1;
}

static int read_header(uint64_t *epoch, const char *payload)
{
    unsigned version;
    unsigned long long e;
    int used = 0;

    if (sscanf(payload, "{\"wjr_journal\":%u,\"epoch\":%llu}%n", &version, &e, &used) != 2 ||
        payload[used] != '\0' || version != JOURNAL_VERSION)
        return -1;
    *epoch = e;
    return 0;
}

/* Open the journal at path, scan zeroed and its size noted: 0, or
 * WJR_ENOTFOUND / WJR_EIO when it cannot be opened. */
static int open_journal(FILE **f, const char *path, wjr_journal_scan *scan)
{
    struct stat st;

    memset(scan, 0, sizeof(*scan));
    *f = fopen(path, "rb");
    if (*f == NULL)
        return errno == ENOENT
                   ? wjr_error_set(WJR_ENOTFOUND, "%s: no such file", path)
                   : wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
    if (fstat(fileno(*f), &st) == 0)
        scan->size = (uint64_t)st.st_size;
    return 0;
}

int wjr_journal_read(const char *path, uint64_t epoch, wjr_journal_fn fn, void *arg,
                     wjr_journal_scan *scan)
{
    wjr_buf buf = WJR_BUF_INIT;
    FILE *f;
    uint64_t at = 0;
    int rc, error = 0;

    error = open_journal(&f, path, scan);
    if (error < 0)
        return error;
    rc = read_record(&buf, f);
    if (rc == -2 || buf.oom) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    if (rc == 0) { /* empty: a crash before the header was whole */
        scan->torn = 1;
        scan->stale = 1;
        goto done;
    }
    if (rc < 0 || read_header(&scan->epoch, buf.ptr) < 0) {
        rc = rc < 0 ? judge_bad_record(f, path, 0, scan) : -1;
        if (rc == 0) {
            scan->stale = 1; /* a torn header: nothing in it */
            goto done;
        }
        error = rc < -1 ? rc : wjr_error_set(WJR_EINVALID, "%s: not a wjr journal", path);
        goto done;
    }
    at = FRAME_HEAD + buf.len + 1;
    scan->good_end = at;
    if (scan->epoch != epoch) {
        scan->stale = 1;
        goto done;
    }
    for (;;) {
        rc = read_record(&buf, f);
        if (rc == 0)
            break;
        if (rc == -2 || buf.oom) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            break;
        }
        if (rc < 0) {
            error = judge_bad_record(f, path, at, scan);
            break;
        }
        if (fn != NULL) {
            error = fn(buf.ptr, buf.len, arg);
            if (error != 0)
                break;
        }
        at += FRAME_HEAD + buf.len + 1;
        scan->good_end = at;
        scan->records++;
    }
done:
    if (error == 0 && ferror(f))
        error = wjr_error_set(WJR_EIO, "cannot read %s", path);
    fclose(f);
    wjr_buf_free(&buf);
    return error;
}

/* The last whole record among the n bytes of buf, which start at file
 * offset `base` (a record boundary when base is the header's end): its
 * offset in buf and length in *at and *len; 0 when there is none. */
static int last_whole(size_t *at, size_t *end, const char *buf, size_t n, int base_is_boundary)
{
    size_t p = n;

    while (p > 0) {
        p--;
        if ((p == 0 && base_is_boundary) || (p > 0 && buf[p - 1] == '\n')) {
            uint32_t len, crc;

            if (whole_record_at(buf + p, n - p) && parse_head(&len, &crc, buf + p) == 0) {
                *at = p;
                *end = p + FRAME_HEAD + len + 1;
                return 1;
            }
        }
    }
    return 0;
}

int wjr_journal_read_last(wjr_buf *last, const char *path, uint64_t epoch, wjr_journal_scan *scan)
{
    wjr_buf buf = WJR_BUF_INIT, window = WJR_BUF_INIT;
    uint64_t header_end, span = 65536;
    FILE *f;
    int rc, error = 0;

    last->len = 0;
    error = open_journal(&f, path, scan);
    if (error < 0)
        return error;
    rc = read_record(&buf, f);
    if (rc == -2) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    if (rc <= 0 || read_header(&scan->epoch, buf.ptr) < 0) {
        scan->stale = 1; /* no whole header: nothing in it (a full read says more) */
        scan->torn = 1;
        goto done;
    }
    header_end = FRAME_HEAD + buf.len + 1;
    scan->good_end = header_end;
    if (scan->epoch != epoch) {
        scan->stale = 1;
        goto done;
    }
    for (;;) { /* a window at the end, grown until it holds a whole record */
        uint64_t from = scan->size > header_end + span ? scan->size - span : header_end;
        size_t at, end, n;

        window.len = 0;
        if (fseeko(f, (off_t)from, SEEK_SET) != 0) {
            error = wjr_error_set(WJR_EIO, "cannot read %s: %s", path, strerror(errno));
            break;
        }
        {
            char chunk[65536];

            while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                wjr_buf_put(&window, chunk, n);
        }
        if (window.oom) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            break;
        }
        if (last_whole(&at, &end, window.ptr, window.len, from == header_end)) {
            wjr_buf_put(last, window.ptr + at + FRAME_HEAD, end - at - FRAME_HEAD - 1);
            scan->good_end = from + end;
            scan->torn = scan->good_end < scan->size;
            scan->records = 1;
            if (last->oom)
                error = wjr_error_set(WJR_ENOMEM, "out of memory");
            break;
        }
        if (from == header_end) { /* no whole record at all */
            scan->torn = scan->size > header_end;
            break;
        }
        span *= 4;
    }
done:
    fclose(f);
    wjr_buf_free(&buf);
    wjr_buf_free(&window);
    return error;
}

/* One frame, in one buffer, so that it goes out in one write(). */
static int frame(wjr_buf *b, const char *payload, size_t len)
{
    if (len > MAX_RECORD)
        return wjr_error_set(WJR_EINVALID, "a journal record of %zu bytes is too large", len);
    wjr_buf_printf(b, "%08x %08x ", (unsigned)len, (unsigned)wjr_crc32(payload, len));
    wjr_buf_put(b, payload, len);
    wjr_buf_put(b, "\n", 1);
    return b->oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static wjr_journal *journal_alloc(const char *path, int fd, uint64_t size)
{
    wjr_journal *j = calloc(1, sizeof(*j));

    if (j == NULL || (j->path = wjr_strdup(path)) == NULL) {
        free(j);
        close(fd);
        wjr_error_set(WJR_ENOMEM, "out of memory");
        return NULL;
    }
    j->fd = fd;
    j->size = size;
    return j;
}

int wjr_journal_create(wjr_journal **out, const char *path, uint64_t epoch)
{
    wjr_buf b = WJR_BUF_INIT;
    char header[64];
    int error;

    *out = NULL;
    snprintf(header, sizeof(header), "{\"wjr_journal\":%d,\"epoch\":%" PRIu64 "}", JOURNAL_VERSION,
             epoch);
    error = frame(&b, header, strlen(header));
    if (error == 0) /* the one atomic writer: the old journal or the new, never half */
        error = wjr_write_file_atomic(path, b.ptr, b.len);
    if (error == 0)
        error = wjr_journal_open(out, path, b.len);
    wjr_buf_free(&b);
    return error;
}

int wjr_journal_open(wjr_journal **out, const char *path, uint64_t good_end)
{
    struct stat st;
    int fd;

    *out = NULL;
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0)
        goto fail;
    if ((uint64_t)st.st_size != good_end && (ftruncate(fd, (off_t)good_end) < 0 || fsync(fd) < 0))
        goto fail;
    if (lseek(fd, (off_t)good_end, SEEK_SET) < 0)
        goto fail;
    *out = journal_alloc(path, fd, good_end);
    return *out != NULL ? 0 : WJR_ENOMEM;
fail:
    wjr_error_set(WJR_EIO, "cannot open %s for appending: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return WJR_EIO;
}

int wjr_journal_append(wjr_journal *j, const char *payload, size_t len)
{
    wjr_buf b = WJR_BUF_INIT;
    int error;

    if (j->broken)
        return wjr_error_set(WJR_EIO, "%s: an earlier write failed; the study must be reopened",
                             j->path);
    error = frame(&b, payload, len);
    if (error == 0 && (write_all(j->fd, b.ptr, b.len) < 0 || fdatasync(j->fd) < 0)) {
        int saved = errno;

        /* Take back what part of the record reached the file: a reader
         * would drop it anyway, but the next writer must not append after
         * it. The journal stays closed to appends either way. */
        if (ftruncate(j->fd, (off_t)j->size) == 0)
            (void)lseek(j->fd, (off_t)j->size, SEEK_SET);
        j->broken = 1;
        error = wjr_error_set(WJR_EIO, "cannot append to %s: %s", j->path, strerror(saved));
    }
    if (error == 0)
        j->size += b.len;
    wjr_buf_free(&b);
    return error;
}

uint64_t wjr_journal_size(const wjr_journal *j)
{
    return j->size;
}

void wjr_journal_close(wjr_journal *j)
{
    if (j == NULL)
        return;
    close(j->fd);
    free(j->path);
    free(j);
}
