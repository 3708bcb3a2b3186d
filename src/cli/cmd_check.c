/*
 * cmd_check.c - `wjr check CONFIG`: validate a configuration and ask the
 * cluster whether it can run it (partition, MaxArraySize, limits, and
 * slurmctld's test of the first trial's job). Submits nothing and writes
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

/* "WHAT [NAME]: a:4, b:2" (without counts: "a, b"), or "none". */
static void print_items(const char *what, const char *name, const wjr_cluster_item *v, size_t n,
                        int counts)
{
    size_t i;

    printf("%s%s%s:", what, name ? " " : "", name ? name : "");
    for (i = 0; i < n; i++) {
        printf("%s %s", i ? "," : "", v[i].name);
        if (counts)
            printf(":%u", (unsigned)v[i].count);
    }
    printf("%s\n", n == 0 ? " none" : "");
}

/* "features of partition P: a, b", those its nodes have, when there are. */
static void print_features(const wjr_cluster_info *info)
{
    size_t i, n = 0;

    for (i = 0; i < info->n_features; i++) {
        if (info->features[i].count == 0)
            continue;
        if (n++ == 0)
            printf("features of partition %s:",
                   info->partition != NULL ? info->partition : "(default)");
        printf("%s %s", n > 1 ? "," : "", info->features[i].name);
    }
    if (n > 0)
        printf("\n");
}

/* What slurmctld said of the first trial's job, as sbatch --test-only
 * says it: when, where, with how many CPUs. */
static void print_trial(const wjr_cluster_info *info)
{
    char when[64] = "now";
    time_t start = (time_t)info->trial_start;
    struct tm tm;

    if (!info->trial_tested) {
        if (info->trial_not_now != NULL)
            printf("first trial: slurmctld would take its job, to start later (the warning "
                   "above)\n");
        return;
    }
    /* a start within the minute is now, as the backfill's estimate goes */
    if (start > time(NULL) + 60 && localtime_r(&start, &tm) != NULL)
        strftime(when, sizeof(when), "at %Y-%m-%dT%H:%M:%S", &tm);
    printf("first trial: slurmctld would start its job %s, on %s in partition %s (%u CPU%s)\n",
           when, info->trial_nodes != NULL ? info->trial_nodes : "?",
           info->trial_partition != NULL ? info->trial_partition : "?", (unsigned)info->trial_cpus,
           info->trial_cpus == 1 ? "" : "s");
    if (info->trial_ends_tested > 0)
        printf("trials at the ends of the parameters the options take: %u more job%s tested, "
               "slurmctld would take %s\n",
               (unsigned)info->trial_ends_tested, info->trial_ends_tested == 1 ? "" : "s",
               info->trial_ends_tested == 1 ? "it" : "each");
}

static int run(int argc, char **argv)
{
    wjr_cluster_info *info = NULL;
    wjr_study_config *config = NULL;
    char *strategy = NULL;
    int first, code, error;
    int64_t total;
    size_t n;

    if (cli_parse(&first, &code, &cli_cmd_check, argc, argv, "", NULL, NULL, NULL))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_check, "expected one CONFIG file");
    error = wjr_study_check(&info, &config, argv[first]);
    if (error == 0) {
        cli_print_warnings("check", config);
        total = wjr_study_config_total_trials(config);
        n = wjr_study_config_param_count(config);
        printf("config: %s is valid: %zu parameter%s, ", argv[first], n, n == 1 ? "" : "s");
        if (total < 0)
            printf("total_trials unset (wjr run needs it, wjr submit does not)\n");
        else
            printf("total_trials %lld\n", (long long)total);
        if (wjr_study_config_strategy(&strategy, config) == 0)
            printf("strategy: %s\n", strategy);
        printf("experiment_dir: %s\n", wjr_study_config_experiment_dir(config));
        printf("cluster: %s, Slurm %s, accounting %s\n",
               info->cluster_name != NULL ? info->cluster_name : "?",
               info->slurm_version != NULL ? info->slurm_version : "?",
               info->has_accounting ? "yes" : "no");
        if (info->partition != NULL || info->partition_is_default)
            printf("partition: %s%s, MaxTime %s\n",
                   info->partition != NULL ? info->partition : "found",
                   info->partition_is_default ? " (the cluster's default)" : "",
                   info->partition_max_time != NULL ? info->partition_max_time : "?");
        else /* a list: the job starts in the first that can run it */
            printf("partitions: each found, MaxTime %s\n",
                   info->partition_max_time != NULL ? info->partition_max_time : "?");
        printf("limits: MaxArraySize %u, MaxJobCount %u, MinJobAge %u s\n",
               (unsigned)info->max_array_size, (unsigned)info->max_job_count,
               (unsigned)info->min_job_age);
        if (info->reservations_known)
            print_items("reservations", NULL, info->reservations, info->n_reservations, 0);
        if (info->licenses_known)
            print_items("licenses", NULL, info->licenses, info->n_licenses, 1);
        if (info->n_gres > 0)
            print_items("gres of partition", info->partition, info->gres, info->n_gres, 1);
        if (info->node_max_memory > 0)
            printf("memory of partition %s: RealMemory up to %llu MB a node\n",
                   info->partition != NULL ? info->partition : "(default)",
                   (unsigned long long)info->node_max_memory);
        if (info->node_max_threads > 0)
            printf("threads per core of partition %s: up to %u a node\n",
                   info->partition != NULL ? info->partition : "(default)",
                   (unsigned)info->node_max_threads);
        print_features(info);
        print_trial(info);
        code = CLI_EXIT_OK;
    } else {
        code = cli_fail("check", error);
    }
    wjr_cluster_info_free(info);
    wjr_study_config_free(config);
    free(strategy);
    return code;
}

const cli_command cli_cmd_check = {
    "check", "validate CONFIG and reach the cluster, submitting nothing",
    "usage: wjr check CONFIG\n"
    "\n"
    "Validate the study configuration, libconfig or BOA's YAML (every error\n"
    "names file:line, and the column in YAML), including its generation\n"
    "strategy (SOBOL, RANDOM, GPEI steps) and its parameter and outcome\n"
    "constraints, and print the strategy. An outcome constraint on a metric\n"
    "no objective declares is valid (the model must report it, or every trial\n"
    "fails) but gets a warning naming the declared metrics and the closest one.\n"
    "Then ask the Slurm controller for its limits: the partition exists (the\n"
    "default one when none is set) and is large enough for nodes, ntasks and\n"
    "cpus_per_task; MaxArraySize, MaxJobCount, MinJobAge, accounting; and, when\n"
    "the config names them, that the reservation exists, that the cluster has\n"
    "the licenses, that a node of the partition has the GRES and GPU types\n"
    "asked for, the memory (mem, or mem_per_cpu x cpus_per_task x\n"
    "ntasks_per_node) and every feature slurm.constraint names. A time_min\n"
    "longer than time is refused with the file's other errors. Last, ask\n"
    "slurmctld whether it would take the first trial's job, as sbatch\n"
    "--test-only asks: its refusal (an account, a QOS, a limit, the site's\n"
    "job_submit plugin) is an error with Slurm's message, else it prints when\n"
    "and where the job would start. Warns when experiment_dir already holds\n"
    "a study (wjr run refuses it: resume it). Submits nothing, writes nothing.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n"
    "\n"
    "Exit: 0 ready, 2 configuration error (a partition or resource the\n"
    "cluster lacks included), 3 cluster unreachable, or slurmctld refuses the\n"
    "trials' jobs.\n",
    run};
