/*
 * resources.c - unit tests of the resource options (nodes, tasks, memory
 * per CPU, GPUs, exclusive, oversubscribe, hint, threads and tasks per
 * core, reservation, licenses, time-min, nice, node lists, mail, tmp)
 * and of options taken from a trial's parameters:
 * what reaches Slurm's job description, as the fake controller recorded
 * it. The batch script's setup lines, signal and requeue code are
 * job_script.c's, the job's environment job_env.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <slurm/slurm.h>

#include "backend.h"
#include "mock_slurm.h"
#include "slurm_resources.h"
#include "state.h"
#include "study_int.h"
#include "test_util.h"

static void fixed_resources_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const mock_submission *s;

    o.nodes = "2-4";
    o.ntasks = 8;
    o.ntasks_per_node = 4;
    o.cpus_per_task = 2;
    o.mem_per_cpu = "1G";
    o.gpus = "a100:2";
    o.gpus_per_task = "1";
    o.exclusive = 1;
    o.reservation = "maint";
    o.licenses = "matlab:2";
    o.time = "02:00:00";
    o.time_min = "30";
    o.nice = 10;
    o.nodelist = "n[01-04],gpu7";
    o.exclude = "n03";
    o.mail_type = "end,FAIL"; /* any case, as sbatch reads it */
    o.mail_user = "someone@example.org";
    o.tmp = "10G";
    o.prefer = "amd|intel";
    o.wckey = "proj:a";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{\"x\": 1}");
    s = tu_last_sub();
    tu_assert_res(s, "min_nodes=2");
    tu_assert_res(s, "max_nodes=4");
    tu_assert_res(s, "num_tasks=8");
    tu_assert_res(s, "ntasks_set=1"); /* --ntasks given, as sbatch flags it */
    tu_assert_res(s, "ntasks_per_node=4");
    tu_assert_res(s, "cpus_per_task=2");
    tu_assert_res(s, "min_cpus=16");
    tu_assert_res(s, "mem_per_cpu=1024");
    tu_assert_no_res(s, " mem=");
    tu_assert_res(s, "time_limit=120");
    tu_assert_res(s, "time_min=30");
    /* --time=0 is no limit, as sbatch reads it, not an instant TIMEOUT */
    o.time = "0";
    wjr_runner_free(f->runner);
    f->runner = NULL;
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{\"x\": 1}");
    s = tu_last_sub();
    tu_assert_res(s, "time_limit=4294967295");
    assert_true(strstr(s->resources, " tres_per_job=gres") != NULL);
    assert_true(strstr(s->resources, "gpu:a100:2") != NULL);
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 5, 0)
    tu_assert_res(s, "tres_per_task=cpu=2,gres/gpu=1"); /* as sbatch writes it: task_layout.c */
#else
    assert_true(strstr(s->resources, " tres_per_task=gres") != NULL);
#endif
    tu_assert_res(s, "shared=0");
    tu_assert_res(s, "reservation=maint");
    tu_assert_res(s, "licenses=matlab:2");
    tu_assert_res(s, "nice=10");
    tu_assert_res(s, "req_nodes=n[01-04],gpu7");
    tu_assert_res(s, "exc_nodes=n03");
    tu_assert_res(s, "mail_type=6"); /* MAIL_JOB_END | MAIL_JOB_FAIL */
    tu_assert_res(s, "mail_user=someone@example.org");
    tu_assert_res(s, "tmp=10240");
    tu_assert_res(s, "prefer=amd|intel");
    tu_assert_res(s, "wckey=proj:a");
    /* as sbatch does, for srun in the job: the tasks asked for, not the
     * ntasks_per_node x nodes slurmctld may give */
    assert_string_equal(mock_submission_env(s, "SLURM_CPUS_PER_TASK"), "2");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS"), "8");
    assert_string_equal(mock_submission_env(s, "SLURM_NPROCS"), "8");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS_PER_NODE"), "4");
    /* as from sbatch: the batch script's records carry it */
    assert_string_equal(mock_submission_env(s, "SLURM_JOB_NAME"), s->name);
}

/* The GPU options per node: GPUs (before the gres, as sbatch writes
 * them), CPUs and memory per GPU, and the variables sbatch exports for
 * srun in the job; a parameter may set each. */
static void gpu_options_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"gpus_per_node=g", NULL};
    const mock_submission *s;

    o.gres = "nic:1";
    o.gpus = "a100:4";
    o.gpus_per_node = "a100:2";
    o.cpus_per_gpu = 8;
    o.mem_per_gpu = "16G";
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    assert_non_null(strstr(s->resources, " tres_per_node=gres"));
    assert_non_null(strstr(s->resources, "gpu:a100:2,gres"));
    assert_non_null(strstr(s->resources, "nic:1 "));
    assert_non_null(strstr(s->resources, " cpus_per_tres=gres"));
    assert_non_null(strstr(s->resources, "gpu:8 "));
    assert_non_null(strstr(s->resources, " mem_per_tres=gres"));
    assert_non_null(strstr(s->resources, "gpu:16384 "));
    tu_assert_no_res(s, "cpus_per_task");
    assert_string_equal(mock_submission_env(s, "SLURM_GPUS"), "a100:4");
    assert_string_equal(mock_submission_env(s, "SLURM_GPUS_PER_NODE"), "a100:2");
    assert_string_equal(mock_submission_env(s, "SLURM_CPUS_PER_GPU"), "8");
    assert_string_equal(mock_submission_env(s, "SLURM_MEM_PER_GPU"), "16384");
    wjr_runner_free(f->runner);
    f->runner = NULL;
    /* from a parameter, the trial's own */
    o.gpus_per_node = NULL;
    o.per_trial = pt;
    tu_runner(f, NULL, &o);
    tu_run(f, 1, "{\"g\": \"a100:1\"}");
    s = tu_last_sub();
    assert_non_null(strstr(s->resources, "gpu:a100:1,gres"));
    assert_string_equal(mock_submission_env(s, "SLURM_GPUS_PER_NODE"), "a100:1");
}

/* hint as sbatch turns it into the description, threads and tasks per
 * core, oversubscribe, and the variables sbatch exports for srun. */
static void hint_and_cores_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"hint=h", NULL};
    const struct {
        const char *hint, *has[3], *lacks[2];
    } cases[] = {
        {"nomultithread",
         {"threads_per_core=1", NULL, NULL},
         {"cores_per_socket", "ntasks_per_core"}},
        {"Memory_Bound",
         {"threads_per_core=1", "cores_per_socket=1", NULL},
         {"ntasks_per_core", NULL}},
        {"multithread",
         {"ntasks_per_core=65535", NULL, NULL},
         {"threads_per_core", "cores_per_socket"}},
        /* each word in turn: compute_bound lets cores_per_socket go again */
        {"memory_bound,compute_bound",
         {"threads_per_core=1", NULL, NULL},
         {"cores_per_socket", NULL}},
    };
    const mock_submission *s;
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        o.hint = cases[i].hint;
        tu_runner(f, NULL, &o);
        tu_run(f, (int)i, "{}");
        s = tu_last_sub();
        for (k = 0; k < 3 && cases[i].has[k]; k++)
            tu_assert_res(s, cases[i].has[k]);
        for (k = 0; k < 2 && cases[i].lacks[k]; k++)
            tu_assert_no_res(s, cases[i].lacks[k]);
        assert_string_equal(mock_submission_env(s, "SLURM_HINT"), cases[i].hint);
        tu_assert_no_res(s, "shared");
        wjr_runner_free(f->runner);
        f->runner = NULL;
    }
    assert_string_equal(mock_submission_env(s, "SLURM_THREADS_PER_CORE"), "1");
    assert_null(mock_submission_env(s, "SLURM_NTASKS_PER_CORE"));
    /* without a hint */
    o.hint = NULL;
    o.threads_per_core = 2;
    o.ntasks_per_core = 3;
    o.oversubscribe = 1;
    tu_runner(f, NULL, &o);
    tu_run(f, 10, "{}");
    s = tu_last_sub();
    tu_assert_res(s, "threads_per_core=2");
    tu_assert_res(s, "ntasks_per_core=3");
    tu_assert_res(s, "shared=1"); /* JOB_SHARED_OK: --oversubscribe */
    assert_null(mock_submission_env(s, "SLURM_HINT"));
    assert_string_equal(mock_submission_env(s, "SLURM_THREADS_PER_CORE"), "2");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS_PER_CORE"), "3");
    wjr_runner_free(f->runner);
    f->runner = NULL;
    /* from a parameter: the trial's own */
    o.threads_per_core = 0;
    o.ntasks_per_core = 0;
    o.per_trial = pt;
    tu_runner(f, NULL, &o);
    tu_run(f, 11, "{\"h\": \"multithread\"}");
    s = tu_last_sub();
    tu_assert_res(s, "ntasks_per_core=65535");
    assert_string_equal(mock_submission_env(s, "SLURM_NTASKS_PER_CORE"), "65535");
    assert_string_equal(mock_submission_env(s, "SLURM_HINT"), "multithread");
}

/* What sbatch refuses or drops: a hint beside threads or tasks per core
 * (it drops the hint), exclusive beside oversubscribe (it keeps the last
 * one), a word that is no hint. Each is refused, naming it. */
static void hint_and_cores_at_odds_are_refused(void **state)
{
    const char *const pt[] = {"threads_per_core=t", NULL};
    wjr_backend *b = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < 5; i++) {
        wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
        const char *want = "slurm.threads_per_core and slurm.hint exclude each other";
        o.hint = "nomultithread";
        if (i == 0)
            o.threads_per_core = 1;
        else if (i == 1)
            o.per_trial = pt;
        else if (i == 2)
            o.ntasks_per_core = 1, want = "slurm.ntasks_per_core and slurm.hint";
        else if (i == 3)
            o.hint = NULL, o.exclusive = 1, o.oversubscribe = 1,
            want = "slurm.oversubscribe and slurm.exclusive exclude each other";
        else
            o.hint = "nomultithread,hyperthreads", want = "\"hyperthreads\" is not a hint";
        assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
        assert_null(b);
        if (strstr(wjr_error_last(), want) == NULL)
            fail_msg("case %zu: %s", i, wjr_error_last());
    }
}

static void defaults_set_no_resource(void **state)
{
    tu_fixture *f = *state;
    const mock_submission *s;

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    tu_assert_res(s, "min_nodes=1");
    tu_assert_no_res(s, "num_tasks");
    tu_assert_no_res(s, "tres_per_job");
    tu_assert_no_res(s, "shared");
    tu_assert_no_res(s, "nice");
    tu_assert_no_res(s, "time_min");
    tu_assert_no_res(s, "reservation");
    tu_assert_no_res(s, "req_nodes");
    tu_assert_no_res(s, "exc_nodes");
    tu_assert_no_res(s, "mail_type");
    tu_assert_no_res(s, "mail_user");
    tu_assert_no_res(s, " tmp=");
    tu_assert_no_res(s, "prefer");
    tu_assert_no_res(s, "wckey");
    /* --open-mode=append: a requeued job keeps its earlier output */
    tu_assert_res(s, "open_mode=1");
    assert_null(mock_submission_env(s, "SLURM_NTASKS"));
    assert_null(mock_submission_env(s, "SLURM_NPROCS"));
    assert_null(mock_submission_env(s, "SLURM_NTASKS_PER_NODE"));
    assert_null(mock_submission_env(s, "SLURM_CPUS_PER_TASK"));
    assert_null(mock_submission_env(s, "SLURM_GPUS_PER_NODE"));
    tu_assert_no_res(s, "cpus_per_tres");
    tu_assert_no_res(s, "mem_per_tres");
    tu_assert_no_res(s, "_per_core");
    tu_assert_no_res(s, "cores_per_socket");
    assert_null(mock_submission_env(s, "SLURM_HINT"));
    assert_null(mock_submission_env(s, "SLURM_THREADS_PER_CORE"));
}

static void bad_fixed_values_are_refused(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"mem=m", NULL};
    const char *const pt_gpu[] = {"cpus_per_gpu=k", NULL};
    static char list[65537];
    wjr_backend *b = NULL;

    (void)state;
    o.mem = "1G";
    o.mem_per_cpu = "512M";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_string_equal(wjr_error_last(), "slurm.mem_per_cpu and slurm.mem exclude each other "
                                          "(sbatch's --mem-per-cpu and --mem)");
    o.mem = NULL;
    o.mem_per_cpu = NULL;
    o.per_trial = pt;
    o.mem_per_cpu = "1G";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "slurm.mem_per_cpu and slurm.mem exclude"));
    o.per_trial = NULL;
    o.mem_per_cpu = NULL;
    o.nodes = "4-2";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.nodes = NULL;
    o.gpus = "a100:x";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.gpus = "$(reboot):1";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.gpus = NULL;
    o.export_env = "ALL,X=1";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.export_env = NULL;
    o.nodelist = "n01 n02";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "nodelist"));
    o.nodelist = NULL;
    o.exclude = "n01\n";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "exclude"));
    o.exclude = NULL;
    o.mail_type = "END,NOPE";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "\"NOPE\" is not a mail type"));
    o.mail_type = "";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.mail_type = NULL;
    o.tmp = "10X";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.tmp = "5000T"; /* beyond the 32 bits of megabytes a job asks for */
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_string_equal(wjr_error_last(),
                        "slurm.tmp \"5000T\" is more disk than Slurm can ask for");
    o.tmp = NULL;
    /* a node list may be longer than the other texts, within reason */
    memset(list, 'n', sizeof(list) - 1);
    list[sizeof(list) - 1] = '\0';
    list[400] = '\0';
    o.exclude = list;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    wjr_backend_free(b);
    b = NULL;
    list[400] = 'n';
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_string_equal(wjr_error_last(), "slurm.exclude is longer than 65535 characters");
    o.exclude = NULL;
    /* the pairs sbatch refuses together */
    o.cpus_per_task = 2;
    o.cpus_per_gpu = 4;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "slurm.cpus_per_gpu and slurm.cpus_per_task"));
    o.cpus_per_gpu = 0;
    o.per_trial = pt_gpu; /* a count from a parameter counts as set */
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "slurm.cpus_per_gpu and slurm.cpus_per_task"));
    o.per_trial = NULL;
    o.cpus_per_gpu = 4;
    o.cpus_per_task = 0;
    o.mem = "1G";
    o.mem_per_gpu = "1G";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    o.mem = NULL;
    o.gres = "gpu:1";
    o.gpus_per_node = "1";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "slurm.gpus_per_node and a gpu in slurm.gres"));
    o.gres = "nic:1";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0); /* not a GPU in gres */
    wjr_backend_free(b);
    b = NULL;
    o.gres = NULL;
    o.gpus_per_node = NULL;
    o.mem_per_gpu = NULL;
    o.cpus_per_gpu = 0;
    o.ntasks = -1;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_ECONFIG);
    assert_null(b);
}

static void per_trial_resources_split_arrays(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"cpus_per_task=threads", "mem=memory", NULL};
    wjr_trial_spec specs[] = {{0, "{\"threads\": 1, \"memory\": \"1G\"}"},
                              {1, "{\"threads\": 4, \"memory\": \"1G\"}"},
                              {2, "{\"threads\": 1.0, \"memory\": \"1G\"}"},
                              {3, "{\"threads\": 4, \"memory\": 2048}"}};
    size_t n = 0, i, seen = 0;

    o.per_trial = pt;
    o.cpus_per_task = 8; /* the parameter wins */
    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run_multiple(&n, f->runner, specs, 4), 0);
    assert_int_equal(n, 4);
    assert_int_equal(mock_submission_count(), 3);
    for (i = 0; i < 3; i++) {
        const mock_submission *s = mock_submission_at(i);
        if (strcmp(s->comment, "wjr:" TU_STUDY ":0,2") == 0) {
            assert_string_equal(s->array_inx, "0-1");
            tu_assert_res(s, "cpus_per_task=1");
            tu_assert_res(s, "mem=1024");
            seen |= 1;
        } else if (strcmp(s->comment, "wjr:" TU_STUDY ":1") == 0) {
            tu_assert_res(s, "cpus_per_task=4");
            tu_assert_res(s, "mem=1024");
            seen |= 2;
        } else if (strcmp(s->comment, "wjr:" TU_STUDY ":3") == 0) {
            tu_assert_res(s, "cpus_per_task=4");
            tu_assert_res(s, "mem=2048");
            seen |= 4;
        } else {
            fail_msg("unexpected array %s", s->comment);
        }
    }
    assert_int_equal(seen, 7);
    /* a single job takes its own value too */
    tu_run(f, 4, "{\"threads\": 2, \"memory\": \"512M\"}");
    tu_assert_res(tu_last_sub(), "cpus_per_task=2");
    tu_assert_res(tu_last_sub(), "mem=512");
}

/* The text options and exclusive from parameters: each trial's job gets
 * its own reservation, licenses, exclusive and export, and trials that
 * differ in them share no array. */
static void per_trial_texts_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"reservation=r", "licenses=l", "exclusive=x", "export=e", NULL};
    wjr_trial_spec specs[] = {
        {0, "{\"r\": \"maint\", \"l\": \"matlab:2\", \"x\": true, \"e\": \"NONE\"}"},
        {1, "{\"r\": \"week\", \"l\": \"fluent\", \"x\": false, \"e\": \"WJR_T_PT\"}"}};
    const mock_submission *s;
    size_t n = 0, i;

    setenv("WJR_T_PT", "v", 1);
    o.per_trial = pt;
    o.reservation = "fixed"; /* the parameter wins */
    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run_multiple(&n, f->runner, specs, 2), 0);
    assert_int_equal(mock_submission_count(), 2);
    for (i = 0; i < 2; i++) {
        s = mock_submission_at(i);
        if (strstr(s->comment, ":0") != NULL) {
            tu_assert_res(s, "reservation=maint");
            tu_assert_res(s, "licenses=matlab:2");
            tu_assert_res(s, "shared=0"); /* JOB_SHARED_NONE: --exclusive */
            assert_null(mock_submission_env(s, "WJR_T_PT"));
            assert_null(mock_submission_env(s, "PATH"));
        } else {
            tu_assert_res(s, "reservation=week");
            tu_assert_res(s, "licenses=fluent");
            tu_assert_no_res(s, "shared=");
            assert_string_equal(mock_submission_env(s, "WJR_T_PT"), "v");
            assert_null(mock_submission_env(s, "PATH"));
        }
    }
    unsetenv("WJR_T_PT");
    /* a value Slurm would refuse never reaches it */
    assert_int_equal(wjr_runner_run(NULL, f->runner,
                                    &(wjr_trial_spec){2, "{\"r\": \"a b\", \"l\": \"x\", "
                                                         "\"x\": 1, \"e\": \"ALL\"}"}),
                     WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "parameter 'r'"));
    assert_int_equal(wjr_runner_run(NULL, f->runner,
                                    &(wjr_trial_spec){3, "{\"r\": \"m\", \"l\": \"x\", "
                                                         "\"x\": \"maybe\", \"e\": \"ALL\"}"}),
                     WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "true or false"));
    assert_int_equal(mock_submission_count(), 2);
}

static void per_trial_bad_value_submits_nothing(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"ntasks=n", NULL};
    wjr_trial_spec bad[] = {{0, "{\"n\": 2}"}, {1, "{\"n\": \"2; reboot\"}"}};
    wjr_trial_spec spec = {5, "{\"n\": 2.5}"};
    wjr_trial_spec missing = {6, "{\"m\": 2}"};
    size_t n = 9;

    o.per_trial = pt;
    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run_multiple(&n, f->runner, bad, 2), WJR_EINVALID);
    assert_int_equal(n, 0);
    assert_non_null(strstr(wjr_error_last(), "parameter 'n'"));
    assert_int_equal(mock_submission_count(), 0);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_EINVALID);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &missing), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "does not have"));
    assert_int_equal(mock_submission_count(), 0);
}

/* A trial whose GPU count, from its parameter, does not fit the fixed
 * gpus_per_task: refused before anything is submitted, naming both. */
static void per_trial_gpus_at_odds_submit_nothing(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"gpus=g", NULL};
    wjr_trial_spec good[] = {{0, "{\"g\": 2}"}, {1, "{\"g\": 4}"}};
    wjr_trial_spec odd = {2, "{\"g\": 3}"};
    wjr_trial_spec typed = {3, "{\"g\": \"a100:2\"}"};
    size_t n = 9;

    o.gpus_per_task = "2";
    o.per_trial = pt;
    tu_runner(f, NULL, &o);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &odd), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "trial 2"));
    assert_non_null(strstr(wjr_error_last(),
                           "slurm.gpus \"3\" is not a multiple of slurm.gpus_per_task \"2\""));
    assert_int_equal(wjr_runner_run(NULL, f->runner, &typed), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "with and without type identification"));
    assert_int_equal(mock_submission_count(), 0);
    assert_int_equal(wjr_runner_run_multiple(&n, f->runner, good, 2), 0);
    assert_int_equal(n, 2);
}

static void resources_survive_to_json(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    const char *const pt[] = {"gpus=g", NULL};
    const char *const has[] = {"\"per_trial\":[\"gpus=g\"]", "\"nodelist\":\"a[1-2]\"",
                               "\"exclude\":\"b\"", "\"hint\":\"nomultithread\"", NULL};
    /* what the hint and exclusive exclude */
    const char *const has2[] = {"\"threads_per_core\":2", "\"ntasks_per_core\":4",
                                "\"oversubscribe\":1",    "\"prefer\":\"amd\"",
                                "\"wckey\":\"w\"",        NULL};

    (void)state;
    o.nodes = "3";
    o.ntasks = 6;
    o.exclusive = 1;
    o.export_env = "NONE";
    o.licenses = "x";
    o.nice = -5;
    o.per_trial = pt;
    o.nodelist = "a[1-2]";
    o.exclude = "b";
    o.mail_type = "ALL";
    o.tmp = "512";
    o.hint = "nomultithread";
    tu_survives_to_json(&o, has);
    o.hint = NULL;
    o.exclusive = 0;
    o.threads_per_core = 2;
    o.ntasks_per_core = 4;
    o.oversubscribe = 1;
    o.prefer = "amd";
    o.wckey = "w";
    tu_survives_to_json(&o, has2);
}

static void version_1_options_are_accepted(void **state)
{
    wjr_slurm_options o = WJR_SLURM_OPTIONS_INIT;
    wjr_backend *b = NULL;
    char *j = NULL;

    (void)state;
    o.version = 1;
    o.nodes = "not read in version 1";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    wjr_backend_free(b);
    /* version 2 ends at requeue_exit_code: what follows is not read */
    o.version = 2;
    o.nodes = "2";
    o.nodelist = "not read in version 2";
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(b->to_json(&j, b), 0);
    assert_non_null(strstr(j, "\"nodes\":\"2\""));
    assert_null(strstr(j, "nodelist"));
    free(j);
    wjr_backend_free(b);
    /* version 3 ends at mem_per_gpu */
    o.version = 3;
    o.nodelist = "n1";
    o.hint = "not read in version 3";
    o.threads_per_core = -7;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), 0);
    assert_int_equal(b->to_json(&j, b), 0);
    assert_non_null(strstr(j, "\"nodelist\":\"n1\""));
    assert_null(strstr(j, "hint"));
    assert_null(strstr(j, "threads_per_core"));
    free(j);
    wjr_backend_free(b);
    o.version = WJR_SLURM_OPTIONS_VERSION + 1;
    assert_int_equal(wjr_backend_slurm_new(&b, &o), WJR_EINVALID);
}

static void parameter_values_are_checked(void **state)
{
    json_t *v;
    char *text = NULL;

    (void)state;
    v = json_integer(0);
    assert_int_equal(wjr_slurm_res_value(&text, "cpus_per_task", v), WJR_EINVALID);
    json_decref(v);
    v = json_integer(70000);
    assert_int_equal(wjr_slurm_res_value(&text, "cpus_per_task", v), WJR_EINVALID);
    json_decref(v);
    v = json_string("4G");
    assert_int_equal(wjr_slurm_res_value(&text, "mem", v), 0);
    assert_string_equal(text, "4G");
    free(text);
    json_decref(v);
    v = json_string("1-00:00:00");
    assert_int_equal(wjr_slurm_res_value(&text, "time", v), 0);
    free(text);
    json_decref(v);
    v = json_true();
    assert_int_equal(wjr_slurm_res_value(&text, "ntasks", v), WJR_EINVALID);
    json_decref(v);
    v = json_integer(-3);
    assert_int_equal(wjr_slurm_res_value(&text, "nice", v), 0);
    assert_string_equal(text, "-3");
    free(text);
    json_decref(v);
    v = json_integer(2);
    assert_int_equal(wjr_slurm_res_value(&text, "partition", v), WJR_EINVALID);
    json_decref(v);
}

/* wjr check: what the trials ask for against the partition's size. */
static void check_compares_with_the_partition(void **state)
{
    tu_fixture *f = *state;
    char *path = tu_path(f->dir, "c.cfg"), text[1024], expect[1200];
    wjr_cluster_info *info = NULL;
    const char *const groups[] = {
        "slurm = { partition = \"debug\";\n  ntasks = 2; cpus_per_task = 2; };\n",
        "slurm = { partition = \"debug\";\n  ntasks = 8; };\n",
        "slurm = { partition = \"debug\";\n  nodes = \"{{ n }}\"; };\n",
        /* a list: the most any of it has */
        "slurm = { partition = \"debug,gpu\";\n  ntasks = 4; };\n",
        "slurm = { partition = \"debug,gpu\";\n  ntasks = 5; };\n",
    };
    int want[] = {0, WJR_ECONFIG, WJR_ECONFIG, 0, WJR_ECONFIG};
    const char *msg[] = {NULL,
                         "%s:4: a trial asks for 8 CPUs (ntasks x cpus_per_task), partition "
                         "debug has 4",
                         "%s:4: slurm.nodes asks for 3 nodes, partition debug has 1", NULL,
                         "%s:4: a trial asks for 5 CPUs (ntasks x cpus_per_task), partitions "
                         "debug,gpu have at most 4"};
    size_t i;

    (void)state;
    mock_add_partition("debug", 0);
    mock_add_partition("gpu", 0);
    mock_set_partition_size(1, 4);
    for (i = 0; i < 5; i++) {
        snprintf(text, sizeof(text),
                 "parameters = { n = { type = \"range\"; bounds = [1, 3]; value_type = \"int\"; "
                 "}; };\nscript_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n%s",
                 groups[i]);
        tu_write(path, text);
        assert_int_equal(wjr_study_check(&info, NULL, path), want[i]);
        wjr_cluster_info_free(info);
        if (msg[i]) {
            snprintf(expect, sizeof(expect), msg[i], path);
            assert_string_equal(wjr_error_last(), expect);
        }
    }
    mock_set_partition_size(0, 0);
    free(path);
}

/* Every form the configuration check lets through reaches the job as
 * sbatch would send it: the GRES list with "gres:" before each item, the
 * D-HH:MM time in minutes, the signal without @SECONDS after Slurm's 60. */
static void checked_values_reach_the_job(void **state)
{
    tu_fixture *f = *state;
    char *path = tu_path(f->dir, "v.cfg");
    wjr_cluster_info *info = NULL;
    wjr_study_config *cfg = NULL;
    wjr_slurm_options o;
    const mock_submission *s;

    mock_add_partition("debug", 0);
    mock_add_reservation("maint");
    mock_add_license("matlab@db", 2);
    mock_add_license("fluent", 1);
    mock_set_node_gres("gpu:a100:2,nic:1");
    mock_set_node_features("intel,ib");
    tu_write(path, "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
                   "slurm = { partition = \"debug\"; time = \"2-12:30\"; time_min = \"10\";\n"
                   "  mem_per_cpu = \"1G\"; gres = \"gpu:a100:2,nic:1\"; gpus = \"a100:2\";\n"
                   "  licenses = \"matlab@db:2,fluent\"; account = \"proj-1\"; qos = \"normal\";\n"
                   "  reservation = \"maint\"; constraint = \"intel&ib\"; nodes = \"1-2\";\n"
                   "  cpus_per_task = 2; ntasks = 1; nice = 5; signal = \"USR1\";\n"
                   "  export = \"ALL\"; array_throttle = 3;\n"
                   "  nodelist = \"mocknode\"; exclude = \"n[1-3]\";\n"
                   "  mail_type = \"FAIL,TIME_LIMIT_90\"; mail_user = \"me\"; tmp = 2048; };\n");
    if (wjr_study_check(&info, &cfg, path) != 0)
        fail_msg("%s", wjr_error_last());
    wjr_cluster_info_free(info);
    wjr_study_config_slurm_options(&o, cfg);
    tu_runner(f, NULL, &o);
    tu_run(f, 0, "{}");
    s = tu_last_sub();
    tu_assert_res(s, "tres_per_node=gres:gpu:a100:2,gres:nic:1");
    tu_assert_res(s, "time_limit=3630");
    tu_assert_res(s, "time_min=10");
    tu_assert_res(s, "licenses=matlab@db:2,fluent");
    tu_assert_res(s, "reservation=maint");
    tu_assert_res(s, "warn_signal=10");
    tu_assert_res(s, "warn_time=60");
    tu_assert_res(s, "req_nodes=mocknode");
    tu_assert_res(s, "exc_nodes=n[1-3]");
    tu_assert_res(s, "mail_type=36"); /* MAIL_JOB_FAIL | MAIL_JOB_TIME90 */
    tu_assert_res(s, "mail_user=me");
    tu_assert_res(s, "tmp=2048");
    wjr_study_config_free(cfg);
    /* a node list is a name: no spaces, refused with its line */
    tu_write(path, "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
                   "slurm = { partition = \"debug\";\n  exclude = \"n1 n2\"; };\n");
    assert_int_equal(wjr_study_check(&info, &cfg, path), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "v.cfg:3: slurm.exclude"));
    tu_write(path, "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
                   "slurm = { partition = \"debug\";\n  mail_type = \"END,FIAL\"; };\n");
    assert_int_equal(wjr_study_check(&info, &cfg, path), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "v.cfg:3: slurm.mail_type \"END,FIAL\": \"FIAL\""));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fixed_resources_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(checked_values_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(defaults_set_no_resource, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(gpu_options_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(hint_and_cores_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(hint_and_cores_at_odds_are_refused, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(bad_fixed_values_are_refused, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(per_trial_resources_split_arrays, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(per_trial_bad_value_submits_nothing, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(per_trial_gpus_at_odds_submit_nothing, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(per_trial_texts_reach_the_job, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(resources_survive_to_json, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(version_1_options_are_accepted, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(parameter_values_are_checked, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(check_compares_with_the_partition, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
