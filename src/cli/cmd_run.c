/*
 * cmd_run.c - `wjr run CONFIG`: create a study from a configuration file
 * and drive it to its end. Refuses a directory that already holds a study
 * (that is `wjr resume`'s job). Before it creates anything it checks the
 * configuration against the cluster, as `wjr check` does.
 */
#include <stdio.h>

#include "cli.h"

static int run(int argc, char **argv)
{
    cli_drive_opts o = {0, 0, 0};
    wjr_study_options so;
    wjr_study *study = NULL;
    wjr_study_config *config = NULL;
    wjr_cluster_info *info = NULL;
    cli_term term;
    int first, code, error;

    if (cli_parse(&first, &code, &cli_cmd_run, argc, argv, "vqd", cli_drive_longopts,
                  cli_drive_option, &o))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_run, "expected one CONFIG file");
    cli_term_init(&term, o.verbose, o.quiet);
    /* Ask the cluster first, so that a wrong partition or an unreachable
     * controller is reported before a study directory exists: its settings
     * would then be fixed in place. */
    error = wjr_study_check(&info, &config, argv[first]);
    wjr_cluster_info_free(info);
    if (error < 0) {
        code = cli_fail("run", error);
        if (code == CLI_EXIT_CLUSTER)
            fprintf(stderr,
                    "wjr: nothing was created or submitted; 'wjr check %s' shows what "
                    "the cluster says\n",
                    argv[first]);
        return code;
    }
    cli_study_options(&so, &term, 0);
    error = wjr_study_create(&study, argv[first], &so);
    /* the warnings, unless the directory holds a study already: the
     * error says that, and one of the warnings would say it again */
    if (error != WJR_EEXISTS && error != WJR_ELOCKED)
        cli_print_warnings("run", config);
    wjr_study_config_free(config);
    if (error < 0)
        return cli_fail("run", error);
    if (!o.quiet)
        fprintf(stderr, "wjr: study %s in %s\n", wjr_study_id(study), wjr_study_dir(study));
    if (o.detach) {
        /* the lock goes with the study; the driver job takes it */
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", wjr_study_dir(study));
        wjr_study_free(study);
        return cli_detach("run", dir);
    }
    code = cli_drive(study, &term);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_run = {
    "run", "create a study from CONFIG and run it to the end",
    "usage: wjr run [-v] [-q] [--detach] CONFIG\n"
    "\n"
    "CONFIG is a libconfig file, or BOA's YAML (.yaml, .yml). Create the\n"
    "experiment directory CONFIG names, then generate trials, submit\n"
    "them as Slurm jobs, poll them and collect their metrics until the study ends.\n"
    "On a terminal one progress line shows trials done, running, pending, failed\n"
    "and the best so far; otherwise log lines. Ctrl-C (SIGINT) or SIGTERM stops\n"
    "the driver and leaves the jobs running: continue with 'wjr resume DIR'.\n"
    "\n"
    "Options:\n"
    "  -v, --verbose  show every log record (they always go to DIR/wjr.log)\n"
    "  -q, --quiet    show warnings and errors only\n"
    "  -d, --detach   create the study, then drive it from a Slurm job (partition\n"
    "                 slurm.driver_partition, time limit slurm.driver_time) that\n"
    "                 requeues itself before its limit; print its job id\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit: 0 finished, 1 failure rate exceeded, 2 configuration error or the\n"
    "study exists already, 3 cluster unreachable or submission refused,\n"
    "4 I/O error (disk full: free space, then resume), 130 interrupted.\n",
    run};
