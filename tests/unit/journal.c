/*
 * journal.c - the append-only record file (src/journal.c): records read
 * back in order, a torn tail dropped at every byte it can be cut at,
 * damage in the middle refused, a stale epoch ignored, a writer killed
 * with SIGKILL in the middle of its appends, and appends on a full file
 * system (RLIMIT_FSIZE stands in for ENOSPC here; the CLI's test on a small
 * tmpfs does the real thing).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "journal.h"
#include "util.h"

typedef struct seen {
    char *text[256];
    size_t n;
} seen;

static int collect(const char *payload, size_t len, void *arg)
{
    seen *s = arg;

    assert_int_equal(strlen(payload), len);
    assert_true(s->n < 256);
    s->text[s->n++] = strdup(payload);
    return 0;
}

static void seen_free(seen *s)
{
    while (s->n > 0)
        free(s->text[--s->n]);
}

static char *tmp_path(const char *name)
{
    char dir[] = "/tmp/wjr-journal-XXXXXX";

    assert_non_null(mkdtemp(dir));
    return wjr_asprintf("%s/%s", dir, name);
}

static void remove_path(char *path)
{
    char *slash = strrchr(path, '/');

    unlink(path);
    *slash = '\0';
    rmdir(path);
    free(path);
}

static off_t file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* The check value of CRC-32/ISO-HDLC, as zlib computes it. */
static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(wjr_crc32("123456789", 9), 0xcbf43926u);
    assert_int_equal(wjr_crc32("", 0), 0);
}

static void write_three(const char *path, uint64_t epoch)
{
    wjr_journal *j;

    assert_int_equal(wjr_journal_create(&j, path, epoch), 0);
    assert_int_equal(wjr_journal_append(j, "{\"a\":1}", 7), 0);
    assert_int_equal(wjr_journal_append(j, "{\"b\":\n2}", 8), 0); /* a newline inside */
    assert_int_equal(wjr_journal_append(j, "", 0), 0);
    wjr_journal_close(j);
}

static void test_round_trip_and_reopen(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    wjr_journal *j;
    seen s = {{0}, 0};

    (void)state;
    write_three(path, 7);
    assert_int_equal(wjr_journal_read(path, 7, collect, &s, &scan), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "{\"a\":1}");
    assert_string_equal(s.text[1], "{\"b\":\n2}");
    assert_string_equal(s.text[2], "");
    assert_false(scan.torn);
    assert_false(scan.stale);
    assert_int_equal(scan.good_end, (uint64_t)file_size(path));
    seen_free(&s);

    /* a writer that comes back appends after what is there */
    assert_int_equal(wjr_journal_open(&j, path, scan.good_end), 0);
    assert_int_equal(wjr_journal_append(j, "{\"c\":3}", 7), 0);
    assert_int_equal(wjr_journal_size(j), (uint64_t)file_size(path));
    wjr_journal_close(j);
    assert_int_equal(wjr_journal_read(path, 7, collect, &s, &scan), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.text[3], "{\"c\":3}");
    seen_free(&s);
    remove_path(path);
}

/* A journal of another epoch (one a compaction replaced) yields nothing. */
static void test_stale_epoch(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    seen s = {{0}, 0};

    (void)state;
    write_three(path, 4);
    assert_int_equal(wjr_journal_read(path, 5, collect, &s, &scan), 0);
    assert_true(scan.stale);
    assert_int_equal(scan.epoch, 4);
    assert_int_equal(s.n, 0);
    assert_int_equal(wjr_journal_read("/nonexistent/j", 5, collect, &s, &scan), WJR_ENOTFOUND);
    remove_path(path);
}

/* Cut the file at every byte inside its last record: the first records
 * are read, the torn one never, and a writer cuts it off before it
 * appends. */
static void test_torn_tail_at_every_byte(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    off_t whole, two, cut;

    (void)state;
    write_three(path, 1);
    whole = file_size(path);
    {
        wjr_journal *j;

        assert_int_equal(wjr_journal_open(&j, path, (uint64_t)whole), 0);
        assert_int_equal(wjr_journal_append(j, "{\"last\":\"record\"}", 17), 0);
        wjr_journal_close(j);
    }
    two = whole;
    whole = file_size(path);
    for (cut = two + 1; cut < whole; cut++) {
        seen s = {{0}, 0};
        wjr_journal *j;

        assert_int_equal(truncate(path, cut), 0);
        assert_int_equal(wjr_journal_read(path, 1, collect, &s, &scan), 0);
        assert_int_equal(s.n, 3);
        assert_true(scan.torn);
        assert_int_equal(scan.good_end, (uint64_t)two);
        seen_free(&s);
        assert_int_equal(wjr_journal_open(&j, path, scan.good_end), 0);
        wjr_journal_close(j);
        assert_int_equal(file_size(path), two);
        /* put the whole record back for the next cut */
        assert_int_equal(wjr_journal_open(&j, path, (uint64_t)two), 0);
        assert_int_equal(wjr_journal_append(j, "{\"last\":\"record\"}", 17), 0);
        wjr_journal_close(j);
    }
    remove_path(path);
}

/* A flipped byte: in the last record it is a torn tail; in the middle,
 * with whole records after it, reading refuses and names the offset. */
static void test_damage(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    seen s = {{0}, 0};
    char *text;
    size_t len;
    FILE *f;

    (void)state;
    write_three(path, 1);
    assert_int_equal(wjr_read_file(&text, &len, path), 0);
    /* the second record's payload: "{\"b\":\n2}" */
    text[strstr(text, "{\"b\"") - text + 1] = 'B';
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    free(text);
    assert_int_equal(wjr_journal_read(path, 1, collect, &s, &scan), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "damaged record at byte"));
    assert_int_equal(s.n, 1); /* only what came before the damage */
    seen_free(&s);

    /* garbage after the last whole record is a torn tail */
    write_three(path, 1);
    f = fopen(path, "ab");
    assert_non_null(f);
    fputs("0000zz", f);
    fclose(f);
    assert_int_equal(wjr_journal_read(path, 1, collect, &s, &scan), 0);
    assert_int_equal(s.n, 3);
    assert_true(scan.torn);
    seen_free(&s);
    remove_path(path);
}

/*
 * SIGKILL in the middle of appends. The writer tells the parent, through a
 * pipe, each record it has appended (append returned); it is killed at a
 * moment of the parent's choosing. Afterwards every acknowledged record is
 * there, in order, and nothing that is there is misread.
 */
static void test_kill_during_appends(void **state)
{
    int round;

    (void)state;
    for (round = 0; round < 8; round++) {
        char *path = tmp_path("j");
        wjr_journal_scan scan;
        seen s = {{0}, 0};
        int fds[2], acked = 0, status;
        char c;
        pid_t pid;

        assert_int_equal(pipe(fds), 0);
        {
            wjr_journal *j;

            assert_int_equal(wjr_journal_create(&j, path, 9), 0);
            wjr_journal_close(j);
        }
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            wjr_journal *j;
            char rec[4096];
            int i;

            close(fds[0]);
            if (wjr_journal_open(&j, path, (uint64_t)file_size(path)) < 0)
                _exit(1);
            for (i = 0; i < 250; i++) {
                int n = snprintf(rec, sizeof(rec), "{\"i\":%d,\"pad\":\"%0*d\"}", i,
                                 100 + (i * 37) % 3000, 0);

                if (wjr_journal_append(j, rec, (size_t)n) < 0)
                    _exit(1);
                if (write(fds[1], "x", 1) != 1)
                    _exit(1);
            }
            for (;;)
                pause();
        }
        close(fds[1]);
        while (acked < 3 + round * 30 && read(fds[0], &c, 1) == 1)
            acked++;
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        while (read(fds[0], &c, 1) == 1)
            acked++; /* acknowledged before the kill landed */
        close(fds[0]);
        assert_int_equal(wjr_journal_read(path, 9, collect, &s, &scan), 0);
        assert_true((int)s.n >= acked);
        for (size_t i = 0; i < s.n; i++) {
            char want[32];

            snprintf(want, sizeof(want), "{\"i\":%zu,", i);
            assert_memory_equal(s.text[i], want, strlen(want));
        }
        seen_free(&s);
        remove_path(path);
    }
}

/* A write that the file system refuses (here: the file size limit, which
 * fails write() with EFBIG as a full disk fails it with ENOSPC): the error
 * names the file and the reason, no part of the record stays, and further
 * appends are refused. */
static void test_append_refused(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    seen s = {{0}, 0};
    int status;
    pid_t pid;

    (void)state;
    write_three(path, 2);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {(rlim_t)file_size(path) + 30, (rlim_t)file_size(path) + 30};
        char big[200];
        wjr_journal *j;

        signal(SIGXFSZ, SIG_IGN);
        memset(big, 'x', sizeof(big));
        if (setrlimit(RLIMIT_FSIZE, &rl) < 0 ||
            wjr_journal_open(&j, path, (uint64_t)file_size(path)) < 0)
            _exit(10);
        if (wjr_journal_append(j, big, sizeof(big)) != WJR_EIO)
            _exit(11);
        if (strstr(wjr_error_last(), "cannot append to") == NULL)
            _exit(12);
        if (wjr_journal_append(j, "{}", 2) != WJR_EIO)
            _exit(13);
        wjr_journal_close(j);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(wjr_journal_read(path, 2, collect, &s, &scan), 0);
    assert_int_equal(s.n, 3);
    assert_false(scan.torn);
    seen_free(&s);
    remove_path(path);
}

/* The last record read from the end: whole, after a torn one, a record
 * larger than the first window, and a journal of the header alone. */
static void test_read_last(void **state)
{
    char *path = tmp_path("j");
    wjr_journal_scan scan;
    wjr_buf last = WJR_BUF_INIT;
    wjr_journal *j;
    char *big = malloc(300000);
    off_t two;

    (void)state;
    assert_non_null(big);
    assert_int_equal(wjr_journal_create(&j, path, 3), 0);
    assert_int_equal(wjr_journal_read_last(&last, path, 3, &scan), 0);
    assert_int_equal(last.len, 0);
    assert_false(scan.torn);
    assert_int_equal(wjr_journal_append(j, "{\"a\":1}", 7), 0);
    memset(big, 'x', 300000);
    big[0] = '"';
    big[299999] = '"';
    assert_int_equal(wjr_journal_append(j, big, 300000), 0);
    two = (off_t)wjr_journal_size(j);
    assert_int_equal(wjr_journal_append(j, "{\"c\":3}", 7), 0);
    wjr_journal_close(j);
    assert_int_equal(wjr_journal_read_last(&last, path, 3, &scan), 0);
    assert_int_equal(last.len, 7);
    assert_memory_equal(last.ptr, "{\"c\":3}", 7);
    assert_false(scan.torn);
    assert_int_equal(scan.good_end, (uint64_t)file_size(path));
    /* the last one torn: the big one before it, found by a grown window */
    assert_int_equal(truncate(path, file_size(path) - 3), 0);
    assert_int_equal(wjr_journal_read_last(&last, path, 3, &scan), 0);
    assert_int_equal(last.len, 300000);
    assert_true(scan.torn);
    assert_int_equal(scan.good_end, (uint64_t)two);
    /* another epoch: nothing */
    assert_int_equal(wjr_journal_read_last(&last, path, 4, &scan), 0);
    assert_true(scan.stale);
    assert_int_equal(last.len, 0);
    wjr_buf_free(&last);
    free(big);
    remove_path(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),          cmocka_unit_test(test_round_trip_and_reopen),
        cmocka_unit_test(test_stale_epoch),    cmocka_unit_test(test_torn_tail_at_every_byte),
        cmocka_unit_test(test_damage),         cmocka_unit_test(test_kill_during_appends),
        cmocka_unit_test(test_append_refused), cmocka_unit_test(test_read_last),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
