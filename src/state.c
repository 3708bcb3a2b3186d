/*
 * state.c - the state mapping: one table from Slurm's job states to trial
 * statuses, and the names of both.
 *
 * This file is pure: no I/O, no Slurm calls. The base state and the flags
 * are read separately; a base state the table does not know maps to
 * RUNNING with a warning, never to a terminal status.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "state.h"
#include "util.h"

static const struct {
    uint32_t base;
    const char *name;
    wjr_trial_status status;
} state_table[] = {
    {WJR_JOB_PENDING, "PENDING", WJR_TRIAL_RUNNING},
    {WJR_JOB_RUNNING, "RUNNING", WJR_TRIAL_RUNNING},
    {WJR_JOB_SUSPENDED, "SUSPENDED", WJR_TRIAL_RUNNING},
    {WJR_JOB_COMPLETE, "COMPLETED", WJR_TRIAL_COMPLETED},
    {WJR_JOB_CANCELLED, "CANCELLED", WJR_TRIAL_ABANDONED},
    {WJR_JOB_FAILED, "FAILED", WJR_TRIAL_FAILED},
    {WJR_JOB_TIMEOUT, "TIMEOUT", WJR_TRIAL_FAILED},
    {WJR_JOB_NODE_FAIL, "NODE_FAIL", WJR_TRIAL_FAILED},
    /* PREEMPTED: decided by whether Slurm requeues it, see below */
    {WJR_JOB_PREEMPTED, "PREEMPTED", WJR_TRIAL_FAILED},
    {WJR_JOB_BOOT_FAIL, "BOOT_FAIL", WJR_TRIAL_FAILED},
    {WJR_JOB_DEADLINE, "DEADLINE", WJR_TRIAL_FAILED},
    {WJR_JOB_OOM, "OUT_OF_MEMORY", WJR_TRIAL_FAILED},
};

static const struct {
    uint32_t bit;
    const char *name;
} flag_table[] = {
    {WJR_JOBF_LAUNCH_FAILED, "LAUNCH_FAILED"}, {WJR_JOBF_REQUEUE, "REQUEUED"},
    {WJR_JOBF_REQUEUE_HOLD, "REQUEUE_HOLD"},   {WJR_JOBF_SPECIAL_EXIT, "SPECIAL_EXIT"},
    {WJR_JOBF_RESIZING, "RESIZING"},           {WJR_JOBF_CONFIGURING, "CONFIGURING"},
    {WJR_JOBF_COMPLETING, "COMPLETING"},       {WJR_JOBF_STOPPED, "STOPPED"},
    {WJR_JOBF_POWER_UP_NODE, "POWER_UP_NODE"}, {WJR_JOBF_REVOKED, "REVOKED"},
    {WJR_JOBF_REQUEUE_FED, "REQUEUE_FED"},     {WJR_JOBF_RESV_DEL_HOLD, "RESV_DEL_HOLD"},
    {WJR_JOBF_SIGNALING, "SIGNALING"},         {WJR_JOBF_STAGE_OUT, "STAGE_OUT"},
    {WJR_JOBF_RECONFIG_FAIL, "RECONFIG_FAIL"}, {WJR_JOBF_EXPEDITING, "EXPEDITING"},
};

#define N_STATES (sizeof(state_table) / sizeof(state_table[0]))
#define N_FLAGS  (sizeof(flag_table) / sizeof(flag_table[0]))

wjr_state_verdict wjr_state_map(uint32_t job_state, int will_requeue)
{
    wjr_state_verdict v = {WJR_TRIAL_RUNNING, 0, 0};
    uint32_t base = job_state & WJR_JOB_STATE_BASE;

    if (job_state & WJR_JOBF_REVOKED) {
        /* a federation sibling revoked: the job runs elsewhere or not at all */
        v.status = WJR_TRIAL_ABANDONED;
        return v;
    }
    if (job_state & (WJR_JOBF_REQUEUE_HOLD | WJR_JOBF_SPECIAL_EXIT)) {
        v.held = 1;
        return v;
    }
    /* Slurm is about to requeue it, or is still staging its data out */
    if (job_state &
        (WJR_JOBF_REQUEUE | WJR_JOBF_REQUEUE_FED | WJR_JOBF_STAGE_OUT | WJR_JOBF_EXPEDITING))
        return v;
    if (base >= N_STATES) {
        v.unknown = 1;
        return v;
    }
    /* a flag newer than this table: never let it end the trial */
    if ((job_state & ~WJR_JOB_STATE_BASE & ~WJR_JOBF_KNOWN) != 0) {
        v.unknown = 1;
        return v;
    }
    if (base == WJR_JOB_PREEMPTED) {
        v.status = will_requeue ? WJR_TRIAL_RUNNING : WJR_TRIAL_FAILED;
        return v;
    }
    /* CONFIGURING, COMPLETING, RESIZING, STOPPED, SIGNALING, POWER_UP_NODE
     * on a live base state stay RUNNING through the base row; on a
     * terminal base state the base decides. */
    v.status = state_table[base].status;
    return v;
}

const char *wjr_state_base_name(uint32_t job_state, char *buf, size_t bufsize)
{
    uint32_t base = job_state & WJR_JOB_STATE_BASE;

    if (base < N_STATES)
        return state_table[base].name;
    snprintf(buf, bufsize, "UNKNOWN(%u)", (unsigned)base);
    return buf;
}

void wjr_state_describe(uint32_t job_state, char *buf, size_t bufsize)
{
    char tmp[32];
    size_t i, len;
    uint32_t base = job_state & WJR_JOB_STATE_BASE;
    /* a job that has ended and whose nodes still clean up: the end is
     * what the trial records, not the clean-up (squeue's CG) */
    int ended = base >= (uint32_t)WJR_JOB_COMPLETE && base < N_STATES;

    snprintf(buf, bufsize, "%s", wjr_state_base_name(job_state, tmp, sizeof(tmp)));
    for (i = 0; i < N_FLAGS; i++) {
        if (!(job_state & flag_table[i].bit) || (ended && flag_table[i].bit == WJR_JOBF_COMPLETING))
            continue;
        len = strlen(buf);
        if (len + 1 < bufsize)
            snprintf(buf + len, bufsize - len, "+%s", flag_table[i].name);
    }
    if ((job_state & ~WJR_JOB_STATE_BASE & ~WJR_JOBF_KNOWN) != 0) {
        len = strlen(buf);
        if (len + 1 < bufsize)
            snprintf(buf + len, bufsize - len, "+FLAGS(0x%x)",
                     (unsigned)(job_state & ~WJR_JOB_STATE_BASE & ~WJR_JOBF_KNOWN));
    }
}

uint32_t wjr_state_parse(const char *name)
{
    size_t i;

    if (name == NULL)
        return WJR_JOB_END;
    for (i = 0; i < N_STATES; i++) {
        size_t n = strlen(state_table[i].name);
        if (strncasecmp(name, state_table[i].name, n) == 0 &&
            (name[n] == '\0' || name[n] == '+' || name[n] == ' '))
            return state_table[i].base;
    }
    if (strcasecmp(name, "OOM") == 0)
        return WJR_JOB_OOM;
    return WJR_JOB_END;
}

/* ---- trial statuses -------------------------------------------------- */

static const char *const status_names[] = {
    "CANDIDATE", "STAGED",    "FAILED",     "COMPLETED",
    "RUNNING",   "ABANDONED", "DISPATCHED", "EARLY_STOPPED",
};

const char *wjr_trial_status_name(wjr_trial_status status)
{
    if ((int)status < 0 || (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
        return "UNKNOWN";
    return status_names[status];
}

int wjr_trial_status_parse(wjr_trial_status *out, const char *text)
{
    size_t i;
    char *end;
    long code;

    if (text == NULL)
        return wjr_error_set(WJR_EINVALID, "no trial status given");
    for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
        if (strcasecmp(text, status_names[i]) == 0 ||
            /* Ax writes "TrialStatus.COMPLETED" when an enum is printed */
            (strncasecmp(text, "TrialStatus.", 12) == 0 &&
             strcasecmp(text + 12, status_names[i]) == 0)) {
            *out = (wjr_trial_status)i;
            return 0;
        }
    }
    code = strtol(text, &end, 10);
    if (end != text && *end == '\0' && code >= 0 &&
        (size_t)code < sizeof(status_names) / sizeof(status_names[0])) {
        *out = (wjr_trial_status)code;
        return 0;
    }
    {
        /* a typo, most likely: name the closest and the ones a model may use */
        static const char *const ends[] = {"COMPLETED", "FAILED", "ABANDONED", "EARLY_STOPPED",
                                           NULL};
        const char *guess = wjr_closest_name(text, ends);

        return wjr_error_set(WJR_EINVALID,
                             "unknown trial status '%s'%s%s%s (a model ends a trial as COMPLETED, "
                             "FAILED, ABANDONED or EARLY_STOPPED)",
                             text, guess != NULL ? "; did you mean " : "",
                             guess != NULL ? guess : "", guess != NULL ? "?" : "");
    }
}

int wjr_trial_status_is_terminal(wjr_trial_status status)
{
    return status == WJR_TRIAL_COMPLETED || status == WJR_TRIAL_FAILED ||
           status == WJR_TRIAL_ABANDONED || status == WJR_TRIAL_EARLY_STOPPED;
}
