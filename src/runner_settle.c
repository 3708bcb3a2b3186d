/*
 * runner_settle.c - what a job's outcome makes of its trial. A job record
 * from the controller or from accounting moves the trial's Slurm state
 * through the table in state.c; a terminal one asks the wrapper
 * (set_trial_status, fetch_trial_data) and settles the trial. A job the
 * controller has forgotten is settled by its exit record, then by
 * accounting, never assumed done; one that nobody knows ends FAILED, with
 * why. A failure of the cluster (retry.c) submits the same trial again, up
 * to the runner's limit. It sends no query itself but accounting's:
 * runner_poll.c asks and hands the records over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "retry.h"
#include "runner_int.h"
#include "script.h"
#include "state.h"
#include "trial_files.h"
#include "util.h"

static void describe_failure(trial *t, const char *state, int exit_code, int sig,
                             const char *slurm_reason)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "Slurm state %s", state);

    if (exit_code >= 0 && n < (int)sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", exit code %d", exit_code);
    if (sig > 0 && n < (int)sizeof(buf))
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", signal %d", sig);
    if (slurm_reason && *slurm_reason && n < (int)sizeof(buf))
        snprintf(buf + n, sizeof(buf) - (size_t)n, " (%s)", slurm_reason);
    wjr__set_text(&t->info.reason, buf);
}

/* The lines of a failed job's stderr read for its reason. */
#define STDERR_LINES 12

/* `in` as one line of at most size - 1 bytes: control bytes as spaces,
 * cut after a whole character with "..." when longer. */
static void one_line(char *out, size_t size, const char *in)
{
    size_t n = strlen(in), at, k;

    if (n > size - 1) { /* room for "...", and no UTF-8 character split */
        n = size - 4;
        while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
            n--;
    }
    for (k = 0, at = 0; k < n; k++)
        out[at++] = (unsigned char)in[k] < ' ' || in[k] == 0x7f ? ' ' : in[k];
    if (n < strlen(in)) {
        memcpy(out + at, "...", 3);
        at += 3;
    }
    out[at] = '\0';
}

/* The line of the tail (lines, each ending with a newline but maybe the
 * last) that says what went wrong: the last one not blank, or, when that
 * is R's "Execution halted", the last "Error..." line above it (R prints
 * the error, then that). Cut at its newline, in place. */
static char *telling_line(char *tail)
{
    char *lines[STDERR_LINES], *p = tail;
    size_t n = 0, i;

    while (*p != '\0' && n < STDERR_LINES) {
        char *end = strchr(p, '\n');
        if (strspn(p, " \t\r\n") < (end != NULL ? (size_t)(end - p) : strlen(p)))
            lines[n++] = p; /* not blank */
        if (end == NULL)
            break;
        *end = '\0';
        p = end + 1;
    }
    if (n == 0)
        return tail;
    if (strncmp(lines[n - 1], "Execution halted", 16) == 0)
        for (i = n - 1; i-- > 0;)
            if (strncmp(lines[i], "Error", 5) == 0)
                return lines[i];
    return lines[n - 1];
}

/* A failed trial's reason gets the line of its job's stderr that says what
 * went wrong, usually the last: "...; stderr: ZeroDivisionError: division
 * by zero", or R's error line above its "Execution halted". */
static void add_stderr(wjr_runner *r, trial *t)
{
    char line[200], *tail = NULL, *reason;

    if (wjr_trial_stderr_tail(&tail, r->experiment_dir, t->info.run.trial_dir, t->info.run.job_id,
                              STDERR_LINES, 4096) < 0 ||
        tail == NULL) {
        wjr_error_clear();
        return;
    }
    one_line(line, sizeof(line), telling_line(tail));
    free(tail);
    reason = wjr_asprintf("%s; stderr: %s", t->info.reason ? t->info.reason : "failed", line);
    if (reason != NULL)
        wjr__set_text(&t->info.reason, reason);
    free(reason);
}

/* Whether the wrapper call that just returned had a hook stopped by
 * wjr_interrupt(). */
static int hook_interrupted(void)
{
    return wjr_interrupted() && wjr_error_last_code() == WJR_EINTERRUPTED;
}

/*
 * A terminal status arrived: ask the wrapper, fetch the metrics, log.
 * @lost: when set, nobody knows the job's end, and this is the reason.
 */
void wjr__finalize(wjr_runner *r, trial *t, wjr_trial_status status, const char *state_name,
                   int exit_code, int sig, const char *slurm_reason, int64_t end_time,
                   const char *lost)
{
    wjr_trial_ctx ctx;
    char *why = NULL, *metrics = NULL;

    t->info.exit_code = exit_code;
    t->info.term_signal = sig;
    t->info.end_time = end_time > 0 ? end_time : (int64_t)time(NULL);
    /* settled or interrupted, the trial changes here (and its callers'
     * changes just before, and after, are covered by this mark) */
    wjr__trial_touch(r, t);
    wjr__trial_ctx(&ctx, r, t);
    if (status == WJR_TRIAL_COMPLETED && r->wrapper->set_trial_status) {
        int rc = r->wrapper->set_trial_status(&status, &why, r->wrapper, &ctx);
        /* a wrapper may turn its hook's error into a FAILED status: an
         * interrupted hook says nothing about the trial either way */
        if (hook_interrupted())
            goto interrupted;
        if (rc < 0) {
            status = WJR_TRIAL_FAILED;
            why = wjr_strdup(wjr_error_last());
        }
    }
    if ((status == WJR_TRIAL_COMPLETED || status == WJR_TRIAL_EARLY_STOPPED) &&
        r->wrapper->fetch_trial_data) {
        int rc = r->wrapper->fetch_trial_data(&metrics, r->wrapper, &ctx);
        if (hook_interrupted()) {
            free(metrics);
            goto interrupted;
        }
        if (rc < 0) {
            /* an early-stopped trial keeps its status without data */
            if (status == WJR_TRIAL_EARLY_STOPPED) {
                wjr__runner_log(r, WJR_LOG_WARNING, t->info.index, "EARLY_STOPPED without data: %s",
                                wjr_error_last());
            } else {
                status = WJR_TRIAL_FAILED;
                free(why);
                why = wjr_strdup(wjr_error_last());
            }
        } else {
            free((char *)t->info.metrics_json);
            t->info.metrics_json = metrics;
        }
    }
    t->info.status = status;
    if (why) {
        wjr__set_text(&t->info.reason, why);
    } else if (lost) {
        wjr__set_text(&t->info.reason, lost);
    } else if (status == WJR_TRIAL_FAILED) {
        describe_failure(t, state_name, exit_code, sig, slurm_reason);
    }
    if (status == WJR_TRIAL_FAILED && lost == NULL) {
        add_stderr(r, t);
    } else if (status == WJR_TRIAL_ABANDONED && t->info.reason == NULL) {
        char buf[160];
        snprintf(buf, sizeof(buf), "Slurm state %s", state_name);
        wjr__set_text(&t->info.reason, buf);
    }
    free(why);
    if (status == WJR_TRIAL_COMPLETED)
        wjr__runner_log(r, WJR_LOG_INFO, t->info.index, "COMPLETED (job %s) %s", t->info.run.job_id,
                        t->info.metrics_json ? t->info.metrics_json : "");
    else
        wjr__runner_log(r, status == WJR_TRIAL_FAILED ? WJR_LOG_WARNING : WJR_LOG_INFO,
                        t->info.index, "%s (job %s): %s", wjr_trial_status_name(status),
                        t->info.run.job_id, t->info.reason ? t->info.reason : "");
    return;
interrupted:
    /* not settled: the trial keeps its status and a later poll finishes it */
    free(why);
    t->info.end_time = 0;
    wjr__runner_log(r, WJR_LOG_WARNING, t->info.index, "interrupted while settling job %s: %s",
                    t->info.run.job_id, wjr_error_last());
}

/* Add the attempt that just ended to t's history. */
static void note_attempt(wjr_runner *r, trial *t, const char *state)
{
    char *h = wjr_asprintf("%s%sattempt %d: job %s %s", t->history ? t->history : "",
                           t->history ? "; " : "", t->info.attempt > 0 ? t->info.attempt : 1,
                           t->info.run.job_id ? t->info.run.job_id : "?", state);

    if (h != NULL) { /* the trial is marked: its job's state changed */
        free(t->history);
        t->history = h;
    }
    wjr__runner_log(
        r, WJR_LOG_WARNING, t->info.index,
        "job %s ended %s, a failure of the cluster: submitting the trial again (retry %d "
        "of %d)",
        t->info.run.job_id ? t->info.run.job_id : "?", state, t->retries + 1, r->max_infra_retries);
}

/* The final reason names every attempt (after wjr__finalize, which marked
 * the trial). */
static void prepend_history(trial *t)
{
    char *why = wjr_asprintf("%s; attempt %d: %s", t->history,
                             t->info.attempt > 0 ? t->info.attempt : t->prior_attempts + 1,
                             t->info.reason ? t->info.reason : "failed");
    if (why != NULL) {
        free((char *)t->info.reason);
        t->info.reason = why;
    }
}

/* Submit the trial again as a new single job (a key of its own). A refused
 * submission fails the trial; a lost answer leaves it to reconcile. */
void wjr__retry_trial(wjr_runner *r, trial *t)
{
    wjr_run_metadata kept;
    char *why;
    int error;

    t->retry_due = 0;
    t->retries++;
    t->prior_attempts = t->info.attempt > 0 ? t->info.attempt : t->prior_attempts + 1;
    wjr__set_text(&t->info.run.job_id, NULL);
    kept = t->info.run; /* the same folder, partition and cluster for the next job */
    memset(&t->info.run, 0, sizeof(t->info.run));
    t->info.run.trial_dir = kept.trial_dir;
    t->info.run.partition = kept.partition;
    t->info.run.cluster = kept.cluster;
    t->info.run.array_task_id = WJR_NO_TASK;
    t->sub = SUB_NONE;
    t->state_word = 0;
    /* marked (announced) before its checkpoint when it gets that far */
    error = wjr__submit_single(r, t);
    if (error < 0 && error != WJR_ETIMEOUT && t->sub == SUB_NONE) {
        why = wjr_asprintf("%s; resubmission refused: %s", t->history ? t->history : "",
                           wjr_error_last());
        t->info.status = WJR_TRIAL_FAILED;
        t->info.end_time = (int64_t)time(NULL);
        wjr__set_text(&t->info.reason, why);
        free(why);
    }
    wjr__trial_touch(r, t);
}

/* Apply one job record to a trial. Returns 1 when the trial changed. */
int wjr__apply_record(wjr_runner *r, trial *t, const wjr_job_record *j, int packed_pending)
{
    wjr_state_verdict v;
    char base_buf[32];
    uint32_t state = packed_pending ? (uint32_t)WJR_JOB_PENDING : j->state;
    int changed = state != t->state_word || t->info.slurm_state == NULL;
    /* the saved fields a record may change, to mark the trial when it did */
    const char *was_state = t->info.slurm_state;
    const uint32_t was_word = t->state_word, was_job = t->info.run.slurm_job_id,
                   was_restarts = t->info.restarts;
    const int was_attempt = t->info.attempt;
    const int64_t was_start = t->info.start_time;

    v = wjr_state_map(state, j->will_requeue);
    if (changed) {
        /* text only on a change: polls of unchanged jobs stay cheap */
        char desc[256];
        wjr_state_describe(state, desc, sizeof(desc));
        t->warned = 0;
        t->info.slurm_state = wjr__intern(r, desc);
    }
    t->state_word = state;
    if (!packed_pending && t->prior_attempts + (int)j->restart_cnt + 1 > t->info.attempt) {
        changed |= t->info.attempt > t->prior_attempts; /* a requeue: record it */
        t->info.attempt = t->prior_attempts + (int)j->restart_cnt + 1;
    }
    if (!packed_pending && j->job_id && t->info.run.slurm_job_id == 0)
        t->info.run.slurm_job_id = j->job_id;
    /* a PENDING job's start_time is the scheduler's estimate, not a start */
    if (!packed_pending && j->start_time > 0 &&
        (state & WJR_JOB_STATE_BASE) != (uint32_t)WJR_JOB_PENDING)
        t->info.start_time = j->start_time;
    if (j->restart_cnt > t->info.restarts)
        t->info.restarts = j->restart_cnt;
    if (t->info.slurm_state != was_state || t->state_word != was_word ||
        t->info.run.slurm_job_id != was_job || t->info.restarts != was_restarts ||
        t->info.attempt != was_attempt || t->info.start_time != was_start)
        wjr__trial_touch(r, t);
    if ((v.held || v.unknown) && !t->warned) {
        t->warned = 1;
        wjr__runner_log(r, WJR_LOG_WARNING, t->info.index,
                        v.held
                            ? "job %s is held by Slurm (%s): it will not run until released "
                              "(scontrol release)"
                            : "job %s is in a state wjr does not know (%s); treating it as running",
                        t->info.run.job_id, t->info.slurm_state);
    }
    if (v.status == WJR_TRIAL_FAILED && wjr_retry_is_infrastructure(state) &&
        t->retries < r->max_infra_retries) {
        /* the cluster's failure, not the model's: the same trial again */
        note_attempt(r, t, wjr_state_base_name(state, base_buf, sizeof(base_buf)));
        t->retry_due = 1;
        return 1;
    }
    if (wjr_trial_status_is_terminal(v.status)) {
        wjr__finalize(r, t, v.status, wjr_state_base_name(state, base_buf, sizeof(base_buf)),
                      j->exit_code, j->term_signal, j->reason, j->end_time, NULL);
        if (t->history && v.status == WJR_TRIAL_FAILED)
            prepend_history(t);
        return 1;
    }
    return changed;
}

/* The controller forgot the job: its exit record, if the script wrote one. */
int wjr__settle_by_exit_record(wjr_runner *r, trial *t)
{
    char *text = NULL;
    json_t *doc = NULL;
    const char *job;
    int handled = 0, rc;

    /* a trial file: never blocking, bounded, no link out of the directory */
    if (wjr_trial_file_read(&text, NULL, t->info.run.trial_dir, WJR_EXIT_RECORD, 4096) < 0)
        goto done;
    doc = json_loads(text, 0, NULL);
    job = json_string_value(json_object_get(doc, "job_id"));
    /* a record of an earlier, requeued or reused run does not count */
    if (doc == NULL || job == NULL || t->info.run.job_id == NULL ||
        strcmp(job, t->info.run.job_id) != 0)
        goto done;
    rc = (int)json_integer_value(json_object_get(doc, "exit_code"));
    if (t->info.start_time == 0)
        t->info.start_time = (int64_t)json_integer_value(json_object_get(doc, "start_time"));
    t->info.slurm_state = wjr__intern(r, rc == 0 ? "COMPLETED" : "FAILED");
    wjr__finalize(r, t, rc == 0 ? WJR_TRIAL_COMPLETED : WJR_TRIAL_FAILED,
                  rc == 0 ? "COMPLETED" : "FAILED", rc, 0,
                  "from the exit record; Slurm no longer knows the job",
                  (int64_t)json_integer_value(json_object_get(doc, "end_time")), NULL);
    handled = 1;
done:
    json_decref(doc);
    free(text);
    return handled;
}

/* Nobody can say how the trial's job ended: FAILED, with why. */
static void mark_lost(wjr_runner *r, trial *t, const char *why)
{
    t->info.slurm_state = wjr__intern(r, "UNKNOWN");
    wjr__finalize(r, t, WJR_TRIAL_FAILED, "UNKNOWN", -1, 0, NULL, 0, why);
}

/* Settle forgotten jobs through accounting, one look-up for all of them. */
int wjr__settle_by_accounting(wjr_runner *r, trial **vanished, size_t n)
{
    const char **names = calloc(n ? n : 1, sizeof(char *));
    wjr_job_list acct = {0, NULL, NULL, NULL};
    job_map m = {NULL, NULL, 0};
    int64_t since = INT64_MAX;
    size_t i, k = 0, pos, changed = 0;
    int packed;
    int error;

    if (names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        wjr__add_key_once(names, &k, vanished[i]->key);
        if (vanished[i]->info.run.submit_time > 0 && vanished[i]->info.run.submit_time < since)
            since = vanished[i]->info.run.submit_time;
    }
    if (since == INT64_MAX)
        since = 0;
    /* a minute of slack for clocks; the study id in the name keeps reused ids out */
    error = r->backend->accounting(&acct, r->backend, names, k, since > 60 ? since - 60 : 0);
    free(names);
    if (error == WJR_ENOTFOUND) {
        /* no accounting: nobody can say what became of these jobs */
        for (i = 0; i < n; i++)
            mark_lost(r, vanished[i],
                      "lost: Slurm no longer knows the job, it left no exit record and the "
                      "cluster has no accounting");
        return (int)n;
    }
    if (error < 0)
        return error;
    error = wjr__index_records(&m, &acct);
    if (error < 0)
        goto done;
    for (i = 0; i < n; i++) {
        trial *t = vanished[i];
        if (wjr__find_record(&m, &acct, t, &pos, &packed)) {
            wjr__runner_log(r, WJR_LOG_INFO, t->info.index,
                            "slurmctld forgot job %s: asking accounting", t->info.run.job_id);
            changed += (size_t)wjr__apply_record(r, t, &acct.jobs[pos], packed);
        } else {
            mark_lost(r, t,
                      "lost: neither slurmctld nor accounting knows the job, and it left no exit "
                      "record");
            changed++;
        }
    }
done:
    wjr__job_map_free(&m);
    wjr_job_list_clear(&acct);
    return error < 0 ? error : (int)changed;
}
