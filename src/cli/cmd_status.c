/*
 * cmd_status.c - `wjr status DIR [--json]`: the table of a study's trials
 * as last recorded in study.json. Read-only: takes no lock (works while
 * `wjr run` drives the study) and contacts no cluster.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};

static int take_flag(int opt, const char *arg, void *payload)
{
    (void)arg;
    if (opt != 'j')
        return -1;
    *(int *)payload = 1;
    return 0;
}

/* One row's cells, as printed. */
typedef struct row {
    char params[256], metrics[256], reason[1024], state[64], job[64];
} row;

static void make_row(row *r, const wjr_study_trial *t)
{
    char why[1024];

    cli_format_object(r->params, sizeof(r->params), t->params_json, 0);
    cli_format_object(r->metrics, sizeof(r->metrics), t->metrics_json, 1);
    if (t->attempt > 1) /* Slurm requeued the job: say which run this is */
        snprintf(why, sizeof(why), "attempt %d%s%s", t->attempt, t->reason != NULL ? "; " : "",
                 t->reason != NULL ? t->reason : "");
    else
        snprintf(why, sizeof(why), "%s", t->reason != NULL ? t->reason : "");
    cli_safe(r->state, sizeof(r->state), t->slurm_state != NULL ? t->slurm_state : "-");
    cli_safe(r->job, sizeof(r->job), t->job_id != NULL ? t->job_id : "-");
    cli_safe(r->reason, sizeof(r->reason), why);
}

/* The table; a column grows to its longest cell (up to a bound, past
 * which a cell overflows rather than widen every row). */
static void print_table(const wjr_study *study, const char *dir)
{
    wjr_study_trial t;
    wjr_study_progress p;
    row r;
    int ws = 11, wj = 12, wp = 40, wm = 24, first;
    size_t i;

    for (i = 0; i < wjr_study_trial_count(study); i++) {
        if (wjr_study_trial_at(&t, study, i) < 0)
            continue;
        make_row(&r, &t);
        ws = cli_widen(ws, r.state, 40);
        wj = cli_widen(wj, r.job, 24);
        wp = cli_widen(wp, r.params, 100);
        wm = cli_widen(wm, r.metrics, 60);
    }
    printf("%6s  %-13s %-6s %-*s %-*s %-*s %-*s %s\n", "TRIAL", "STATUS", "STEP", ws, "SLURM", wj,
           "JOB", wp, "PARAMETERS", wm, "METRICS", "REASON");
    for (i = 0; i < wjr_study_trial_count(study); i++) {
        if (wjr_study_trial_at(&t, study, i) < 0)
            continue;
        make_row(&r, &t);
        printf("%6lld  %-13s %-6s ", (long long)t.index, wjr_trial_status_name(t.status),
               t.generation != NULL ? t.generation : "-");
        cli_put_cell(r.state, ws);
        cli_put_cell(r.job, wj);
        cli_put_cell(r.params, wp);
        cli_put_cell(r.metrics, wm);
        printf("%s\n", r.reason);
    }
    wjr_study_get_progress(&p, study);
    /* mid-study, out of how many */
    if (p.total > p.generated)
        printf("%lld of %lld ", (long long)p.generated, (long long)p.total);
    else
        printf("%lld ", (long long)p.generated);
    printf("trials: %lld completed, %lld failed, %lld abandoned, %lld early-stopped, %lld "
           "running, %lld pending",
           (long long)p.completed, (long long)p.failed, (long long)p.abandoned,
           (long long)p.early_stopped, (long long)p.running, (long long)p.pending);
    /* pending is Slurm's queue and trials not handed to Slurm yet: say
     * which, as a study stopped between generation and submission has
     * trials no squeue shows */
    if (p.unsubmitted > 0)
        printf(" (%lld not yet submitted)", (long long)p.unsubmitted);
    printf("\n");
    if (p.objectives > 1) {
        printf("Pareto front: %lld trial%s", (long long)p.pareto_count,
               p.pareto_count == 1 ? "" : "s");
        for (i = 0, first = 1; i < wjr_study_trial_count(study); i++)
            if (wjr_study_trial_at(&t, study, i) == 0 && t.pareto == 1) {
                printf("%s%lld", first ? ": " : ", ", (long long)t.index);
                first = 0;
            }
        printf("\n");
    }
    /* undriven, the SLURM column is what the last poll saw: the jobs may
     * have started or ended since */
    if (p.running + p.pending > p.unsubmitted && !wjr_study_driver_running(dir))
        printf("no driver runs: the SLURM column is as of the study's last poll ('wjr poll %s' "
               "asks slurmctld now)\n",
               dir);
}

static int run(int argc, char **argv)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    int first, code, error, as_json = 0;

    if (cli_parse(&first, &code, &cli_cmd_status, argc, argv, "j", longopts, take_flag, &as_json))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_status, "expected one experiment directory DIR");
    so.flags = WJR_STUDY_READONLY;
    error = wjr_study_open(&study, argv[first], &so);
    if (error < 0)
        return cli_fail("status", error);
    if (as_json) {
        /* a trial at a time: the memory of one trial, not of the document */
        error = wjr_study_write_status_json(study, stdout);
        if (error == 0)
            printf("\n");
    } else {
        char *driver = NULL;
        print_table(study, argv[first]);
        /* a study handed to a driver job (--detach) says so */
        if (wjr_study_driver_describe(&driver, argv[first]) == 0 && driver != NULL)
            printf("%s\n", driver);
        free(driver);
    }
    code = error < 0 ? cli_fail("status", error) : CLI_EXIT_OK;
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_status = {
    "status", "show the trials of a study",
    "usage: wjr status [--json] DIR\n"
    "\n"
    "Show every trial of the study in DIR as last recorded: index, status, the\n"
    "generation step that made it (SOBOL, RANDOM, GPEI; - when submitted from\n"
    "outside), Slurm state, job id, parameters, metrics and failure reason.\n"
    "Reads study.json and study.journal only: it takes no lock and asks no\n"
    "cluster (run 'wjr poll DIR' to refresh a study nobody drives).\n"
    "\n"
    "Options:\n"
    "  -j, --json  print {\"trials\": [{\"index\", \"status\", \"job_id\", \"slurm_state\",\n"
    "              \"parameters\", \"metrics\", \"reason\", \"generation\", \"submit_time\",\n"
    "              \"start_time\", \"end_time\"}]}; metrics as {name: {\"mean\": x,\n"
    "              \"sem\": y}}; times in Unix seconds, null while unknown;\n"
    "              \"feasible\" where the study has outcome constraints, and\n"
    "              \"pareto\" (on the Pareto front) where it has several objectives\n"
    "  -h, --help  show this help\n",
    run};
