/*
 * job_when.c - unit tests of when the trials' jobs may run: slurm.begin and
 * slurm.deadline, read by libslurm's own parser as sbatch reads --begin and
 * --deadline. The texts reach each job description as times counted from
 * that submission; a text libslurm cannot read, or a deadline before the
 * begin, fails at its line when the configuration is read; the test of the
 * first trial's job starts it no earlier than its begin, and a deadline
 * slurmctld refuses is blamed at the deadline's line; both survive the
 * backend's to_json, and a version-4 options struct, which ends before
 * them, is still taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "backend.h"
#include "mock_slurm.h"
#include "test_util.h"

/* The number after " key=" in a description the fake recorded. */
static long long res_number(const char *resources, const char *key)
{
    char pattern[64];
    const char *p;

    snprintf(pattern, sizeof(pattern), " %s=", key);
    p = strstr(resources, pattern);
    if (p == NULL)
        fail_msg("no %s in '%s'", key, resources);
    return strtoll(p + strlen(pattern), NULL, 10);
}

/* A relative time counts from each submission, as sbatch's counts from
 * its own: two jobs submitted apart get begins as far apart. */
static void times_are_read_at_each_submission(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    long long before, first, second;

    o.begin = "now+1hour";
    o.deadline = "now+3days";
    tu_runner(f, NULL, &o);
    before = (long long)time(NULL);
    tu_run(f, 0, "{\"x\": 1}");
    first = res_number(tu_last_sub()->resources, "begin");
    assert_true(first >= before + 3600 && first <= (long long)time(NULL) + 3600);
    assert_true(res_number(tu_last_sub()->resources, "deadline") >= before + 3 * 86400);
    sleep(2);
    before = (long long)time(NULL);
    tu_run(f, 1, "{\"x\": 2}");
    second = res_number(tu_last_sub()->resources, "begin");
    assert_true(second >= before + 3600 && second <= (long long)time(NULL) + 3600);
    assert_true(second >= first + 2);
    /* an absolute time is the same for every job */
    wjr_runner_free(f->runner);
    f->runner = NULL;
    o.begin = "2031-05-04T03:02:01";
    o.deadline = NULL;
    tu_runner(f, NULL, &o);
    tu_run(f, 2, "{\"x\": 3}");
    {
        struct tm tm = {0};

        tm.tm_year = 2031 - 1900;
        tm.tm_mon = 4;
        tm.tm_mday = 4;
        tm.tm_hour = 3;
        tm.tm_min = 2;
        tm.tm_sec = 1;
        tm.tm_isdst = -1;
        assert_int_equal(res_number(tu_last_sub()->resources, "begin"), (long long)mktime(&tm));
    }
    tu_assert_no_res(tu_last_sub(), "deadline");
}

/* What libslurm cannot read, and a deadline before the begin (which
 * sbatch refuses), fail at their lines before the controller is asked. */
static void bad_times_fail_at_their_lines(void **state)
{
    tu_fixture *f = *state;

    mock_add_partition("debug", 0);
    assert_int_equal(
        tu_check_slurm(f, "time = \"10\";\nbegin = \"next week\";", NULL, NULL, NULL, 0),
        WJR_ECONFIG);
    tu_assert_error_has(
        "c.cfg:4: slurm.begin \"next week\" is not a time as sbatch --begin reads it");
    assert_int_equal(tu_check_slurm(f, "deadline = \"soon\";", NULL, NULL, NULL, 0), WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.deadline \"soon\" is not a time as sbatch --deadline");
    assert_int_equal(
        tu_check_slurm(f, "begin = \"now+2days\";\ndeadline = \"now+1day\";", NULL, NULL, NULL, 0),
        WJR_ECONFIG);
    tu_assert_error_has(
        "c.cfg:4: slurm.deadline \"now+1day\" comes before slurm.begin \"now+2days\"");
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 0);
    /* the library's own callers get the same words */
    {
        wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
        wjr_backend *b = NULL;

        o.begin = "next week";
        assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
        tu_assert_error_has("slurm.begin \"next week\" is not a time");
        assert_null(b);
    }
}

/* slurmctld starts a tested job no earlier than its begin; a deadline it
 * refuses (past, or too near for time_min) is blamed at the deadline's
 * line, and a time limit it refuses with a deadline still ahead, at the
 * time's. */
static void the_test_of_a_trial_sees_both(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    long long before = (long long)time(NULL);
    char expect[512];

    mock_add_partition("debug", 0);
    assert_int_equal(tu_check_slurm(f, "begin = \"now+2hours\";\ndeadline = \"now+1day\";", NULL,
                                    &info, NULL, 0),
                     0);
    assert_int_equal(info->trial_tested, 1);
    assert_true(info->trial_start >= before + 7200);
    assert_true(res_number(mock_last_will_run(), "deadline") >= before + 86400);
    wjr_cluster_info_free(info);

    assert_int_equal(
        tu_check_slurm(f, "time = \"10\";\ndeadline = \"2020-01-01\";", NULL, NULL, NULL, 0),
        WJR_ESLURM);
    snprintf(expect, sizeof(expect),
             "c.cfg:4: slurm.deadline: slurmctld refuses the trials' jobs (asked as sbatch "
             "--test-only asks): deadline '2020-01-01' (2020-01-01T00:00:00) leaves a job no "
             "time to run: %s (Slurm error %d)",
             slurm_strerror(ESLURM_INVALID_TIME_LIMIT), ESLURM_INVALID_TIME_LIMIT);
    tu_assert_error_has(expect);

    assert_int_equal(
        tu_check_slurm(f, "time = \"60\";\ntime_min = \"30\";\ndeadline = \"now+10minutes\";", NULL,
                       NULL, NULL, 0),
        WJR_ESLURM);
    tu_assert_error_has("c.cfg:5: slurm.deadline: slurmctld refuses");
    tu_assert_error_has(slurm_strerror(ESLURM_INVALID_TIME_MIN_LIMIT));

    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_INVALID_TIME_LIMIT);
    assert_int_equal(
        tu_check_slurm(f, "time = \"600\";\ndeadline = \"now+1day\";", NULL, NULL, NULL, 0),
        WJR_ESLURM);
    tu_assert_error_has("c.cfg:3: slurm.time: slurmctld refuses");
    if (strstr(wjr_error_last(), "deadline") != NULL)
        fail_msg("the deadline blamed: %s", wjr_error_last());
    assert_int_equal(mock_outstanding(), 0);
}

/* A submission after the deadline is slurmctld's refusal, with the
 * deadline named; nothing is made. */
static void a_submission_past_the_deadline_names_it(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    wjr_job_spec spec = {"k",  "wjr:s:0", "#!/bin/sh\ntrue\n", "/tmp", "/dev/null", "/dev/null",
                         NULL, NULL};
    wjr_backend *b = NULL;
    uint32_t id = 0;

    (void)state;
    o.deadline = "2020-01-01T12:00";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(b->submit(&id, b, &spec), WJR_ESLURM);
    tu_assert_error_has("slurm_submit_batch_job: deadline '2020-01-01T12:00' (2020-01-01T12:00:00) "
                        "leaves a job no time to run");
    assert_int_equal(mock_job_count(), 0);
    wjr_backend_free(b);
}

/* Both are kept in the backend's text and read back; a version-4 struct
 * ends at wckey, and what follows it is not read. */
static void kept_in_to_json_and_not_read_from_version_4(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const has[] = {"\"begin\":\"now+1hour\"", "\"deadline\":\"2031-01-01\"", NULL};
    wjr_backend *b = NULL;
    char *j = NULL;

    (void)state;
    o.begin = "now+1hour";
    o.deadline = "2031-01-01";
    tu_survives_to_json(&o, has);

    o.version = 4;
    o.wckey = "w";
    o.begin = "not read in version 4";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(b->to_json(&j, b), 0);
    assert_non_null(strstr(j, "\"wckey\":\"w\""));
    assert_null(strstr(j, "begin"));
    assert_null(strstr(j, "deadline"));
    free(j);
    wjr_backend_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(times_are_read_at_each_submission, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(bad_times_fail_at_their_lines, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_test_of_a_trial_sees_both, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(a_submission_past_the_deadline_names_it, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(kept_in_to_json_and_not_read_from_version_4, tu_setup,
                                        tu_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
