/*
 * test_resume_slurm.c - changing a study's slurm section, against the fake
 * controller of tests/mock/:
 *  - the controller refuses a submission: the error names the study's copy
 *    of its configuration; the slurm section edited there applies when the
 *    study is opened again (a read-only open leaves it alone), later
 *    submissions use it, the change is logged once and recorded, and what
 *    the backend learnt from the controller (the cluster's name) is kept;
 *  - a study whose copy was not edited is reopened without a change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

static const char study_text[] =
    "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
    "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
    "generation_strategy = { seed = 3; steps = ( { model = \"SOBOL\"; num_trials = -1; } ); };\n"
    "scheduler = { total_trials = 4; max_pending_trials = 2; };\n"
    "script_options = { run_model = \"true\"; experiment_dir = \"%s/exp\"; };\n"
    "slurm = { partition = \"debug\"; mem = \"%s\"; };\n";

static char *write_config(tu_fixture *f, const char *name, const char *mem)
{
    char *path = tu_path(f->dir, name);
    char text[2048];

    snprintf(text, sizeof(text), study_text, f->dir, mem);
    tu_write(path, text);
    return path;
}

/* Every job so far ends, completed, with its output. */
static void end_all(tu_fixture *f, const wjr_study *s)
{
    size_t i;

    for (i = 0; i < wjr_study_trial_count(s); i++) {
        wjr_study_trial tr;
        char name[64], *dir;

        assert_int_equal(wjr_study_trial_at(&tr, s, i), 0);
        if (tr.job_id == NULL)
            continue;
        snprintf(name, sizeof(name), "exp/%06lld", (long long)tr.index);
        dir = tu_path(f->dir, name);
        tu_put(dir, "output.json", "{\"y\": 1}");
        free(dir);
        assert_int_equal(mock_set_state(tr.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    }
}

/* How many times needle occurs in the file dir/name. */
static int count_in(tu_fixture *f, const char *name, const char *needle)
{
    char *path = tu_path(f->dir, name), *text = tu_read(path), *p;
    int n = 0;

    assert_non_null(text);
    for (p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    free(text);
    free(path);
    return n;
}

static void edited_slurm_section_applies_on_resume(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "study.cfg", "900G"), *dir = tu_path(f->dir, "exp");
    wjr_study_options ro = WJR_STUDY_OPTIONS_INIT;
    wjr_study_progress p;
    wjr_study *s = NULL;
    const mock_submission *sub;
    size_t jobs;

    mock_set_cluster_name("lab");
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0); /* two trials, accepted */
    end_all(f, s);
    jobs = mock_job_count();
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE);
    assert_int_equal(wjr_study_step(&p, s), WJR_ESLURM);
    assert_non_null(strstr(wjr_error_last(), "exp/config.cfg"));
    assert_non_null(strstr(wjr_error_last(), "edit it there, then resume"));
    assert_int_equal(mock_job_count(), jobs);
    wjr_study_free(s);
    assert_int_equal(count_in(f, "exp/study.json", "\"cluster_name\":\"lab\""), 1);

    /* the user edits the study's copy; a reader does not apply it */
    free(write_config(f, "exp/config.cfg", "256M"));
    ro.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&s, dir, &ro), 0);
    wjr_study_free(s);
    assert_int_equal(count_in(f, "exp/study.json", "\"mem\":\"900G\""), 1);
    assert_int_equal(count_in(f, "exp/wjr.log", "slurm section"), 0);

    /* the driver's open applies it: later submissions ask for 256 MB */
    assert_int_equal(wjr_study_open(&s, dir, NULL), 0);
    assert_int_equal(count_in(f, "exp/wjr.log", "mem: \"900G\" -> \"256M\""), 1);
    assert_int_equal(count_in(f, "exp/study.json", "\"mem\":\"256M\""), 1);
    /* what the backend learnt from the controller is kept */
    assert_int_equal(count_in(f, "exp/study.json", "\"cluster_name\":\"lab\""), 1);
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_true(mock_submission_count() >= 1);
    sub = mock_submission_at(mock_submission_count() - 1);
    assert_non_null(strstr(sub->resources, " mem=256"));
    wjr_study_free(s);

    /* opened again: nothing more to apply */
    assert_int_equal(wjr_study_open(&s, dir, NULL), 0);
    wjr_study_free(s);
    assert_int_equal(count_in(f, "exp/wjr.log", "slurm section"), 1);
    free(dir);
    free(cfg);
}

static void unedited_copy_changes_nothing(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "study.cfg", "1G");
    char *dir = tu_path(f->dir, "exp"), *before, *after, *snap = tu_path(f->dir, "exp/study.json");
    wjr_study_progress p;
    wjr_study *s = NULL;

    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    wjr_study_free(s);
    before = tu_read(snap);
    assert_int_equal(wjr_study_open(&s, dir, NULL), 0);
    wjr_study_free(s);
    after = tu_read(snap);
    assert_string_equal(before, after);
    assert_int_equal(count_in(f, "exp/wjr.log", "slurm section"), 0);
    free(before);
    free(after);
    free(snap);
    free(dir);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(edited_slurm_section_applies_on_resume, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(unedited_copy_changes_nothing, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
