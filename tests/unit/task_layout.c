/*
 * task_layout.c - unit tests of the options that shape a job's tasks on
 * its nodes: sockets_per_node, cores_per_socket, ntasks_per_socket and
 * distribution. What reaches Slurm's job description (as the fake
 * controller recorded it) and the variables sbatch exports for srun in
 * the job; the forms of --distribution against Slurm's own numbers
 * (slurm.h); what sbatch refuses beside a hint; a parameter setting the
 * counts; the tasks' CPUs and GPUs as each Slurm's sbatch writes them,
 * and gpu_bind;
 * the backend's text; an older struct not read past its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>

#include "backend.h"
#include "mock_slurm.h"
#include "slurm_dist.h"
#include "slurm_values.h"
#include "test_util.h"

/* Each form sbatch reads, Slurm's number for it (from slurm.h) and the
 * SLURM_DISTRIBUTION text sbatch exports. */
static void distribution_forms_are_slurms(void **state)
{
    const struct {
        const char *text;
        uint32_t dist, plane;
        const char *shown;
    } ok[] = {
        {"block", SLURM_DIST_BLOCK, 0, "block"},
        {"Cyclic", SLURM_DIST_CYCLIC, 0, "cyclic"},
        {"plane=4", SLURM_DIST_PLANE, 4, "plane"},
        {"block:cyclic", SLURM_DIST_BLOCK_CYCLIC, 0, "block:cyclic"},
        {"cyclic:fcyclic", SLURM_DIST_CYCLIC_CFULL, 0, "cyclic:fcyclic"},
        {"block:block:fcyclic", SLURM_DIST_BLOCK_BLOCK_CFULL, 0, "block:block:fcyclic"},
        {"cyclic:fcyclic:block", SLURM_DIST_CYCLIC_CFULL_BLOCK, 0, "cyclic:fcyclic:block"},
        /* "*": block, then cyclic, then the socket level's */
        {"*:*", SLURM_DIST_BLOCK_CYCLIC, 0, "block:cyclic"},
        {"cyclic:fcyclic:*", SLURM_DIST_CYCLIC_CFULL_CFULL, 0, "cyclic:fcyclic:fcyclic"},
        {"block:*:*", SLURM_DIST_BLOCK_CYCLIC_CYCLIC, 0, "block:cyclic:cyclic"},
        {"block,pack", SLURM_DIST_BLOCK | SLURM_DIST_PACK_NODES, 0, "block,pack"},
        {"cyclic:block,NoPack", SLURM_DIST_CYCLIC_BLOCK | SLURM_DIST_NO_PACK_NODES, 0,
         "cyclic:block,nopack"},
        {"pack", SLURM_DIST_UNKNOWN | SLURM_DIST_PACK_NODES, 0, "pack"},
        {"nopack", SLURM_DIST_UNKNOWN | SLURM_DIST_NO_PACK_NODES, 0, "nopack"},
    };
    const char *const bad[] = {"",
                               "fcyclic",
                               "block:spread",
                               "block:cyclic:cyclic:cyclic",
                               "plane",
                               "plane=0",
                               "plane=65534",
                               "plane=4,pack",
                               "block,tight",
                               ",pack",
                               "arbitrary",
                               "hostfile"};
    wjr_slurm_dist d;
    char why[200];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (wjr_slurm_parse_dist(&d, why, sizeof(why), ok[i].text) != 0)
            fail_msg("%s: %s", ok[i].text, why);
        if (d.task_dist != ok[i].dist || d.plane_size != ok[i].plane)
            fail_msg("%s: 0x%x plane %u, Slurm's is 0x%x plane %u", ok[i].text, d.task_dist,
                     d.plane_size, ok[i].dist, ok[i].plane);
        assert_string_equal(d.text, ok[i].shown);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        if (wjr_slurm_parse_dist(&d, why, sizeof(why), bad[i]) == 0)
            fail_msg("\"%s\" was read as 0x%x", bad[i], d.task_dist);
        assert_true(why[0] != '\0');
    }
    assert_int_equal(wjr_slurm_dist_check("block:spread"), WJR_ECONFIG);
    tu_assert_error_has("slurm.distribution \"block:spread\": a socket or core level");
}

/* The four reach the description as sbatch fills it, and the job gets
 * what sbatch exports for srun in it. */
static void layout_reaches_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const mock_submission *s;
    char want[64];

    o.ntasks = 8;
    o.sockets_per_node = 2;
    o.cores_per_socket = 4;
    o.ntasks_per_socket = 3;
    o.distribution = "cyclic:block,pack";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    tu_assert_res(s, "sockets_per_node=2");
    tu_assert_res(s, "cores_per_socket=4");
    tu_assert_res(s, "ntasks_per_socket=3");
    snprintf(want, sizeof(want), "task_dist=0x%x",
             (unsigned)(SLURM_DIST_CYCLIC_BLOCK | SLURM_DIST_PACK_NODES));
    tu_assert_res(s, want);
    tu_assert_no_res(s, "plane_size");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS_PER_SOCKET"), "3");
    assert_string_equal(mock_submission_env(s, "SLURM_DISTRIBUTION"), "cyclic:block,pack");
    assert_null(mock_submission_env(s, "SLURM_DIST_PLANESIZE"));
    wjr_runner_free(f->runner);
    f->runner = NULL;

    /* plane=N: its size, in the description and for srun */
    o = (wjr_slurm_options)WJR_SLURM_OPTIONS_INIT;
    o.distribution = "plane=4";
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{}");
    s = tu_last_sub();
    snprintf(want, sizeof(want), "task_dist=0x%x", (unsigned)SLURM_DIST_PLANE);
    tu_assert_res(s, want);
    tu_assert_res(s, "plane_size=4");
    assert_string_equal(mock_submission_env(s, "SLURM_DISTRIBUTION"), "plane");
    assert_string_equal(mock_submission_env(s, "SLURM_DIST_PLANESIZE"), "4");
    wjr_runner_free(f->runner);
    f->runner = NULL;

    /* none set: none sent, none exported */
    tu_runner(f, NULL, NULL);
    tu_run(f, 2, "{}");
    s = tu_last_sub();
    tu_assert_no_res(s, "sockets_per_node");
    tu_assert_no_res(s, "ntasks_per_socket");
    tu_assert_no_res(s, "task_dist");
    assert_null(mock_submission_env(s, "SLURM_NTASKS_PER_SOCKET"));
    assert_null(mock_submission_env(s, "SLURM_DISTRIBUTION"));
}

/* A parameter may set each count; trials with other values go in other
 * submissions. */
static void counts_from_parameters(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"ntasks_per_socket=t", "sockets_per_node=s", "cores_per_socket=c",
                              NULL};
    const mock_submission *s;

    o.per_trial = pt;
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{\"t\": 2, \"s\": 1, \"c\": 8}");
    s = tu_last_sub();
    tu_assert_res(s, "ntasks_per_socket=2");
    tu_assert_res(s, "sockets_per_node=1");
    tu_assert_res(s, "cores_per_socket=8");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS_PER_SOCKET"), "2");
    tu_run(f, 1, "{\"t\": 4, \"s\": 2, \"c\": 8}");
    s = tu_last_sub();
    tu_assert_res(s, "ntasks_per_socket=4");
    tu_assert_res(s, "sockets_per_node=2");
}

/* sbatch drops a hint beside sockets or cores per socket; a count out of
 * Slurm's 16 bits and a distribution it cannot read are refused too. */
static void at_odds_are_refused(void **state)
{
    wjr_backend *b = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < 5; i++) {
        wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
        const char *want = "slurm.sockets_per_node and slurm.hint exclude each other";
        if (i == 0)
            o.hint = "compute_bound", o.sockets_per_node = 1;
        else if (i == 1)
            o.hint = "nomultithread", o.cores_per_socket = 2,
            want = "slurm.cores_per_socket and slurm.hint exclude each other";
        else if (i == 2)
            o.ntasks_per_socket = 70000, want = "ntasks_per_socket is out of range";
        else if (i == 3)
            o.sockets_per_node = -1, want = "sockets_per_node, cores_per_socket";
        else
            o.distribution = "block:spread", want = "slurm.distribution \"block:spread\"";
        assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
        assert_null(b);
        if (strstr(wjr_error_last(), want) == NULL)
            fail_msg("case %zu: %s", i, wjr_error_last());
    }
}

/* The tasks' CPUs and GPUs as sbatch of this Slurm writes them in the
 * description and exports them for srun in the job: from 24.05 one list
 * "cpu=C,gres/gpu[:type]=N" (SLURM_TRES_PER_TASK), from 23.11 each task
 * bound to its GPUs (tres_bind, SLURM_TRES_BIND); 22.05 sends the GPUs
 * alone and exports SLURM_GPUS_PER_TASK. The cluster's own word on an OOM
 * (oom_kill_step) is left to it, as sbatch leaves it. */
static void tasks_tres_as_sbatch_writes_them(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const mock_submission *s;

    o.ntasks = 2;
    o.cpus_per_task = 3;
    o.gpus_per_task = "a100:2";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 5, 0)
    tu_assert_res(s, "tres_per_task=cpu=3,gres/gpu:a100=2");
    assert_string_equal(mock_submission_env(s, "SLURM_TRES_PER_TASK"), "cpu=3,gres/gpu:a100=2");
    tu_assert_res(s, "tres_bind=gres/gpu:per_task:2");
    assert_string_equal(mock_submission_env(s, "SLURM_TRES_BIND"), "gres/gpu:per_task:2");
    assert_null(mock_submission_env(s, "SLURM_GPUS_PER_TASK"));
#else
    tu_assert_res(s, "tres_per_task=gres:gpu:a100:2");
    assert_string_equal(mock_submission_env(s, "SLURM_GPUS_PER_TASK"), "a100:2");
    tu_assert_no_res(s, "tres_bind");
    assert_null(mock_submission_env(s, "SLURM_TRES_PER_TASK"));
#endif
    tu_assert_no_res(s, "oom_kill_step");
    wjr_runner_free(f->runner);
    f->runner = NULL;

    /* CPUs alone: from 24.05 they are a TRES per task too; no binding */
    o = (wjr_slurm_options)WJR_SLURM_OPTIONS_INIT;
    o.cpus_per_task = 3;
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{}");
    s = tu_last_sub();
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 5, 0)
    tu_assert_res(s, "tres_per_task=cpu=3");
    assert_string_equal(mock_submission_env(s, "SLURM_TRES_PER_TASK"), "cpu=3");
#else
    tu_assert_no_res(s, "tres_per_task");
    assert_null(mock_submission_env(s, "SLURM_TRES_PER_TASK"));
#endif
    tu_assert_no_res(s, "tres_bind");
    assert_null(mock_submission_env(s, "SLURM_TRES_BIND"));
    assert_null(mock_submission_env(s, "SLURM_GPUS_PER_TASK"));
}

/* gpu_bind: each form sbatch reads passes, others are refused naming
 * them; it is sent as sbatch --gpu-bind sends it (in place of the binding
 * per task gpus_per_task implies), and exported for srun as sbatch does. */
static void gpu_bind_as_sbatch_sends_it(void **state)
{
    tu_fixture *f = *state;
    const char *const ok[] = {"closest",     "none",          "verbose,closest",
                              "map_gpu:0,1", "map_gpu:0*2,1", "mask_gpu:0x3,0xC",
                              "mask_gpu:f",  "per_task:2",    "Single:1"};
    const char *const bad[] = {
        "",           "near",       "map_gpu:", "map_gpu:0,,1", "map_gpu:a",
        "mask_gpu:g", "per_task:x", "single:",  "verbose,",     "closest,none"};
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const mock_submission *s;
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (wjr_slurm_res_check("gpu_bind", ok[i]) != 0)
            fail_msg("\"%s\": %s", ok[i], wjr_error_last());
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (wjr_slurm_res_check("gpu_bind", bad[i]) == 0)
            fail_msg("\"%s\" passed", bad[i]);
        tu_assert_error_has("is not a GPU binding as sbatch reads it");
    }

    o.ntasks = 2;
    o.gpus_per_task = "1";
    o.gpu_bind = "verbose,closest";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 11, 0)
    tu_assert_res(s, "tres_bind=gres/gpu:verbose,closest");
    assert_string_equal(mock_submission_env(s, "SLURM_TRES_BIND"), "gres/gpu:verbose,closest");
    assert_null(mock_submission_env(s, "SLURM_GPU_BIND"));
#else
    tu_assert_res(s, "tres_bind=gpu:verbose,closest");
    assert_string_equal(mock_submission_env(s, "SLURM_GPU_BIND"), "verbose,closest");
    assert_null(mock_submission_env(s, "SLURM_TRES_BIND"));
#endif
    assert_null(strstr(s->resources, "per_task:"));
}

/* Kept in the backend's text and read back; a version-7 struct ends at
 * clusters, and what follows it is not read. */
static void kept_in_to_json_and_not_read_from_version_7(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const has[] = {"\"sockets_per_node\":2",    "\"cores_per_socket\":4",
                               "\"ntasks_per_socket\":1",   "\"distribution\":\"block:cyclic\"",
                               "\"gpu_bind\":\"single:1\"", NULL};
    wjr_backend *b = NULL;
    char *j = NULL;

    (void)state;
    o.sockets_per_node = 2;
    o.cores_per_socket = 4;
    o.ntasks_per_socket = 1;
    o.distribution = "block:cyclic";
    o.gpu_bind = "single:1";
    tu_survives_to_json(&o, has);

    o.version = 7;
    o.wckey = "w";
    o.distribution = "not read in version 7";
    o.sockets_per_node = -5;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(b->to_json(&j, b), 0);
    assert_non_null(strstr(j, "\"wckey\":\"w\""));
    assert_null(strstr(j, "distribution"));
    assert_null(strstr(j, "sockets_per_node"));
    free(j);
    wjr_backend_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(distribution_forms_are_slurms, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(layout_reaches_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(counts_from_parameters, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(at_odds_are_refused, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(tasks_tres_as_sbatch_writes_them, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(gpu_bind_as_sbatch_sends_it, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(kept_in_to_json_and_not_read_from_version_7, tu_setup,
                                        tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
