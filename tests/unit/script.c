/*
 * script.c - tests of the generated batch script (src/script.c), run with
 * /bin/sh in a temporary experiment directory as Slurm would run it: for a
 * single trial and for an array (SLURM_ARRAY_TASK_ID picks the trial), the
 * model gets the trial directory as last argument, the exit record
 * wjr_exit.json carries the exit code and the job id ("J" or "A_k"), the
 * script exits with the model's code, an unknown task fails, and an
 * experiment directory full of shell syntax is quoted, not executed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <jansson.h>

#include "script.h"
#include "test_util.h"

static char *trial_dir(const char *exp, int64_t index)
{
    char name[32], *dir;

    snprintf(name, sizeof(name), "%06lld", (long long)index);
    dir = tu_path(exp, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    return dir;
}

/* The exit record of a trial directory: exit code and job id. */
static void check_exit_record(const char *dir, int exit_code, const char *job_id)
{
    char *path = tu_path(dir, WJR_EXIT_RECORD);
    struct dirent *e;
    DIR *d;
    json_t *v = json_load_file(path, 0, NULL);

    assert_non_null(v);
    assert_int_equal(json_integer_value(json_object_get(v, "exit_code")), exit_code);
    assert_string_equal(json_string_value(json_object_get(v, "job_id")), job_id);
    assert_true(json_integer_value(json_object_get(v, "end_time")) > 1600000000);
    json_decref(v);
    /* written atomically: no temporary file stays behind */
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
    free(path);
}

static void test_single(void **state)
{
    tu_fixture *f = *state;
    int64_t idx = 42;
    char *cmd = "sh -c 'echo \"$0\" > arg.txt; exit 3'";
    char *script = NULL, *dir = trial_dir(f->dir, 42), *arg_path, *arg;
    const char *env[] = {"SLURM_JOB_ID=555", NULL};

    assert_int_equal(wjr_script_build(&script, f->dir, "s1", &idx, &cmd, 1, 0), 0);
    assert_memory_equal(script, "#!/bin/sh\n", 10);
    assert_int_equal(tu_run_script(f, script, env), 3);
    check_exit_record(dir, 3, "555");
    /* the model ran in the trial directory with it as last argument */
    arg_path = tu_path(dir, "arg.txt");
    arg = tu_read(arg_path);
    assert_non_null(arg);
    assert_memory_equal(arg, dir, strlen(dir));
    assert_string_equal(arg + strlen(dir), "\n");
    free(arg);
    free(arg_path);

    /* success, run again: the old record is replaced */
    free(script);
    cmd = "true";
    assert_int_equal(wjr_script_build(&script, f->dir, "s1", &idx, &cmd, 1, 0), 0);
    assert_int_equal(tu_run_script(f, script, env), 0);
    check_exit_record(dir, 0, "555");
    free(script);
    free(dir);
}

static void test_array(void **state)
{
    tu_fixture *f = *state;
    int64_t idx[] = {5, 9, 12};
    char *cmds[] = {"sh -c 'exit 3'", "sh -c 'exit 3'", "sh -c 'exit 3'"};
    char *script = NULL, *dirs[3], job_id[32], task[32], *out_path, *out;
    const char *env[] = {"SLURM_ARRAY_JOB_ID=77", task, NULL};
    int k;

    for (k = 0; k < 3; k++)
        dirs[k] = trial_dir(f->dir, idx[k]);
    assert_int_equal(wjr_script_build(&script, f->dir, "s1", idx, cmds, 3, 1), 0);
    for (k = 0; k < 3; k++) {
        snprintf(task, sizeof(task), "SLURM_ARRAY_TASK_ID=%d", k);
        assert_int_equal(tu_run_script(f, script, env), 3);
        snprintf(job_id, sizeof(job_id), "77_%d", k);
        check_exit_record(dirs[k], 3, job_id);
    }
    /* a task id the script does not know runs nothing and fails */
    snprintf(task, sizeof(task), "SLURM_ARRAY_TASK_ID=3");
    assert_int_equal(tu_run_script(f, script, env), 112);
    free(script);

    /* different commands per task; output goes to the trial directory */
    cmds[0] = "echo first";
    cmds[1] = "sh -c 'echo second; exit 4'";
    cmds[2] = "echo third";
    assert_int_equal(wjr_script_build(&script, f->dir, "s1", idx, cmds, 3, 1), 0);
    snprintf(task, sizeof(task), "SLURM_ARRAY_TASK_ID=1");
    assert_int_equal(tu_run_script(f, script, env), 4);
    check_exit_record(dirs[1], 4, "77_1");
    out_path = tu_path(dirs[1], "slurm-77_1.out");
    out = tu_read(out_path);
    assert_non_null(out);
    assert_string_equal(out, "second\n");
    free(out);
    free(out_path);
    for (k = 0; k < 3; k++)
        free(dirs[k]);
    free(script);
}

/* Paths are single-quoted: an experiment directory made of shell syntax
 * is a name, never code. */
static void test_quoted_paths(void **state)
{
    tu_fixture *f = *state;
    char *exp = tu_path(f->dir, "it's $(touch pwned) `touch pwned2` \"q\" ;x"), *dir, *pwned;
    int64_t idx = 1;
    int k;
    char *cmd = "true", *script = NULL;
    const char *env[] = {"SLURM_JOB_ID=9", NULL};

    assert_int_equal(mkdir(exp, 0755), 0);
    dir = trial_dir(exp, 1);
    assert_int_equal(wjr_script_build(&script, exp, "s1", &idx, &cmd, 1, 0), 0);
    assert_int_equal(tu_run_script(f, script, env), 0);
    check_exit_record(dir, 0, "9");
    /* the script starts in f->dir and moves to the trial's folder: an
     * injection would leave its file in one of these */
    for (k = 0; k < 6; k++) {
        pwned = tu_path(k / 2 == 0 ? f->dir : k / 2 == 1 ? exp : dir, k % 2 ? "pwned2" : "pwned");
        if (tu_exists(pwned))
            fail_msg("an injection ran: %s exists", pwned);
        free(pwned);
    }
    free(script);
    free(dir);
    free(exp);
}

static void test_bad_arguments(void **state)
{
    tu_fixture *f = *state;
    int64_t idx[] = {1, 2};
    char *cmds[] = {"true", "true"}, *script = (char *)"x";

    assert_int_equal(wjr_script_build(&script, f->dir, "s1", idx, cmds, 2, 0), WJR_EINVALID);
    assert_null(script);
    assert_int_equal(wjr_script_build(&script, f->dir, "s1", idx, cmds, 0, 1), WJR_EINVALID);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_single),
        T(test_array),
        T(test_quoted_paths),
        T(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
