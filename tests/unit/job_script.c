/*
 * job_script.c - unit tests of what the batch script does around the
 * model, as the Slurm backend writes it: the setup lines (before the
 * model, never with a parameter's value), the warning signal it forwards
 * to the model (signal), and the exit code that makes the job ask Slurm
 * for a requeue (requeue_exit_code), counted as the trial's attempts. The
 * scripts run here, with a fake scontrol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* Setup lines run verbatim before the model, in the trial directory and
 * the model's shell; a hostile parameter value still never reaches it. */
static void setup_lines_run_before_the_model(void **state)
{
    tu_fixture *f = *state;
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    char *dir, *path, *text;
    const char *const env[] = {"SLURM_JOB_ID=77", NULL};

    so.run_model = "sh -c 'echo \"$WJR_T_SETUP $(cat setup.txt)\" > model.txt' sh";
    so.setup = "export WJR_T_SETUP=ready\necho \"in $(basename \"$PWD\")\" > setup.txt";
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    tu_runner(f, w, NULL);
    tu_run(f, 3, "{\"x\": \"$(touch /tmp/wjr-pwned)\"}");
    assert_non_null(strstr(tu_last_sub()->script, "export WJR_T_SETUP=ready\n"));
    assert_null(strstr(tu_last_sub()->script, "wjr-pwned"));
    assert_int_equal(tu_run_script(f, tu_last_sub()->script, env), 0);
    dir = tu_path(f->dir, "000003");
    path = tu_path(dir, "model.txt");
    text = tu_read(path);
    assert_non_null(text);
    assert_string_equal(text, "ready in 000003\n");
    free(text);
    free(path);
    free(dir);
}

/* A version 1 script options struct (no setup member) is still accepted. */
static void script_options_version_1(void **state)
{
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    char *cmd = NULL;

    (void)state;
    so.version = 1;
    so.run_model = "true";
    so.setup = "not read in version 1";
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    assert_int_equal(w->run_model(&cmd, w, NULL), 0);
    assert_string_equal(cmd, "true");
    free(cmd);
    wjr_wrapper_free(w);
}

static void signal_and_requeue_code_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    wjr_backend *b = NULL;

    o.signal = "B:USR1@120";
    o.requeue_exit_code = 42;
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    tu_assert_res(tu_last_sub(), "warn_signal=10");
    tu_assert_res(tu_last_sub(), "warn_time=120");
    tu_assert_res(tu_last_sub(), "warn_flags=1"); /* KILL_JOB_BATCH: the batch shell */
    assert_string_equal(mock_submission_env(tu_last_sub(), "WJR_REQUEUE_EXIT_CODE"), "42");

    o.signal = "KILL@10";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.signal = "USR2@0";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.signal = NULL;
    o.requeue = 0;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.requeue = -1;
    o.requeue_exit_code = 256;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_null(b);
}

/* The batch script passes USR1 on to the model, which runs in the
 * background, and still records the model's own exit code. */
static void the_script_forwards_usr1(void **state)
{
    tu_fixture *f = *state;
    const char *const env[] = {"SLURM_JOB_ID=77", NULL};
    char *path, *text;

    tu_runner(f,
              tu_script_wrapper("sh -c 'trap \"echo got > got.txt; exit 7\" USR1; "
                                "kill -s USR1 $PPID; i=0; while [ $i -lt 100 ]; do sleep 0.1; "
                                "i=$((i+1)); done; exit 3' sh",
                                NULL),
              NULL);
    tu_run(f, 0, "{}");
    assert_int_equal(tu_run_script(f, tu_last_sub()->script, env), 7);
    path = tu_path(f->dir, "000000/got.txt");
    assert_true(tu_exists(path));
    free(path);
    path = tu_path(f->dir, "000000/wjr_exit.json");
    text = tu_read(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"exit_code\": 7"));
    free(text);
    free(path);
}

/* A model exiting with the requeue code makes the script ask Slurm to
 * requeue its own job, and leaves no exit record; another code does not. */
static void the_script_requeues_on_the_code(void **state)
{
    tu_fixture *f = *state;
    char *bin = tu_path(f->dir, "bin"), *fake, *calls, *rec, *text;
    char path_env[4096], bin_env[4200];
    const char *env[] = {"SLURM_JOB_ID=77", "WJR_REQUEUE_EXIT_CODE=5", bin_env, NULL};

    assert_int_equal(mkdir(bin, 0755), 0);
    fake = tu_path(bin, "scontrol");
    calls = tu_path(f->dir, "calls.txt");
    snprintf(path_env, sizeof(path_env), "#!/bin/sh\necho \"$*\" >> '%s'\n", calls);
    tu_write(fake, path_env);
    assert_int_equal(chmod(fake, 0755), 0);
    snprintf(bin_env, sizeof(bin_env), "PATH=%s:%s", bin, getenv("PATH"));
    tu_runner(f, tu_script_wrapper("sh -c 'exit \"$(cat code)\"' sh", NULL), NULL);
    tu_run(f, 0, "{}");
    rec = tu_path(f->dir, "000000/wjr_exit.json");
    text = tu_path(f->dir, "000000/code");
    tu_write(text, "5");
    assert_int_equal(tu_run_script(f, tu_last_sub()->script, env), 5);
    assert_false(tu_exists(rec));
    free(text);
    text = tu_read(calls);
    assert_non_null(text);
    assert_string_equal(text, "requeue 77\n");
    free(text);
    text = tu_path(f->dir, "000000/code");
    tu_write(text, "6");
    assert_int_equal(tu_run_script(f, tu_last_sub()->script, env), 6);
    assert_true(tu_exists(rec));
    free(text);
    free(rec);
    free(calls);
    free(fake);
    free(bin);
}

/* A requeued job (Slurm's restart count) is the same trial, one attempt on. */
static void requeues_count_as_attempts(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *info;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *back = NULL;
    mock_job *j;
    char *text = NULL;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    info = tu_run(f, 0, "{}");
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(info->attempt, 1);
    j = mock_lookup(info->run.job_id);
    assert_non_null(j);
    j->restart_cnt = 1;
    j->state = WJR_JOB_PENDING | WJR_JOBF_REQUEUE;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(info->attempt, 2);
    assert_int_equal(mock_submission_count(), 1);
    assert_int_equal(mock_set_state(info->run.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    tu_poll_one(f, 0); /* COMPLETED, or FAILED for want of output.json */
    assert_int_equal(info->attempt, 2);
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    if (wjr_runner_from_json(&back, text, &ro) != 0)
        fail_msg("%s", wjr_error_last());
    assert_int_equal(wjr_runner_trial(back, 0)->attempt, 2);
    free(text);
    wjr_runner_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(setup_lines_run_before_the_model, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(script_options_version_1, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(signal_and_requeue_code_reach_the_job, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(the_script_forwards_usr1, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_script_requeues_on_the_code, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(requeues_count_as_attempts, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
