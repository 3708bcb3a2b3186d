/*
 * cmd_cancel.c - `wjr cancel DIR [INDEX...]`: stop trials (all unfinished
 * ones when none is named). Stopped trials become ABANDONED.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'}, {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};

static int take_option(int opt, const char *arg, void *payload)
{
    if (opt != 'r')
        return -1;
    *(const char **)payload = arg;
    return 0;
}

static int run(int argc, char **argv)
{
    const char *reason = "cancelled by wjr cancel";
    wjr_study_options so;
    wjr_study *study = NULL;
    cli_term term;
    int64_t *indices = NULL;
    size_t n = 0, cancelled = 0;
    int first, code, error, i;

    if (cli_parse(&first, &code, &cli_cmd_cancel, argc, argv, "r:", longopts, take_option, &reason))
        return code;
    if (argc - first < 1)
        return cli_usage_error(&cli_cmd_cancel, "expected an experiment directory DIR");
    indices = calloc((size_t)argc, sizeof(*indices));
    if (indices == NULL)
        return CLI_EXIT_FAILED;
    for (i = first + 1; i < argc; i++) {
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(argv[i], &end, 10);
        if (errno != 0 || end == argv[i] || *end != '\0' || v < 0) {
            free(indices);
            return cli_usage_error(&cli_cmd_cancel, "'%s' is not a trial index", argv[i]);
        }
        indices[n++] = v;
    }
    cli_term_init(&term, 0, 1);
    cli_study_options(&so, &term, 0);
    error = wjr_study_open(&study, argv[first], &so);
    if (error == 0)
        error = wjr_study_cancel(&cancelled, study, indices, n, reason);
    code = error < 0 ? cli_fail("cancel", error) : CLI_EXIT_OK;
    if (study != NULL)
        printf("cancelled %zu trial%s\n", cancelled, cancelled == 1 ? "" : "s");
    free(indices);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_cancel = {
    "cancel", "stop trials (all unfinished ones when none is named)",
    "usage: wjr cancel [-r REASON] DIR [INDEX...]\n"
    "\n"
    "Cancel the Slurm jobs of the named trials, or of every unfinished trial\n"
    "when no INDEX is given; the trials become ABANDONED. Trials generated but\n"
    "not yet submitted are abandoned without asking Slurm.\n"
    "\n"
    "Options:\n"
    "  -r, --reason TEXT  recorded as the trials' reason\n"
    "  -h, --help         show this help\n",
    run};
