/*
 * job_env.c - unit tests of the environment a trial's job starts with, as
 * the fake controller recorded it: what export keeps of the submitter's
 * (ALL without SLURM_* and SBATCH_*, NONE, or names, the last two from
 * the user's login environment as sbatch's), the env entries, where the
 * job was submitted from, what sbatch tells srun in the job (the export,
 * the open mode), and what it tells slurmstepd of the submitting process: its umask, nice value and
 * soft resource limits (SLURM_UMASK, SLURM_PRIO_PROCESS, SLURM_RLIMIT_*), under every export,
 * and which of those limits propagate chooses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "mock_slurm.h"
#include "test_util.h"

static void export_chooses_the_environment(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const env[] = {"EXTRA=1", NULL};
    const mock_submission *s;

    setenv("WJR_T_KEEP", "k", 1);
    setenv("WJR_T_DROP", "d", 1);
    o.export_env = "NONE";
    o.env = env;
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    assert_null(mock_submission_env(s, "WJR_T_KEEP"));
    assert_null(mock_submission_env(s, "PATH"));
    assert_string_equal(mock_submission_env(s, "EXTRA"), "1");
    assert_non_null(mock_submission_env(s, "SLURM_SUBMIT_DIR"));
    /* as sbatch: the job starts from the user's login environment, and
     * srun in it is told the export and the open mode */
    assert_string_equal(mock_submission_env(s, "SLURM_GET_USER_ENV"), "1");
    assert_string_equal(mock_submission_env(s, "SLURM_EXPORT_ENV"), "NONE");
    assert_string_equal(mock_submission_env(s, "SLURM_OPEN_MODE"), "a");
    wjr_runner_free(f->runner);
    f->runner = NULL;

    o.export_env = "none"; /* sbatch reads the keywords in any case */
    tu_runner(f, NULL, &o);
    tu_run(f, 3, "{}");
    s = tu_last_sub();
    assert_null(mock_submission_env(s, "WJR_T_KEEP"));
    assert_string_equal(mock_submission_env(s, "SLURM_GET_USER_ENV"), "1");
    wjr_runner_free(f->runner);
    f->runner = NULL;

    o.export_env = "WJR_T_KEEP,PATH";
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{}");
    s = tu_last_sub();
    assert_string_equal(mock_submission_env(s, "WJR_T_KEEP"), "k");
    assert_string_equal(mock_submission_env(s, "SLURM_EXPORT_ENV"), "WJR_T_KEEP,PATH");
    assert_null(mock_submission_env(s, "WJR_T_DROP"));
    assert_non_null(mock_submission_env(s, "PATH"));
    assert_string_equal(mock_submission_env(s, "EXTRA"), "1");
    wjr_runner_free(f->runner);
    f->runner = NULL;

    o.export_env = NULL; /* the default: everything but SLURM_* and SBATCH_* */
    tu_runner(f, NULL, &o);
    tu_run(f, 2, "{}");
    assert_string_equal(mock_submission_env(tu_last_sub(), "WJR_T_DROP"), "d");
    assert_null(mock_submission_env(tu_last_sub(), "SLURM_GET_USER_ENV"));
    assert_null(mock_submission_env(tu_last_sub(), "SLURM_EXPORT_ENV")); /* ALL: srun's default */
    assert_string_equal(mock_submission_env(tu_last_sub(), "SLURM_OPEN_MODE"), "a");
    unsetenv("WJR_T_KEEP");
    unsetenv("WJR_T_DROP");
}

/* The job gets the submitter's umask, nice value and soft limits, as
 * from sbatch, whatever export says; they follow the process when it
 * changes them. */
static void the_submitters_limits_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const exports[] = {NULL, "NONE", "PATH"};
    struct rlimit stack, nofile, lower;
    mode_t old_mask = umask(027);
    char want[64];
    size_t i;

    assert_int_equal(getrlimit(RLIMIT_STACK, &stack), 0);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &nofile), 0);
    /* a soft stack limit of its own, below the hard one */
    lower = stack;
    lower.rlim_cur = 4096 * 1024;
    if (lower.rlim_max != RLIM_INFINITY && lower.rlim_max < lower.rlim_cur)
        lower.rlim_cur = lower.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_STACK, &lower), 0);
    for (i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
        const mock_submission *s;

        o.export_env = exports[i];
        tu_runner(f, NULL, &o);
        tu_run(f, (int64_t)i, "{}");
        s = tu_last_sub();
        assert_string_equal(mock_submission_env(s, "SLURM_UMASK"), "0027");
        snprintf(want, sizeof(want), "%lu", (unsigned long)lower.rlim_cur);
        assert_string_equal(mock_submission_env(s, "SLURM_RLIMIT_STACK"), want);
        snprintf(want, sizeof(want), "%lu", (unsigned long)nofile.rlim_cur);
        assert_string_equal(mock_submission_env(s, "SLURM_RLIMIT_NOFILE"), want);
        errno = 0;
        snprintf(want, sizeof(want), "%d", getpriority(PRIO_PROCESS, 0));
        assert_string_equal(mock_submission_env(s, "SLURM_PRIO_PROCESS"), want);
        assert_non_null(mock_submission_env(s, "SLURM_RLIMIT_CORE"));
        assert_non_null(mock_submission_env(s, "SLURM_RLIMIT_AS"));
        wjr_runner_free(f->runner);
        f->runner = NULL;
    }
    /* changed, the next job has the new ones */
    umask(077);
    tu_runner(f, NULL, &o);
    tu_run(f, 9, "{}");
    assert_string_equal(mock_submission_env(tu_last_sub(), "SLURM_UMASK"), "0077");
    assert_int_equal(setrlimit(RLIMIT_STACK, &stack), 0);
    umask(old_mask);
}

/* propagate, as sbatch's --propagate: only the limits it names reach the
 * job, each marked U for slurmstepd to apply whatever the cluster's
 * PropagateResourceLimits says; NONE passes none (slurmd's limits), ALL
 * every one. A name it does not know is refused, naming it; the option
 * is kept through to_json, and a version-5 options struct has none. */
static void propagate_chooses_the_limits(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const names[] = {"CPU", "FSIZE", "DATA",   "STACK",   "CORE",
                                 "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS"};
    const char *const kept[] = {"\"propagate\":\"ALL\"", NULL};
    const mock_submission *s;
    struct rlimit stack, nofile;
    wjr_backend *b = NULL;
    char var[64], want[64];
    size_t i, n;

    assert_int_equal(getrlimit(RLIMIT_STACK, &stack), 0);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &nofile), 0);
    o.propagate = "stack, rlimit_NOFILE";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    snprintf(want, sizeof(want), "U%lu", (unsigned long)stack.rlim_cur);
    assert_string_equal(mock_submission_env(s, "SLURM_RLIMIT_STACK"), want);
    snprintf(want, sizeof(want), "U%lu", (unsigned long)nofile.rlim_cur);
    assert_string_equal(mock_submission_env(s, "SLURM_RLIMIT_NOFILE"), want);
    for (i = 0, n = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(var, sizeof(var), "SLURM_RLIMIT_%s", names[i]);
        n += mock_submission_env(s, var) != NULL;
    }
    assert_int_equal(n, 2);
    assert_non_null(mock_submission_env(s, "SLURM_UMASK")); /* not a limit */
    wjr_runner_free(f->runner);
    f->runner = NULL;

    o.propagate = "NONE";
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{}");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(var, sizeof(var), "SLURM_RLIMIT_%s", names[i]);
        assert_null(mock_submission_env(tu_last_sub(), var));
    }
    wjr_runner_free(f->runner);
    f->runner = NULL;

    o.propagate = "ALL";
    tu_runner(f, NULL, &o);
    tu_run(f, 2, "{}");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(var, sizeof(var), "SLURM_RLIMIT_%s", names[i]);
        assert_non_null(mock_submission_env(tu_last_sub(), var));
        assert_int_equal(mock_submission_env(tu_last_sub(), var)[0], 'U');
    }
    wjr_runner_free(f->runner);
    f->runner = NULL;
    tu_survives_to_json(&o, kept);

    o.propagate = "STACK,STAK";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    tu_assert_error_has("\"STAK\" is not a resource limit");
    o.propagate = " , ";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    tu_assert_error_has("slurm.propagate is empty");
    assert_null(b);

    /* a version-5 struct ends at deadline: what follows is not read */
    o.propagate = "STAK";
    o.version = 5;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    wjr_backend_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(export_chooses_the_environment, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_submitters_limits_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(propagate_chooses_the_limits, tu_setup, tu_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
