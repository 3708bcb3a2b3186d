/*
 * time_signal.c - the warning before the time limit, on the real cluster:
 * with slurm.signal = "USR1@50" and a one-minute limit, a Python model
 * receives USR1 (Slurm sends it to the batch script, which forwards it),
 * writes a checkpoint into its trial directory and exits with the
 * requeue code; its job is requeued, the second attempt finds the
 * checkpoint and completes. One submission, one job id, attempt 2.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] =
    "import json, os, signal, sys, time\n"
    "if os.path.exists('checkpoint.json'):\n"
    "    step = json.load(open('checkpoint.json'))['step']\n"
    "    json.dump({'resumed_at': step, 'done': 1}, open('output.json', 'w'))\n"
    "    sys.exit(0)\n"
    "state = {'step': 0}\n"
    "def warned(sig, frame):\n"
    "    json.dump(state, open('checkpoint.json', 'w'))\n"
    "    sys.exit(42)\n"
    "signal.signal(signal.SIGUSR1, warned)\n"
    "while True:\n"
    "    state['step'] += 1\n"
    "    time.sleep(0.5)\n";

static void test_signal_then_requeue(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const wjr_trial_info *t;
    char *ckpt;
    long before;

    so.partition = "debug";
    so.time = "1";
    so.signal = "USR1@50";
    so.requeue_exit_code = 42;
    cl_sdiag_reset();
    before = cl_sdiag_jobs_submitted();
    cl_runner(e, cmd, &so, NULL);
    t = cl_run(e, 0, "{}");
    cl_wait_terminal(e->runner, NULL, 0, 240);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    assert_int_equal(t->attempt, 2);
    cl_assert_contains(t->metrics_json, "\"done\":{\"mean\":1.0");
    ckpt = cl_trial_file(e->runner, 0, "checkpoint.json");
    assert_true(cl_exists(ckpt));
    free(ckpt);
    assert_int_equal(cl_sdiag_jobs_submitted() - before, 1);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_signal_then_requeue))
