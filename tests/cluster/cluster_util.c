/*
 * cluster_util.c - the helpers of the cluster tests (see cluster_util.h):
 * a fixture that checks the cluster answers, makes a temporary folder and
 * cleans up after the test (jobs cancelled, node resumed, slurmctld
 * started again); polling loops with deadlines; sdiag parsing; shell
 * commands. It talks to the library through the public API only and to
 * Slurm through its command-line tools.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cluster_util.h"

#ifndef WJR_SOURCE_DIR
#define WJR_SOURCE_DIR "."
#endif

const char *cl_source_dir(void)
{
    return WJR_SOURCE_DIR;
}

double cl_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_sleep(double seconds)
{
    struct timespec ts;

    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    char *s;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    assert_true(n >= 0);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) WJR_FORMAT(1, 2);

static char *format(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

int cl_sh(const char *fmt, ...)
{
    va_list ap;
    char *cmd;
    int st;

    va_start(ap, fmt);
    cmd = vformat(fmt, ap);
    va_end(ap);
    st = system(cmd);
    free(cmd);
    if (st == -1)
        return -1;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

char *cl_capture(const char *fmt, ...)
{
    va_list ap;
    char *cmd, *out = NULL;
    size_t len = 0, cap = 0, n;
    char buf[4096];
    FILE *p;

    va_start(ap, fmt);
    cmd = vformat(fmt, ap);
    va_end(ap);
    p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        memcpy(out + len, buf, n);
        len += n;
    }
    pclose(p);
    if (out == NULL) {
        out = malloc(1);
        assert_non_null(out);
    }
    out[len] = '\0';
    return out;
}

char *cl_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    if (fread(text, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    text[n] = '\0';
    fclose(f);
    return text;
}

int cl_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

char *cl_write_file(cl_env *e, const char *name, const char *text)
{
    char *path = format("%s/%s", e->tmp, name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

const char *cl_model(cl_env *e, const char *name, const char *interpreter, const char *text)
{
    char *path = cl_write_file(e, name, text);

    free(e->model);
    e->model = format("%s '%s'", interpreter, path);
    free(path);
    return e->model;
}

void cl_assert_contains_(const char *text, const char *needle, const char *file, int line)
{
    if (text != NULL && strstr(text, needle) != NULL)
        return;
    print_error("expected \"%s\" in \"%s\"\n", needle, text ? text : "(null)");
    _fail(file, line);
}

/* ---- the cluster -------------------------------------------------------- */

/* The runtime folder of the cluster SLURM_CONF points at (RUNDIR of
 * RUNDIR/etc/slurm.conf), when scripts/cluster-up.sh made it: its marker
 * RUNDIR/etc/wjr-cluster names that folder. NULL for any other cluster, a
 * site's own above all, on which no test may run jobs, stop daemons or down
 * nodes. */
const char *cl_cluster_dir(void)
{
    static char dir[4096];
    const char *conf = getenv("SLURM_CONF");
    char *slash, *marker, *text, *want;
    int ours;

    if (conf == NULL || strlen(conf) >= sizeof(dir))
        return NULL;
    strcpy(dir, conf);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0'; /* RUNDIR/etc */
    marker = format("%s/wjr-cluster", dir);
    text = cl_capture("cat '%s' 2>/dev/null", marker);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0'; /* RUNDIR */
    want = format("rundir=%s\n", dir);
    ours = slash != NULL && strstr(text, want) != NULL;
    free(marker);
    free(text);
    free(want);
    return ours ? dir : NULL;
}

static int cluster_answers(void)
{
    char *out;
    int up;

    if (getenv("SLURM_CONF") == NULL || getenv("SLURM_CONF")[0] == '\0') {
        print_error("FAIL: SLURM_CONF is not set. The cluster tests need the local Slurm cluster: "
                    "run scripts/cluster-up.sh (as root), then eval \"$(scripts/cluster-env.sh)\" "
                    "and run ctest again.\n");
        return 0;
    }
    if (cl_cluster_dir() == NULL) {
        print_error("FAIL: SLURM_CONF=%s is not a cluster started by scripts/cluster-up.sh (no "
                    "wjr-cluster marker beside it): the cluster tests run jobs, stop daemons and "
                    "down nodes, so they refuse any other cluster.\n",
                    getenv("SLURM_CONF"));
        return 0;
    }
    out = cl_capture("timeout 20 scontrol ping 2>&1");
    up = strstr(out, "is UP") != NULL;
    if (!up)
        print_error("FAIL: slurmctld does not answer `scontrol ping` (SLURM_CONF=%s): %s"
                    "Check it with scripts/cluster-status.sh; scripts/cluster-up.sh starts it.\n",
                    getenv("SLURM_CONF"), out);
    free(out);
    return up;
}

int cl_setup(void **state)
{
    cl_env *e = calloc(1, sizeof(*e));
    char tmpl[] = "/tmp/wjr-cl-XXXXXX";
    static unsigned serial;

    if (e == NULL)
        return -1;
    if (!cluster_answers()) {
        free(e);
        return -1;
    }
    if (mkdtemp(tmpl) == NULL) {
        free(e);
        return -1;
    }
    e->tmp = strdup(tmpl);
    e->exp = format("%s/exp", e->tmp);
    /* the study id names the jobs and keys accounting look-ups: unique */
    snprintf(e->study_id, sizeof(e->study_id), "cl%ld_%ld_%u", (long)getpid(),
             (long)(time(NULL) % 1000000), serial++);
    *state = e;
    return 0;
}

/* The distinct job ids (array job ids for tasks) of the runner's trials. */
static size_t job_ids(uint32_t *ids, wjr_runner *r)
{
    size_t i, k, n = 0;

    for (i = 0; i < wjr_runner_trial_count(r); i++) {
        const wjr_trial_info *t = wjr_runner_trial_at(r, i);
        uint32_t id = t->run.array_job_id ? t->run.array_job_id : t->run.slurm_job_id;
        if (t->run.job_id == NULL || id == 0)
            continue;
        for (k = 0; k < n && ids[k] != id; k++)
            ;
        if (k == n)
            ids[n++] = id;
    }
    return n;
}

/* How many of ids[] squeue still lists (as job or array job id). */
static size_t still_queued(const uint32_t *ids, size_t n)
{
    char *out = cl_capture("timeout 10 squeue -h -o '%%F' 2>/dev/null"), *p, *save = NULL;
    size_t k, left = 0;

    for (p = strtok_r(out, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
        uint32_t id = (uint32_t)strtoul(p, NULL, 10);
        for (k = 0; k < n; k++)
            left += ids[k] == id;
    }
    free(out);
    return left;
}

/* Cancel every submitted job of the runner and wait until none is queued,
 * so that the next test has the node to itself. */
static void cancel_all(wjr_runner *r)
{
    uint32_t *ids = calloc(wjr_runner_trial_count(r) + 1, sizeof(*ids));
    char *cmd = calloc(wjr_runner_trial_count(r) * 12 + 64, 1);
    size_t n, k, len;
    int tries;

    if (ids == NULL || cmd == NULL)
        goto done;
    n = job_ids(ids, r);
    if (n == 0)
        goto done;
    len = (size_t)sprintf(cmd, "timeout 30 scancel");
    for (k = 0; k < n; k++)
        len += (size_t)sprintf(cmd + len, " %u", (unsigned)ids[k]);
    strcpy(cmd + len, " >/dev/null 2>&1");
    cl_sh("%s", cmd);
    for (tries = 0; tries < 60 && still_queued(ids, n) > 0; tries++)
        cl_sleep(0.5);
done:
    free(ids);
    free(cmd);
}

static void resume_node(void)
{
    int i;

    cl_sh("timeout 20 scontrol update nodename=localhost state=resume >/dev/null 2>&1");
    for (i = 0; i < 120; i++) {
        char *st = cl_capture("timeout 10 sinfo -h -N -n localhost -o '%%T' 2>/dev/null");
        int ok = strncmp(st, "idle", 4) == 0 || strncmp(st, "mixed", 5) == 0 ||
                 strncmp(st, "allocated", 9) == 0;
        free(st);
        if (ok)
            return;
        if (i % 10 == 9)
            cl_sh("timeout 20 scontrol update nodename=localhost state=resume >/dev/null 2>&1");
        cl_sleep(0.5);
    }
    print_error("WARNING: node localhost is not idle again after 60 s\n");
}

int cl_teardown(void **state)
{
    cl_env *e = *state;

    if (e == NULL)
        return 0;
    if (e->restart_ctld)
        cl_sh("%s/scripts/cluster-ctld.sh start '%s' >/dev/null 2>&1", cl_source_dir(),
              cl_cluster_dir());
    if (e->restart_dbd && cl_dbd(1) != 0)
        print_error("WARNING: slurmdbd does not answer again\n");
    if (e->runner) {
        cancel_all(e->runner);
        wjr_runner_free(e->runner);
    }
    if (e->resume_node)
        resume_node();
    if (e->passed || getenv("WJR_KEEP_TMP") == NULL)
        cl_sh("rm -rf '%s'", e->tmp);
    else
        print_message("kept %s\n", e->tmp);
    free(e->tmp);
    free(e->exp);
    free(e->model);
    free(e);
    return 0;
}

/* ---- runners and trials -------------------------------------------------- */

void cl_runner(cl_env *e, const char *run_model, const wjr_slurm_options *slurm,
               const char *const *metric_names)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_script_options wo = WJR_SCRIPT_OPTIONS_INIT;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_backend *backend = NULL;
    wjr_wrapper *wrapper = NULL;
    int rc;

    if (slurm == NULL) {
        so.partition = "debug";
        so.time = "5";
        slurm = &so;
    }
    rc = wjr_backend_slurm_new(&backend, slurm);
    if (rc < 0)
        fail_msg("wjr_backend_slurm_new: %s", wjr_error_last());
    wo.run_model = run_model;
    wo.metric_names = metric_names;
    rc = wjr_wrapper_script_new(&wrapper, &wo);
    if (rc < 0) {
        wjr_backend_free(backend);
        fail_msg("wjr_wrapper_script_new: %s", wjr_error_last());
    }
    ro.experiment_dir = e->exp;
    ro.study_id = e->study_id;
    ro.log_level = WJR_LOG_DEBUG;
    rc = wjr_runner_new(&e->runner, backend, wrapper, &ro);
    if (rc < 0)
        fail_msg("wjr_runner_new: %s", wjr_error_last());
}

const wjr_trial_info *cl_run(cl_env *e, int64_t index, const char *params_json)
{
    wjr_trial_spec spec;
    const wjr_run_metadata *meta = NULL;
    int rc;

    spec.index = index;
    spec.params_json = params_json;
    rc = wjr_runner_run(&meta, e->runner, &spec);
    if (rc < 0)
        fail_msg("wjr_runner_run(%lld): %d %s", (long long)index, rc, wjr_error_last());
    assert_non_null(meta);
    assert_non_null(meta->job_id);
    return cl_trial(e->runner, index);
}

const wjr_trial_info *cl_trial(wjr_runner *r, int64_t index)
{
    const wjr_trial_info *t = wjr_runner_trial(r, index);

    if (t == NULL)
        fail_msg("trial %lld is not tracked: %s", (long long)index, wjr_error_last());
    return t;
}

const wjr_trial_info *cl_expect_(wjr_runner *r, int64_t index, wjr_trial_status want,
                                 const char *file, int line)
{
    const wjr_trial_info *t = cl_trial(r, index);

    if (t->status == want)
        return t;
    print_error("trial %lld is %s, expected %s (job %s, Slurm state %s, reason: %s)\n",
                (long long)index, wjr_trial_status_name(t->status), wjr_trial_status_name(want),
                t->run.job_id ? t->run.job_id : "-", t->slurm_state ? t->slurm_state : "-",
                t->reason ? t->reason : "-");
    _fail(file, line);
    return t;
}

wjr_poll_result *cl_poll(wjr_runner *r, const int64_t *indices, size_t n)
{
    wjr_poll_result *res = NULL;
    int rc = wjr_runner_poll(&res, r, indices, n);

    if (rc < 0)
        fail_msg("wjr_runner_poll: %d %s", rc, wjr_error_last());
    assert_non_null(res);
    return res;
}

static void describe_trials(wjr_runner *r, const int64_t *indices, size_t n)
{
    size_t i, count = indices ? n : wjr_runner_trial_count(r);

    for (i = 0; i < count; i++) {
        const wjr_trial_info *t =
            indices ? wjr_runner_trial(r, indices[i]) : wjr_runner_trial_at(r, i);
        if (t == NULL)
            continue;
        print_error("  trial %lld: %s, job %s, Slurm %s, reason %s\n", (long long)t->index,
                    wjr_trial_status_name(t->status), t->run.job_id ? t->run.job_id : "-",
                    t->slurm_state ? t->slurm_state : "-", t->reason ? t->reason : "-");
    }
}

void cl_wait_terminal(wjr_runner *r, const int64_t *indices, size_t n, double timeout)
{
    double deadline = cl_now() + timeout;

    for (;;) {
        wjr_poll_result *res = cl_poll(r, indices, n);
        size_t i, open = 0;
        for (i = 0; i < res->count; i++)
            open += !wjr_trial_status_is_terminal(res->statuses[i]);
        wjr_poll_result_free(res);
        if (open == 0)
            return;
        if (cl_now() > deadline) {
            print_error("%zu trial(s) still not terminal after %.0f s:\n", open, timeout);
            describe_trials(r, indices, n);
            fail();
        }
        cl_sleep(0.5);
    }
}

void cl_wait_slurm_state(wjr_runner *r, int64_t index, const char *state, double timeout)
{
    double deadline = cl_now() + timeout;

    for (;;) {
        wjr_poll_result *res = cl_poll(r, &index, 1);
        const wjr_trial_info *t = cl_trial(r, index);
        wjr_poll_result_free(res);
        if (t->slurm_state && strncmp(t->slurm_state, state, strlen(state)) == 0)
            return;
        if (wjr_trial_status_is_terminal(t->status) || cl_now() > deadline) {
            print_error("trial %lld never reached Slurm state %s:\n", (long long)index, state);
            describe_trials(r, &index, 1);
            fail();
        }
        cl_sleep(0.5);
    }
}

char *cl_trial_file(wjr_runner *r, int64_t index, const char *name)
{
    const wjr_trial_info *t = cl_trial(r, index);

    assert_non_null(t->run.trial_dir);
    return format("%s/%s", t->run.trial_dir, name);
}

/* ---- Slurm's tools ------------------------------------------------------- */

void cl_sdiag_reset(void)
{
    assert_int_equal(cl_sh("timeout 20 sdiag -r >/dev/null"), 0);
}

long cl_sdiag_rpc(const char *message_type)
{
    char *out = cl_capture("timeout 20 sdiag 2>&1");
    char *section = strstr(out, "Remote Procedure Call statistics by message type");
    char *end, *line;
    long count = 0;

    if (section == NULL) {
        print_error("sdiag printed no RPC statistics:\n%s\n", out);
        free(out);
        fail();
    }
    end = strstr(section, "Remote Procedure Call statistics by user");
    if (end)
        *end = '\0';
    for (line = strchr(section, '\n'); line; line = strchr(line + 1, '\n')) {
        const char *p = line + 1, *c;
        size_t len = strlen(message_type);
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, message_type, len) != 0 || (p[len] != ' ' && p[len] != '\t'))
            continue;
        c = strstr(p, "count:");
        if (c)
            count = strtol(c + 6, NULL, 10);
        break;
    }
    free(out);
    return count;
}

long cl_sdiag_jobs_submitted(void)
{
    char *out = cl_capture("timeout 20 sdiag 2>&1");
    char *p = strstr(out, "Jobs submitted:");
    long n;

    if (p == NULL) {
        print_error("sdiag printed no 'Jobs submitted:' line:\n%s\n", out);
        free(out);
        fail();
    }
    n = strtol(p + strlen("Jobs submitted:"), NULL, 10);
    free(out);
    return n;
}

int cl_job_known(const char *job_id)
{
    char *out = cl_capture("timeout 20 scontrol show job '%s' 2>&1", job_id);
    int known;

    /* "slurm_load_jobs error: Invalid job id specified" once purged; for
     * an array task whose array is still known: "Job 12_0 not found" */
    known = strstr(out, "Invalid job id") == NULL && strstr(out, " not found") == NULL;
    if (known && strstr(out, "JobId=") == NULL) {
        print_error("scontrol show job %s: %s\n", job_id, out);
        free(out);
        fail();
    }
    free(out);
    return known;
}

int cl_dbd(int start)
{
    /* cluster-lib.sh's helpers, on the folder that holds $SLURM_CONF */
    static const char stop[] = "stop_daemon slurmdbd";
    static const char begin[] = "daemon_alive slurmdbd || { rm -f \"$(daemon_pidfile slurmdbd)\"; "
                                "setsid slurmdbd </dev/null >>\"$LOG/slurmdbd.out\" 2>&1; }; "
                                "for i in $(seq 60); do dbd_up && exit 0; sleep 0.5; done; exit 1";

    return cl_sh("bash -c '. \"%s/scripts/cluster-lib.sh\" && "
                 "cluster_paths \"$(dirname \"$(dirname \"$SLURM_CONF\")\")\" && "
                 "require_marker && [ -r \"$ETC/slurmdbd.conf\" ] && %s' >/dev/null 2>&1",
                 cl_source_dir(), start ? begin : stop);
}

void cl_wait_purged(const char *job_id, double timeout)
{
    double t0 = cl_now();

    while (cl_job_known(job_id)) {
        if (cl_now() - t0 > timeout)
            fail_msg("slurmctld still knows job %s after %.0f s", job_id, cl_now() - t0);
        cl_sleep(1);
    }
    print_message("slurmctld forgot job %s %.0f s later\n", job_id, cl_now() - t0);
}

int cl_min_job_age(void)
{
    char *out = cl_capture("timeout 20 scontrol show config 2>&1 | grep -E '^MinJobAge'");
    char *eq = strchr(out, '=');
    int v = eq ? atoi(eq + 1) : -1;

    free(out);
    if (v < 0 || v > 60)
        fail_msg("MinJobAge is %d s: the tests of purged jobs need 60 s or less "
                 "(scripts/cluster-up.sh sets 30 unless WJR_CLUSTER_MIN_JOB_AGE says otherwise)",
                 v);
    return v;
}
