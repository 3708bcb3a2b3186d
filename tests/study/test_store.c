/*
 * test_store.c - the study's snapshot and journal (study_store.c), against
 * the fake controller of tests/mock/:
 *  - a study read back from its files equals the live one after every
 *    step, with the journal alone and with compactions in between;
 *  - a torn last record, cut at any byte, reads as if it had never been
 *    written, and the next writer cuts it off;
 *  - a writer killed with SIGKILL in the middle of its appends and
 *    compactions loses no trial whose submission had returned;
 *  - readers without the lock, while a writer appends and compacts, always
 *    open a whole state, and never see the study shrink;
 *  - a schema-1 study.json opens, and is converted by its first write;
 *  - a study opened for submitting only (WJR_STUDY_SUBMIT_ONLY) reads no
 *    trial, yet numbers its trials on and loses none;
 *  - the runner holds a submitted trial's parameters, the study no second
 *    copy; the status and results documents streamed to a FILE are the
 *    texts of the string calls.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "study_store.h"
#include "test_util.h"

static char *write_config(tu_fixture *f, const char *scheduler)
{
    char *path = tu_path(f->dir, "study.cfg");
    char text[4096];

    snprintf(text, sizeof(text),
             "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
             "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
             "generation_strategy = { seed = 5; steps = ( { model = \"SOBOL\"; "
             "num_trials = -1; } ); };\n"
             "scheduler = { %s };\n"
             "script_options = { run_model = \"true\"; experiment_dir = \"%s/exp\"; };\n"
             "slurm = { partition = \"debug\"; };\n",
             scheduler, f->dir);
    tu_write(path, text);
    return path;
}

/* status JSON and results.csv of a study: what a reader sees. */
static char *seen(const wjr_study *s)
{
    char *status = NULL, *csv = NULL, *both;

    assert_int_equal(wjr_study_status_json(&status, s), 0);
    assert_int_equal(wjr_study_results_csv(&csv, s), 0);
    both = malloc(strlen(status) + strlen(csv) + 2);
    assert_non_null(both);
    sprintf(both, "%s\n%s", status, csv);
    free(status);
    free(csv);
    return both;
}

static char *seen_from_files(tu_fixture *f)
{
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    char *exp = tu_path(f->dir, "exp"), *text;
    wjr_study *s = NULL;

    o.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&s, exp, &o), 0);
    text = seen(s);
    wjr_study_free(s);
    free(exp);
    return text;
}

static void end_running_jobs(tu_fixture *f, wjr_study *s, int round)
{
    size_t i;

    for (i = 0; i < wjr_study_trial_count(s); i++) {
        wjr_study_trial tr;
        char name[64], *dir, out[64];
        int fail;

        assert_int_equal(wjr_study_trial_at(&tr, s, i), 0);
        if (tr.job_id == NULL || tr.status != WJR_TRIAL_RUNNING || (tr.index + round) % 3 != 0)
            continue;
        fail = tr.index % 4 == 1;
        snprintf(name, sizeof(name), "exp/%06lld", (long long)tr.index);
        snprintf(out, sizeof(out), "{\"y\": %d.5}", (int)(tr.index % 7));
        dir = tu_path(f->dir, name);
        if (!fail)
            tu_put(dir, "output.json", out);
        free(dir);
        mock_set_state(tr.job_id, fail ? WJR_JOB_FAILED : WJR_JOB_COMPLETE, fail, 0);
    }
}

/* Drive a study to its end; after every step the files read back equal
 * the live study. */
static void drive_and_compare(tu_fixture *f, size_t compact_min, int *compactions)
{
    char *cfg = write_config(f, "total_trials = 14; max_pending_trials = 5; "
                                "tolerated_trial_failure_rate = 0.9;");
    char *snap = tu_path(f->dir, "exp/study.json");
    wjr_study *s = NULL;
    wjr_study_progress p;
    struct stat st;
    ino_t last = 0;
    int round;

    wjr__store_compact_min = compact_min;
    *compactions = 0;
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    for (round = 0; round < 60; round++) {
        char *live, *files;

        end_running_jobs(f, s, round);
        assert_int_equal(wjr_study_step(&p, s), 0);
        live = seen(s);
        files = seen_from_files(f);
        assert_string_equal(live, files);
        free(live);
        free(files);
        assert_int_equal(stat(snap, &st), 0);
        if (last != 0 && st.st_ino != last)
            (*compactions)++;
        last = st.st_ino;
        if (p.state != WJR_STUDY_RUNNING)
            break;
    }
    assert_int_equal(p.state, WJR_STUDY_FINISHED);
    assert_int_equal(p.completed + p.failed, 14);
    wjr_study_free(s);
    wjr__store_compact_min = 256 * 1024;
    free(snap);
    free(cfg);
}

static void journal_alone(void **state)
{
    int compactions;

    drive_and_compare(*state, 1 << 30, &compactions);
    assert_int_equal(compactions, 0); /* every change in the journal */
}

static void with_compactions(void **state)
{
    int compactions;

    drive_and_compare(*state, 0, &compactions);
    assert_true(compactions >= 5); /* a snapshot at every save */
}

/* Compactions once the journal outgrows the snapshot: reads replay a
 * journal on top of a snapshot that is not the first. */
static void journal_on_compacted(void **state)
{
    int compactions;

    drive_and_compare(*state, 1, &compactions);
    assert_true(compactions >= 1);
}

static off_t size_of(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static void truncate_to(const char *path, const char *text, off_t size)
{
    FILE *out = fopen(path, "wb");

    assert_non_null(out);
    assert_int_equal(fwrite(text, 1, (size_t)size, out), (size_t)size);
    fclose(out);
}

/* Where the journal's last record starts. */
static off_t last_record_at(const char *text, off_t size)
{
    off_t at = 0, last = 0;

    while (at < size) {
        unsigned len;

        assert_int_equal(sscanf(text + at, "%8x", &len), 1);
        last = at;
        at += 18 + (off_t)len + 1;
    }
    assert_int_equal(at, size);
    return last;
}

/* The last record cut at every byte: the study reads as it was before
 * that record, and a writer cuts the torn bytes off before it appends. */
static void torn_tail(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "total_trials = 4; max_pending_trials = 4;");
    char *jpath = tu_path(f->dir, "exp/study.journal"), *whole, *before, *exp;
    wjr_study *s = NULL;
    wjr_study_progress p;
    off_t full, boundary, cut;

    wjr__store_compact_min = 1 << 30;
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){2}, 1, "not wanted"), 0);
    wjr_study_free(s);
    whole = tu_read(jpath);
    full = size_of(jpath);
    boundary = last_record_at(whole, full);
    assert_true(boundary > 0);
    truncate_to(jpath, whole, boundary);
    before = seen_from_files(f);
    for (cut = boundary + 1; cut < full; cut += (cut - boundary) < 40 ? 1 : 37) {
        char *now;

        truncate_to(jpath, whole, cut);
        now = seen_from_files(f);
        assert_string_equal(now, before);
        free(now);
    }
    /* a writer opens it: the torn bytes go, and its own records follow */
    exp = tu_path(f->dir, "exp");
    assert_int_equal(wjr_study_open(&s, exp, NULL), 0);
    assert_int_equal(size_of(jpath), boundary);
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){3}, 1, "not wanted"), 0);
    wjr_study_free(s);
    {
        char *now = seen_from_files(f);

        assert_non_null(strstr(now, "not wanted"));
        free(now);
    }
    wjr__store_compact_min = 256 * 1024;
    free(exp);
    free(before);
    free(whole);
    free(jpath);
    free(cfg);
}

/* The "trial_index" of a submission's answer. */
static int64_t index_of(const char *out)
{
    json_t *doc = json_loads(out, 0, NULL);
    int64_t index = json_integer_value(json_object_get(doc, "trial_index"));

    json_decref(doc);
    return index;
}

/* A child that creates a study and submits trials one at a time, saying
 * on `ack` each index whose submission returned. */
static pid_t submitter(tu_fixture *f, const char *cfg, int ack, int create)
{
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        wjr_study *s = NULL;
        char *exp = tu_path(f->dir, "exp");
        int i;

        if ((create ? wjr_study_create(&s, cfg, NULL) : wjr_study_open(&s, exp, NULL)) < 0)
            _exit(10);
        for (i = 0; i < 400; i++) {
            char params[64], *out = NULL;
            int64_t index;

            snprintf(params, sizeof(params), "{\"x\": 0.%03d}", i);
            if (wjr_study_submit(&out, s, params) < 0)
                _exit(11);
            index = index_of(out);
            free(out);
            if (write(ack, &index, sizeof(index)) != sizeof(index))
                _exit(12);
        }
        wjr_study_free(s);
        _exit(0);
    }
    return pid;
}

static void kill_during_appends_and_compactions(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "");
    char *exp = tu_path(f->dir, "exp");
    int64_t acked[4000];
    size_t n_acked = 0, i;
    int round;

    wjr__store_compact_min = 2048; /* a compaction every few submissions */
    for (round = 0; round < 6; round++) {
        int fds[2], status;
        int64_t index;
        wjr_study *s = NULL;
        wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
        size_t want = n_acked + 5 + (size_t)round * 13;
        pid_t pid;

        assert_int_equal(pipe(fds), 0);
        pid = submitter(f, cfg, fds[1], round == 0);
        close(fds[1]);
        while (n_acked < want && read(fds[0], &index, sizeof(index)) == sizeof(index))
            acked[n_acked++] = index;
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        while (read(fds[0], &index, sizeof(index)) == sizeof(index))
            acked[n_acked++] = index;
        close(fds[0]);
        assert_true(n_acked >= want);
        /* every acknowledged trial is there, once, with its parameters */
        o.flags = WJR_STUDY_READONLY;
        assert_int_equal(wjr_study_open(&s, exp, &o), 0);
        for (i = 0; i < n_acked; i++) {
            const wjr_trial_info *info = wjr_study_trial_info(s, acked[i]);

            assert_non_null(info);
            assert_non_null(info->run.job_id);
            if (i > 0)
                assert_true(acked[i] > acked[i - 1]);
        }
        assert_true(wjr_study_trial_count(s) >= n_acked);
        /* beyond them, one in flight at most per killed submitter: a trial
         * recorded but never acknowledged stays, and later rounds add on */
        assert_true(wjr_study_trial_count(s) <= n_acked + (size_t)round + 1);
        wjr_study_free(s);
    }
    wjr__store_compact_min = 256 * 1024;
    free(exp);
    free(cfg);
}

/* Readers open the study again and again while a writer appends and
 * compacts: every open succeeds, and the study never shrinks. */
static void readers_while_writing(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "");
    char *exp = tu_path(f->dir, "exp");
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    int fds[2], status, opens = 0;
    size_t last = 0;
    int64_t index;
    pid_t pid;

    wjr__store_compact_min = 1024;
    assert_int_equal(pipe(fds), 0);
    pid = submitter(f, cfg, fds[1], 1);
    close(fds[1]);
    assert_int_equal(read(fds[0], &index, sizeof(index)), sizeof(index));
    o.flags = WJR_STUDY_READONLY;
    while (waitpid(pid, &status, WNOHANG) == 0 && opens < 400) {
        wjr_study *s = NULL;
        char *text;

        assert_int_equal(wjr_study_open(&s, exp, &o), 0);
        assert_true(wjr_study_trial_count(s) >= last);
        last = wjr_study_trial_count(s);
        text = seen(s); /* the views of every trial work */
        free(text);
        wjr_study_free(s);
        opens++;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    close(fds[0]);
    assert_true(opens > 10);
    assert_true(last > 0);
    wjr__store_compact_min = 256 * 1024;
    free(exp);
    free(cfg);
}

/* A schema-1 study.json (one document, the runner's trials inside its
 * record) made from a snapshot; opening it for writing converts it. */
static void schema_1_converts(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "total_trials = 3; max_pending_trials = 3;");
    char *exp = tu_path(f->dir, "exp"), *snap = tu_path(exp, "study.json");
    char *before, *after, *text;
    json_t *doc, *runner, *trials, *legacy, *v;
    wjr_study *s = NULL;
    wjr_study_progress p;
    size_t i;

    wjr__store_compact_min = 0; /* every save a snapshot */
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    before = seen(s);
    wjr_study_free(s);
    doc = json_load_file(snap, 0, NULL);
    assert_non_null(doc);
    runner = json_deep_copy(json_object_get(doc, "runner"));
    trials = json_array();
    json_array_foreach(json_object_get(doc, "trials"), i, v)
    {
        json_array_append(json_object_get(runner, "trials"), json_object_get(v, "run"));
        json_array_append_new(
            trials, json_pack("{sOsOss}", "index", json_object_get(v, "index"), "parameters",
                              json_object_get(json_object_get(v, "run"), "parameters"),
                              "generation", "SOBOL"));
    }
    legacy = json_pack("{sssisssOsOsOsoso}", "__type", "WjrStudy", "schema", 1, "config",
                       "config.cfg", "config_dir", json_object_get(doc, "config_dir"), "state",
                       json_object_get(doc, "state"), "generator",
                       json_object_get(doc, "generator"), "trials", trials, "runner", runner);
    assert_int_equal(json_dump_file(legacy, snap, JSON_INDENT(1)), 0);
    json_decref(legacy);
    json_decref(doc);
    {
        char *jpath = tu_path(exp, "study.journal");

        unlink(jpath);
        free(jpath);
    }
    after = seen_from_files(f); /* read as it is */
    assert_string_equal(after, before);
    free(after);
    assert_int_equal(wjr_study_open(&s, exp, NULL), 0); /* converted */
    wjr_study_free(s);
    text = tu_read(snap);
    assert_non_null(strstr(text, "\"schema\":2"));
    free(text);
    after = seen_from_files(f);
    assert_string_equal(after, before);
    free(after);
    free(before);
    wjr__store_compact_min = 256 * 1024;
    free(snap);
    free(exp);
    free(cfg);
}

/* Submitting into a study opened for that only: no trial line is read,
 * the numbering goes on, and a full open sees every trial. */
static void submit_only(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "");
    char *exp = tu_path(f->dir, "exp"), *out = NULL, *status = NULL;
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL;
    wjr_study_progress p;
    int i;

    wjr__store_compact_min = 0;
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    for (i = 0; i < 5; i++) {
        assert_int_equal(wjr_study_submit(&out, s, "{\"x\": 0.5}"), 0);
        free(out);
    }
    wjr_study_free(s); /* all five in the snapshot */
    wjr__store_compact_min = 256 * 1024;
    o.flags = WJR_STUDY_SUBMIT_ONLY;
    for (i = 0; i < 3; i++) {
        assert_int_equal(wjr_study_open(&s, exp, &o), 0);
        assert_int_equal(wjr_study_trial_count(s), 0); /* no trial read */
        assert_int_equal(wjr_study_submit(&out, s, "{\"x\": 0.25}"), 0);
        assert_non_null(strstr(out, "\"trial_index\": "));
        assert_int_equal(index_of(out), 5 + i);
        free(out);
        assert_int_equal(wjr_study_step(&p, s), WJR_ESTATE);
        assert_int_equal(wjr_study_status_json(&status, s), WJR_ESTATE);
        wjr_study_free(s);
    }
    o.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&s, exp, &o), 0);
    assert_int_equal(wjr_study_trial_count(s), 8);
    for (i = 0; i < 8; i++)
        assert_non_null(wjr_study_trial_info(s, i)->run.job_id);
    wjr_study_free(s);
    free(exp);
    free(cfg);
}

/* The study's own decisions on a trial it recorded already (a refused
 * submission marks it ABANDONED with Slurm's reason) reach the files. */
static void overrides_are_recorded(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "");
    char *out = NULL, *files;
    wjr_study *s = NULL;

    wjr__store_compact_min = 1 << 30;
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_submit(&out, s, "{\"x\": 0.5}"), 0);
    free(out);
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_TIME_LIMIT);
    assert_int_equal(wjr_study_submit(&out, s, "{\"x\": 0.25}"), WJR_ESLURM);
    free(out);
    files = seen_from_files(f);
    assert_non_null(strstr(files, "submission refused"));
    assert_non_null(strstr(files, "ABANDONED"));
    free(files);
    wjr_study_free(s);
    wjr__store_compact_min = 256 * 1024;
    free(cfg);
}

/* A snapshot whose header claims more trials than its lines hold (as a
 * damaged or hostile file may): the open refuses it, naming the line where
 * the trials end, and reserves no room for the claimed count (the fuzzer's 2^60 trials made
 * a 6 GB allocation; a count near SIZE_MAX wrapped the size). */
static void header_count_is_not_trusted(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "total_trials = 3; max_pending_trials = 3;");
    char *snap = tu_path(f->dir, "exp/study.json"), *exp = tu_path(f->dir, "exp");
    const char *claims[] = {"1152921504606846976", "9223372036854775807", "4000000000"};
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL;
    wjr_study_progress p;
    char *text, *at, *damaged;
    size_t i;

    wjr__store_compact_min = 0; /* every save a snapshot: the trials in study.json */
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, s), 0);
    wjr_study_free(s);
    text = tu_read(snap);
    assert_non_null(text);
    at = strstr(text, "\"n_trials\":3,");
    assert_non_null(at);
    for (i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
        damaged = malloc(strlen(text) + 32);
        assert_non_null(damaged);
        sprintf(damaged, "%.*s\"n_trials\":%s,%s", (int)(at - text), text, claims[i],
                at + strlen("\"n_trials\":3,"));
        tu_write(snap, damaged);
        free(damaged);
        s = NULL;
        o.flags = WJR_STUDY_READONLY;
        assert_int_equal(wjr_study_open(&s, exp, &o), WJR_EINVALID);
        assert_null(s);
        /* the lines end before the count: the closing line is no trial */
        if (strstr(wjr_error_last(), "study.json:5:") == NULL)
            fail_msg("%s: %s", claims[i], wjr_error_last());
    }
    wjr__store_compact_min = 256 * 1024;
    free(text);
    free(snap);
    free(exp);
    free(cfg);
}

/* The text of a FILE-writing call, read back. */
static char *written(int (*write_json)(const wjr_study *, FILE *), const wjr_study *s)
{
    FILE *f = tmpfile();
    char *text;
    long n;

    assert_non_null(f);
    assert_int_equal(write_json(s, f), 0);
    n = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

static void assert_streams_match(const wjr_study *s)
{
    char *text = NULL, *streamed;

    assert_int_equal(wjr_study_status_json(&text, s), 0);
    streamed = written(wjr_study_write_status_json, s);
    assert_string_equal(streamed, text);
    free(text);
    free(streamed);
    assert_int_equal(wjr_study_results_json(&text, s), 0);
    streamed = written(wjr_study_write_results_json, s);
    assert_string_equal(streamed, text);
    free(text);
    free(streamed);
}

/* The runner holds each submitted trial's parameters, the study no copy
 * of them (live, and read back from the snapshot and the journal); the
 * JSON documents streamed a trial at a time are the texts of the string
 * calls, with no trial, some, and every trial finished; a failed write
 * is WJR_EIO. */
static void one_copy_and_streamed_documents(void **state)
{
    tu_fixture *f = *state;
    char *cfg = write_config(f, "total_trials = 6; max_pending_trials = 3; "
                                "tolerated_trial_failure_rate = 0.9;");
    char *exp = tu_path(f->dir, "exp");
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL, *r = NULL;
    wjr_study_progress p;
    FILE *ro;
    size_t i;
    int round, submitted = 0;

    wjr__store_compact_min = 1 << 30;
    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_streams_match(s);
    for (round = 0; round < 40; round++) {
        end_running_jobs(f, s, round);
        assert_int_equal(wjr_study_step(&p, s), 0);
        assert_streams_match(s);
        if (p.state != WJR_STUDY_RUNNING)
            break;
    }
    assert_int_equal(p.state, WJR_STUDY_FINISHED);
    o.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&r, exp, &o), 0);
    assert_int_equal(s->n_trials, r->n_trials);
    for (i = 0; i < s->n_trials; i++) {
        wjr_study_trial live, files;
        assert_int_equal(wjr_study_trial_at(&live, s, i), 0);
        assert_int_equal(wjr_study_trial_at(&files, r, i), 0);
        if (live.job_id == NULL)
            continue;
        submitted++;
        assert_null(s->trials[i].params_json); /* the runner's copy is the one */
        assert_null(r->trials[i].params_json);
        assert_non_null(live.params_json);
        assert_string_equal(live.params_json, files.params_json);
        assert_non_null(strstr(live.params_json, "\"x\":"));
    }
    assert_int_equal(submitted, 6);
    assert_streams_match(r);
    ro = fopen("/dev/null", "r"); /* writes to it fail */
    assert_non_null(ro);
    assert_int_equal(wjr_study_write_status_json(r, ro), WJR_EIO);
    fclose(ro);
    wjr_study_free(r);
    wjr_study_free(s);
    wjr__store_compact_min = 256 * 1024;
    free(exp);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(journal_alone, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(with_compactions, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(journal_on_compacted, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(torn_tail, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(kill_during_appends_and_compactions, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(readers_while_writing, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(schema_1_converts, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(submit_only, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(overrides_are_recorded, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(one_copy_and_streamed_documents, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(header_count_is_not_trusted, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
