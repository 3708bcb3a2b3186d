/*
 * state.c - tests of the Slurm state mapping table (src/state.c): every row
 * of the table through wjr_state_map() directly, then the same rows
 * through the runner, with the job's state set in the mocked controller:
 * the poll result, the failure reason (Slurm state, exit code, signal) and
 * the warnings for held jobs and unknown states.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

typedef struct row {
    const char *what;
    uint32_t state;
    int will_requeue;
    wjr_trial_status status;
    int held;
    int unknown;
} row;

#define RUN   WJR_TRIAL_RUNNING
#define DONE  WJR_TRIAL_COMPLETED
#define FAIL  WJR_TRIAL_FAILED
#define ABAND WJR_TRIAL_ABANDONED

static const row rows[] = {
    {"PENDING", WJR_JOB_PENDING, 1, RUN, 0, 0},
    {"RUNNING", WJR_JOB_RUNNING, 1, RUN, 0, 0},
    {"SUSPENDED", WJR_JOB_SUSPENDED, 1, RUN, 0, 0},
    {"CONFIGURING", WJR_JOB_RUNNING | WJR_JOBF_CONFIGURING, 1, RUN, 0, 0},
    {"PENDING+CONFIGURING", WJR_JOB_PENDING | WJR_JOBF_CONFIGURING, 1, RUN, 0, 0},
    {"RUNNING+COMPLETING", WJR_JOB_RUNNING | WJR_JOBF_COMPLETING, 1, RUN, 0, 0},
    {"REQUEUED on PENDING", WJR_JOB_PENDING | WJR_JOBF_REQUEUE, 1, RUN, 0, 0},
    {"REQUEUED on COMPLETED", WJR_JOB_COMPLETE | WJR_JOBF_REQUEUE, 1, RUN, 0, 0},
    {"REQUEUED on NODE_FAIL", WJR_JOB_NODE_FAIL | WJR_JOBF_REQUEUE, 1, RUN, 0, 0},
    {"RESIZING", WJR_JOB_RUNNING | WJR_JOBF_RESIZING, 1, RUN, 0, 0},
    {"STOPPED", WJR_JOB_RUNNING | WJR_JOBF_STOPPED, 1, RUN, 0, 0},
    {"SIGNALING", WJR_JOB_RUNNING | WJR_JOBF_SIGNALING, 1, RUN, 0, 0},
    {"STAGE_OUT", WJR_JOB_RUNNING | WJR_JOBF_STAGE_OUT, 1, RUN, 0, 0},
    {"STAGE_OUT after COMPLETE", WJR_JOB_COMPLETE | WJR_JOBF_STAGE_OUT, 1, RUN, 0, 0},
    {"POWER_UP_NODE", WJR_JOB_PENDING | WJR_JOBF_POWER_UP_NODE, 1, RUN, 0, 0},
    {"COMPLETE", WJR_JOB_COMPLETE, 1, DONE, 0, 0},
    /* COMPLETING counts as running only while the base state is live */
    {"COMPLETE+COMPLETING", WJR_JOB_COMPLETE | WJR_JOBF_COMPLETING, 1, DONE, 0, 0},
    {"FAILED+COMPLETING", WJR_JOB_FAILED | WJR_JOBF_COMPLETING, 1, FAIL, 0, 0},
    {"CANCELLED", WJR_JOB_CANCELLED, 1, ABAND, 0, 0},
    {"REVOKED", WJR_JOB_PENDING | WJR_JOBF_REVOKED, 1, ABAND, 0, 0},
    {"FAILED", WJR_JOB_FAILED, 1, FAIL, 0, 0},
    {"TIMEOUT", WJR_JOB_TIMEOUT, 1, FAIL, 0, 0},
    {"NODE_FAIL", WJR_JOB_NODE_FAIL, 1, FAIL, 0, 0},
    {"BOOT_FAIL", WJR_JOB_BOOT_FAIL, 1, FAIL, 0, 0},
    {"DEADLINE", WJR_JOB_DEADLINE, 1, FAIL, 0, 0},
    {"OUT_OF_MEMORY", WJR_JOB_OOM, 1, FAIL, 0, 0},
    {"PREEMPTED, will requeue", WJR_JOB_PREEMPTED, 1, RUN, 0, 0},
    {"PREEMPTED, no requeue", WJR_JOB_PREEMPTED, 0, FAIL, 0, 0},
    {"REQUEUE_HOLD", WJR_JOB_PENDING | WJR_JOBF_REQUEUE_HOLD, 1, RUN, 1, 0},
    {"SPECIAL_EXIT", WJR_JOB_PENDING | WJR_JOBF_SPECIAL_EXIT, 1, RUN, 1, 0},
    {"unknown base 12", WJR_JOB_END, 1, RUN, 0, 1},
    {"unknown base 200", 200, 0, RUN, 0, 1},
    {"unknown base with COMPLETING", 77 | WJR_JOBF_COMPLETING, 0, RUN, 0, 1},
    /* 26.05's expedited requeue: the job is coming back */
    {"FAILED+EXPEDITING", WJR_JOB_FAILED | WJR_JOBF_EXPEDITING, 1, RUN, 0, 0},
    {"NODE_FAIL+RECONFIG_FAIL", WJR_JOB_NODE_FAIL | WJR_JOBF_RECONFIG_FAIL, 0, FAIL, 0, 0},
    {"FAILED+bit 9", WJR_JOB_FAILED | WJR_JOBF_BIT9, 0, FAIL, 0, 0},
    /* a flag no release we know has: a terminal base waits for it to clear */
    {"COMPLETE+unknown flag 25", WJR_JOB_COMPLETE | (1u << 25), 1, RUN, 0, 1},
    {"FAILED+unknown flag 31", WJR_JOB_FAILED | (1u << 31), 0, RUN, 0, 1},
    {"RUNNING+unknown flag 27", WJR_JOB_RUNNING | (1u << 27), 1, RUN, 0, 1},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void test_table_rows(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < N_ROWS; i++) {
        wjr_state_verdict v = wjr_state_map(rows[i].state, rows[i].will_requeue);
        if (v.status != rows[i].status || v.held != rows[i].held || v.unknown != rows[i].unknown)
            fail_msg("%s: got %s held=%d unknown=%d, want %s held=%d unknown=%d", rows[i].what,
                     wjr_trial_status_name(v.status), v.held, v.unknown,
                     wjr_trial_status_name(rows[i].status), rows[i].held, rows[i].unknown);
    }
}

/* An unknown state is never terminal, whatever flags come with it. */
static void test_unknown_never_terminal(void **state)
{
    uint32_t base, flags[] = {0, WJR_JOBF_COMPLETING, WJR_JOBF_LAUNCH_FAILED, WJR_JOBF_RESIZING};
    size_t k;

    (void)state;
    for (base = WJR_JOB_END; base <= WJR_JOB_STATE_BASE; base++)
        for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
            wjr_state_verdict v = wjr_state_map(base | flags[k], 0);
            assert_false(wjr_trial_status_is_terminal(v.status));
            assert_int_equal(v.unknown, 1);
        }
}

/* Ax's terminal statuses: a trial in one of them is never polled again
 * and counts as done (an EARLY_STOPPED trial is as final as a COMPLETED one). */
static void test_terminal_statuses(void **state)
{
    (void)state;
    assert_true(wjr_trial_status_is_terminal(WJR_TRIAL_COMPLETED));
    assert_true(wjr_trial_status_is_terminal(WJR_TRIAL_FAILED));
    assert_true(wjr_trial_status_is_terminal(WJR_TRIAL_ABANDONED));
    assert_true(wjr_trial_status_is_terminal(WJR_TRIAL_EARLY_STOPPED));
    assert_false(wjr_trial_status_is_terminal(WJR_TRIAL_CANDIDATE));
    assert_false(wjr_trial_status_is_terminal(WJR_TRIAL_STAGED));
    assert_false(wjr_trial_status_is_terminal(WJR_TRIAL_RUNNING));
    assert_false(wjr_trial_status_is_terminal(WJR_TRIAL_DISPATCHED));
}

/* trial_status as a name, Ax's "TrialStatus.NAME" or Ax's integer code. */
static void test_status_parse(void **state)
{
    wjr_trial_status st = WJR_TRIAL_RUNNING;

    (void)state;
    assert_int_equal(wjr_trial_status_parse(&st, "early_stopped"), 0);
    assert_int_equal(st, WJR_TRIAL_EARLY_STOPPED);
    assert_int_equal(wjr_trial_status_parse(&st, "TrialStatus.FAILED"), 0);
    assert_int_equal(st, WJR_TRIAL_FAILED);
    assert_int_equal(wjr_trial_status_parse(&st, "3"), 0);
    assert_int_equal(st, WJR_TRIAL_COMPLETED);
    assert_int_equal(wjr_trial_status_parse(&st, "7"), 0);
    assert_int_equal(st, WJR_TRIAL_EARLY_STOPPED);
    st = WJR_TRIAL_RUNNING;
    assert_int_equal(wjr_trial_status_parse(&st, "-1"), WJR_EINVALID);
    assert_int_equal(wjr_trial_status_parse(&st, "8"), WJR_EINVALID);
    assert_int_equal(wjr_trial_status_parse(&st, "3x"), WJR_EINVALID);
    assert_int_equal(wjr_trial_status_parse(&st, "DONE"), WJR_EINVALID);
    assert_string_equal(wjr_error_last(), "unknown trial status 'DONE' (a model ends a trial as "
                                          "COMPLETED, FAILED, ABANDONED or EARLY_STOPPED)");
    assert_int_equal(wjr_trial_status_parse(&st, "complete"), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "'complete'; did you mean COMPLETED?"));
    assert_int_equal(wjr_trial_status_parse(&st, NULL), WJR_EINVALID);
    assert_int_equal(st, WJR_TRIAL_RUNNING);
}

static void test_names(void **state)
{
    char buf[64];

    (void)state;
    assert_string_equal(wjr_state_base_name(WJR_JOB_OOM, buf, sizeof(buf)), "OUT_OF_MEMORY");
    assert_string_equal(
        wjr_state_base_name(WJR_JOB_COMPLETE | WJR_JOBF_COMPLETING, buf, sizeof(buf)), "COMPLETED");
    assert_string_equal(wjr_state_base_name(99, buf, sizeof(buf)), "UNKNOWN(99)");
    wjr_state_describe(WJR_JOB_PENDING | WJR_JOBF_REQUEUE_HOLD, buf, sizeof(buf));
    assert_string_equal(buf, "PENDING+REQUEUE_HOLD");
    wjr_state_describe(WJR_JOB_FAILED | WJR_JOBF_EXPEDITING | (1u << 26), buf, sizeof(buf));
    assert_string_equal(buf, "FAILED+EXPEDITING+FLAGS(0x4000000)");
    /* an ended job whose nodes still clean up reads as its end */
    wjr_state_describe(WJR_JOB_COMPLETE | WJR_JOBF_COMPLETING, buf, sizeof(buf));
    assert_string_equal(buf, "COMPLETED");
    wjr_state_describe(WJR_JOB_FAILED | WJR_JOBF_COMPLETING | WJR_JOBF_REQUEUE, buf, sizeof(buf));
    assert_string_equal(buf, "FAILED+REQUEUED");
    wjr_state_describe(WJR_JOB_RUNNING | WJR_JOBF_COMPLETING, buf, sizeof(buf));
    assert_string_equal(buf, "RUNNING+COMPLETING");
    /* sacct writes "CANCELLED by 1234": the base word decides, not the text */
    assert_int_equal(wjr_state_parse("CANCELLED by 1234"), WJR_JOB_CANCELLED);
    assert_int_equal(wjr_state_parse("OUT_OF_MEMORY"), WJR_JOB_OOM);
    assert_int_equal(wjr_state_parse("CANCELLEDX"), WJR_JOB_END);
    assert_int_equal(wjr_state_parse(NULL), WJR_JOB_END);
}

/* ---- through the runner --------------------------------------------------- */

typedef struct runner_row {
    uint32_t state;
    int requeue;
    int exit_code;
    int sig;
    wjr_trial_status status;
    const char *in_reason; /* what the reason must contain; NULL: no reason */
    const char *warning;   /* what a WARNING record for the trial must say */
} runner_row;

static const runner_row runner_rows[] = {
    {WJR_JOB_PENDING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_SUSPENDED, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING | WJR_JOBF_CONFIGURING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING | WJR_JOBF_COMPLETING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_PENDING | WJR_JOBF_REQUEUE, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING | WJR_JOBF_RESIZING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING | WJR_JOBF_STOPPED, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_RUNNING | WJR_JOBF_SIGNALING, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_COMPLETE | WJR_JOBF_STAGE_OUT, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_PENDING | WJR_JOBF_POWER_UP_NODE, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_COMPLETE, 1, 0, 0, DONE, NULL, NULL},
    {WJR_JOB_CANCELLED, 1, 0, 15, ABAND, "CANCELLED", NULL},
    {WJR_JOB_PENDING | WJR_JOBF_REVOKED, 1, 0, 0, ABAND, NULL, NULL},
    {WJR_JOB_FAILED, 1, 3, 0, FAIL, "FAILED, exit code 3", NULL},
    {WJR_JOB_TIMEOUT, 1, 0, 15, FAIL, "TIMEOUT, exit code 0, signal 15", NULL},
    {WJR_JOB_NODE_FAIL, 1, 0, 9, FAIL, "NODE_FAIL, exit code 0, signal 9", NULL},
    {WJR_JOB_BOOT_FAIL, 1, 1, 0, FAIL, "BOOT_FAIL, exit code 1", NULL},
    {WJR_JOB_DEADLINE, 1, 0, 0, FAIL, "DEADLINE", NULL},
    {WJR_JOB_OOM, 1, 0, 9, FAIL, "OUT_OF_MEMORY, exit code 0, signal 9", NULL},
    {WJR_JOB_PREEMPTED, 1, 0, 0, RUN, NULL, NULL},
    {WJR_JOB_PREEMPTED, 0, 0, 15, FAIL, "PREEMPTED, exit code 0, signal 15", NULL},
    {WJR_JOB_PENDING | WJR_JOBF_REQUEUE_HOLD, 1, 0, 0, RUN, NULL, "held"},
    {WJR_JOB_PENDING | WJR_JOBF_SPECIAL_EXIT, 1, 0, 0, RUN, NULL, "held"},
    {WJR_JOB_END, 1, 0, 0, RUN, NULL, "does not know"},
    {250, 1, 0, 0, RUN, NULL, "does not know"},
};

static void test_through_runner(void **state)
{
    tu_fixture *f = *state;
    size_t i;

    tu_runner(f, NULL, NULL);
    /* the table itself: no resubmission after the cluster's failures */
    wjr_runner_set_infrastructure_retries(f->runner, 0);
    for (i = 0; i < sizeof(runner_rows) / sizeof(runner_rows[0]); i++) {
        const runner_row *r = &runner_rows[i];
        const wjr_trial_info *t = tu_run(f, (int64_t)i, "{\"x\": 1}");
        mock_job *j = mock_lookup(t->run.job_id);
        uint64_t queries = mock_rpc_count(MOCK_RPC_QUERY), states = mock_rpc_count(MOCK_RPC_STATES);
        char desc[128];
        wjr_trial_status got;

        assert_non_null(j);
        j->requeue = r->requeue;
        assert_int_equal(mock_set_state(t->run.job_id, r->state, r->exit_code, r->sig), 0);
        got = tu_poll_one(f, (int64_t)i);
        wjr_state_describe(r->state, desc, sizeof(desc));
        t = wjr_runner_trial(f->runner, (int64_t)i);
        if (got != r->status || t->status != r->status)
            fail_msg("%s: polled %s, want %s", desc, wjr_trial_status_name(got),
                     wjr_trial_status_name(r->status));
        /* the Slurm state is kept as text for the trial */
        assert_non_null(t->slurm_state);
        assert_string_equal(t->slurm_state, desc);
        if (r->in_reason) {
            if (t->reason == NULL || strstr(t->reason, r->in_reason) == NULL)
                fail_msg("%s: reason '%s' lacks '%s'", desc, t->reason ? t->reason : "(null)",
                         r->in_reason);
            assert_non_null(strstr(t->reason, "Slurm state"));
        }
        if (r->status == FAIL) {
            assert_int_equal(t->exit_code, r->exit_code);
            assert_int_equal(t->term_signal, r->sig);
            assert_true(t->end_time > 0);
        }
        if (r->warning) {
            if (tu_log_find(&f->log, WJR_LOG_WARNING, (int64_t)i, r->warning) < 0)
                fail_msg("%s: no WARNING record saying '%s'", desc, r->warning);
        } else {
            assert_int_equal(tu_log_find(&f->log, WJR_LOG_WARNING, (int64_t)i, "held"), -1);
        }
        /* no further submit; one query per poll, or from Slurm 23.11.5 on a
         * state-only query first, then the full one, as the job left the
         * PENDING it was submitted in (a job still plainly PENDING needs no
         * more) */
        assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), i + 1);
        queries = mock_rpc_count(MOCK_RPC_QUERY) - queries;
        states = mock_rpc_count(MOCK_RPC_STATES) - states;
        if (MOCK_HAS_JOB_STATE) {
            assert_int_equal(states, 1);
            assert_int_equal(queries, r->state == WJR_JOB_PENDING ? 1 : 2);
        } else {
            assert_int_equal(states, 0);
            assert_int_equal(queries, 1);
        }
    }
}

/* The held warning is given once per state, not on every poll. */
static void test_held_warning_once(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    size_t i, n = 0;

    tu_runner(f, NULL, NULL);
    t = tu_run(f, 3, "{}");
    mock_set_state(t->run.job_id, WJR_JOB_PENDING | WJR_JOBF_REQUEUE_HOLD, 0, 0);
    for (i = 0; i < 3; i++)
        assert_int_equal(tu_poll_one(f, 3), WJR_TRIAL_RUNNING);
    for (i = 0; i < f->log.count; i++)
        if (f->log.records[i].level == WJR_LOG_WARNING && f->log.records[i].trial == 3)
            n++;
    assert_int_equal(n, 1);
}

/* A job that goes back to PENDING after a node failure (requeue) stays
 * RUNNING, and its later completion still counts. */
static void test_requeue_then_complete(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    char id[32];

    tu_runner(f, NULL, NULL);
    t = tu_run(f, 0, "{}");
    snprintf(id, sizeof(id), "%s", t->run.job_id);
    mock_set_state(id, WJR_JOB_RUNNING, 0, 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    mock_set_state(id, WJR_JOB_NODE_FAIL | WJR_JOBF_REQUEUE, 0, 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    mock_set_state(id, WJR_JOB_PENDING, 0, 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    mock_set_state(id, WJR_JOB_COMPLETE, 0, 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_unknown_never_terminal),
        cmocka_unit_test(test_terminal_statuses),
        cmocka_unit_test(test_status_parse),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_through_runner, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_held_warning_once, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_requeue_then_complete, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
