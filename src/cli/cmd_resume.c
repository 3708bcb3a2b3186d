/*
 * cmd_resume.c - `wjr resume DIR`: continue a study after any interruption.
 * Reconciliation with Slurm (by idempotency key) happens in the driver's
 * first step, before anything is submitted.
 */
#include <stdio.h>

#include "cli.h"

static int resume(int argc, char **argv)
{
    cli_drive_opts o = {0, 0, 0};
    wjr_study_options so;
    wjr_study *study = NULL;
    wjr_study_progress p;
    cli_term term;
    int first, code, error;

    if (cli_parse(&first, &code, &cli_cmd_resume, argc, argv, "vqd", cli_drive_longopts,
                  cli_drive_option, &o))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_resume, "expected one experiment directory DIR");
    if (o.detach)
        return cli_detach("resume", argv[first]);
    cli_term_init(&term, o.verbose, o.quiet);
    cli_study_options(&so, &term, 0);
    error = wjr_study_open(&study, argv[first], &so);
    if (error < 0)
        return cli_fail("resume", error);
    wjr_study_get_progress(&p, study);
    /* a study stopped with trials still in Slurm collects them first */
    if (p.state != WJR_STUDY_RUNNING && cli_in_flight(study) == 0) {
        cli_print_summary(study);
        wjr_study_free(study);
        return p.state == WJR_STUDY_FINISHED ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    }
    if (!o.quiet)
        fprintf(stderr, "wjr: resuming study %s in %s\n", wjr_study_id(study),
                wjr_study_dir(study));
    code = cli_drive(study, &term);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_resume = {
    "resume", "continue an interrupted study",
    "usage: wjr resume [-v] [-q] [--detach] DIR\n"
    "\n"
    "Continue the study of experiment directory DIR after any interruption\n"
    "(Ctrl-C, SIGKILL, a lost login node). Trials left being submitted are\n"
    "first looked up in Slurm by their idempotency key: none is lost and none\n"
    "runs twice. A study stopped by its failure rate submits nothing more but\n"
    "first waits for its trials still in Slurm to end, recording their\n"
    "outcomes; a finished study just prints its summary. The study reads its\n"
    "own copy of the configuration, DIR/config.cfg (config.yaml for BOA's\n"
    "YAML): an edited slurm section there applies to the trials submitted\n"
    "from now on.\n"
    "\n"
    "Options:\n"
    "  -v, --verbose  show every log record\n"
    "  -q, --quiet    show warnings and errors only\n"
    "  -d, --detach   drive the study from a Slurm job instead (see wjr run)\n"
    "  -h, --help     show this help\n",
    resume};
