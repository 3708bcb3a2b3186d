/*
 * util.c - tests of the one atomic writer (src/util.c) and the one JSON
 * string writer (src/jsontext.c): the writer fills a temporary file
 * through its emit callback, syncs it, renames it over the path and syncs
 * the folder (fsync is wrapped here to see which descriptors are synced);
 * a failing emit leaves the old file and no temporary file; the runner's
 * file goes through it. The string writer writes what jansson writes for
 * wjr_json_text, byte for byte.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsontext.h"
#include "test_util.h"
#include "util.h"

/* ---- fsync, seen: linked with -Wl,--wrap=fsync ------------------------------ */

int __real_fsync(int fd);
int __wrap_fsync(int fd);

static int file_syncs, dir_syncs;

int __wrap_fsync(int fd)
{
    struct stat st;

    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        dir_syncs++;
    else
        file_syncs++;
    return __real_fsync(fd);
}

/* Entries of a folder other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* An emit writing its text in pieces, or failing after the first. */
typedef struct pieces {
    const char *text;
    int fail;
} pieces;

static int emit_pieces(int fd, const char *path, void *payload)
{
    const pieces *p = payload;
    size_t i, n = strlen(p->text);
    int error;

    for (i = 0; i < n; i += 3) {
        error = wjr_write_all(fd, p->text + i, n - i < 3 ? n - i : 3, path);
        if (error < 0)
            return error;
        if (p->fail)
            return wjr_error_set(WJR_EINVALID, "emit refused");
    }
    return 0;
}

static void test_write_atomic(void **state)
{
    tu_fixture *f = *state;
    char *path = tu_path(f->dir, "state.json"), *text;
    pieces ok = {"{\"a\": [1, 2, 3], \"b\": \"x\"}\n", 0};
    pieces bad = {"{\"never\": 1}", 1};

    file_syncs = dir_syncs = 0;
    assert_int_equal(wjr_write_atomic(path, emit_pieces, &ok), 0);
    text = tu_read(path);
    assert_string_equal(text, ok.text);
    free(text);
    assert_int_equal(file_syncs, 1); /* the temporary file */
    assert_int_equal(dir_syncs, 1);  /* the folder, after the rename */
    assert_int_equal(entries(f->dir), 1);

    /* a failing emit: the old content stays, no temporary file is left */
    assert_int_equal(wjr_write_atomic(path, emit_pieces, &bad), WJR_EINVALID);
    assert_string_equal(wjr_error_last(), "emit refused");
    text = tu_read(path);
    assert_string_equal(text, ok.text);
    free(text);
    assert_int_equal(entries(f->dir), 1);

    /* wjr_write_file_atomic goes the same way */
    file_syncs = dir_syncs = 0;
    assert_int_equal(wjr_write_file_atomic(path, "abc", 3), 0);
    text = tu_read(path);
    assert_string_equal(text, "abc");
    free(text);
    assert_int_equal(file_syncs, 1);
    assert_int_equal(dir_syncs, 1);
    free(path);

    path = tu_path(f->dir, "no-such-folder/x.json");
    assert_int_equal(wjr_write_file_atomic(path, "abc", 3), WJR_EIO);
    assert_non_null(strstr(wjr_error_last(), "no-such-folder"));
    free(path);
}

static void test_runner_file_is_atomic(void **state)
{
    tu_fixture *f = *state;
    char *path, *text = NULL, *file;
    int i;

    tu_runner(f, NULL, NULL);
    for (i = 0; i < 3; i++)
        tu_run(f, i, "{\"x\": 0.5}");
    path = tu_path(f->dir, "runner.json");
    file_syncs = dir_syncs = 0;
    assert_int_equal(wjr_runner_to_json_file(f->runner, path), 0);
    assert_int_equal(file_syncs, 1);
    assert_int_equal(dir_syncs, 1); /* the rename survives a crash */
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    file = tu_read(path);
    assert_string_equal(file, text);
    free(file);
    free(text);
    free(path);
}

/* What the string writer must match: jansson's text of wjr_json_text. */
static void check_text(const char *s)
{
    wjr_buf b = WJR_BUF_INIT;
    json_t *v = wjr_json_text(s);
    char *want = json_dumps(v, JSON_ENCODE_ANY), *got = NULL;

    wjr_buf_puts(&b, "[");
    wjr_buf_json_text(&b, s);
    wjr_buf_puts(&b, "]");
    assert_int_equal(wjr_buf_detach(&got, &b), 0);
    assert_int_equal(strlen(got), strlen(want) + 2);
    assert_memory_equal(got + 1, want, strlen(want));
    free(got);
    free(want);
    json_decref(v);
}

static void test_json_string_writer(void **state)
{
    wjr_buf b = WJR_BUF_INIT;
    char *got = NULL;

    (void)state;
    check_text("plain");
    check_text("quote \" backslash \\ slash / tab \t newline \n bell \a del \x7f");
    check_text("caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80");
    check_text("/tmp/caf\xe9"); /* Latin-1: {"hex": ...} */
    wjr_buf_json_text(&b, "/tmp/caf\xe9");
    wjr_buf_puts(&b, " ");
    wjr_buf_json_text(&b, NULL);
    assert_int_equal(wjr_buf_detach(&got, &b), 0);
    assert_string_equal(got, "{\"hex\": \"2f746d702f636166e9\"} null");
    free(got);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_write_atomic),
        T(test_runner_file_is_atomic),
        T(test_json_string_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
