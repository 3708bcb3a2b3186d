/*
 * mock_kill.c - the fake controller's side of scancel: the __wrap_
 * versions of slurm_kill_job2 and slurm_kill_jobs (24.05 and later, with
 * its free call). A request names "123", "456_7" or an array's tasks
 * "456_[0-3,7]"; what it names that has not ended becomes CANCELLED, a
 * pending task split out of its array's record first, and it answers as
 * slurmctld does (0, ESLURM_ALREADY_DONE, ESLURM_INVALID_JOB_ID). Every
 * request is counted and its text kept (mock_kill_count, mock_last_kill)
 * by mock_slurm.c, whose job table it changes through mock_slurm.h and
 * mock_int.h; it owns no state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "mock_int.h"
#include "slurm_compat.h"

int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags,
                           const char *sibling);

/* Cancel job id (all its tasks) or one task of array id: 1 when something
 * was cancelled, -1 when all of it had ended, 0 when nothing matched. */
static int kill_one(uint32_t id, uint32_t task)
{
    char text[32];
    size_t i;
    int hit = 0;

    if (task != MOCK_NO_TASK) {
        /* a pending task is split out of its array's packed record first */
        snprintf(text, sizeof(text), "%u_%u", (unsigned)id, (unsigned)task);
        if (mock_lookup(text) == NULL)
            return 0;
    }
    for (i = 0; i < mock_job_count(); i++) {
        mock_job *j = mock_job_at(i);
        int match = task == MOCK_NO_TASK ? (j->job_id == id || j->array_job_id == id)
                                         : (j->array_job_id == id && j->array_task_id == task);
        if (!match)
            continue;
        if (hit == 0)
            hit = -1;
        if (mock__is_terminal(j->state))
            continue;
        j->state = JOB_CANCELLED;
        j->end_time = (int64_t)time(NULL);
        hit = 1;
    }
    return hit;
}

/* One kill request: "123", "456_7", or an array's tasks "456_[0-3,7]" as
 * scancel sends them. Its result, as slurmctld's: 0, ESLURM_ALREADY_DONE
 * or ESLURM_INVALID_JOB_ID. */
static int kill_expression(const char *job_id)
{
    const char *open = job_id ? strstr(job_id, "_[") : NULL;
    uint32_t id, task;
    int hit = 0, one;

    if (open == NULL) {
        if (job_id == NULL || mock__parse_id(job_id, &id, &task) < 0)
            return ESLURM_INVALID_JOB_ID;
        hit = kill_one(id, task);
    } else {
        const char *p = open + 2;
        char *end;
        id = (uint32_t)strtoul(job_id, &end, 10);
        if (end != open)
            return ESLURM_INVALID_JOB_ID;
        for (;;) {
            unsigned long lo = strtoul(p, &end, 10), hi = lo, t;
            if (end == p)
                return ESLURM_INVALID_JOB_ID;
            p = end;
            if (*p == '-') {
                hi = strtoul(p + 1, &end, 10);
                if (end == p + 1 || hi < lo)
                    return ESLURM_INVALID_JOB_ID;
                p = end;
            }
            for (t = lo; t <= hi; t++) {
                one = kill_one(id, (uint32_t)t);
                if (one > 0 || (one < 0 && hit == 0))
                    hit = one;
            }
            if (*p == ',') {
                p++;
                continue;
            }
            if (p[0] != ']' || p[1] != '\0')
                return ESLURM_INVALID_JOB_ID;
            break;
        }
    }
    if (hit == 0)
        return ESLURM_INVALID_JOB_ID;
    return hit < 0 ? ESLURM_ALREADY_DONE : 0;
}

static int kill_job2(const char *job_id, uint16_t signal, uint16_t flags, const char *sibling)
{
    int e;

    (void)signal;
    (void)flags;
    (void)sibling;
    mock__note_kill(job_id ? job_id : "");
    if (mock__take_failure(MOCK_RPC_KILL))
        return SLURM_ERROR;
    e = kill_expression(job_id);
    return e == 0 ? SLURM_SUCCESS : mock__fail_with(e);
}

#if SLURM_AT_LEAST(24, 5, 0)
/* slurm_kill_jobs (24.05 and later): one request for many expressions,
 * an answer per expression. Counted as one MOCK_RPC_KILL. */
int __wrap_slurm_kill_jobs(kill_jobs_msg_t *msg, kill_jobs_resp_msg_t **resp);
void __wrap_slurm_free_kill_jobs_response_msg(kill_jobs_resp_msg_t *msg);

int __wrap_slurm_kill_jobs(kill_jobs_msg_t *msg, kill_jobs_resp_msg_t **resp)
{
    kill_jobs_resp_msg_t *r;
    uint32_t i;

    mock__enter();
    *resp = NULL;
    mock__note_kill(msg->jobs_cnt > 0 && msg->jobs_array[0] ? msg->jobs_array[0] : "");
    if (mock__take_failure(MOCK_RPC_KILL)) {
        int err = errno; /* the failure's, as mock__take_failure() set it */

        mock__save();
        return err;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL || (msg->jobs_cnt > 0 && (r->job_responses = calloc(
                                                msg->jobs_cnt, sizeof(*r->job_responses))) == NULL))
        abort();
    r->jobs_cnt = msg->jobs_cnt;
    for (i = 0; i < msg->jobs_cnt; i++)
        r->job_responses[i].error_code = (uint32_t)kill_expression(msg->jobs_array[i]);
    mock__handed_out(1);
    *resp = r;
    mock__save();
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_kill_jobs_response_msg(kill_jobs_resp_msg_t *msg)
{
    if (msg == NULL)
        return;
    free(msg->job_responses);
    free(msg);
    mock__handed_out(-1);
}
#endif

int __wrap_slurm_kill_job2(const char *job_id, uint16_t signal, uint16_t flags, const char *sibling)
{
    int rc;

    mock__enter();
    rc = kill_job2(job_id, signal, flags, sibling);
    mock__save();
    return rc;
}
