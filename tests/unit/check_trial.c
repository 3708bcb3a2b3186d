/*
 * check_trial.c - unit tests of the last question `wjr check`
 * (wjr_study_check) puts to the controller: would it take the study's
 * first trial as its job, asked as sbatch --test-only asks
 * (slurm_job_will_run2). The job described is the one a submission of
 * that trial makes, its per-trial options from the first drawn point
 * included; nothing is submitted. Taken: when and where it would start.
 * Refused: WJR_ESLURM with Slurm's message, at the line of the option to
 * blame, or of the slurm group. Not placeable on the nodes up now while
 * some of the partition's are down or drained, or in a reservation that
 * has not begun: a warning, since a submission would be taken and wait. An unreachable controller
 * is that error, and a busy one is asked again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "test_util.h"

/* The job of the first trial, its own values included, is put to the
 * controller once; its answer comes back; nothing is made. */
static void the_first_trials_job_is_put_to_slurmctld(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;

    mock_add_partition("debug", 0);
    mock_add_partition("gpu", 0);
    assert_int_equal(tu_check_slurm(f,
                                    "partition = \"gpu\"; time = \"10\"; mem = \"1G\";\n"
                                    "cpus_per_task = \"{{ c }}\";",
                                    "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                                    "c = { type = \"fixed\"; value = 3; };",
                                    &info, NULL, 0),
                     0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    assert_int_equal(mock_job_count(), 0);
    /* the description a submission of that trial sends */
    assert_non_null(mock_last_will_run());
    if (strstr(mock_last_will_run(), " cpus_per_task=3 ") == NULL ||
        strstr(mock_last_will_run(), " time_limit=10") == NULL ||
        strstr(mock_last_will_run(), " mem=1024") == NULL)
        fail_msg("not the trial's job: '%s'", mock_last_will_run());
    assert_int_equal(info->trial_tested, 1);
    assert_string_equal(info->trial_partition, "gpu");
    assert_string_equal(info->trial_nodes, "mocknode");
    assert_int_equal(info->trial_cpus, 3);
    assert_true(info->trial_start > 0);
    assert_null(info->trial_not_now);
    wjr_cluster_info_free(info);
    assert_int_equal(mock_outstanding(), 0);
}

/* A refusal is Slurm's message at the line of the option it points at;
 * an option left unset points at the group. */
static void a_refusal_names_its_line_and_slurms_message(void **state)
{
    tu_fixture *f = *state;
    char expect[512];

    mock_add_partition("debug", 0);
    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_INVALID_ACCOUNT);
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\naccount = \"nope\";", NULL, NULL, NULL, 0),
        WJR_ESLURM);
    snprintf(expect, sizeof(expect),
             "%s/c.cfg:4: slurm.account: slurmctld refuses the trials' jobs (asked as sbatch "
             "--test-only asks): %s (Slurm error %d)",
             f->dir, slurm_strerror(ESLURM_INVALID_ACCOUNT), ESLURM_INVALID_ACCOUNT);
    assert_string_equal(wjr_error_last(), expect);

    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_INVALID_QOS);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";", NULL, NULL, NULL, 0), WJR_ESLURM);
    tu_assert_error_has("c.cfg:2: slurm (qos unset): slurmctld refuses the trials' jobs");
    tu_assert_error_has(slurm_strerror(ESLURM_INVALID_QOS));

    /* a refusal no option is known to cause: the group's line */
    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_JOB_SCRIPT_MISSING);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";", NULL, NULL, NULL, 0), WJR_ESLURM);
    tu_assert_error_has("c.cfg:2: slurm: slurmctld refuses");
    /* one RPC each: a refusal is not asked again */
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 3);
    assert_int_equal(mock_outstanding(), 0);
}

/* slurmctld places a test job on the nodes that are up: with every node
 * up, "not available" is a refusal (an exclude of the only node); with
 * some down or drained, the job would wait, and that is a warning. */
static void nodes_down_make_a_warning_not_a_refusal(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    char warnings[1024];

    mock_add_partition("debug", 0);
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\nexclude = \"mocknode\";", NULL, NULL, NULL, 0),
        WJR_ESLURM);
    tu_assert_error_has("c.cfg:2: slurm: slurmctld refuses"); /* no one option to blame */
    tu_assert_error_has(slurm_strerror(ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE));
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 1);

    mock_set_node_state(NODE_STATE_IDLE | NODE_STATE_DRAIN);
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";", NULL, &info, warnings, sizeof(warnings)), 0);
    assert_int_equal(info->trial_tested, 0);
    assert_non_null(info->trial_not_now);
    if (strstr(warnings, "slurmctld cannot start the first trial's job now: ") == NULL ||
        strstr(warnings, "1 of the 1 nodes of debug is down, drained or not responding") == NULL)
        fail_msg("no warning of the drained node: '%s'", warnings);
    wjr_cluster_info_free(info);

    mock_set_node_state(NODE_STATE_DOWN);
    assert_int_equal(tu_check_slurm(f, "", NULL, NULL, warnings, sizeof(warnings)), 0);
    if (strstr(warnings, "nodes of the default partition is down") == NULL)
        fail_msg("no warning of the node down: '%s'", warnings);
    assert_int_equal(mock_outstanding(), 0);
}

/* slurmctld tests a job in a reservation that has not begun as one that
 * cannot start (ESLURM_INVALID_TIME_VALUE), and takes its submission:
 * a warning. Without a reservation that error is a refusal. */
static void a_reservation_to_come_is_a_warning(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    char warnings[1024];

    mock_add_partition("debug", 0);
    mock_add_reservation("week");
    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_INVALID_TIME_VALUE);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\"; reservation = \"week\";", NULL,
                                    &info, warnings, sizeof(warnings)),
                     0);
    assert_int_equal(info->trial_tested, 0);
    if (strstr(warnings, "slurmctld cannot start the first trial's job now: ") == NULL ||
        strstr(warnings, "reservation week has not begun") == NULL)
        fail_msg("no warning of the reservation to come: '%s'", warnings);
    wjr_cluster_info_free(info);
    mock_fail(MOCK_RPC_WILL_RUN, 1, ESLURM_INVALID_TIME_VALUE);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";", NULL, NULL, NULL, 0), WJR_ESLURM);
    tu_assert_error_has(slurm_strerror(ESLURM_INVALID_TIME_VALUE));
}

/* The controller unreachable is that error, not a verdict; busy, it is
 * asked again, as sbatch asks. */
static void an_unreachable_or_busy_controller(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;

    mock_add_partition("debug", 0);
    mock_fail(MOCK_RPC_WILL_RUN, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";", NULL, NULL, NULL, 0),
                     WJR_EUNREACHABLE);
    mock_fail(MOCK_RPC_WILL_RUN, 1, EAGAIN);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";", NULL, &info, NULL, 0), 0);
    assert_int_equal(info->trial_tested, 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 3);
    wjr_cluster_info_free(info);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_first_trials_job_is_put_to_slurmctld, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_refusal_names_its_line_and_slurms_message, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(nodes_down_make_a_warning_not_a_refusal, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_reservation_to_come_is_a_warning, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(an_unreachable_or_busy_controller, tu_setup, tu_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
