/*
 * mpi_tasks.c - resources on the real cluster: a trial with ntasks = 2
 * sees SLURM_NTASKS=2 and can srun its two tasks; a trial whose
 * cpus_per_task comes from its parameter gets that many CPUs; one with
 * ntasks_per_node = 2 sees SLURM_NTASKS_PER_NODE=2, as sbatch's job would
 * (slurmd does not set it; srun in the job reads it).
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] =
    "#!/bin/sh\n"
    "# reports what Slurm gave the job\n"
    "tasks=$(srun hostname | wc -l)\n"
    "printf '{\"ntasks\": %s, \"srun_tasks\": %s, \"cpus\": %s, \"per_node\": %s}\\n' "
    "\"${SLURM_NTASKS:-0}\" \"$tasks\" \"${SLURM_CPUS_PER_TASK:-0}\" "
    "\"${SLURM_NTASKS_PER_NODE:-0}\" "
    "> output.json\n";

static void test_ntasks(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.sh", "sh", model);
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *const per_trial[] = {"cpus_per_task=threads", NULL};
    const wjr_trial_info *t;

    so.partition = "debug";
    so.time = "5";
    so.ntasks = 2;
    cl_runner(e, cmd, &so, NULL);
    cl_run(e, 0, "{}");
    cl_wait_terminal(e->runner, NULL, 0, 90);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    cl_assert_contains(t->metrics_json, "\"ntasks\":{\"mean\":2.0");
    cl_assert_contains(t->metrics_json, "\"srun_tasks\":{\"mean\":2.0");
    wjr_runner_free(e->runner);
    e->runner = NULL;

    so.ntasks = 0;
    so.per_trial = per_trial;
    cl_runner(e, cmd, &so, NULL);
    cl_run(e, 1, "{\"threads\": 2}");
    cl_wait_terminal(e->runner, NULL, 0, 90);
    t = cl_expect(e->runner, 1, WJR_TRIAL_COMPLETED);
    cl_assert_contains(t->metrics_json, "\"cpus\":{\"mean\":2.0");
    wjr_runner_free(e->runner);
    e->runner = NULL;

    so.per_trial = NULL;
    so.ntasks = 2;
    so.ntasks_per_node = 2;
    cl_runner(e, cmd, &so, NULL);
    cl_run(e, 2, "{}");
    cl_wait_terminal(e->runner, NULL, 0, 90);
    t = cl_expect(e->runner, 2, WJR_TRIAL_COMPLETED);
    cl_assert_contains(t->metrics_json, "\"per_node\":{\"mean\":2.0");
    cl_assert_contains(t->metrics_json, "\"srun_tasks\":{\"mean\":2.0");
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_ntasks))
