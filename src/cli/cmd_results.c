/*
 * cmd_results.c - `wjr results DIR [--csv|--json]`: each trial's metrics
 * and the best trial. Read-only, like `wjr status`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

enum { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_BOTH };

static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                         {"csv", no_argument, NULL, 'c'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};

static int take_format(int opt, const char *arg, void *payload)
{
    int *format = payload, want;

    (void)arg;
    if (opt == 'c')
        want = FORMAT_CSV;
    else if (opt == 'j')
        want = FORMAT_JSON;
    else
        return -1;
    *format = *format == FORMAT_TEXT || *format == want ? want : FORMAT_BOTH;
    return 0;
}

/* The table; the metrics column grows to its longest cell, as in
 * `wjr status` (up to a bound, past which a cell overflows its row). */
static void print_text(const wjr_study *study)
{
    wjr_study_trial t;
    char params[256], metrics[256];
    int wm = 30;
    size_t i;

    for (i = 0; i < wjr_study_trial_count(study); i++) {
        if (wjr_study_trial_at(&t, study, i) < 0)
            continue;
        cli_format_object(metrics, sizeof(metrics), t.metrics_json, 1);
        wm = cli_widen(wm, metrics, 100);
    }
    printf("%6s  %-13s %-*s %s\n", "TRIAL", "STATUS", wm, "METRICS", "PARAMETERS");
    for (i = 0; i < wjr_study_trial_count(study); i++) {
        if (wjr_study_trial_at(&t, study, i) < 0)
            continue;
        cli_format_object(params, sizeof(params), t.params_json, 0);
        cli_format_object(metrics, sizeof(metrics), t.metrics_json, 1);
        printf("%6lld  %-13s ", (long long)t.index, wjr_trial_status_name(t.status));
        cli_put_cell(metrics, wm);
        printf("%s\n", params);
    }
    printf("\n");
    cli_print_summary(study);
}

static int run(int argc, char **argv)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    char *text = NULL;
    int first, code, error = 0, format = FORMAT_TEXT;

    if (cli_parse(&first, &code, &cli_cmd_results, argc, argv, "cj", longopts, take_format,
                  &format))
        return code;
    if (format == FORMAT_BOTH)
        return cli_usage_error(&cli_cmd_results, "give --csv or --json, not both");
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_results, "expected one experiment directory DIR");
    so.flags = WJR_STUDY_READONLY;
    error = wjr_study_open(&study, argv[first], &so);
    if (error < 0)
        return cli_fail("results", error);
    if (format == FORMAT_CSV)
        error = wjr_study_results_csv(&text, study);
    else if (format == FORMAT_JSON && (error = wjr_study_write_results_json(study, stdout)) == 0)
        fputs("\n", stdout);
    else if (format == FORMAT_TEXT)
        print_text(study);
    if (text != NULL)
        fputs(text, stdout);
    code = error < 0 ? cli_fail("results", error) : CLI_EXIT_OK;
    free(text);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_results = {
    "results", "show metrics per trial and the best trial",
    "usage: wjr results [--csv | --json] DIR\n"
    "\n"
    "Show each trial's metrics and the best trial by the first objective\n"
    "metric, or with several objectives (metrics without weights) the\n"
    "trials of the Pareto front. --csv prints results.csv (BOA's\n"
    "optimization.csv columns: trial_index, status, job_id,\n"
    "generation_method, parameters, each metric's mean and _sem, reason);\n"
    "--json prints {\"objective\", \"best\", \"trials\"}, with several\n"
    "objectives also \"objectives\" and \"pareto_front\" (trial indices), and\n"
    "each trial's \"pareto\".\n"
    "\n"
    "Options:\n"
    "  -c, --csv   CSV output\n"
    "  -j, --json  JSON output\n"
    "  -h, --help  show this help\n",
    run};
