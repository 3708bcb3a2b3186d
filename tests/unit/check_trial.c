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
 * is that error, and a busy one is asked again. Then the trials at the
 * ends of the parameters options take, each job once: a refusal names the
 * option and the values; ends outside the parameter constraints are
 * passed over.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "study_int.h"
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

/* The value of parameter name in the first trial of <f->dir>/c.cfg, as
 * the generator draws it. */
static json_int_t first_value(tu_fixture *f, const char *name)
{
    char *path = tu_path(f->dir, "c.cfg");
    wjr_study_config *cfg = NULL;
    wjr_generator *gen = NULL;
    json_t *params = NULL;
    json_int_t v;

    assert_int_equal(wjr_study_config_load(&cfg, path), 0);
    assert_int_equal(wjr_generator_new(&gen, cfg), 0);
    assert_int_equal(wjr_generator_draw(&params, gen, 0), 0);
    assert_true(json_is_integer(json_object_get(params, name)));
    v = json_integer_value(json_object_get(params, name));
    json_decref(params);
    wjr_generator_free(gen);
    wjr_study_config_free(cfg);
    free(path);
    return v;
}

/* The trials at the ends of a parameter an option takes are put to the
 * controller too, each job once: a range at its bounds, but for the one
 * the first trial has. */
static void the_ends_of_a_parameter_are_put_to_slurmctld(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    json_int_t k;
    uint32_t ends;

    mock_add_partition("debug", 0);
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\ncpus_per_task = \"{{ k }}\";",
                       "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                       "k = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };",
                       &info, NULL, 0),
        0);
    k = first_value(f, "k");
    ends = (k != 1) + (k != 8);
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 1 + ends);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    if (strstr(mock_last_will_run(), k != 8 ? " cpus_per_task=8 " : " cpus_per_task=1 ") == NULL)
        fail_msg("not the job of an end: '%s'", mock_last_will_run());
    assert_int_equal(info->trial_tested, 1);
    assert_int_equal(info->trial_cpus, k); /* the first trial's answer stays */
    assert_int_equal(info->trial_ends_tested, ends);
    wjr_cluster_info_free(info);
    assert_int_equal(mock_outstanding(), 0);
}

/* A job refused at an end is the configuration's error: at the line of
 * the option that takes the parameter, with the values and Slurm's
 * message (a QOS's limit on a job's CPUs). */
static void a_refused_end_names_its_option_and_value(void **state)
{
    tu_fixture *f = *state;
    char expect[512];

    mock_add_partition("debug", 0);
    mock_set_job_cpu_limit(4);
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\ncpus_per_task = \"{{ k }}\";",
                       "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                       "k = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };",
                       NULL, NULL, 0),
        WJR_ESLURM);
    snprintf(expect, sizeof(expect),
             "%s/c.cfg:4: slurm.cpus_per_task, a trial with k = 8: slurmctld refuses the trials' "
             "jobs (asked as sbatch --test-only asks): %s (Slurm error %d)",
             f->dir, slurm_strerror(ESLURM_ACCOUNTING_POLICY), ESLURM_ACCOUNTING_POLICY);
    assert_string_equal(wjr_error_last(), expect);

    /* an option without a line of its own elsewhere is blamed at its line */
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\nntasks_per_node = \"{{ k }}\";",
                       "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                       "k = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };",
                       NULL, NULL, 0),
        WJR_ESLURM);
    tu_assert_error_has("c.cfg:4: slurm.ntasks_per_node, a trial with k = 8: slurmctld refuses");

    /* within the limit, each end passes */
    assert_int_equal(
        tu_check_slurm(f, "partition = \"debug\";\ncpus_per_task = \"{{ k }}\";",
                       "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                       "k = { type = \"range\"; bounds = [1, 4]; value_type = \"int\"; };",
                       NULL, NULL, 0),
        0);
    assert_int_equal(mock_outstanding(), 0);
}

/* Each alone within the limit, two parameters at their upper ends
 * together are not: that trial is refused, with both values, at the
 * first option that takes one. Each of a choice's values is an end. */
static void ends_together_and_each_choice(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    const char *slurm = "partition = \"debug\";\nhint = \"{{ h }}\";\nntasks = \"{{ n }}\";\n"
                        "cpus_per_task = \"{{ c }}\";";
    const char *params = "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                         "h = { type = \"choice\"; values = [\"compute_bound\", "
                         "\"nomultithread\"]; };\n"
                         "n = { type = \"range\"; bounds = [1, 4]; value_type = \"int\"; };\n"
                         "c = { type = \"choice\"; values = [4, 2, 1]; };";
    json_int_t n0, c0;
    uint64_t before;

    mock_add_partition("debug", 0);
    assert_int_equal(tu_check_slurm(f, slurm, params, NULL, NULL, 0), 0);
    n0 = first_value(f, "n");
    c0 = first_value(f, "c");
    assert_true(n0 < 4 && c0 < 4); /* the seed's first draw: neither at its upper end */
    /* 4 x c0 and n0 x 4 within the limit, 4 x 4 not */
    mock_set_job_cpu_limit((uint32_t)(4 * (n0 > c0 ? n0 : c0)));
    assert_int_equal(tu_check_slurm(f, slurm, params, NULL, NULL, 0), WJR_ESLURM);
    /* the names of h have no ends: the first option set is ntasks */
    tu_assert_error_has("c.cfg:5: slurm.ntasks, a trial with n = 4, c = 4: slurmctld refuses");
    tu_assert_error_has(slurm_strerror(ESLURM_ACCOUNTING_POLICY));

    /* a choice of names has no ends together; each of its values is one */
    mock_set_job_cpu_limit(3);
    before = mock_rpc_count(MOCK_RPC_WILL_RUN);
    assert_int_equal(tu_check_slurm(f,
                                    "partition = \"debug\";\ncpus_per_task = \"{{ c }}\";\n"
                                    "hint = \"{{ h }}\";",
                                    "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                                    "c = { type = \"choice\"; values = [1, 2, 3]; };\n"
                                    "h = { type = \"choice\"; values = [\"compute_bound\", "
                                    "\"memory_bound\", \"nomultithread\"]; };",
                                    &info, NULL, 0),
                     0);
    /* c = 2 and 3, and two more hints (the first trial has one of each) */
    assert_int_equal(info->trial_ends_tested, 4);
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN) - before, 5);
    wjr_cluster_info_free(info);
    assert_int_equal(mock_outstanding(), 0);
}

/* An end outside the linear parameter constraints is no trial the
 * optimizer can suggest: it is passed over. */
static void ends_outside_the_constraints_are_passed_over(void **state)
{
    tu_fixture *f = *state;
    char *path = tu_path(f->dir, "k.cfg");
    wjr_study_config *cfg = NULL;
    wjr_cluster_info *info = NULL;
    const char *text = "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
                       "slurm = { partition = \"debug\"; cpus_per_task = \"{{ k }}\"; };\n"
                       "parameters = {\n"
                       "  x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
                       "  k = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };\n"
                       "};\n"
                       "parameter_constraints = ( \"k + x <= %s\" );\n";
    char buf[1024];

    mock_add_partition("debug", 0);
    mock_set_job_cpu_limit(4);
    snprintf(buf, sizeof(buf), text, "4");
    tu_write(path, buf);
    assert_int_equal(wjr_study_check(&info, &cfg, path), 0);
    wjr_cluster_info_free(info);
    wjr_study_config_free(cfg);
    /* the bound 8 within them: refused */
    snprintf(buf, sizeof(buf), text, "9");
    tu_write(path, buf);
    assert_int_equal(wjr_study_check(&info, &cfg, path), WJR_ESLURM);
    tu_assert_error_has("k.cfg:2: slurm.cpus_per_task, a trial with k = 8: ");
    assert_null(info);
    assert_null(cfg);
    free(path);
}

/* At most 64 jobs beside the first trial's are asked about; the rest is
 * said in a warning. */
static void at_most_64_more_jobs(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    char values[512] = "", warnings[1024];
    char params[700];
    int i;

    for (i = 1; i <= 70; i++)
        snprintf(values + strlen(values), sizeof(values) - strlen(values), "%s%d",
                 i > 1 ? ", " : "", i);
    snprintf(params, sizeof(params),
             "x = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
             "c = { type = \"choice\"; values = [%s]; };",
             values);
    mock_add_partition("debug", 0);
    assert_int_equal(tu_check_slurm(f, "partition = \"debug\";\ncpus_per_task = \"{{ c }}\";",
                                    params, &info, warnings, sizeof(warnings)),
                     0);
    assert_int_equal(info->trial_ends_tested, 64);
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 65);
    if (strstr(warnings,
               "the jobs of 64 trials at the ends of the parameters the options take "
               "were tested; the others are checked as their trials are submitted") == NULL)
        fail_msg("no warning of the jobs left: '%s'", warnings);
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
        cmocka_unit_test_setup_teardown(the_ends_of_a_parameter_are_put_to_slurmctld, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_refused_end_names_its_option_and_value, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(ends_together_and_each_choice, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(ends_outside_the_constraints_are_passed_over, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(at_most_64_more_jobs, tu_setup, tu_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
