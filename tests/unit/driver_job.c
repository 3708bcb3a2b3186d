/*
 * driver_job.c - unit tests of the study driver as a Slurm job
 * (wjr_study_detach): the job it submits (name, partition, time limit, the
 * warning signal, requeue), its script, driver.json and the status line;
 * a study that a driver holds is refused, and the detached driver is told
 * holding it from any other holder (wjr_study_driver_job).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "test_util.h"

static char *write_study_config(tu_fixture *f)
{
    char *path = tu_path(f->dir, "study.cfg");
    char text[2048];

    snprintf(text, sizeof(text),
             "parameters = { x = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
             "scheduler = { total_trials = 2; };\n"
             "script_options = { run_model = \"true\"; experiment_dir = \"%s/exp\"; };\n"
             "slurm = { partition = \"debug\"; driver_partition = \"long\";\n"
             "          driver_time = \"2-00:00:00\"; };\n",
             f->dir);
    tu_write(path, text);
    return path;
}

static void the_driver_job(void **state)
{
    tu_fixture *f = *state;
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    char *cfg = write_study_config(f), *exp = tu_path(f->dir, "exp"), *line = NULL;
    const mock_submission *s;
    uint32_t job_id = 0;

    assert_int_equal(wjr_study_create(&study, cfg, &so), 0);
    /* a driver holds the study: refused, nothing submitted */
    assert_int_equal(wjr_study_detach(&job_id, exp, "/opt/wjr/bin/wjr"), WJR_ELOCKED);
    assert_int_equal(mock_submission_count(), 0);
    wjr_study_free(study);
    assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
    assert_null(line);

    assert_int_equal(wjr_study_detach(&job_id, exp, "/opt/wjr/bin/wjr"), 0);
    assert_true(job_id > 0);
    assert_int_equal(mock_submission_count(), 1);
    s = mock_submission_at(0);
    assert_non_null(strstr(s->name, "wjr-driver-"));
    assert_string_equal(s->partition, "long");
    assert_non_null(strstr(s->resources, " time_limit=2880"));
    assert_non_null(strstr(s->resources, " warn_signal=10 warn_time=300 warn_flags=1"));
    /* requeued near its limit, it adds to driver-<id>.out/.err */
    assert_non_null(strstr(s->resources, " open_mode=1"));
    assert_non_null(strstr(s->script, "W='/opt/wjr/bin/wjr'\n"));
    assert_non_null(strstr(s->script, "\"$W\" resume \"$D\" &\n"));
    assert_non_null(strstr(s->script, "scontrol requeue \"$SLURM_JOB_ID\""));
    assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
    assert_non_null(line);
    assert_non_null(strstr(line, "in partition long"));
    assert_non_null(strstr(line, "driver: job "));
    free(line);
    {
        /* no driver_partition: the cluster's default, said as such */
        char *path = tu_path(exp, "driver.json");
        json_t *o = json_load_file(path, 0, NULL);

        assert_non_null(o);
        json_object_set_new(o, "partition", json_string(""));
        assert_int_equal(json_dump_file(o, path, 0), 0);
        json_decref(o);
        free(path);
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(strstr(line, "driver: job "));
        assert_non_null(strstr(line, " in the default partition, submitted "));
        free(line);
    }
    free(cfg);
    free(exp);
}

/* Whether a driver runs: its steps mark the lock file, its release
 * clears the mark, and a holder that stopped stepping is called dead. */
static void a_driver_is_seen_alive_or_dead(void **state)
{
    tu_fixture *f = *state;
    wjr_study *study = NULL;
    wjr_study_progress p;
    char *cfg = write_study_config(f), *exp = tu_path(f->dir, "exp"), *line = NULL;
    char *lock = tu_path(exp, ".lock");
    struct timespec old[2] = {{0, 0}, {0, 0}};

    assert_int_equal(wjr_study_create(&study, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(&p, study), 0);
    assert_int_equal(wjr_study_driver_running(exp), 1);
    assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
    assert_non_null(line);
    assert_non_null(strstr(line, "driver: running: "));
    {
        /* a slow machine (sanitizers in a chroot) may cross a second or two */
        const char *at = strstr(line, "last step ");
        long ago = -1;

        assert_non_null(at);
        assert_int_equal(sscanf(at, "last step %lds ago", &ago), 1);
        assert_true(ago >= 0 && ago <= 5); /* cmocka 2 deprecates assert_in_range */
    }
    free(line);
    {
        /* a live PID is the holder's only if it started when the lock
         * says, on this boot of the host: else the PID was used again */
        char *text = tu_read(lock), *copy, *edit, boot[64] = "", other[800];
        unsigned long long start = 0;
        size_t at;

        assert_non_null(text);
        edit = strstr(text, "\nprocess ");
        assert_non_null(edit); /* in the lock this test's study took */
        assert_int_equal(sscanf(edit, "\nprocess %63s %llu", boot, &start), 2);
        at = (size_t)(edit - text) + 1 + strlen("process ");
        copy = strdup(text);
        assert_non_null(copy);
        /* as written: the holder is this process, alive */
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(strstr(line, "driver: running: "));
        free(line);
        /* started at another time: another process has the PID */
        copy[at + strlen(boot)] = '\0';
        snprintf(other, sizeof(other), "%s %llu\n", copy, start + 1);
        tu_write(lock, other);
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(strstr(line, "not running: "));
        assert_non_null(strstr(line, "(its process ID is now another process's)"));
        free(line);
        assert_int_equal(wjr_study_driver_running(exp), 0);
        /* written on another boot of this host */
        copy[at] = '\0';
        snprintf(other, sizeof(other), "%s00000000-0000-0000-0000-000000000000 %llu\n", copy,
                 start);
        tu_write(lock, other);
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(strstr(line, "(this host restarted since)"));
        free(line);
        free(copy);
        tu_write(lock, text); /* as it was */
        free(text);
    }
    {
        /* a holder on this host whose process is gone died, however
         * recent its last step; on another host only its steps tell */
        char host[256] = "", text[400];
        pid_t child = fork();

        assert_true(child >= 0);
        if (child == 0)
            _exit(0);
        assert_int_equal(waitpid(child, NULL, 0), child);
        assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
        snprintf(text, sizeof(text), "%ld %s wjr run x.cfg\n", (long)child, host);
        tu_write(lock, text);
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(line);
        assert_non_null(strstr(line, "not running: "));
        assert_non_null(strstr(line, "died without releasing the study"));
        free(line);
        assert_int_equal(wjr_study_driver_running(exp), 0);
        snprintf(text, sizeof(text), "%ld other-%s wjr run x.cfg\n", (long)child, host);
        tu_write(lock, text);
        assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
        assert_non_null(line);
        assert_non_null(strstr(line, "driver: running: "));
        free(line);
    }

    old[0].tv_sec = old[1].tv_sec = time(NULL) - 1000; /* it stopped stepping */
    assert_int_equal(utimensat(AT_FDCWD, lock, old, 0), 0);
    assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
    assert_non_null(line);
    assert_non_null(strstr(line, "not running: "));
    assert_non_null(strstr(line, "without releasing it"));
    free(line);
    assert_int_equal(wjr_study_driver_running(exp), 0);
    wjr_study_free(study); /* released */
    assert_int_equal(wjr_study_driver_describe(&line, exp), 0);
    assert_null(line);
    assert_int_equal(wjr_study_driver_running(exp), 0);
    free(lock);
    free(cfg);
    free(exp);
}

/* The lock names the Slurm job its holder runs in: the detached driver is
 * told from a driver that is not it, and from a released lock. */
static void the_detached_driver_holds_the_study(void **state)
{
    tu_fixture *f = *state;
    wjr_study *study = NULL, *second = NULL;
    char *cfg = write_study_config(f), *exp = tu_path(f->dir, "exp");
    char job[32], expect[64];
    uint32_t job_id = 0, holder = 1;

    assert_int_equal(wjr_study_create(&study, cfg, NULL), 0);
    wjr_study_free(study);
    assert_int_equal(wjr_study_driver_job(&holder, exp), 0);
    assert_int_equal(holder, 0); /* never detached, nobody holds it */
    assert_int_equal(wjr_study_detach(&job_id, exp, "/opt/wjr/bin/wjr"), 0);
    snprintf(job, sizeof(job), "%u", (unsigned)job_id);

    /* the driver job's `wjr resume` */
    setenv("SLURM_JOB_ID", job, 1);
    assert_int_equal(wjr_study_open(&study, exp, NULL), 0);
    unsetenv("SLURM_JOB_ID");
    assert_int_equal(wjr_study_driver_job(&holder, exp), 0);
    assert_int_equal(holder, job_id);
    assert_int_equal(wjr_study_open(&second, exp, NULL), WJR_ELOCKED);
    snprintf(expect, sizeof(expect), ") in Slurm job %u", (unsigned)job_id);
    assert_non_null(strstr(wjr_error_last(), expect));
    wjr_study_free(study); /* released */
    assert_int_equal(wjr_study_driver_job(&holder, exp), 0);
    assert_int_equal(holder, 0);

    /* a driver in another job (an salloc), or in none */
    setenv("SLURM_JOB_ID", "4242", 1);
    assert_int_equal(wjr_study_open(&study, exp, NULL), 0);
    unsetenv("SLURM_JOB_ID");
    assert_int_equal(wjr_study_driver_job(&holder, exp), 0);
    assert_int_equal(holder, 0);
    wjr_study_free(study);
    assert_int_equal(wjr_study_open(&study, exp, NULL), 0);
    assert_int_equal(wjr_study_driver_job(&holder, exp), 0);
    assert_int_equal(holder, 0);
    assert_int_equal(wjr_study_open(&second, exp, NULL), WJR_ELOCKED);
    assert_null(strstr(wjr_error_last(), "Slurm job"));
    wjr_study_free(study);
    free(cfg);
    free(exp);
}

/* The script stops the driver on USR1 and asks Slurm for a requeue. */
static void the_driver_script_requeues_itself(void **state)
{
    tu_fixture *f = *state;
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    char *cfg = write_study_config(f), *exp = tu_path(f->dir, "exp");
    char *fake = tu_path(f->dir, "fake-wjr"), *bin = tu_path(f->dir, "bin");
    char *scontrol, *calls = tu_path(f->dir, "calls.txt"), *text;
    char buf[1024], path_env[4200];
    const char *env[] = {"SLURM_JOB_ID=55", path_env, NULL};
    uint32_t job_id = 0;

    /* a wjr that signals its parent (the driver script) and waits */
    tu_write(fake, "#!/bin/sh\ntrap 'echo stopped >> \"$0.log\"; exit 130' TERM\n"
                   "sleep 0.3\nkill -s USR1 $PPID\n"
                   "i=0\nwhile [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\nexit 0\n");
    assert_int_equal(chmod(fake, 0755), 0);
    assert_int_equal(mkdir(bin, 0755), 0);
    scontrol = tu_path(bin, "scontrol");
    snprintf(buf, sizeof(buf), "#!/bin/sh\necho \"$*\" >> '%s'\n", calls);
    tu_write(scontrol, buf);
    assert_int_equal(chmod(scontrol, 0755), 0);
    snprintf(path_env, sizeof(path_env), "PATH=%s:%s", bin, getenv("PATH"));
    assert_int_equal(wjr_study_create(&study, cfg, &so), 0);
    wjr_study_free(study);
    assert_int_equal(wjr_study_detach(&job_id, exp, fake), 0);
    assert_int_equal(tu_run_script(f, mock_submission_at(0)->script, env), 0);
    text = tu_read(calls);
    assert_non_null(text);
    assert_string_equal(text, "requeue 55\n");
    free(text);
    snprintf(buf, sizeof(buf), "%s.log", fake);
    text = tu_read(buf);
    assert_non_null(text);
    assert_string_equal(text, "stopped\n");
    free(text);
    free(scontrol);
    free(calls);
    free(bin);
    free(fake);
    free(cfg);
    free(exp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_driver_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(a_driver_is_seen_alive_or_dead, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_detached_driver_holds_the_study, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(the_driver_script_requeues_itself, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
