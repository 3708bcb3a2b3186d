/*
 * runner_store.c - tests of the runner's change log (src/runner_store.c):
 * a journal kept as a store would keep it (a snapshot, then the records
 * taken at each checkpoint and after each operation) rebuilds, through
 * wjr__runner_apply_change, a runner whose to_json text equals the live
 * runner's after every operation: single and array submission, refused and
 * lost submissions, a failed checkpoint, polls to every terminal status,
 * a requeue, retries after the cluster's failures (and a refused retry),
 * an interrupted settle, jobs settled by exit record, by accounting or
 * lost, stop and stop_many, reconcile. A trial whose change is not marked
 * makes the rebuilt text differ: the journal is compared with the runner
 * at every checkpoint too, where the store makes it durable. Also: an
 * unchanged poll marks nothing, one change among many trials is one
 * record, a record is the trial's object in the runner's JSON byte for
 * byte, replayed records are checked as the loader checks trials, and the
 * header's changes show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "runner_store.h"
#include "state.h"
#include "test_util.h"
#include "util.h"

/* ---- a wrapper with metrics and a hook that can be interrupted ---------- */

static int interrupt_hook; /* set_trial_status is stopped by wjr_interrupt */
static int fail_run_model; /* run_model fails: nothing is submitted */

static int (*plain_run_model)(char **out, wjr_wrapper *w, const wjr_trial_ctx *t);

static int store_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    if (fail_run_model)
        return wjr_error_set(WJR_ECONFIG, "no model today");
    return plain_run_model(out, w, t);
}

static int store_set_status(wjr_trial_status *status, char **reason, wjr_wrapper *w,
                            const wjr_trial_ctx *t)
{
    (void)status;
    (void)reason;
    (void)w;
    (void)t;
    if (!interrupt_hook)
        return 0;
    wjr_interrupt(1);
    return wjr_error_set(WJR_EINTERRUPTED, "interrupted");
}

static int store_fetch(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    (void)w;
    *out = wjr_asprintf("{\"m\":{\"mean\":%lld.5,\"sem\":null}}", (long long)t->index);
    return *out ? 0 : WJR_ENOMEM;
}

/* The tests' plain wrapper, with metrics and the two switches above. */
static wjr_wrapper *store_wrapper(void)
{
    wjr_wrapper *w = tu_plain_wrapper("true");

    plain_run_model = w->run_model;
    w->type = "StoreTestWrapper";
    w->run_model = store_run_model;
    w->set_trial_status = store_set_status;
    w->fetch_trial_data = store_fetch;
    return w;
}

static int store_factory(wjr_wrapper **out, const char *type, const char *settings, void *payload)
{
    (void)settings;
    (void)payload;
    if (strcmp(type, "StoreTestWrapper") != 0)
        return WJR_EINVALID;
    *out = store_wrapper();
    return 0;
}

/* ---- the journal ------------------------------------------------------------ */

typedef struct journal {
    tu_fixture *f;
    char *snapshot;  /* wjr_runner_to_json at the start */
    json_t *records; /* every record taken since, in order */
    int fail_checkpoint;
} journal;

/* Take the marked records and append them; how many there were. */
static size_t take(journal *j, wjr_runner *r)
{
    wjr_buf b = WJR_BUF_INIT;
    json_t *taken;
    size_t i, n;
    char *text = NULL;

    assert_int_equal(wjr__runner_take_changes(&b, r), 0);
    assert_int_equal(wjr_buf_detach(&text, &b), 0);
    taken = json_loads(text, 0, NULL);
    assert_non_null(taken);
    assert_true(json_is_array(taken));
    n = json_array_size(taken);
    for (i = 0; i < n; i++)
        json_array_append(j->records, json_array_get(taken, i));
    json_decref(taken);
    free(text);
    assert_int_equal(wjr__runner_change_count(r), 0);
    return n;
}

static size_t check(journal *j, const char *step);

/* The store's checkpoint: the records of the changes so far go to the
 * journal (a failing store writes nothing), which must rebuild the runner
 * as it is now: what is durable at a checkpoint is all there is after a
 * crash. */
static int journal_checkpoint(wjr_runner *r, void *payload)
{
    journal *j = payload;

    if (j->fail_checkpoint)
        return -1;
    if (j->snapshot == NULL)
        take(j, r); /* before the journal starts */
    else
        check(j, "checkpoint");
    return 0;
}

static void journal_start(journal *j, tu_fixture *f)
{
    j->f = f;
    assert_int_equal(wjr_runner_to_json(&j->snapshot, f->runner), 0);
    wjr__runner_forget_changes(f->runner);
    json_decref(j->records); /* what came before the snapshot is in it */
    j->records = json_array();
}

static void journal_end(journal *j)
{
    free(j->snapshot);
    json_decref(j->records);
}

/* After an operation: take what is left, rebuild from the snapshot and the
 * records, compare the texts. Returns the records taken here. */
static size_t check(journal *j, const char *step)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *r = j->f->runner, *back = NULL;
    char *live = NULL, *rebuilt = NULL;
    size_t i, n;

    if (wjr__runner_header_changed(r))
        fail_msg("%s: the header changed", step);
    n = take(j, r);
    ro.log = tu_log_fn;
    ro.log_payload = &j->f->log;
    ro.wrapper_factory = store_factory;
    assert_int_equal(wjr_runner_from_json(&back, j->snapshot, &ro), 0);
    for (i = 0; i < json_array_size(j->records); i++)
        if (wjr__runner_apply_change(back, json_array_get(j->records, i)) != 0)
            fail_msg("%s: record %zu: %s", step, i, wjr_error_last());
    assert_int_equal(wjr_runner_to_json(&live, r), 0);
    assert_int_equal(wjr_runner_to_json(&rebuilt, back), 0);
    if (strcmp(live, rebuilt) != 0)
        fail_msg("%s: the journal rebuilds another runner:\nlive:    %s\nrebuilt: %s", step, live,
                 rebuilt);
    free(live);
    free(rebuilt);
    wjr_runner_free(back);
    return n;
}

/* ---- helpers ------------------------------------------------------------------ */

static const char *job_of(tu_fixture *f, int64_t index)
{
    return wjr_runner_trial(f->runner, index)->run.job_id;
}

static void end_job(tu_fixture *f, int64_t index, uint32_t state, int exit_code)
{
    char id[32];

    snprintf(id, sizeof(id), "%s", job_of(f, index));
    assert_int_equal(mock_set_state(id, state, exit_code, 0), 0);
}

static void poll_all(tu_fixture *f)
{
    wjr_poll_result *res = NULL;

    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->stale, 0);
    wjr_poll_result_free(res);
}

static void run_one(tu_fixture *f, int64_t index, int want)
{
    wjr_trial_spec spec = {index, "{\"x\": 0.25}"};

    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), want);
}

static void write_exit_record(tu_fixture *f, int64_t index, int rc)
{
    char name[64], text[200], *dir, *path;

    snprintf(name, sizeof(name), "%06lld", (long long)index);
    dir = tu_path(f->dir, name);
    mkdir(dir, 0755);
    path = tu_path(dir, "wjr_exit.json");
    snprintf(text, sizeof(text),
             "{\"exit_code\": %d, \"job_id\": \"%s\", \"start_time\": 1700000001, "
             "\"end_time\": 1700000009}\n",
             rc, job_of(f, index));
    tu_write(path, text);
    free(path);
    free(dir);
}

/* A runner over the mocked Slurm, with the journal's checkpoint, that has
 * already looked at the cluster (so that its header stays as it is). */
static void journal_runner(journal *j, tu_fixture *f)
{
    memset(j, 0, sizeof(*j));
    j->records = json_array();
    mock_set_accounting(1);
    assert_int_equal(tu_runner_checkpointed(f, store_wrapper(), NULL, journal_checkpoint, j), 0);
    run_one(f, 100, 0);
    journal_start(j, f);
}

/* ---- the whole life of trials ------------------------------------------------------ */

static void journal_rebuilds_the_runner(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec specs[4] = {
        {1, "{\"x\": 1}"}, {2, "{\"x\": 2}"}, {3, "{\"x\": 3}"}, {4, "{\"x\": 4}"}};
    wjr_trial_spec again = {6, "{\"x\": 6}"};
    size_t submissions;
    int64_t stop_these[] = {5, 6, 10};
    int64_t *unsub = NULL;
    size_t n_unsub = 0, stopped = 0;
    int64_t now = (int64_t)time(NULL);
    mock_job *mj;
    journal j;

    mock_set_max_array_size(3); /* four trials make two arrays */
    journal_runner(&j, f);

    run_one(f, 0, 0);
    check(&j, "run");
    submissions = mock_submission_count();
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 4), 0);
    assert_int_equal(mock_submission_count(), submissions + 2);
    check(&j, "run_multiple");
    poll_all(f); /* the single jobs' first sight: attempt 1 */
    check(&j, "first poll");
    poll_all(f);
    assert_int_equal(check(&j, "a poll that changes nothing"), 0);

    end_job(f, 0, WJR_JOB_RUNNING, 0);
    end_job(f, 1, WJR_JOB_RUNNING, 0); /* a task leaves its packed record */
    poll_all(f);
    check(&j, "running");
    end_job(f, 1, WJR_JOB_COMPLETE, 0);
    end_job(f, 2, WJR_JOB_FAILED, 3);
    end_job(f, 3, WJR_JOB_CANCELLED, 0);
    end_job(f, 4, WJR_JOB_TIMEOUT, 0);
    poll_all(f);
    check(&j, "completed, failed, cancelled, timed out");

    /* the cluster's failure: the same trial again, as a new job */
    end_job(f, 0, WJR_JOB_NODE_FAIL, 0);
    poll_all(f);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->status, WJR_TRIAL_RUNNING);
    check(&j, "retry after NODE_FAIL");
    /* a requeue of the new job: its restarts and attempt */
    mj = mock_lookup(job_of(f, 0));
    assert_non_null(mj);
    mj->restart_cnt = 1;
    end_job(f, 0, WJR_JOB_RUNNING, 0);
    poll_all(f);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->restarts, 1);
    check(&j, "requeued");
    /* a retry the controller refuses fails the trial */
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_PARTITION_NAME);
    end_job(f, 0, WJR_JOB_BOOT_FAIL, 0);
    poll_all(f);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->status, WJR_TRIAL_FAILED);
    /* the refusal's message, although the checkpoint reloaded a runner since */
    assert_non_null(strstr(wjr_runner_trial(f->runner, 0)->reason,
                           "resubmission refused: slurm_submit_batch_job: Invalid partition"));
    check(&j, "refused retry");

    /* a refused submission, a failed checkpoint before the submit */
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_PARTITION_NAME);
    run_one(f, 5, WJR_ESLURM);
    check(&j, "refused");
    j.fail_checkpoint = 1;
    assert_true(wjr_runner_run(NULL, f->runner, &again) < 0);
    j.fail_checkpoint = 0;
    assert_int_equal(wjr_runner_trial(f->runner, 6)->status, WJR_TRIAL_CANDIDATE);
    check(&j, "failed checkpoint");

    /* the wrapper fails before anything is submitted: a new trial is
     * kept, and a known one keeps its new parameters */
    fail_run_model = 1;
    run_one(f, 15, WJR_ECONFIG);
    check(&j, "new trial, no model");
    again.params_json = "{\"x\": 66}";
    assert_int_equal(wjr_runner_run(NULL, f->runner, &again), WJR_ECONFIG);
    fail_run_model = 0;
    assert_string_equal(wjr_runner_trial(f->runner, 6)->params_json, "{\"x\":66}");
    check(&j, "new parameters, no model");

    /* lost answers: one accepted (adopted), one never (reset) */
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    run_one(f, 7, WJR_ETIMEOUT);
    check(&j, "lost answer, accepted");
    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    run_one(f, 8, WJR_ETIMEOUT);
    check(&j, "lost answer, never accepted");
    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 1);
    free(unsub);
    check(&j, "reconcile");

    /* an interrupted settle keeps the trial, with its exit code */
    run_one(f, 11, 0);
    end_job(f, 11, WJR_JOB_COMPLETE, 0);
    interrupt_hook = 1;
    poll_all(f);
    interrupt_hook = 0;
    wjr_interrupt(0);
    assert_int_equal(wjr_runner_trial(f->runner, 11)->status, WJR_TRIAL_RUNNING);
    check(&j, "interrupted settle");
    poll_all(f);
    assert_int_equal(wjr_runner_trial(f->runner, 11)->status, WJR_TRIAL_COMPLETED);
    check(&j, "settled");

    /* jobs the controller forgot: exit record, accounting, lost */
    run_one(f, 12, 0);
    run_one(f, 13, 0);
    run_one(f, 14, 0);
    write_exit_record(f, 12, 2);
    mock_add_acct(wjr_runner_trial(f->runner, 13)->run.slurm_job_id, 0, MOCK_NO_TASK,
                  "wjr-" TU_STUDY "-13", WJR_JOB_OOM, 0, 9, now, now);
    mock_purge_all();
    check(&j, "submitted");
    poll_all(f);
    assert_int_equal(wjr_runner_trial(f->runner, 12)->exit_code, 2);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 13)->reason, "OUT_OF_MEMORY"));
    assert_non_null(strstr(wjr_runner_trial(f->runner, 14)->reason, "lost"));
    check(&j, "forgotten jobs settled");

    /* stop one, then many */
    run_one(f, 9, 0);
    run_one(f, 10, 0);
    assert_int_equal(wjr_runner_stop(f->runner, 9, "enough"), 0);
    check(&j, "stop");
    assert_int_equal(wjr_runner_stop_many(&stopped, f->runner, stop_these, 3, "all done"), 0);
    assert_int_equal(stopped, 3);
    check(&j, "stop_many");
    journal_end(&j);
}

/* ---- what the log costs -------------------------------------------------------- */

static void one_change_is_one_record(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = calloc(1000, sizeof(*specs));
    journal j;
    size_t i, n;

    assert_non_null(specs);
    for (i = 0; i < 1000; i++) {
        specs[i].index = 200 + (int64_t)i;
        specs[i].params_json = "{\"x\": 0.5}";
    }
    journal_runner(&j, f);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 1000), 0);
    assert_int_equal(check(&j, "a thousand trials"), 0);       /* the checkpoints took them */
    assert_int_equal(json_array_size(j.records), 1000 + 1000); /* announced, then submitted */
    poll_all(f);
    check(&j, "first poll");
    poll_all(f);
    assert_int_equal(wjr__runner_change_count(f->runner), 0);
    n = json_array_size(j.records);
    end_job(f, 700, WJR_JOB_RUNNING, 0);
    poll_all(f);
    /* the checkpoint after the poll took exactly the one record */
    assert_int_equal(json_array_size(j.records), n + 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j.records, n), "index")),
                     700);
    check(&j, "one task runs");
    free(specs);
    journal_end(&j);
}

/* ---- the records ------------------------------------------------------------------------ */

/* Each record is, byte for byte, the trial's object in the runner's JSON. */
static void records_are_the_trials_objects(void **state)
{
    tu_fixture *f = *state;
    wjr_buf b = WJR_BUF_INIT;
    char *records = NULL, *full = NULL, *line;
    size_t n = 0;

    tu_runner(f, store_wrapper(), NULL);
    run_one(f, 3, 0);
    run_one(f, 1, 0);
    end_job(f, 3, WJR_JOB_FAILED, 4);
    poll_all(f);
    assert_int_equal(wjr__runner_change_count(f->runner), 2);
    assert_int_equal(wjr__runner_take_changes(&b, f->runner), 0);
    assert_int_equal(wjr_buf_detach(&records, &b), 0);
    assert_int_equal(wjr_runner_to_json(&full, f->runner), 0);
    assert_true(records[0] == '[' && records[strlen(records) - 1] == ']');
    /* in the order of their first change: 3, then 1 */
    assert_true(strstr(records, "\"index\":3") < strstr(records, "\"index\":1"));
    /* the elements, one by one (depth 1 objects, strings skipped whole) */
    for (line = records + 1; *line != ']';) {
        char *end = line, saved;
        int depth = 0, in_string = 0;

        do {
            if (in_string && *end == '\\')
                end++;
            else if (*end == '"')
                in_string = !in_string;
            else if (!in_string && *end == '{')
                depth++;
            else if (!in_string && *end == '}')
                depth--;
            end++;
        } while (depth > 0 || in_string);
        saved = *end;
        *end = '\0';
        assert_non_null(strstr(full, line));
        *end = saved;
        n++;
        line = *end == ',' ? end + 1 : end;
    }
    assert_int_equal(n, 2);
    free(records);
    free(full);
}

/* ---- replaying ---------------------------------------------------------------------- */

static void apply_checks_records_as_the_loader(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *before;
    json_t *rec;
    char *text = NULL, *after = NULL;
    journal j;

    journal_runner(&j, f);
    run_one(f, 1, 0);
    before = wjr_runner_trial(f->runner, 1);
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);

    rec = json_pack("{s:s}", "status", "RUNNING");
    assert_int_equal(wjr__runner_apply_change(f->runner, rec), WJR_EINVALID);
    json_decref(rec);
    rec = json_pack("{s:i,s:s}", "index", 1, "status", "NOT A STATUS");
    assert_int_equal(wjr__runner_apply_change(f->runner, rec), WJR_EINVALID);
    json_decref(rec);
    rec = json_pack("{s:i,s:s,s:s}", "index", 1, "status", "RUNNING", "submission", "submitted");
    assert_int_equal(wjr__runner_apply_change(f->runner, rec), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "no job id"));
    json_decref(rec);
    /* nothing changed, nothing was marked */
    assert_int_equal(wjr_runner_to_json(&after, f->runner), 0);
    assert_string_equal(after, text);
    free(after);
    assert_int_equal(wjr__runner_change_count(f->runner), 0);

    /* a good record replaces the trial in place, unmarked */
    rec = json_pack("{s:i,s:s,s:s,s:s}", "index", 1, "status", "ABANDONED", "submission",
                    "unsubmitted", "reason", "replayed");
    assert_int_equal(wjr__runner_apply_change(f->runner, rec), 0);
    json_decref(rec);
    assert_ptr_equal(wjr_runner_trial(f->runner, 1), before);
    assert_int_equal(before->status, WJR_TRIAL_ABANDONED);
    assert_string_equal(before->reason, "replayed");
    assert_int_equal(wjr__runner_change_count(f->runner), 0);
    free(text);
    journal_end(&j);
}

/* ---- the header ------------------------------------------------------------------------ */

static void header_changes_show(void **state)
{
    tu_fixture *f = *state;
    journal j;

    journal_runner(&j, f);
    assert_int_equal(wjr__runner_header_changed(f->runner), 0);
    wjr_runner_set_infrastructure_retries(f->runner, 5);
    assert_int_equal(wjr__runner_header_changed(f->runner), 1);
    wjr__runner_forget_changes(f->runner);
    assert_int_equal(wjr__runner_header_changed(f->runner), 0);
    journal_end(&j);

    /* a runner that has not looked at the cluster learns its version */
    wjr_runner_free(f->runner);
    f->runner = NULL;
    tu_runner(f, store_wrapper(), NULL);
    assert_int_equal(wjr__runner_header_changed(f->runner), 1); /* nothing remembered yet */
    wjr__runner_forget_changes(f->runner);
    assert_int_equal(wjr__runner_header_changed(f->runner), 0);
    run_one(f, 0, 0);
    assert_int_equal(wjr__runner_header_changed(f->runner), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(journal_rebuilds_the_runner),
        T(one_change_is_one_record),
        T(records_are_the_trials_objects),
        T(apply_checks_records_as_the_loader),
        T(header_changes_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
