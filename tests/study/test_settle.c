/*
 * test_settle.c - the best trial and results.csv kept as trials settle
 * (study_view.c, study_csv.c), against the fake controller of tests/mock/:
 * trials end one at a time, out of index order, and after each step the
 * best trial equals a scan of every trial, and results.csv equals the
 * text rendered afresh (wjr_study_results_csv) and that of a study opened
 * anew. Columns first met late take their place in trial order; an idle
 * poll leaves results.csv alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/stat.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* The trial's job ends: with `output` (output.json) unless NULL, COMPLETE,
 * or FAILED with exit code 1 when `failed`. */
static void end_job(tu_fixture *f, wjr_study *s, int64_t index, const char *output, int failed)
{
    wjr_study_trial tr;
    char name[64], *dir;

    assert_int_equal(wjr_study_trial_at(&tr, s, (size_t)index), 0);
    assert_int_equal(tr.index, index);
    assert_non_null(tr.job_id);
    snprintf(name, sizeof(name), "exp/%06lld", (long long)index);
    dir = tu_path(f->dir, name);
    if (output != NULL)
        tu_put(dir, "output.json", output);
    assert_int_equal(
        mock_set_state(tr.job_id, failed ? WJR_JOB_FAILED : WJR_JOB_COMPLETE, failed, 0), 0);
    free(dir);
}

/* The best trial by a scan of every trial, as a reader of the public
 * views would find it: the lowest mean of `metric` among the completed
 * trials that meet the outcome constraints; the first of equal ones. */
static int64_t scan_best(double *value, const wjr_study *s, const char *metric)
{
    int64_t best = -1;
    size_t i;

    *value = NAN;
    for (i = 0; i < wjr_study_trial_count(s); i++) {
        wjr_study_trial tr;
        json_t *m;
        double v;

        assert_int_equal(wjr_study_trial_at(&tr, s, i), 0);
        if (tr.status != WJR_TRIAL_COMPLETED || tr.feasible == 0 || tr.metrics_json == NULL)
            continue;
        m = json_loads(tr.metrics_json, 0, NULL);
        assert_non_null(m);
        v = json_number_value(json_object_get(json_object_get(m, metric), "mean"));
        json_decref(m);
        if (best < 0 || v < *value) {
            best = tr.index;
            *value = v;
        }
    }
    return best;
}

/* results.csv as written equals the text rendered afresh, from this study
 * and from the same study opened anew (read-only). */
static void assert_csv_fresh(tu_fixture *f, const wjr_study *s)
{
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study *again = NULL;
    char *exp = tu_path(f->dir, "exp"), *path = tu_path(exp, "results.csv");
    char *file = tu_read(path), *fresh = NULL, *reopened = NULL;

    assert_non_null(file);
    assert_int_equal(wjr_study_results_csv(&fresh, s), 0);
    assert_string_equal(file, fresh);
    o.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&again, exp, &o), 0);
    assert_int_equal(wjr_study_results_csv(&reopened, again), 0);
    assert_string_equal(file, reopened);
    wjr_study_free(again);
    free(file);
    free(fresh);
    free(reopened);
    free(path);
    free(exp);
}

/* Eight trials end out of order: a tie, one outside the outcome
 * constraint, one failed by Slurm, one without a metric, one cancelled. */
static void best_and_csv_follow_each_end(void **state)
{
    tu_fixture *f = *state;
    char *cfg = tu_study_config(
        f,
        "objective = { metrics = ( { name = \"y\"; minimize = true; }, { name = \"c\"; } );\n"
        "              outcome_constraints = ( \"c <= 0.5\" ); };\n"
        "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
        "generation_strategy = { seed = 3; steps = ( { model = \"SOBOL\"; num_trials = 8; },\n"
        "                                            { model = \"GPEI\"; num_trials = -1; } ); };\n"
        "scheduler = { total_trials = 8; max_pending_trials = 8;\n"
        "              tolerated_trial_failure_rate = 0.9; };\n");
    /* in the order the jobs end; -1: cancelled */
    static const struct {
        int64_t index;
        const char *output; /* NULL: the job failed */
        int64_t best;       /* the best trial after this end */
    } ends[] = {
        {6, "{\"y\": 1.5, \"c\": 0.4}", 6},
        {1, "{\"y\": 1.0, \"c\": 0.9}", 6}, /* lower, but outside c <= 0.5 */
        {0, "{\"y\": 3.0, \"c\": 0.1}", 6},
        {5, "{\"y\": 0.5}", 6},             /* no c: the trial fails */
        {3, "{\"y\": 1.5, \"c\": 0.3}", 3}, /* ties with 6: the lower index */
        {4, NULL, 3},
        {2, "{\"y\": 2.0, \"c\": 0.2}", 3},
    };
    wjr_study *s = NULL;
    wjr_study_progress p;
    double scanned;
    size_t i;

    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_int_equal(p.generated, 8);
    assert_int_equal(mock_submission_count(), 8);
    assert_int_equal(p.best_index, -1);
    assert_csv_fresh(f, s);
    for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        end_job(f, s, ends[i].index, ends[i].output, ends[i].output == NULL);
        assert_int_equal(wjr_study_step(&p, s), 0);
        assert_int_equal(p.best_index, scan_best(&scanned, s, "y"));
        assert_true(p.best_value == scanned);
        assert_int_equal(p.best_index, ends[i].best);
        assert_csv_fresh(f, s);
    }
    assert_int_equal(p.completed, 5);
    assert_int_equal(p.failed, 2);
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){7}, 1, "not wanted"), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_int_equal(p.state, WJR_STUDY_FINISHED);
    assert_int_equal(p.abandoned, 1);
    assert_int_equal(p.best_index, 3);
    assert_true(p.best_value == 1.5);
    assert_csv_fresh(f, s);
    wjr_study_free(s);
    free(cfg);
}

static ino_t inode_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_ino;
}

/* Trials of an external optimizer carry parameters and metrics nobody
 * declared: their columns stand in the order a walk through the trials
 * meets them, whatever the order the trials end in. */
static void late_columns_take_their_place(void **state)
{
    tu_fixture *f = *state;
    char *cfg = tu_study_config(f, "");
    char *csv_path = tu_path(f->dir, "exp/results.csv"), *out = NULL, *text;
    const char *header = "trial_index,status,job_id,generation_method,a,b,c,m1,m1_sem,m0,m0_sem,"
                         "m3,m3_sem,m2,m2_sem,reason\n";
    static const char *const params[] = {"{\"a\": 1}", "{\"b\": \"x,y\", \"a\": 3}",
                                         "{\"c\": \"=1+2\"}", "{\"a\": 0.5}"};
    static const struct {
        int64_t index;
        const char *output;
    } ends[] = {
        {2, "{\"m2\": 1, \"m1\": 2}"},
        {3, "{\"m1\": 7}"},
        {0, "{\"m1\": 5, \"m0\": 1}"},
        {1, "{\"m3\": 0.25}"},
    };
    wjr_study *s = NULL;
    ino_t before;
    size_t i;

    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(wjr_study_submit(&out, s, params[i]), 0);
        free(out);
    }
    assert_csv_fresh(f, s);
    for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        end_job(f, s, ends[i].index, ends[i].output, 0);
        assert_int_equal(wjr_study_poll(&out, NULL, s), 0);
        free(out);
        assert_csv_fresh(f, s);
    }
    text = tu_read(csv_path);
    assert_non_null(text);
    assert_true(strncmp(text, header, strlen(header)) == 0);
    assert_non_null(strstr(text, "\n0,COMPLETED,"));
    assert_non_null(strstr(text, ",\"x,y\",,,,,,0.25,,,,\n"));
    assert_non_null(strstr(text, ",'=1+2,"));
    free(text);

    /* nothing changed: results.csv is not written again */
    before = inode_of(csv_path);
    assert_int_equal(wjr_study_poll(&out, NULL, s), 0);
    free(out);
    assert_true(inode_of(csv_path) == before);
    assert_csv_fresh(f, s);
    wjr_study_free(s);
    free(csv_path);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(best_and_csv_follow_each_end, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(late_columns_take_their_place, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
