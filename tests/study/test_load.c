/*
 * test_load.c - reading a study of many trials back (study_load.c,
 * study_lines.c, study_files.c), against the fake controller:
 *  - a snapshot of hundreds of trials, read by the line reader's threads
 *    in batches, gives the live study's status, results and CSV, its
 *    parameters and metrics kept as the snapshot wrote them;
 *  - the status document so written is the text jansson's JSON_INDENT(2)
 *    writes of the same values;
 *  - a damaged line deep in the file (not JSON, or a bad status), a file cut short in the middle of
 * a line, and a missing closing line are each an error that names the line, and the open leaves
 * nothing behind (no thread, no leak).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "state.h"
#include "study_store.h"
#include "test_util.h"
#include "util.h"

#define N_TRIALS 300

static char *write_config(tu_fixture *f)
{
    char *path = tu_path(f->dir, "study.cfg");
    char text[4096];

    snprintf(text, sizeof(text),
             "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
             "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
             "  n = { type = \"range\"; bounds = [1, 9]; value_type = \"int\"; };\n"
             "  c = { type = \"choice\"; values = [\"a \\\"q\\\"\", \"b,{}\"]; }; };\n"
             "generation_strategy = { seed = 11; steps = ( { model = \"SOBOL\"; "
             "num_trials = -1; } ); };\n"
             "scheduler = { total_trials = %d; max_pending_trials = %d; "
             "tolerated_trial_failure_rate = 0.9; };\n"
             "script_options = { run_model = \"true\"; experiment_dir = \"%s/exp\"; };\n"
             "slurm = { partition = \"debug\"; };\n",
             N_TRIALS, N_TRIALS, f->dir);
    tu_write(path, text);
    return path;
}

/* Every status, results and CSV text of a study, one after the other. */
static char *seen(const wjr_study *s)
{
    char *status = NULL, *results = NULL, *csv = NULL, *all;

    assert_int_equal(wjr_study_status_json(&status, s), 0);
    assert_int_equal(wjr_study_results_json(&results, s), 0);
    assert_int_equal(wjr_study_results_csv(&csv, s), 0);
    all = wjr_asprintf("%s\n%s\n%s", status, results, csv);
    assert_non_null(all);
    free(status);
    free(results);
    free(csv);
    return all;
}

/* A study of N_TRIALS trials, all in study.json: two thirds completed
 * with metrics, some failed, the rest running. Returns its texts. */
static char *make_study(tu_fixture *f)
{
    char *cfg = write_config(f), *text;
    wjr_study *s = NULL;
    wjr_study_progress p;
    size_t i;

    wjr__store_compact_min = 0; /* every save a snapshot */
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_int_equal(wjr_study_trial_count(s), N_TRIALS);
    for (i = 0; i < N_TRIALS; i++) {
        wjr_study_trial tr;
        char name[64], out[96], *dir;

        assert_int_equal(wjr_study_trial_at(&tr, s, i), 0);
        assert_non_null(tr.job_id);
        if (i % 3 == 2)
            continue; /* stays running */
        snprintf(name, sizeof(name), "exp/%06lld", (long long)tr.index);
        snprintf(out, sizeof(out), "{\"y\": {\"mean\": %zu.%03zu, \"sem\": 0.5}}", i % 17, i);
        dir = tu_path(f->dir, name);
        if (i % 7 != 1)
            tu_put(dir, "output.json", out);
        free(dir);
        mock_set_state(tr.job_id, i % 7 == 1 ? WJR_JOB_FAILED : WJR_JOB_COMPLETE, i % 7 == 1, 0);
    }
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_true(p.completed > N_TRIALS / 2);
    text = seen(s);
    wjr_study_free(s);
    wjr__store_compact_min = 256 * 1024;
    free(cfg);
    return text;
}

#define open_files(f, expect) open_files_at(f, expect, __LINE__)

static wjr_study *open_files_at(tu_fixture *f, int expect, int line)
{
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    char *exp = tu_path(f->dir, "exp");
    wjr_study *s = NULL;

    o.flags = WJR_STUDY_READONLY;
    if (wjr_study_open(&s, exp, &o) != expect)
        fail_msg("line %d: open: %s", line, expect == 0 ? wjr_error_last() : "no error");
    free(exp);
    return s;
}

static void many_trials_read_back(void **state)
{
    tu_fixture *f = *state;
    char *live = make_study(f), *files, *status = NULL, *again;
    wjr_study *s = open_files(f, 0);
    json_t *parsed;

    files = seen(s);
    assert_string_equal(live, files);
    /* the status text is jansson's layout of its own values */
    assert_int_equal(wjr_study_status_json(&status, s), 0);
    parsed = json_loads(status, 0, NULL);
    assert_non_null(parsed);
    assert_int_equal(json_array_size(json_object_get(parsed, "trials")), N_TRIALS);
    again = wjr_json_dumps(parsed, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    assert_string_equal(status, again);
    assert_non_null(strstr(status, "\"c\": \"b,{}\"")); /* the choice's text, escaped */
    free(again);
    json_decref(parsed);
    free(status);
    free(files);
    free(live);
    wjr_study_free(s);
}

/* study.json with its line `lineno` (1: the header) replaced by `with`,
 * or the file cut `cut` bytes into that line when with is NULL. */
static void damage(tu_fixture *f, const char *text, int lineno, const char *with, size_t cut)
{
    char *snap = tu_path(f->dir, "exp/study.json");
    const char *p = text;
    wjr_buf b = WJR_BUF_INIT;
    int i;

    for (i = 1; i < lineno; i++)
        p = strchr(p, '\n') + 1;
    wjr_buf_put(&b, text, (size_t)(p - text));
    if (with != NULL) {
        wjr_buf_puts(&b, with);
        wjr_buf_puts(&b, strchr(p, '\n'));
    } else {
        wjr_buf_put(&b, p, cut);
    }
    tu_write(snap, b.ptr);
    wjr_buf_free(&b);
    free(snap);
}

static void damaged_lines_are_named(void **state)
{
    tu_fixture *f = *state;
    char *live = make_study(f), *snap = tu_path(f->dir, "exp/study.json");
    char *text = tu_read(snap), *closing;

    assert_non_null(text);
    /* a line the parse refuses, deep in the file */
    damage(f, text, 200, ",{\"index\":198,\"run\":{", 0);
    assert_null(open_files(f, WJR_EINVALID));
    assert_non_null(strstr(wjr_error_last(), "study.json:200:"));
    /* a status wjr never writes, in the thread's last batches */
    damage(f, text, 290, ",{\"index\":288,\"status\":\"BOGUS\"}", 0);
    assert_null(open_files(f, WJR_EINVALID));
    assert_non_null(strstr(wjr_error_last(), "study.json:290"));
    /* cut in the middle of a line */
    damage(f, text, 251, NULL, 40);
    assert_null(open_files(f, WJR_EINVALID));
    assert_non_null(strstr(wjr_error_last(), "249 trial lines of 300"));
    /* every trial, and no closing line */
    closing = strstr(text, "\n]}\n");
    assert_non_null(closing);
    closing[1] = '\0';
    tu_write(snap, text);
    assert_null(open_files(f, WJR_EINVALID));
    assert_non_null(strstr(wjr_error_last(), "cut short"));
    free(text);
    free(snap);
    free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(many_trials_read_back, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(damaged_lines_are_named, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
