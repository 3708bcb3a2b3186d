/*
 * retry.h - which ends of a job are the cluster's failures rather than the
 * model's, and so worth submitting the trial again. Private to the runner.
 */
#ifndef WJR_RETRY_H
#define WJR_RETRY_H

#include <stdint.h>

/* Trials submitted again after a failure of the cluster, by default. */
#define WJR_DEFAULT_INFRA_RETRIES 2

/*
 * 1 when a job that ended in Slurm state word @p state (base | flags) was
 * lost by the cluster: NODE_FAIL, BOOT_FAIL, PREEMPTED (the state table
 * makes it FAILED only when Slurm will not requeue it), or a batch launch
 * that failed (the LAUNCH_FAILED flag). A non-zero exit, OUT_OF_MEMORY,
 * TIMEOUT, DEADLINE and CANCELLED are the model's or the user's: 0.
 */
int wjr_retry_is_infrastructure(uint32_t state);

#endif
