/*
 * cluster_check.c - unit tests of what `wjr check` (wjr_study_check) asks
 * the controller beyond its configuration: a reservation that exists, the
 * licenses the cluster has, the GRES and GPU types of the partition's
 * nodes. Each is asked only when the configuration names it, one RPC each;
 * a value the cluster cannot satisfy is refused with file:line and what the
 * cluster has; a failed RPC is the controller's error, not a verdict. Also
 * the splitter of GRES, license and GPU items both sides use, the
 * time_min the configuration refuses at load, before any RPC, a time
 * limit past the partition's MaxTime, what a list of partitions reports,
 * and a cluster asked its configuration once for the check and the first
 * submission.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "slurm_values.h"
#include "test_util.h"

/* Write SLURM_GROUP after a minimal study into <dir>/c.cfg, then the
 * PARAMETERS group (its members), and check it: wjr_study_check's code;
 * the message stays in wjr_error_last(). */
static int check_params(tu_fixture *f, const char *slurm_group, const char *parameters)
{
    char *path = tu_path(f->dir, "c.cfg"), text[1024];
    wjr_cluster_info *info = NULL;
    int rc;

    snprintf(text, sizeof(text),
             "script_options = { run_model = \"true\"; experiment_dir = \"e\"; };\n"
             "slurm = {\n%s\n};\n%s%s%s",
             slurm_group, parameters ? "parameters = { " : "", parameters ? parameters : "",
             parameters ? " };\n" : "");
    tu_write(path, text);
    rc = wjr_study_check(&info, NULL, path);
    if (rc < 0)
        assert_null(info); /* nothing for the caller to free on error */
    else
        assert_non_null(info);
    wjr_cluster_info_free(info);
    free(path);
    return rc;
}

static int check(tu_fixture *f, const char *slurm_group)
{
    return check_params(f, slurm_group, NULL);
}

/* The slurm group is refused (WJR_ECONFIG) with what in the message. */
static void assert_refused(tu_fixture *f, const char *slurm_group, const char *what)
{
    assert_int_equal(check(f, slurm_group), WJR_ECONFIG);
    tu_assert_error_has(what);
}

static void the_cluster(void)
{
    mock_add_partition("debug", 0);
    mock_add_partition("gpu", 0);
    mock_add_reservation("maint");
    mock_add_reservation("week");
    mock_add_license("matlab", 4);
    mock_add_license("fluent@flexlm", 2);
    mock_set_node_gres("gpu:a100:2(S:0-1),gpu:v100:1(S:0,2),nic:1,bandwidth:4M");
}

static void items_split_as_slurm_reads_them(void **state)
{
    const char *p = "gpu:a100:2(S:0,1),nic,gpu:3,mps:k80,bw:4G";
    wjr_slurm_item it;

    (void)state;
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_int_equal(it.name_len, 3);
    assert_memory_equal(it.name, "gpu", 3);
    assert_int_equal(it.type_len, 4);
    assert_memory_equal(it.type, "a100", 4);
    assert_int_equal(it.count, 2); /* the comma inside "(S:0,1)" ends nothing */
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_memory_equal(it.name, "nic", 3);
    assert_null(it.type);
    assert_int_equal(it.count, 1);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_null(it.type);
    assert_int_equal(it.count, 3);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_memory_equal(it.type, "k80", 3); /* name:type, no count */
    assert_int_equal(it.count, 1);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_int_equal(it.count, 4ULL << 30);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 0);

    p = "matlab@db:3,fluent";
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_LICENSE), 1);
    assert_int_equal(it.name_len, 9);
    assert_memory_equal(it.name, "matlab@db", 9);
    assert_int_equal(it.count, 3);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_LICENSE), 1);
    assert_int_equal(it.count, 1);
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_LICENSE), 0);

    p = "a100:2";
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GPUS), 1);
    assert_memory_equal(it.name, "gpu", 3);
    assert_memory_equal(it.type, "a100", 4);
    assert_int_equal(it.count, 2);
    p = "4";
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GPUS), 1);
    assert_null(it.type);
    assert_int_equal(it.count, 4);
    p = "gpu:99999999999999999999999";
    assert_int_equal(wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES), 1);
    assert_int_equal(it.count, 0); /* too large reads as malformed, not wrapped */
}

static void what_exists_passes_with_one_rpc_each(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    char *path = tu_path(f->dir, "c.cfg");

    the_cluster();
    assert_int_equal(check(f, "partition = \"gpu\"; reservation = \"week\";\n"
                              "licenses = \"matlab:4,fluent@flexlm\"; gres = \"gpu:a100:2,nic\";\n"
                              "gpus = \"v100:2\"; gpus_per_task = \"v100:1\";"),
                     0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_RESERVATIONS), 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_LICENSES), 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);

    /* what the caller gets: the node's totals by name and by type */
    assert_int_equal(wjr_study_check(&info, NULL, path), 0);
    assert_int_equal(info->gres_known, 1);
    assert_int_equal(info->n_gres, 5); /* gpu, gpu:a100, gpu:v100, nic, bandwidth */
    assert_string_equal(info->gres[0].name, "gpu");
    assert_int_equal(info->gres[0].count, 3);
    assert_string_equal(info->gres[1].name, "gpu:a100");
    assert_int_equal(info->gres[1].count, 2);
    assert_int_equal(info->n_licenses, 2);
    assert_string_equal(info->licenses[1].name, "fluent@flexlm");
    assert_int_equal(info->licenses[1].count, 2);
    assert_int_equal(info->n_reservations, 2);
    wjr_cluster_info_free(info);
    free(path);
}

static void nothing_named_asks_nothing_more(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    assert_int_equal(check(f, "partition = \"debug\";"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_RESERVATIONS), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_LICENSES), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 0);
    /* a trial's own value comes from a parameter: unknown before the trial */
    mock_set_node_gres(NULL);
    assert_int_equal(check(f, "partition = \"debug\"; reservation = \"week\";"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 0);
}

static void what_is_missing_is_refused_with_its_line(void **state)
{
    tu_fixture *f = *state;
    char expect[512];

    the_cluster();
    assert_int_equal(check(f, "partition = \"debug\";\nreservation = \"maint2\";"), WJR_ECONFIG);
    snprintf(expect, sizeof(expect),
             "%s/c.cfg:4: slurm.reservation \"maint2\" does not exist on cluster mockcluster, or "
             "has ended (it has: maint, week)",
             f->dir);
    assert_string_equal(wjr_error_last(), expect);

    /* a partition the cluster does not have: its line, and the ones it has */
    assert_int_equal(check(f, "time = \"10\";\npartition = \"debg\";"), WJR_ECONFIG);
    snprintf(expect, sizeof(expect),
             "%s/c.cfg:4: slurm.partition \"debg\" does not exist on cluster mockcluster (it "
             "has: debug, gpu)",
             f->dir);
    assert_string_equal(wjr_error_last(), expect);
    /* a list, as sbatch -p takes it: each must exist, and the missing one
     * is named; when all do, nothing is refused */
    assert_int_equal(check(f, "partition = \"debug,gpu\";"), 0);
    assert_int_equal(check(f, "partition = \"debug,gpu2\";"), WJR_ECONFIG);
    tu_assert_error_has("slurm.partition \"gpu2\" does not exist on cluster mockcluster (it has: "
                        "debug, gpu)");

    /* every name of a list must exist, not only the last */
    assert_int_equal(check(f, "reservation = \"nosuch,week\";"), WJR_ECONFIG);
    tu_assert_error_has("slurm.reservation \"nosuch\" does not exist");

    assert_int_equal(check(f, "partition = \"debug\";\n\nlicenses = \"matlab:5\";"), WJR_ECONFIG);
    tu_assert_error_has("c.cfg:5: slurm.licenses asks for 5 of license \"matlab\", cluster "
                        "mockcluster has 4 in all (it has: matlab:4, fluent@flexlm:2)");
    /* a license of another server is another license */
    assert_int_equal(check(f, "licenses = \"fluent\";"), WJR_ECONFIG);
    tu_assert_error_has("license \"fluent\", which cluster mockcluster does not have");

    assert_int_equal(check(f, "gres = \"gpu:h100:1\";"), WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.gres asks for \"gpu:h100\", which no node of partition "
                        "debug has (its nodes have: gpu:3, gpu:a100:2, gpu:v100:1, nic:1, "
                        "bandwidth:4194304)");
    assert_int_equal(check(f, "gres = \"gpu:v100:2\";"), WJR_ECONFIG);
    tu_assert_error_has("slurm.gres asks for 2 \"gpu:v100\" per node, the most a node of "
                        "partition debug has is 1");
    assert_int_equal(check(f, "gpus_per_task = \"4\"; ntasks = 1;"), WJR_ECONFIG);
    tu_assert_error_has("slurm.gpus_per_task asks for 4 \"gpu\" per node");
    /* --gpus counts the job's GPUs over all its nodes: only the type is checked */
    assert_int_equal(check(f, "gpus = \"a100:8\";"), 0);
    assert_int_equal(check(f, "gpus = \"t4:1\";"), WJR_ECONFIG);
    tu_assert_error_has("slurm.gpus asks for \"gpu:t4\", which no node");
    /* --gpus-per-node is what one node must have */
    assert_int_equal(check(f, "gpus_per_node = \"a100:2\";"), 0);
    assert_int_equal(check(f, "gpus_per_node = \"a100:4\";"), WJR_ECONFIG);
    tu_assert_error_has("slurm.gpus_per_node asks for 4 \"gpu:a100\" per node, the most a node of "
                        "partition debug has is 2");

    mock_set_node_gres(NULL);
    assert_int_equal(check(f, "gpus = \"1\";"), WJR_ECONFIG);
    tu_assert_error_has("\"gpu\", which no node of partition debug has (its nodes have: none)");
}

static void a_time_min_past_the_time_limit_is_refused_at_load(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    assert_refused(f, "time = \"1:00:00\";\ntime_min = \"90\";",
                   "c.cfg:4: slurm.time_min \"90\" is longer than slurm.time \"1:00:00\"");
    assert_refused(f, "time = 30; time_min = \"UNLIMITED\";",
                   "slurm.time_min \"UNLIMITED\" is longer than slurm.time \"30\"");
    /* refused before the controller is asked anything */
    assert_int_equal(mock_rpc_count(MOCK_RPC_CONF), 0);

    assert_int_equal(check(f, "time = \"1:00:00\"; time_min = 60;"), 0);
    assert_int_equal(check(f, "time = \"2-00:00:00\"; time_min = \"1-12\";"), 0);
    /* time "0" is no limit: any time_min fits; time_min "0" is not sent */
    assert_int_equal(check(f, "time = \"0\"; time_min = \"7-00:00:00\";"), 0);
    assert_int_equal(check(f, "time = 0; time_min = \"UNLIMITED\";"), 0);
    assert_int_equal(check(f, "time = \"UNLIMITED\"; time_min = \"UNLIMITED\";"), 0);
    assert_int_equal(check(f, "time = 30; time_min = 0;"), 0);
    /* without time the partition's default applies: not known at load */
    assert_int_equal(check(f, "time_min = \"7-00:00:00\";"), 0);
}

/* slurmctld checks a job's GPU counts against each other and its nodes
 * and refuses what does not add up: caught at load, with the line. */
static void gpu_counts_slurm_refuses_are_refused_at_load(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    assert_refused(f, "gpus_per_task = \"1\";",
                   "c.cfg:3: slurm.gpus_per_task needs slurm.ntasks, slurm.ntasks_per_node or "
                   "slurm.gpus");
    assert_refused(f, "gpus = \"a100:3\"; gpus_per_task = \"a100:2\";",
                   "slurm.gpus \"a100:3\" is not a multiple of slurm.gpus_per_task \"a100:2\"");
    assert_refused(f, "gpus = \"3\";\ngpus_per_node = \"2\";",
                   "c.cfg:3: slurm.gpus \"3\" is not a multiple of the 2 GPUs per node of "
                   "slurm.gpus_per_node");
    assert_refused(f, "gpus = \"5\"; gres = \"gpu:2,nic\";",
                   "slurm.gpus \"5\" is not a multiple of the 2 GPUs per node of slurm.gres");
    assert_refused(f, "gpus_per_node = \"3\"; ntasks = 2;\ngpus_per_task = \"2\";",
                   "c.cfg:4: the 3 GPUs per node of slurm.gpus_per_node are not a multiple of "
                   "slurm.gpus_per_task \"2\"");
    assert_refused(f, "nodes = \"4-8\"; gpus = \"2\";",
                   "slurm.gpus \"2\" is fewer GPUs than the 4 nodes of slurm.nodes");
    /* a type in one request and none in another */
    assert_refused(f, "gpus = \"a100:2\";\ngpus_per_task = \"1\"; ntasks = 2;",
                   "c.cfg:4: slurm.gpus_per_task asks for GPUs without a type where another GPU "
                   "request names one");
    assert_refused(f, "gres = \"gpu:a100:1,nic,gpu:1\";",
                   "slurm.gres asks for GPUs without a type where another GPU request names one");
    assert_refused(f, "gpus = \"2\"; gpus_per_node = \"a100:1\";",
                   "slurm.gpus_per_node asks for GPUs with a type where another GPU request has "
                   "none");
    assert_int_equal(mock_rpc_count(MOCK_RPC_CONF), 0);

    assert_int_equal(check(f, "gpus_per_task = \"1\"; ntasks = 2;"), 0);
    assert_int_equal(check(f, "gres = \"gpu:a100:1,nic\"; gpus = \"a100:1\"; cpus_per_gpu = 2;"),
                     0);
    assert_int_equal(check(f, "gpus_per_task = \"1\"; ntasks_per_node = 1;"), 0);
    assert_int_equal(check(f, "gpus = \"a100:4\"; gpus_per_task = \"a100:2\";"), 0);
    assert_int_equal(check(f, "gpus = \"4\"; gpus_per_node = \"2\"; gpus_per_task = \"1\";"), 0);
    assert_int_equal(check(f, "nodes = \"2-4\"; gpus = \"2\";"), 0);
    /* counts of different types are separate requests to Slurm */
    assert_int_equal(check(f, "gpus = \"v100:3\"; gres = \"gpu:a100:2\";"), 0);
    /* a count from a parameter is known per trial only */
    assert_int_equal(
        check_params(f, "gpus_per_task = \"1\"; ntasks = \"{{ n }}\";",
                     "n = { type = \"range\"; bounds = [1, 4]; value_type = \"int\"; };"),
        0);
}

/* Partition short has MaxTime 60 minutes; debug and gpu none (0). */
static void a_time_past_the_partitions_max_time_is_refused(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    mock_add_partition("short", 60);
    assert_int_equal(check(f, "partition = \"short\"; time = \"1:00:00\";"), 0);
    assert_int_equal(check(f, "partition = \"short\";"), 0); /* DefaultTime applies */
    assert_int_equal(check(f, "partition = \"debug\"; time = \"7-00:00:00\";"), 0);
    /* time_min within MaxTime: Slurm may cut the limit down to fit */
    assert_int_equal(check(f, "partition = \"short\"; time = \"2:00:00\"; time_min = 45;"), 0);
    /* a QOS may lift the partition's limit (flag PartitionTimeLimit) */
    assert_int_equal(check(f, "partition = \"short\"; time = \"2:00:00\"; qos = \"long\";"), 0);

    assert_refused(f, "partition = \"short\";\ntime = \"1:30:00\";",
                   "c.cfg:4: slurm.time asks for 90 minutes, partition short allows 60 minutes "
                   "(MaxTime): Slurm would leave every trial pending (reason PartitionTimeLimit); "
                   "set a shorter time, or a time_min within it");
    assert_refused(f, "partition = \"short\"; time = \"UNLIMITED\";",
                   "slurm.time asks for no time limit, partition short allows 60 minutes");
    assert_refused(f, "partition = \"short\"; time = \"3:00:00\";\ntime_min = \"2:00:00\";",
                   "c.cfg:4: slurm.time_min asks for 120 minutes, partition short allows 60 "
                   "minutes (MaxTime): Slurm would leave every trial pending (reason "
                   "PartitionTimeLimit)");
    /* the longest time a parameter can give */
    assert_int_equal(check_params(f, "partition = \"short\"; time = \"{{ t }}\";",
                                  "t = { type = \"choice\"; values = [\"30\", \"1-00\"]; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.time asks for 1440 minutes, partition short");
    assert_int_equal(check_params(f, "partition = \"short\"; time = \"{{ t }}\";",
                                  "t = { type = \"choice\"; values = [\"30\", \"59\"]; };"),
                     0);

    /* a list: the job runs in one that can take it, so the time must fit
     * the longest MaxTime of the list, and anything fits an unlimited one */
    mock_add_partition("medium", 120);
    assert_int_equal(check(f, "partition = \"short,medium\"; time = \"2:00:00\";"), 0);
    assert_refused(f, "partition = \"short,medium\";\ntime = \"2:30:00\";",
                   "c.cfg:4: slurm.time asks for 150 minutes, partitions short,medium allow at "
                   "most 120 minutes (MaxTime)");
    assert_int_equal(check(f, "partition = \"short,debug\"; time = \"7-00:00:00\";"), 0);
}

/* mocknode (debug and gpu) has 16000 MB, bignode (gpu only) 64000 MB. */
static void memory_beyond_every_node_is_refused(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    mock_set_node_memory(16000);
    mock_add_node("bignode", "gpu", 64000, NULL);
    assert_int_equal(check(f, "partition = \"debug\"; mem = \"15G\";"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 1);
    assert_int_equal(check(f, "partition = \"debug\"; mem = 16000;"), 0);
    assert_int_equal(check(f, "partition = \"gpu\"; mem = \"60G\";"), 0);
    assert_int_equal(check(f, "mem_per_cpu = \"4000M\"; cpus_per_task = 4;"), 0);
    assert_int_equal(check(f, "mem = 0;"), 0); /* all of a node's memory */
    assert_int_equal(check_params(f, "mem = \"{{ m }}\";",
                                  "m = { type = \"choice\"; values = [\"1G\", \"8G\"]; };"),
                     0);

    assert_refused(f, "partition = \"debug\";\nmem = \"60G\";",
                   "c.cfg:4: slurm.mem asks for 61440 MB per node, the most a node of "
                   "partition debug has is 16000 MB (RealMemory)");
    assert_refused(f, "cpus_per_task = 4;\nmem_per_cpu = \"4G\";",
                   "c.cfg:4: slurm.mem_per_cpu asks for 4096 MB for each of the 4 CPUs of a "
                   "node (cpus_per_task x ntasks_per_node), the most a node of partition debug "
                   "has is 16000 MB");
    assert_refused(f, "mem_per_cpu = \"5G\"; cpus_per_task = 2; ntasks_per_node = 2;",
                   "for each of the 4 CPUs of a node");
    /* the largest value a parameter can give */
    assert_int_equal(check_params(f, "mem = \"{{ m }}\";",
                                  "m = { type = \"choice\"; values = [\"1G\", \"32G\"]; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.mem asks for 32768 MB per node");
    assert_int_equal(check_params(f, "mem_per_cpu = \"1G\"; cpus_per_task = \"{{ c }}\";",
                                  "c = { type = \"range\"; bounds = [1, 32]; value_type = "
                                  "\"int\"; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("slurm.mem_per_cpu asks for 1024 MB for each of the 32 CPUs");

    /* mem_per_gpu, for each GPU a node runs (at least one) */
    assert_int_equal(check(f, "partition = \"debug\"; mem_per_gpu = \"10G\";"), 0);
    assert_int_equal(check(f, "partition = \"gpu\"; mem_per_gpu = \"10G\"; gpus_per_node = 2;"), 0);
    assert_refused(f, "partition = \"debug\";\nmem_per_gpu = \"20G\";",
                   "c.cfg:4: slurm.mem_per_gpu asks for 20480 MB for each of the 1 GPUs of a "
                   "node (gpus_per_node or the gpus in gres), the most a node of partition "
                   "debug has is 16000 MB (RealMemory)");
    assert_refused(f, "partition = \"debug\"; gpus_per_node = \"a100:2\";\nmem_per_gpu = \"10G\";",
                   "c.cfg:4: slurm.mem_per_gpu asks for 10240 MB for each of the 2 GPUs");
    assert_refused(f, "partition = \"debug\"; gres = \"gpu:a100:2,nic:1\";\nmem_per_gpu = 9000;",
                   "c.cfg:4: slurm.mem_per_gpu asks for 9000 MB for each of the 2 GPUs");
    assert_int_equal(check_params(f, "mem_per_gpu = \"{{ m }}\";",
                                  "m = { type = \"choice\"; values = [\"1G\", \"20G\"]; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.mem_per_gpu asks for 20480 MB for each of the 1 GPUs");
    assert_int_equal(check_params(f, "mem_per_gpu = \"6G\"; gpus_per_node = \"{{ g }}\";",
                                  "g = { type = \"range\"; bounds = [1, 3]; value_type = "
                                  "\"int\"; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("for each of the 3 GPUs");

    /* a node that reports no RealMemory: nothing to compare with */
    mock_set_node_memory(0);
    assert_int_equal(check(f, "partition = \"debug\"; mem = \"1T\";"), 0);
}

/* slurmctld refuses more threads per core than a node has; a hint asks
 * for one at most, and asks nothing of the nodes. */
static void threads_beyond_every_node_are_refused(void **state)
{
    tu_fixture *f = *state;
    int before;

    the_cluster();
    mock_set_node_threads(2);
    assert_int_equal(check(f, "partition = \"debug\"; threads_per_core = 2;"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 1);
    before = mock_rpc_count(MOCK_RPC_NODES);
    assert_int_equal(check(f, "hint = \"compute_bound\";"), 0);
    assert_int_equal(check(f, "threads_per_core = 1;"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), before);
    assert_refused(f, "partition = \"debug\";\nthreads_per_core = 4;",
                   "c.cfg:4: slurm.threads_per_core asks for 4 threads per core, the most a "
                   "node of partition debug has is 2 (ThreadsPerCore)");
    /* the largest value a parameter can give */
    assert_int_equal(check_params(f, "threads_per_core = \"{{ t }}\";",
                                  "t = { type = \"range\"; bounds = [1, 3]; value_type = "
                                  "\"int\"; };"),
                     WJR_ECONFIG);
    tu_assert_error_has("c.cfg:3: slurm.threads_per_core asks for 3 threads per core");
    /* a node that reports no threads: nothing to compare with */
    mock_set_node_threads(0);
    assert_int_equal(check(f, "threads_per_core = 8;"), 0);
}

/* mocknode (debug and gpu): intel, ib, rack1; amdnode (gpu only): amd,
 * ib, rack2. */
static void a_feature_no_node_has_is_refused(void **state)
{
    tu_fixture *f = *state;
    wjr_cluster_info *info = NULL;
    char *path = tu_path(f->dir, "c.cfg");

    the_cluster();
    mock_set_node_features("intel,ib,rack1");
    mock_add_node("amdnode", "gpu", 0, "amd,ib,rack2");
    assert_int_equal(check(f, "partition = \"debug\"; constraint = \"intel&ib\";"), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_NODES), 1);
    assert_int_equal(check(f, "partition = \"debug\"; constraint = \"intel,ib\";"), 0);
    assert_int_equal(check(f, "partition = \"gpu\"; constraint = \"[rack1*1&rack2*2]\";"), 0);
    /* an alternative only other partitions' nodes have is Slurm's to skip */
    assert_int_equal(check(f, "partition = \"debug\"; constraint = \"[rack1|rack2]\";"), 0);
    assert_int_equal(check(f, "partition = \"debug\"; constraint = \"(intel|amd)&ib\";"), 0);

    /* what the caller gets: each feature with the partition's nodes that have it */
    assert_int_equal(wjr_study_check(&info, NULL, path), 0);
    assert_int_equal(info->n_features, 5); /* intel, ib, rack1, amd, rack2 */
    assert_string_equal(info->features[1].name, "ib");
    assert_int_equal(info->features[1].count, 1);
    assert_string_equal(info->features[3].name, "amd");
    assert_int_equal(info->features[3].count, 0);
    wjr_cluster_info_free(info);
    free(path);

    assert_refused(f, "partition = \"debug\";\nconstraint = \"intle&ib\";",
                   "c.cfg:4: slurm.constraint asks for feature \"intle\", which no node of "
                   "partition debug has (did you mean \"intel\"?) (its nodes have: intel, ib, "
                   "rack1)");
    assert_refused(f, "partition = \"debug\"; constraint = \"[intel*1&amd*1]\";",
                   "feature \"amd\", which no node of partition debug has (nodes of other "
                   "partitions do)");
    assert_refused(f, "partition = \"gpu\"; constraint = \"amd|nosuch\";",
                   "feature \"nosuch\", which no node of partition gpu has (its nodes have: "
                   "intel, ib, rack1, amd, rack2)");

    /* prefer is a wish: a feature of other partitions' nodes passes, one
     * that no node has is refused, as slurmctld refuses it */
    assert_int_equal(check(f, "partition = \"debug\"; prefer = \"amd&rack2\";"), 0);
    assert_int_equal(check(f, "partition = \"debug\"; prefer = \"rack1\"; constraint = \"ib\";"),
                     0);
    assert_refused(f, "partition = \"debug\";\nprefer = \"rack3\";",
                   "c.cfg:4: slurm.prefer asks for feature \"rack3\", which no node of "
                   "partition debug has (did you mean \"rack1\"?)");
}

static void a_failed_rpc_is_the_controllers_error(void **state)
{
    tu_fixture *f = *state;

    the_cluster();
    mock_fail(MOCK_RPC_LICENSES, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(check(f, "licenses = \"nosuch\";"), WJR_EUNREACHABLE);
    tu_assert_error_has("slurm_load_licenses");
    mock_fail(MOCK_RPC_RESERVATIONS, 1, ESLURM_ACCESS_DENIED);
    assert_int_equal(check(f, "reservation = \"nosuch\";"), WJR_ESLURM);
    tu_assert_error_has("slurm_load_reservations");
    mock_fail(MOCK_RPC_NODES, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(check(f, "gres = \"nic\";"), WJR_EUNREACHABLE);
    tu_assert_error_has("slurm_load_node");
    mock_fail(MOCK_RPC_NODES, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(check(f, "constraint = \"nosuch\";"), WJR_EUNREACHABLE);
    assert_int_equal(mock_outstanding(), 0);
}

/* What the backend says of a list of partitions: found when each is, no
 * one partition (its job's is known only when it starts), and each
 * one's MaxTime in the list's order. */
static void a_list_of_partitions_says_each_max_time(void **state)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_backend *b = NULL;
    wjr_cluster_info *info = NULL;

    (void)state;
    mock_add_partition("debug", UINT32_MAX); /* Slurm's INFINITE */
    mock_add_partition("gpu", 120);
    so.partition = "gpu,debug";
    assert_int_equal(wjr_backend_slurm_new(&b, &so), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, b), 0);
    assert_int_equal(info->partition_found, 1);
    assert_null(info->partition);
    assert_int_equal(info->partition_is_default, 0);
    assert_string_equal(info->partition_max_time, "gpu: 120 minutes, debug: UNLIMITED");
    assert_int_equal(info->partition_max_minutes, 0); /* debug has no limit */
    wjr_cluster_info_free(info);
    wjr_backend_free(b);

    mock_add_partition("short", 30);
    so.partition = "short,gpu";
    assert_int_equal(wjr_backend_slurm_new(&b, &so), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, b), 0);
    assert_int_equal(info->partition_max_minutes, 120); /* the longest of the list */
    wjr_cluster_info_free(info);
    wjr_backend_free(b);

    so.partition = "gpu,nosuch,debug";
    assert_int_equal(wjr_backend_slurm_new(&b, &so), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, b), 0);
    assert_int_equal(info->partition_found, 0);
    assert_string_equal(info->partition_max_time, "gpu: 120 minutes, debug: UNLIMITED");
    wjr_cluster_info_free(info);
    wjr_backend_free(b);
}

/* A runner whose backend was asked for the cluster's limits does not ask
 * the controller's configuration again at its first submission. */
static void the_cluster_is_asked_once(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_backend *b = NULL;
    wjr_cluster_info *info = NULL;

    mock_add_partition("debug", 0);
    so.partition = "debug";
    assert_int_equal(wjr_backend_slurm_new(&b, &so), 0);
    assert_int_equal(wjr_backend_cluster_info(&info, b), 0);
    assert_string_equal(info->cluster_name, "mockcluster");
    wjr_cluster_info_free(info);
    assert_int_equal(mock_rpc_count(MOCK_RPC_CONF), 1);
    ro.experiment_dir = f->dir;
    ro.study_id = TU_STUDY;
    assert_int_equal(wjr_runner_new(&f->runner, b, tu_plain_wrapper("true"), &ro), 0);
    wjr_runner_set_lookup_wait(f->runner, 0);
    assert_non_null(tu_run(f, 0, "{}"));
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_CONF), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_split_as_slurm_reads_them),
        cmocka_unit_test_setup_teardown(what_exists_passes_with_one_rpc_each, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(nothing_named_asks_nothing_more, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(what_is_missing_is_refused_with_its_line, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(gpu_counts_slurm_refuses_are_refused_at_load, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_time_min_past_the_time_limit_is_refused_at_load, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_time_past_the_partitions_max_time_is_refused, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(memory_beyond_every_node_is_refused, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(threads_beyond_every_node_are_refused, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_feature_no_node_has_is_refused, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(a_failed_rpc_is_the_controllers_error, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(a_list_of_partitions_says_each_max_time, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(the_cluster_is_asked_once, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
