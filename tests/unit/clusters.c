/*
 * clusters.c - unit tests of slurm.clusters, sbatch's -M: the cluster
 * is looked up in the fake slurmdbd once, and every RPC of the backend
 * (submit, poll, kill, the controller's configuration) goes to it, as
 * libslurm sends them when working_cluster_rec is set; a runner read back
 * from its JSON goes there too; a cluster slurmdbd does not know, or a
 * slurmdbd that does not answer, stops the first RPC with a message and
 * no job (the next try, slurmdbd back, submits); wjr_study_check blames the config's line; the
 * detached driver's job goes to the cluster too; a backend of slurm.conf's cluster made after one
 * of another is not steered by it; and a version-6 options struct, which ends at propagate, is not
 * read past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_slurm.h"
#include "test_util.h"

/* Every RPC of these kinds so far went to the named cluster. */
static void assert_all_sent_elsewhere(void)
{
    static const mock_rpc kinds[] = {MOCK_RPC_SUBMIT, MOCK_RPC_QUERY, MOCK_RPC_KILL, MOCK_RPC_CONF,
                                     MOCK_RPC_STATES};
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        assert_int_equal(mock_rpc_count_elsewhere(kinds[i]), mock_rpc_count(kinds[i]));
}

static void every_rpc_goes_to_the_cluster(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    wjr_poll_result *res = NULL;
    wjr_trial_spec *specs = tu_make_specs(3, 1);
    wjr_runner *back = NULL;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    char *json = NULL;
    const char *const kept[] = {"\"clusters\":\"wjr2\"", NULL};
    size_t n = 0;

    mock_set_accounting(1);
    mock_add_cluster("wjr2");
    o.clusters = "wjr2";
    tu_runner(f, tu_script_wrapper("true", NULL), &o);
    tu_run(f, 0, "{}");
    assert_int_equal(wjr_runner_run_multiple(&n, f->runner, specs, 3), 0);
    assert_int_equal(n, 3);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(wjr_runner_stop(f->runner, 1, "test"), 0);
    assert_true(mock_rpc_count(MOCK_RPC_SUBMIT) == 2 && mock_rpc_count(MOCK_RPC_KILL) == 1);
    assert_all_sent_elsewhere();
    assert_string_equal(mock_last_rpc_cluster(), "wjr2");

    /* a runner read back from its state (a resumed study) goes there too */
    assert_int_equal(wjr_runner_to_json(&json, f->runner), 0);
    assert_non_null(strstr(json, "wjr2"));
    wjr_runner_free(f->runner);
    f->runner = NULL;
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    assert_int_equal(wjr_runner_from_json(&back, json, &ro), 0);
    assert_int_equal(wjr_runner_poll(&res, back, NULL, 0), 0);
    assert_int_equal(res->count, 4);
    assert_int_equal(mock_rpc_count(MOCK_RPC_QUERY) > 1, 1);
    assert_all_sent_elsewhere();
    wjr_poll_result_free(res);
    wjr_runner_free(back);
    free(json);
    free(specs);
    tu_survives_to_json(&o, kept);
}

static void a_cluster_slurmdbd_does_not_know_stops_the_first_rpc(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const wjr_run_metadata *meta = NULL;
    wjr_trial_spec *spec = tu_make_specs(1, 0);
    wjr_cluster_info *info = NULL;
    wjr_backend *b = NULL;

    mock_set_accounting(1);
    mock_add_cluster("wjr2");
    o.clusters = "nosuch";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, b), WJR_ENOTFOUND);
    tu_assert_error_has("clusters \"nosuch\": slurmdbd knows no cluster of that name");
    tu_assert_error_has("(it knows: mockcluster, wjr2)");
    assert_null(info);
    wjr_backend_free(b);

    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run(&meta, f->runner, spec), WJR_ENOTFOUND);
    assert_int_equal(mock_job_count(), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    wjr_runner_free(f->runner);
    f->runner = NULL;

    /* no slurmdbd to ask: unreachable, which a later try may mend (a
     * cluster this process has not looked up yet: it keeps those it has) */
    mock_set_accounting(0);
    mock_add_cluster("wjr3");
    o.clusters = "wjr3";
    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run(&meta, f->runner, spec), WJR_EUNREACHABLE);
    tu_assert_error_has("slurmdbd, which says where the controller of each cluster is, did "
                        "not answer");
    assert_int_equal(mock_job_count(), 0);
    wjr_runner_free(f->runner);
    f->runner = NULL;
    mock_set_accounting(1);
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    assert_string_equal(mock_last_rpc_cluster(), "wjr3");
    free(spec);
}

static void a_backend_of_the_local_cluster_is_not_steered(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT, local = WJR_SLURM_OPTIONS_INIT;
    wjr_cluster_info *info = NULL;
    wjr_backend *other = NULL, *here = NULL;

    (void)f;
    mock_set_accounting(1);
    mock_add_cluster("wjr2");
    o.clusters = "wjr2";
    assert_int_equal(wjr_backend_slurm_new(&other, &o), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, other), 0);
    assert_string_equal(info->cluster_name, "wjr2"); /* the controller's own answer */
    wjr_cluster_info_free(info);

    /* made while the other lives: its RPCs go to slurm.conf's cluster */
    assert_int_equal(wjr_backend_slurm_new(&here, &local), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, here), 0);
    assert_string_equal(info->cluster_name, "mockcluster");
    assert_null(mock_last_rpc_cluster());
    wjr_cluster_info_free(info);
    wjr_backend_free(here);
    wjr_backend_free(other);

    /* a version-6 struct ends at propagate: clusters is not read */
    o.version = 6;
    assert_int_equal(wjr_backend_slurm_new(&other, &o), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, other), 0);
    assert_string_equal(info->cluster_name, "mockcluster");
    wjr_cluster_info_free(info);
    wjr_backend_free(other);
}

static void the_check_blames_the_config_line(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;

    mock_set_accounting(1);
    mock_add_cluster("wjr2");
    if (tu_check_slurm(f, "time = \"10\";\nclusters = \"wjr2\";", NULL, &info, NULL, 0) != 0)
        fail_msg("%s", wjr_error_last());
    assert_string_equal(info->cluster_name, "wjr2");
    assert_true(info->trial_tested);
    assert_string_equal(mock_last_rpc_cluster(), "wjr2");
    wjr_cluster_info_free(info);

    assert_int_equal(
        tu_check_slurm(f, "time = \"10\";\nclusters = \"nosuch\";", NULL, NULL, NULL, 0),
        WJR_ECONFIG);
    tu_assert_error_has("c.cfg:4: slurm.clusters \"nosuch\": slurmdbd knows no cluster");
    assert_int_equal(mock_rpc_count(MOCK_RPC_WILL_RUN), 1); /* the first check's only */

    assert_int_equal(tu_check_slurm(f, "clusters = \"wjr2,wjr3\";", NULL, NULL, NULL, 0),
                     WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.clusters \"wjr2,wjr3\": name one cluster");
    assert_int_equal(tu_check_slurm(f, "clusters = \"ALL\";", NULL, NULL, NULL, 0), WJR_ECONFIG);
    tu_assert_error_has("name one cluster");
}

static void the_detached_driver_goes_to_the_cluster(void **state)
{
    tu_fixture *f = *state;
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    char *cfg = tu_path(f->dir, "study.cfg"), *exp = tu_path(f->dir, "exp"), text[1024];
    uint32_t job_id = 0;

    mock_set_accounting(1);
    mock_add_cluster("wjr2");
    snprintf(text, sizeof(text),
             "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
             "scheduler = { total_trials = 2; };\n"
             "script_options = { run_model = \"true\"; experiment_dir = \"%s\"; };\n"
             "slurm = { clusters = \"wjr2\"; };\n",
             exp);
    tu_write(cfg, text);
    assert_int_equal(wjr_study_create(&study, cfg, &so), 0);
    wjr_study_free(study);
    assert_int_equal(wjr_study_detach(&job_id, exp, "/opt/wjr/bin/wjr"), 0);
    assert_int_equal(mock_submission_count(), 1);
    assert_non_null(strstr(mock_submission_at(0)->name, "wjr-driver-"));
    assert_int_equal(mock_rpc_count_elsewhere(MOCK_RPC_SUBMIT), 1);
    assert_string_equal(mock_last_rpc_cluster(), "wjr2");
    free(cfg);
    free(exp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_rpc_goes_to_the_cluster, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(a_cluster_slurmdbd_does_not_know_stops_the_first_rpc,
                                        tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(a_backend_of_the_local_cluster_is_not_steered, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(the_check_blames_the_config_line, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_detached_driver_goes_to_the_cluster, tu_setup,
                                        tu_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
