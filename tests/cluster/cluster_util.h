/*
 * cluster_util.h - what the cluster tests share: a cmocka fixture with a
 * fresh temporary folder and a runner over the real Slurm backend (the
 * local cluster of scripts/cluster-up.sh), polling until trials end, sdiag
 * counters, and running shell commands. A test that finds no cluster FAILS
 * with a message saying what to do; it never skips.
 */
#ifndef WJR_CLUSTER_UTIL_H
#define WJR_CLUSTER_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "wjr.h"

/* One test's world: removed on teardown, with every job still queued. */
typedef struct cl_env {
    char *tmp;         /* mkdtemp("/tmp/wjr-cl-XXXXXX") */
    char *exp;         /* <tmp>/exp unless the test chose another one */
    char *model;       /* the command cl_model() made last */
    char study_id[48]; /* unique per test run */
    wjr_runner *runner;
    int passed;       /* set by the test at its end: the folder is then removed */
    int resume_node;  /* teardown resumes node localhost and waits for it */
    int restart_ctld; /* teardown starts slurmctld if it is down */
    int restart_dbd;  /* teardown starts slurmdbd if it is down */
} cl_env;

/* cmocka fixtures. Setup fails when SLURM_CONF is unset or slurmctld does
 * not answer `scontrol ping`. Teardown cancels the runner's jobs, frees it,
 * restores the node and slurmctld when asked, removes the folder. */
int cl_setup(void **state);
int cl_teardown(void **state);

/* One cmocka test with the fixture, and a main() running a list of them. */
#define CL_TEST(fn) cmocka_unit_test_setup_teardown(fn, cl_setup, cl_teardown)
#define CL_MAIN(...)                                                                               \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
        return cmocka_run_group_tests(tests, NULL, NULL);                                          \
    }

/* Write <tmp>/<name> (mode 0755) and return its malloc'd path. */
char *cl_write_file(cl_env *e, const char *name, const char *text);

/* Write the model script <tmp>/<name> and return the command that runs it,
 * "<interpreter> '<tmp>/<name>'" (owned by @p e, valid until teardown). */
const char *cl_model(cl_env *e, const char *name, const char *interpreter, const char *text);

/*
 * Create e->runner over the Slurm backend with @p slurm (NULL: defaults,
 * partition debug), a script wrapper running @p run_model (the trial
 * directory is appended) and @p metric_names (NULL: every key of
 * output.json). The experiment directory is e->exp.
 */
void cl_runner(cl_env *e, const char *run_model, const wjr_slurm_options *slurm,
               const char *const *metric_names);

/* Run a trial with wjr_runner_run; fails the test on error. */
const wjr_trial_info *cl_run(cl_env *e, int64_t index, const char *params_json);

/* One poll of the given trials (NULL: all); fails the test on error. The
 * caller frees the result. */
wjr_poll_result *cl_poll(wjr_runner *r, const int64_t *indices, size_t n);

/* Poll every @p interval seconds until the trials are terminal; fails
 * the test after @p timeout seconds, listing what is still running. */
void cl_wait_terminal(wjr_runner *r, const int64_t *indices, size_t n, double timeout);

/* Poll until the trial's Slurm state starts with @p state (e.g. "RUNNING"). */
void cl_wait_slurm_state(wjr_runner *r, int64_t index, const char *state, double timeout);

/* The trial's record; fails the test when it is not tracked. */
const wjr_trial_info *cl_trial(wjr_runner *r, int64_t index);

/* The trial's record, after failing the test (with its Slurm state and
 * reason) unless its status is @p want. */
#define cl_expect(r, index, want) cl_expect_(r, index, want, __FILE__, __LINE__)
const wjr_trial_info *cl_expect_(wjr_runner *r, int64_t index, wjr_trial_status want,
                                 const char *file, int line);

/* Fail unless @p text contains @p needle. */
#define cl_assert_contains(text, needle) cl_assert_contains_(text, needle, __FILE__, __LINE__)
void cl_assert_contains_(const char *text, const char *needle, const char *file, int line);

/* system() of a formatted command: its exit status, 128+signal if killed. */
int cl_sh(const char *fmt, ...) WJR_FORMAT(1, 2);
/* popen() of a formatted command: its whole stdout (malloc'd, never NULL). */
char *cl_capture(const char *fmt, ...) WJR_FORMAT(1, 2);

/* `sdiag -r`, then the counters read from `sdiag`. */
void cl_sdiag_reset(void);
/* Count of one message type ("REQUEST_SUBMIT_BATCH_JOB") under "Remote
 * Procedure Call statistics by message type"; 0 when not listed. */
long cl_sdiag_rpc(const char *message_type);
/* The "Jobs submitted:" counter. */
long cl_sdiag_jobs_submitted(void);

/* Stop (@p start = 0) or start slurmdbd of the cluster that SLURM_CONF
 * belongs to (the runtime folder two levels above it, as laid out by
 * scripts/cluster-up.sh); starting waits until it answers. The pid comes
 * from that folder, so no other slurmdbd is touched. 0 on success. */
int cl_dbd(int start);

/* slurmctld's MinJobAge in seconds; fails the test above 60 s. */
int cl_min_job_age(void);

/* Wait until slurmctld no longer knows the job ("1234" or "1234_5"),
 * failing the test after @p timeout seconds. */
void cl_wait_purged(const char *job_id, double timeout);

/* Does slurmctld still know the job ("1234" or "1234_5")? */
int cl_job_known(const char *job_id);

/* A file of the trial's directory: malloc'd "<trial_dir>/<name>". */
char *cl_trial_file(wjr_runner *r, int64_t index, const char *name);
/* Whole file (malloc'd) or NULL; and whether a path exists. */
char *cl_read(const char *path);
int cl_exists(const char *path);

/* Seconds since the epoch, with a fraction. */
double cl_now(void);
void cl_sleep(double seconds);

/* The folder of the project's sources, for scripts/. */
const char *cl_source_dir(void);
/* The runtime folder of the cluster SLURM_CONF points at, when
 * scripts/cluster-up.sh made it (its marker says so); NULL otherwise. */
const char *cl_cluster_dir(void);

#endif
