/*
 * state.h - job states as the backend reports them, and the one table that
 * maps them onto trial statuses. Private.
 *
 * The numbers are Slurm's (enum job_states and the JOB_* flag bits, stable
 * across releases); backend_slurm.c checks them against slurm.h at compile
 * time, so that this table needs no Slurm header.
 */
#ifndef WJR_STATE_H
#define WJR_STATE_H

#include <stdint.h>

#include "wjr/common.h"

enum wjr_job_base {
    WJR_JOB_PENDING = 0,
    WJR_JOB_RUNNING = 1,
    WJR_JOB_SUSPENDED = 2,
    WJR_JOB_COMPLETE = 3,
    WJR_JOB_CANCELLED = 4,
    WJR_JOB_FAILED = 5,
    WJR_JOB_TIMEOUT = 6,
    WJR_JOB_NODE_FAIL = 7,
    WJR_JOB_PREEMPTED = 8,
    WJR_JOB_BOOT_FAIL = 9,
    WJR_JOB_DEADLINE = 10,
    WJR_JOB_OOM = 11,
    WJR_JOB_END = 12
};

#define WJR_JOB_STATE_BASE     0x000000ffu
#define WJR_JOBF_LAUNCH_FAILED (1u << 8)
/* bit 9: JOB_UPDATE_DB (internal) before 24.11, JOB_GETENV_FAILED from 26.05 */
#define WJR_JOBF_BIT9          (1u << 9)
#define WJR_JOBF_REQUEUE       (1u << 10)
#define WJR_JOBF_REQUEUE_HOLD  (1u << 11)
#define WJR_JOBF_SPECIAL_EXIT  (1u << 12)
#define WJR_JOBF_RESIZING      (1u << 13)
#define WJR_JOBF_CONFIGURING   (1u << 14)
#define WJR_JOBF_COMPLETING    (1u << 15)
#define WJR_JOBF_STOPPED       (1u << 16)
#define WJR_JOBF_RECONFIG_FAIL (1u << 17)
#define WJR_JOBF_POWER_UP_NODE (1u << 18)
#define WJR_JOBF_REVOKED       (1u << 19)
#define WJR_JOBF_REQUEUE_FED   (1u << 20)
#define WJR_JOBF_RESV_DEL_HOLD (1u << 21)
#define WJR_JOBF_SIGNALING     (1u << 22)
#define WJR_JOBF_STAGE_OUT     (1u << 23)
#define WJR_JOBF_EXPEDITING    (1u << 24) /* 26.05: an expedited requeue is under way */
/* Every flag bit the table knows; a job that shows any other one on a
 * terminal base state stays RUNNING (a newer Slurm may say "not over yet"
 * with it) until the flag is gone or the job has left slurmctld. */
#define WJR_JOBF_KNOWN                                                                             \
    (WJR_JOBF_LAUNCH_FAILED | WJR_JOBF_BIT9 | WJR_JOBF_REQUEUE | WJR_JOBF_REQUEUE_HOLD |           \
     WJR_JOBF_SPECIAL_EXIT | WJR_JOBF_RESIZING | WJR_JOBF_CONFIGURING | WJR_JOBF_COMPLETING |      \
     WJR_JOBF_STOPPED | WJR_JOBF_RECONFIG_FAIL | WJR_JOBF_POWER_UP_NODE | WJR_JOBF_REVOKED |       \
     WJR_JOBF_REQUEUE_FED | WJR_JOBF_RESV_DEL_HOLD | WJR_JOBF_SIGNALING | WJR_JOBF_STAGE_OUT |     \
     WJR_JOBF_EXPEDITING)

/* What the table says about one job state. */
typedef struct wjr_state_verdict {
    wjr_trial_status status; /* RUNNING, COMPLETED, FAILED or ABANDONED */
    int held;                /* REQUEUE_HOLD / SPECIAL_EXIT: warn that the job is held */
    int unknown;             /* a base state or flag the table does not know: warn */
} wjr_state_verdict;

/*
 * Map a job state word. @will_requeue: Slurm will requeue the job (its
 * requeue flag is set), which decides PREEMPTED.
 */
wjr_state_verdict wjr_state_map(uint32_t job_state, int will_requeue);

/* "PENDING", "NODE_FAIL", ... for the base state; "UNKNOWN(n)" is written to buf. */
const char *wjr_state_base_name(uint32_t job_state, char *buf, size_t bufsize);

/* Base name and flags as text, e.g. "PENDING+REQUEUE_HOLD"; the COMPLETING
 * flag of a job that has ended is left out ("COMPLETED", not
 * "COMPLETED+COMPLETING"). */
void wjr_state_describe(uint32_t job_state, char *buf, size_t bufsize);

/* Parse a base state name as written by wjr_state_base_name (for the exit
 * of accounting and saved state); WJR_JOB_END when unknown. */
uint32_t wjr_state_parse(const char *name);

#endif
