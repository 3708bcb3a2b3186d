/*
 * cmd_poll.c - `wjr poll DIR`: poll every trial of a study once and print
 * poll_trial_status's answer as JSON. A controller that does not answer is
 * a warning on stderr (the last known statuses are printed), not a failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int run(int argc, char **argv)
{
    wjr_study_options so;
    wjr_study *study = NULL;
    cli_term term;
    char *json = NULL;
    int first, code, error, stale = 0;

    if (cli_parse(&first, &code, &cli_cmd_poll, argc, argv, "", NULL, NULL, NULL))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_poll, "expected one experiment directory DIR");
    cli_term_init(&term, 0, 1);
    cli_study_options(&so, &term, 0);
    error = wjr_study_open(&study, argv[first], &so);
    if (error == 0)
        error = wjr_study_poll(&json, &stale, study);
    code = error < 0 ? cli_fail("poll", error) : CLI_EXIT_OK;
    if (json != NULL)
        printf("%s\n", json);
    free(json);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_poll = {
    "poll", "poll the trials' statuses once, as JSON",
    "usage: wjr poll DIR\n"
    "\n"
    "Ask Slurm once (one query for all jobs) and print\n"
    "{\"RUNNING\": [..], \"COMPLETED\": [..], \"FAILED\": [..], \"ABANDONED\": [..],\n"
    "\"EARLY_STOPPED\": [..]}.\n"
    "Metrics of completed trials are fetched and recorded. When the controller\n"
    "does not answer, the last known statuses are printed with a warning.\n"
    "\n"
    "Options:\n"
    "  -h, --help  show this help\n",
    run};
