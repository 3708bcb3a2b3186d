/*
 * retry.c - tells the cluster's failures from the model's. A job that
 * ended NODE_FAIL, BOOT_FAIL or PREEMPTED (without requeue), or whose batch
 * launch failed, says nothing about the trial's parameters: the runner
 * submits the trial again (runner.c, retry_trial) up to the configured
 * number of times, each attempt under a key of its own. Everything else
 * that fails (an exit code, OUT_OF_MEMORY, TIMEOUT, DEADLINE) is the
 * model's and counts against the study. It reads Slurm's numbers from
 * state.h and includes no slurm.h.
 */
#include "retry.h"
#include "state.h"

int wjr_retry_is_infrastructure(uint32_t state)
{
    switch (state & WJR_JOB_STATE_BASE) {
    case WJR_JOB_NODE_FAIL:
    case WJR_JOB_BOOT_FAIL:
    case WJR_JOB_PREEMPTED:
        return 1;
    case WJR_JOB_FAILED:
        return (state & WJR_JOBF_LAUNCH_FAILED) != 0;
    default:
        return 0;
    }
}
