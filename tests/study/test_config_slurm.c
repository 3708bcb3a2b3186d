/*
 * test_config_slurm.c - the resource keys of the slurm group (nodes,
 * ntasks, GPUs, exclusive, export...) and keys set per trial from a
 * parameter ("{{ threads }}"): what is read, and errors with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "study_int.h"
#include "wjr.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/wjr-test-config-slurm-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_cfg(const char *text)
{
    static char path[300];
    FILE *f;

    snprintf(path, sizeof(path), "%s/t.cfg", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define HEAD                                                                                       \
    "script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"                           \
    "parameters = {\n"                                                                             \
    "  threads = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };\n"                  \
    "  lr = { type = \"range\"; bounds = [0.1, 0.5]; };\n"                                         \
    "  memory = { type = \"choice\"; values = [\"1G\", \"2G\", \"4096\"]; };\n"                    \
    "  width = { type = \"range\"; bounds = [0, 4]; value_type = \"int\"; };\n"                    \
    "};\n"

static void reads_every_key(void **state)
{
    wjr_study_config *c = NULL;
    wjr_slurm_options o;
    const char *path = write_cfg(HEAD "slurm = {\n"
                                      "  nodes = \"2-4\"; ntasks = 8; ntasks_per_node = 4;\n"
                                      "  mem_per_cpu = \"1G\"; gpus = \"a100:2\"; "
                                      "gpus_per_task = 1;\n"
                                      "  exclusive = true; reservation = \"r\"; licenses = "
                                      "\"l:2\";\n"
                                      "  time_min = \"00:30:00\"; nice = 5; export = \"NONE\";\n"
                                      "  cpus_per_task = \"{{ threads }}\";\n"
                                      "  time = \"{{threads}}\";\n"
                                      "  signal = \"USR1@120\"; requeue_exit_code = 99;\n"
                                      "};\n");
    (void)state;

    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    wjr_study_config_slurm_options(&o, c);
    assert_string_equal(o.nodes, "2-4");
    assert_int_equal(o.ntasks, 8);
    assert_int_equal(o.ntasks_per_node, 4);
    assert_string_equal(o.mem_per_cpu, "1G");
    assert_string_equal(o.gpus, "a100:2");
    assert_string_equal(o.gpus_per_task, "1");
    assert_int_equal(o.exclusive, 1);
    assert_string_equal(o.reservation, "r");
    assert_string_equal(o.licenses, "l:2");
    assert_string_equal(o.time_min, "00:30:00");
    assert_int_equal(o.nice, 5);
    assert_string_equal(o.export_env, "NONE");
    assert_string_equal(o.signal, "USR1@120");
    assert_int_equal(o.requeue_exit_code, 99);
    assert_int_equal(o.cpus_per_task, 0);
    assert_null(o.time);
    assert_string_equal(o.per_trial[0], "cpus_per_task=threads");
    assert_string_equal(o.per_trial[1], "time=threads");
    assert_null(o.per_trial[2]);
    wjr_study_config_free(c);

    path = write_cfg(HEAD "slurm = { mem = \"{{ memory }}\"; };\n");
    assert_int_equal(wjr_study_config_load(&c, path), 0);
    wjr_study_config_slurm_options(&o, c);
    assert_null(o.mem);
    assert_string_equal(o.per_trial[0], "mem=memory");
    wjr_study_config_free(c);
}

typedef struct bad_case {
    const char *text;
    const char *message; /* after "<path>:" */
} bad_case;

static const bad_case bad_cases[] = {
    {HEAD "slurm = {\n  mem = \"1G\";\n  mem_per_cpu = \"1G\";\n};\n",
     "10: slurm.mem_per_cpu and slurm.mem exclude each other (sbatch's --mem-per-cpu and --mem): "
     "keep one"},
    {HEAD "slurm = {\n  nodes = \"4-2\";\n};\n",
     "9: slurm.nodes \"4-2\" is not a node count \"N\" or a range \"MIN-MAX\""},
    {HEAD "slurm = {\n  ntasks = 0;\n};\n", "9: slurm.ntasks must be between 1 and 1000000, not 0"},
    {HEAD "slurm = {\n  gpus = \"a 100:1\";\n};\n",
     "9: slurm.gpus \"a 100:1\" is not a GPU count \"N\" or \"TYPE:N\""},
    {HEAD "slurm = {\n  export = \"ALL,A=1\";\n};\n",
     "9: slurm.export \"ALL,A=1\" must be ALL, NONE or a comma-separated list of variable names "
     "(set values with slurm.env)"},
    {HEAD "slurm = {\n  exclusive = 1;\n};\n", "9: slurm.exclusive must be true or false"},
    {HEAD "slurm = {\n  cpus_per_task = \"{{ nthreads }}\";\n};\n",
     "9: slurm.cpus_per_task names parameter 'nthreads', which the parameters group does not "
     "declare"},
    {HEAD "slurm = {\n  ntasks = \"{{ lr }}\";\n};\n",
     "9: slurm.ntasks comes from parameter 'lr', which must be an integer range (value_type = "
     "\"int\") or a choice"},
    {HEAD "slurm = {\n  ntasks = \"{{ width }}\";\n};\n",
     "9: parameter 'width' can take a value that does not fit: slurm.ntasks must be a count from "
     "1 to 1000000"},
    {HEAD "slurm = {\n  ntasks = \"{{ memory }}\";\n};\n",
     "9: parameter 'memory' can take a value that does not fit: slurm.ntasks must be a count "
     "from 1 to 1000000"},
    {HEAD "slurm = {\n  partition = \"{{ threads }}\";\n};\n",
     "9: slurm.partition cannot come from a parameter"},
    {HEAD "slurm = {\n  ntasks = \"{{ threads }} x\";\n};\n",
     "9: slurm.ntasks: a parameter is written \"{{ name }}\", alone"},
    {HEAD "slurm = {\n  mem_per_cpu = \"{{ memory }}\";\n  mem = \"2G\";\n};\n",
     "9: slurm.mem_per_cpu and slurm.mem exclude each other (sbatch's --mem-per-cpu and --mem): "
     "keep one"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
     "  setup = ( \"module load a\",\n    3 ); };\n",
     "3: script_options.setup must be a list of strings, one shell line each"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
     "  setup = ( \"a\\nb\" ); };\n",
     "2: script_options.setup: one line per string, without line breaks"},
    {HEAD "slurm = {\n  signal = \"TERM@60\";\n};\n",
     "9: slurm.signal \"TERM@60\" must be USR1@SECONDS or USR2@SECONDS (the batch script "
     "forwards these two to the model), SECONDS from 1 to 65535"},
    {HEAD "slurm = {\n  requeue = false;\n  requeue_exit_code = 3;\n};\n",
     "10: slurm.requeue_exit_code asks Slurm to requeue the job, which slurm.requeue = false "
     "forbids"},
    {HEAD "slurm = {\n  requeue_exit_code = 0;\n};\n",
     "9: slurm.requeue_exit_code must be between 1 and 255, not 0"},
    {HEAD "slurm = {\n  driver_time = \"soon\";\n};\n",
     "9: slurm.driver_time \"soon\" is not a Slurm time"},
    {HEAD "slurm = {\n  ntask = 2;\n};\n",
     "9: unknown key 'ntask' in slurm (did you mean 'ntasks'?)"},
};

static void errors_name_lines(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        wjr_study_config *c = NULL;
        const char *path = write_cfg(bad_cases[i].text);
        char expect[1024];
        int error = wjr_study_config_load(&c, path);

        if (error != WJR_ECONFIG)
            fail_msg("case %zu: got %d (%s)", i, error, wjr_error_last());
        assert_null(c);
        snprintf(expect, sizeof(expect), "%s:%s", path, bad_cases[i].message);
        assert_string_equal(wjr_error_last(), expect);
    }
}

static void reads_setup(void **state)
{
    wjr_study_config *c = NULL;
    wjr_script_options so;
    const char *path =
        write_cfg("script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
                  "  setup = ( \"module load gcc/12\", \"source 'v e'/bin/activate\" "
                  "); };\n");
    (void)state;

    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    wjr_study_config_script_options(&so, c);
    assert_string_equal(so.setup, "module load gcc/12\nsource 'v e'/bin/activate");
    wjr_study_config_free(c);
    path = write_cfg("script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
                     "  setup = \"module load gcc/12\"; };\n");
    assert_int_equal(wjr_study_config_load(&c, path), 0);
    wjr_study_config_script_options(&so, c);
    assert_string_equal(so.setup, "module load gcc/12");
    wjr_study_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_key),
        cmocka_unit_test(errors_name_lines),
        cmocka_unit_test(reads_setup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
