/*
 * test_config_slurm.c - the resource keys of the slurm group (nodes,
 * ntasks, GPUs, exclusive, export...) and keys set per trial from a
 * parameter ("{{ threads }}"): what is read; every option's value checked
 * at load, a bad one failing with file:line (and the column in YAML) in
 * either format, every form Slurm reads passing; and a parameter's value
 * checked when a trial's value is rendered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "slurm_resources.h"
#include "study_int.h"
#include "wjr.h"

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
    wjr_study_config *c =
        cfx_load("t.cfg", HEAD "slurm = {\n"
                               "  nodes = \"2-4\"; ntasks = 8; ntasks_per_node = 4;\n"
                               "  mem_per_cpu = \"1G\"; gpus = \"a100:2\"; "
                               "gpus_per_task = \"a100:1\";\n"
                               "  exclusive = true; reservation = \"r\"; licenses = "
                               "\"l:2\";\n"
                               "  time_min = \"00:30:00\"; nice = 5; export = \"NONE\";\n"
                               "  cpus_per_task = \"{{ threads }}\";\n"
                               "  time = \"{{threads}}\";\n"
                               "  signal = \"USR1@120\"; requeue_exit_code = 99;\n"
                               "};\n");
    wjr_slurm_options o;
    (void)state;

    wjr_study_config_slurm_options(&o, c);
    assert_string_equal(o.nodes, "2-4");
    assert_int_equal(o.ntasks, 8);
    assert_int_equal(o.ntasks_per_node, 4);
    assert_string_equal(o.mem_per_cpu, "1G");
    assert_string_equal(o.gpus, "a100:2");
    assert_string_equal(o.gpus_per_task, "a100:1");
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

    /* the options added with version 3 of wjr_slurm_options */
    c = cfx_load("t.cfg", HEAD "slurm = {\n"
                               "  nodelist = \"n[1-2]\"; exclude = \"n3\";\n"
                               "  mail_type = \"END\"; mail_user = \"me\"; tmp = \"2G\";\n"
                               "  gpus_per_node = \"a100:2\"; cpus_per_gpu = 4;\n"
                               "  mem_per_gpu = \"{{ memory }}\";\n"
                               "};\n");
    wjr_study_config_slurm_options(&o, c);
    assert_int_equal(o.version, WJR_SLURM_OPTIONS_VERSION);
    assert_string_equal(o.nodelist, "n[1-2]");
    assert_string_equal(o.exclude, "n3");
    assert_string_equal(o.mail_type, "END");
    assert_string_equal(o.mail_user, "me");
    assert_string_equal(o.tmp, "2G");
    assert_string_equal(o.gpus_per_node, "a100:2");
    assert_int_equal(o.cpus_per_gpu, 4);
    assert_null(o.mem_per_gpu);
    assert_string_equal(o.per_trial[0], "mem_per_gpu=memory");
    wjr_study_config_free(c);

    /* version 4: hint, cores and threads, oversubscribe (beside
     * exclusive = false, which asks for nothing) */
    c = cfx_load("t.cfg", HEAD "slurm = {\n"
                               "  hint = \"nomultithread\"; oversubscribe = true;\n"
                               "  prefer = \"intel&ib\"; wckey = \"w1\";\n"
                               "  exclusive = false;\n"
                               "};\n");
    wjr_study_config_slurm_options(&o, c);
    assert_string_equal(o.hint, "nomultithread");
    assert_int_equal(o.oversubscribe, 1);
    assert_int_equal(o.exclusive, 0);
    assert_int_equal(o.threads_per_core, 0);
    assert_string_equal(o.prefer, "intel&ib");
    assert_string_equal(o.wckey, "w1");
    wjr_study_config_free(c);
    c = cfx_load("t.cfg",
                 HEAD "slurm = { threads_per_core = 2; ntasks_per_core = \"{{ threads }}\"; };\n");
    wjr_study_config_slurm_options(&o, c);
    assert_null(o.hint);
    assert_int_equal(o.threads_per_core, 2);
    assert_int_equal(o.ntasks_per_core, 0);
    assert_string_equal(o.per_trial[0], "ntasks_per_core=threads");
    wjr_study_config_free(c);

    /* version 8: the task layout */
    c = cfx_load("t.cfg",
                 HEAD "slurm = { sockets_per_node = 2; cores_per_socket = 8;\n"
                      "  ntasks_per_socket = \"{{ threads }}\";\n"
                      "  distribution = \"block:cyclic,nopack\"; gpu_bind = \"closest\"; };\n");
    wjr_study_config_slurm_options(&o, c);
    assert_int_equal(o.sockets_per_node, 2);
    assert_int_equal(o.cores_per_socket, 8);
    assert_int_equal(o.ntasks_per_socket, 0);
    assert_string_equal(o.per_trial[0], "ntasks_per_socket=threads");
    assert_string_equal(o.distribution, "block:cyclic,nopack");
    assert_string_equal(o.gpu_bind, "closest");
    wjr_study_config_free(c);

    c = cfx_load("t.cfg", HEAD "slurm = { mem = \"{{ memory }}\"; };\n");
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
    {HEAD "slurm = {\n  mem_per_gpu = \"1G\";\n  mem_per_cpu = \"1G\";\n};\n",
     "9: slurm.mem_per_gpu and slurm.mem_per_cpu exclude each other (sbatch's --mem-per-gpu and "
     "--mem-per-cpu): keep one"},
    {HEAD "slurm = {\n  cpus_per_gpu = \"{{ threads }}\";\n  cpus_per_task = 2;\n};\n",
     "9: slurm.cpus_per_gpu and slurm.cpus_per_task exclude each other (sbatch's --cpus-per-gpu "
     "and "
     "--cpus-per-task): keep one"},
    {HEAD "slurm = {\n  gres = \"nic:1,gpu:a100:1\";\n  gpus_per_node = 2;\n};\n",
     "10: slurm.gpus_per_node and a gpu in slurm.gres exclude each other (both ask for GPUs per "
     "node, and sbatch refuses them together): keep one"},
    {HEAD "slurm = {\n  hint = \"nomultithread\";\n  threads_per_core = 1;\n};\n",
     "10: slurm.threads_per_core and slurm.hint exclude each other (sbatch's --threads-per-core "
     "and --hint): keep one"},
    {HEAD "slurm = {\n  ntasks_per_core = \"{{ threads }}\";\n  hint = \"compute_bound\";\n};\n",
     "9: slurm.ntasks_per_core and slurm.hint exclude each other (sbatch's --ntasks-per-core and "
     "--hint): keep one"},
    {HEAD "slurm = {\n  hint = \"nomultithread\";\n  sockets_per_node = 2;\n};\n",
     "10: slurm.sockets_per_node and slurm.hint exclude each other (sbatch's --sockets-per-node "
     "and --hint): keep one"},
    {HEAD "slurm = {\n  cores_per_socket = \"{{ threads }}\";\n  hint = \"multithread\";\n};\n",
     "9: slurm.cores_per_socket and slurm.hint exclude each other (sbatch's --cores-per-socket "
     "and --hint): keep one"},
    {HEAD "slurm = {\n  distribution = \"plane=0\";\n};\n",
     "9: slurm.distribution \"plane=0\": plane takes its size, plane=N with N from 1 to 65533 "
     "(sbatch would read a size left out from SLURM_DIST_PLANESIZE, which wjr does not pass)"},
    {HEAD "slurm = {\n  oversubscribe = true;\n  exclusive = true;\n};\n",
     "9: slurm.oversubscribe and slurm.exclusive exclude each other (sbatch's --oversubscribe and "
     "--exclusive): keep one"},
    {HEAD "slurm = {\n  hint = \"compute_bound,nomultithreads\";\n};\n",
     "9: slurm.hint \"compute_bound,nomultithreads\": \"nomultithreads\" is not a hint "
     "(compute_bound, memory_bound, multithread or nomultithread)"},
    {HEAD "slurm = {\n  hint = \"{{ memory }}\";\n};\n",
     "9: parameter 'memory' can take a value that does not fit: slurm.hint = \"1G\" is not "
     "nomultithread, multithread, compute_bound or memory_bound"},
    {HEAD "slurm = {\n  threads_per_core = 0;\n};\n",
     "9: slurm.threads_per_core must be between 1 and 65535, not 0"},
    {HEAD "slurm = {\n  tmp = \"5000T\";\n};\n",
     "9: slurm.tmp \"5000T\" is more disk than Slurm can ask for"},
    {HEAD "slurm = {\n  gpus_per_node = \"a100\";\n};\n",
     "9: slurm.gpus_per_node \"a100\" is not a GPU count \"N\" or \"TYPE:N\""},
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
     "9: parameter 'width' can take a value that does not fit: slurm.ntasks = 0 is not a count "
     "from 1 to 1000000"},
    {HEAD "slurm = {\n  ntasks = \"{{ memory }}\";\n};\n",
     "9: parameter 'memory' can take a value that does not fit: slurm.ntasks = \"1G\" is not a "
     "count from 1 to 1000000"},
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
     "forwards these two to the model), SECONDS from 1 to 65535 (60 when left out)"},
    {HEAD "slurm = {\n  requeue = false;\n  requeue_exit_code = 3;\n};\n",
     "10: slurm.requeue_exit_code asks Slurm to requeue the job, which slurm.requeue = false "
     "forbids"},
    {HEAD "slurm = {\n  requeue_exit_code = 0;\n};\n",
     "9: slurm.requeue_exit_code must be between 1 and 255, not 0"},
    {HEAD "slurm = {\n  driver_time = \"soon\";\n};\n",
     "9: slurm.driver_time \"soon\" is not a Slurm time such as 30, 01:30:00 or 1-00:00:00 (a "
     "bare number is minutes)"},
    {HEAD "slurm = {\n  ntask = 2;\n};\n",
     "9: unknown key 'ntask' in slurm (did you mean 'ntasks'?)"},
};

static void errors_name_lines(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char what[32];

        snprintf(what, sizeof(what), "case %zu", i);
        cfx_expect_error("t.cfg", bad_cases[i].text, bad_cases[i].message, what);
    }
}

/* What a bad value of one slurm key says, in either format. */
typedef struct bad_value {
    const char *key;
    const char *value;   /* as written: a quoted string or a number */
    const char *message; /* after "<path>:<line>[:<column>]: " */
} bad_value;

#define TIME_FORM "a Slurm time such as 30, 01:30:00 or 1-00:00:00 (a bare number is minutes)"
#define MEM_FORM  "a memory size such as 512M or 4G (a bare number is megabytes)"
#define GRES_FORM "a GRES list such as \"gpu:2\" or \"gpu:a100:1,nic:1\" (NAME[:TYPE][:COUNT],...)"
#define NAME_FORM "a name without spaces or control characters"

static const bad_value bad_values[] = {
    {"time", "\"ten minutes\"", "slurm.time \"ten minutes\" is not " TIME_FORM},
    {"time", "\"1:02:03:04\"", "slurm.time \"1:02:03:04\" is not " TIME_FORM},
    {"time", "\"-5\"", "slurm.time \"-5\" is not " TIME_FORM},
    {"time", "\" 30\"", "slurm.time \" 30\" is not " TIME_FORM},
    {"time_min", "\"2-\"", "slurm.time_min \"2-\" is not " TIME_FORM},
    {"driver_time", "\"forever\"", "slurm.driver_time \"forever\" is not " TIME_FORM},
    {"mem", "\"4X\"", "slurm.mem \"4X\" is not " MEM_FORM},
    {"mem", "\"4 G\"", "slurm.mem \"4 G\" is not " MEM_FORM},
    {"mem_per_cpu", "\"-1G\"", "slurm.mem_per_cpu \"-1G\" is not " MEM_FORM},
    {"gres", "\"gpu:a 100\"", "slurm.gres \"gpu:a 100\" is not " GRES_FORM},
    {"gres", "\"gpu:2,\"", "slurm.gres \"gpu:2,\" is not " GRES_FORM},
    {"gres", "\"gpu::2\"", "slurm.gres \"gpu::2\" is not " GRES_FORM},
    {"gres", "\"gpu:a100:0\"", "slurm.gres \"gpu:a100:0\" is not " GRES_FORM},
    {"gpus", "\"a100:0\"", "slurm.gpus \"a100:0\" is not a GPU count \"N\" or \"TYPE:N\""},
    {"gpus_per_task", "\"two\"",
     "slurm.gpus_per_task \"two\" is not a GPU count \"N\" or \"TYPE:N\""},
    {"licenses", "\"matlab:two\"",
     "slurm.licenses \"matlab:two\" is not a license list such as \"matlab:2,fluent\" "
     "(NAME[@SERVER][:COUNT],...)"},
    {"partition", "\"de bug\"", "slurm.partition \"de bug\" is not " NAME_FORM},
    {"partition", "\"\"", "slurm.partition \"\" is not " NAME_FORM},
    {"account", "\"a\\tb\"", "slurm.account \"a\tb\" is not " NAME_FORM},
    {"qos", "\"normal \"", "slurm.qos \"normal \" is not " NAME_FORM},
    {"reservation", "\"r 1\"", "slurm.reservation \"r 1\" is not " NAME_FORM},
    {"driver_partition", "\"long q\"", "slurm.driver_partition \"long q\" is not " NAME_FORM},
    {"constraint", "\"a\\x01\"",
     "slurm.constraint \"a\x01\" is not a text without control "
     "characters"},
    {"nodes", "\"4-2\"", "slurm.nodes \"4-2\" is not a node count \"N\" or a range \"MIN-MAX\""},
    {"cpus_per_task", "70000", "slurm.cpus_per_task must be between 1 and 65535, not 70000"},
    {"cpus_per_task", "0", "slurm.cpus_per_task must be between 1 and 65535, not 0"},
    {"ntasks", "0", "slurm.ntasks must be between 1 and 1000000, not 0"},
    {"ntasks_per_node", "70000", "slurm.ntasks_per_node must be between 1 and 65535, not 70000"},
    {"nice", "2147483647", "slurm.nice must be between -2147483645 and 2147483645, not 2147483647"},
    {"array_throttle", "-1", "slurm.array_throttle must be between 0 and 1000000, not -1"},
    {"requeue_exit_code", "256", "slurm.requeue_exit_code must be between 1 and 255, not 256"},
    {"signal", "\"TERM@60\"",
     "slurm.signal \"TERM@60\" must be USR1@SECONDS or USR2@SECONDS (the batch script forwards "
     "these two to the model), SECONDS from 1 to 65535 (60 when left out)"},
    {"signal", "\"USR1@0\"",
     "slurm.signal \"USR1@0\" must be USR1@SECONDS or USR2@SECONDS (the batch script forwards "
     "these two to the model), SECONDS from 1 to 65535 (60 when left out)"},
    {"export", "\"ALL,A=1\"",
     "slurm.export \"ALL,A=1\" must be ALL, NONE or a comma-separated list of variable names "
     "(set values with slurm.env)"},
};

/* The parameters of both formats' texts, and where the slurm key lands. */
#define CFG_HEAD                                                                                   \
    "script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"                           \
    "parameters = { threads = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; }; };\n"
#define CFG_LINE 4
#define YAML_HEAD                                                                                  \
    "script_options: {run_model: x, experiment_dir: d}\n"                                          \
    "parameters:\n"                                                                                \
    "  threads: {type: range, bounds: [1, 8], value_type: int}\n"
#define YAML_LINE 5

/* slurm.key = value in wjr's format (yaml 0) or BOA's YAML: the text, and
 * the file's name as the return value. */
static const char *slurm_key_text(char *text, size_t size, int yaml, const char *key,
                                  const char *value)
{
    if (yaml)
        snprintf(text, size, YAML_HEAD "slurm:\n  %s: %s\n", key, value);
    else
        snprintf(text, size, CFG_HEAD "slurm = {\n  %s = %s;\n};\n", key, value);
    return yaml ? "t.yaml" : "t.cfg";
}

/* Every option kind: a bad value fails at load with file:line (and the
 * column in YAML), naming the key and the value. */
static void bad_values_name_key_and_value(void **state)
{
    char text[1024], message[1024], what[256];
    size_t i;
    int yaml;
    (void)state;

    for (yaml = 0; yaml < 2; yaml++)
        for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
            const bad_value *b = &bad_values[i];
            const char *name = slurm_key_text(text, sizeof(text), yaml, b->key, b->value);

            if (yaml)
                snprintf(message, sizeof(message), "%d:3: %s", YAML_LINE, b->message);
            else
                snprintf(message, sizeof(message), "%d: %s", CFG_LINE, b->message);
            snprintf(what, sizeof(what), "%s %s = %s", name, b->key, b->value);
            cfx_expect_error(name, text, message, what);
        }
}

/* Every form of every option that Slurm reads passes, in both formats. */
static const char *const good_values[][2] = {
    {"time", "30"},
    {"time", "\"30\""},
    {"time", "\"30:00\""},
    {"time", "\"01:30:00\""},
    {"time", "\"2-12\""},
    {"time", "\"2-12:30\""},
    {"time", "\"2-12:30:15\""},
    {"time", "\"UNLIMITED\""},
    {"time", "\"infinite\""},
    {"time_min", "\"10\""},
    {"driver_time", "\"7-00:00:00\""},
    {"mem", "512"},
    {"mem", "\"512\""},
    {"mem", "\"512K\""},
    {"mem", "\"512M\""},
    {"mem", "\"4G\""},
    {"mem", "\"1T\""},
    {"mem", "\"4g\""},
    {"mem_per_cpu", "\"1G\""},
    {"gres", "\"gpu\""},
    {"gres", "\"gpu:2\""},
    {"gres", "\"gpu:a100\""},
    {"gres", "\"gpu:a100:2\""},
    {"gres", "\"gpu:tesla_v100-32gb:2,nic:1\""},
    {"gres", "\"bandwidth:lustre:4G\""},
    {"gpus", "\"2\""},
    {"gpus", "2"},
    {"gpus", "\"a100:2\""},
    {"licenses", "\"matlab\""},
    {"licenses", "\"matlab:2\""},
    {"licenses", "\"matlab@db:2,fluent\""},
    {"partition", "\"debug\""},
    {"partition", "\"short,long\""},
    {"account", "\"proj-1\""},
    {"qos", "\"normal\""},
    {"reservation", "\"maint\""},
    {"driver_partition", "\"long\""},
    {"constraint", "\"intel&(ib|eth)\""},
    {"nodes", "\"2\""},
    {"nodes", "\"2-4\""},
    {"cpus_per_task", "65535"},
    {"ntasks", "8"},
    {"ntasks_per_node", "4"},
    {"nice", "-5"},
    {"nice", "0"},
    {"array_throttle", "0"},
    {"array_throttle", "5"},
    {"requeue_exit_code", "99"},
    {"signal", "\"USR1@120\""},
    {"signal", "\"B:USR2@60\""},
    {"signal", "\"SIGUSR1\""},
    {"export", "\"ALL\""},
    {"export", "\"NONE\""},
    {"export", "\"PATH,OMP_NUM_THREADS\""},
};

static void good_values_pass(void **state)
{
    char text[1024];
    size_t i;
    int yaml;
    (void)state;

    for (yaml = 0; yaml < 2; yaml++)
        for (i = 0; i < sizeof(good_values) / sizeof(good_values[0]); i++) {
            const char *name =
                slurm_key_text(text, sizeof(text), yaml, good_values[i][0], good_values[i][1]);

            wjr_study_config_free(cfx_load(name, text));
        }
}

/* A value from a parameter is checked when the trial's value is rendered:
 * the error names the parameter, the key and the value. */
static void per_trial_value_checked_when_rendered(void **state)
{
    wjr_study_config *c = NULL;
    wjr_slurm_options o;
    wjr_slurm_extra *x = NULL;
    char *text = NULL, cfg[1024];
    int yaml;
    (void)state;

    for (yaml = 0; yaml < 2; yaml++) {
        c = cfx_load(slurm_key_text(cfg, sizeof(cfg), yaml, "cpus_per_task", "\"{{ threads }}\""),
                     cfg);
        wjr_study_config_slurm_options(&o, c);
        assert_int_equal(wjr_slurm_extra_new(&x, &o), 0);
        assert_int_equal(wjr_slurm_extra_for_trial(&text, x, "{\"threads\": 4}"), 0);
        assert_string_equal(text, "cpus_per_task=4\n");
        free(text);
        assert_int_equal(wjr_slurm_extra_for_trial(&text, x, "{\"threads\": 70000}"), WJR_EINVALID);
        assert_null(text);
        assert_string_equal(wjr_error_last(), "parameter 'threads': slurm.cpus_per_task = 70000 "
                                              "is not a count from 1 to 65535");
        assert_int_equal(wjr_slurm_extra_for_trial(&text, x, "{\"threads\": \"4; reboot\"}"),
                         WJR_EINVALID);
        assert_string_equal(wjr_error_last(), "parameter 'threads': slurm.cpus_per_task = "
                                              "\"4; reboot\" is not a count from 1 to 65535");
        wjr_slurm_extra_free(x);
        wjr_study_config_free(c);
    }
}

static void reads_setup(void **state)
{
    wjr_study_config *c =
        cfx_load("t.cfg", "script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
                          "  setup = ( \"module load gcc/12\", \"source 'v e'/bin/activate\" "
                          "); };\n");
    wjr_script_options so;
    (void)state;

    wjr_study_config_script_options(&so, c);
    assert_string_equal(so.setup, "module load gcc/12\nsource 'v e'/bin/activate");
    wjr_study_config_free(c);
    c = cfx_load("t.cfg", "script_options = { run_model = \"x\"; experiment_dir = \"d\";\n"
                          "  setup = \"module load gcc/12\"; };\n");
    wjr_study_config_script_options(&so, c);
    assert_string_equal(so.setup, "module load gcc/12");
    wjr_study_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_key),  cmocka_unit_test(errors_name_lines),
        cmocka_unit_test(reads_setup),      cmocka_unit_test(bad_values_name_key_and_value),
        cmocka_unit_test(good_values_pass), cmocka_unit_test(per_trial_value_checked_when_rendered),
    };
    return cmocka_run_group_tests(tests, cfx_setup, cfx_teardown);
}
