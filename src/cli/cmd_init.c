/*
 * cmd_init.c - `wjr init CONFIG`: create the experiment directory of a
 * study without generating any trial, for an external optimizer that then
 * drives it with `wjr submit`, `wjr poll` and `wjr cancel`.
 */
#include <stdio.h>

#include "cli.h"

static int run(int argc, char **argv)
{
    wjr_study_options so;
    wjr_study *study = NULL;
    cli_term term;
    int first, code, error;

    if (cli_parse(&first, &code, &cli_cmd_init, argc, argv, "", NULL, NULL, NULL))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_init, "expected one CONFIG file");
    cli_term_init(&term, 0, 1);
    cli_study_options(&so, &term, 0);
    error = wjr_study_create(&study, argv[first], &so);
    if (error < 0)
        return cli_fail("init", error);
    printf("%s\n", wjr_study_dir(study));
    fprintf(stderr, "wjr: study %s ready; submit trials with: wjr submit %s --params JSON\n",
            wjr_study_id(study), wjr_study_dir(study));
    wjr_study_free(study);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_init = {
    "init", "create a study's directory for an external optimizer",
    "usage: wjr init CONFIG\n"
    "\n"
    "Create the experiment directory CONFIG (libconfig, or BOA's YAML) names\n"
    "(study.json, a copy of the configuration, wjr.log) without generating\n"
    "trials, and print its path.\n"
    "An external optimizer then uses wjr submit, wjr poll, wjr status and\n"
    "wjr cancel on it. The configuration needs script_options and may omit\n"
    "parameters, objective and generation_strategy.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n",
    run};
