/*
 * cli_drive.c - the loop behind `wjr run` and `wjr resume`: step the study
 * driver, show progress, wait between steps in small slices so that SIGINT
 * and SIGTERM are handled at once, and print the summary.
 *
 * The driver does the work and never sleeps; this file only decides when to
 * call it again and what to tell the user. An interrupted loop leaves every
 * job running and says how to resume. A study that stopped on its failure
 * rate submits nothing more, but the loop goes on polling, at the driver's
 * cadence, until the trials already in Slurm have ended, so that every
 * recorded state is final when it exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct option cli_drive_longopts[] = {{"help", no_argument, NULL, 'h'},
                                            {"verbose", no_argument, NULL, 'v'},
                                            {"quiet", no_argument, NULL, 'q'},
                                            {"detach", no_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};

int cli_drive_option(int opt, const char *arg, void *payload)
{
    cli_drive_opts *o = payload;

    (void)arg;
    if (opt == 'v')
        o->verbose = 1;
    else if (opt == 'q')
        o->quiet = 1;
    else if (opt == 'd')
        o->detach = 1;
    else
        return -1;
    return 0;
}

/* The front's trials the summary prints, before it points elsewhere. */
#define FRONT_SHOWN 12

void cli_print_summary(const wjr_study *study)
{
    wjr_study_progress p;
    wjr_study_trial trial;
    char params[512], metrics[256];
    size_t i, shown;
    char stopped[48] = "";
    static const char *const words[] = {"running", "finished", "failed"};

    wjr_study_get_progress(&p, study);
    if (p.early_stopped > 0)
        snprintf(stopped, sizeof(stopped), ", %lld early-stopped", (long long)p.early_stopped);
    printf("study %s %s: %lld trials (%lld completed, %lld failed, %lld abandoned%s, %lld "
           "unfinished)\n",
           wjr_study_id(study) != NULL ? wjr_study_id(study) : "?", words[p.state],
           (long long)p.generated, (long long)p.completed, (long long)p.failed,
           (long long)p.abandoned, stopped, (long long)(p.running + p.pending));
    if (p.objectives > 1) {
        /* several objectives: the front is the result, not one trial */
        printf("Pareto front: %lld trial%s (no other completed trial is as good in every "
               "objective and better in one)\n",
               (long long)p.pareto_count, p.pareto_count == 1 ? "" : "s");
        for (i = 0, shown = 0; i < wjr_study_trial_count(study); i++) {
            if (wjr_study_trial_at(&trial, study, i) < 0 || trial.pareto != 1)
                continue;
            if (shown++ == FRONT_SHOWN) {
                printf("  and %lld more: wjr results --json %s lists them (\"pareto_front\")\n",
                       (long long)p.pareto_count - FRONT_SHOWN, wjr_study_dir(study));
                break;
            }
            cli_format_object(params, sizeof(params), trial.params_json, 0);
            cli_format_object(metrics, sizeof(metrics), trial.metrics_json, 1);
            printf("  trial %lld (%s)  %s\n    parameters: %s\n", (long long)trial.index,
                   trial.generation != NULL ? trial.generation : "external", metrics, params);
        }
    } else if (p.best_index >= 0) {
        for (i = 0; i < wjr_study_trial_count(study); i++) {
            if (wjr_study_trial_at(&trial, study, i) < 0 || trial.index != p.best_index)
                continue;
            cli_format_object(params, sizeof(params), trial.params_json, 0);
            cli_format_object(metrics, sizeof(metrics), trial.metrics_json, 1);
            printf("best trial: %lld (%s)  %s = %.10g\n  parameters: %s\n  metrics: %s\n",
                   (long long)trial.index, trial.generation != NULL ? trial.generation : "external",
                   p.best_metric, p.best_value, params, metrics);
        }
    } else if (p.best_metric != NULL) {
        printf("best trial: none completed with a value of %s\n", p.best_metric);
    }
    printf("results: %s/results.csv\n", wjr_study_dir(study));
}

size_t cli_in_flight(const wjr_study *study)
{
    wjr_study_trial trial;
    size_t i, n = 0;

    for (i = 0; i < wjr_study_trial_count(study); i++)
        if (wjr_study_trial_at(&trial, study, i) == 0 && trial.job_id != NULL &&
            !wjr_trial_status_is_terminal(trial.status))
            n++;
    return n;
}

/* SIGINT or SIGTERM, seen after a step (which stops its hooks at once)
 * or during the wait between steps. Every trial submitted and not ended
 * is counted, running or still queued. */
static int interrupted(const wjr_study *study, cli_term *t)
{
    size_t n = cli_in_flight(study);

    cli_term_clear(t);
    fprintf(stderr,
            "wjr: interrupted: %zu trial%s keep%s running or waiting in Slurm; nothing was lost.\n"
            "wjr: continue with: wjr resume %s\n",
            n, n == 1 ? "" : "s", n == 1 ? "s" : "", wjr_study_dir(study));
    return CLI_EXIT_INTERRUPTED;
}

/*
 * The study has stopped (its failure rate): nothing more is submitted, but
 * its steps go on polling the trials in Slurm until they end, so that
 * their outcomes (metrics of those that complete) are recorded rather than
 * left as last seen; the steps' delay is the driver's own back-off.
 */
static int settle(wjr_study *study, cli_term *t, wjr_study_progress *p)
{
    char msg[2048];
    size_t n = cli_in_flight(study);
    int error;

    if (n == 0)
        return 0;
    cli_term_clear(t);
    fprintf(stderr,
            "wjr: the study stopped: submitting nothing more, waiting for the %zu trial%s "
            "still in Slurm to end (Ctrl-C leaves %s running)\n",
            n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
    while (n > 0) {
        cli_sleep(p->next_delay);
        if (cli_interrupted)
            return interrupted(study, t);
        error = wjr_study_step(p, study);
        if (cli_interrupted)
            return interrupted(study, t);
        if (error < 0) {
            cli_term_clear(t);
            fprintf(stderr, "wjr: %s\n", cli_safe(msg, sizeof(msg), wjr_error_last()));
            fprintf(stderr, "wjr: the jobs keep running; collect them with: wjr resume %s\n",
                    wjr_study_dir(study));
            return cli_exit_code(error);
        }
        cli_term_progress(t, p);
        n = cli_in_flight(study);
    }
    return 0;
}

int cli_drive(wjr_study *study, cli_term *t)
{
    char msg[2048];
    wjr_study_progress p;
    int error;

    cli_install_signals();
    for (;;) {
        error = wjr_study_step(&p, study);
        if (cli_interrupted)
            return interrupted(study, t);
        if (error < 0) {
            cli_term_clear(t);
            fprintf(stderr, "wjr: %s\n", cli_safe(msg, sizeof(msg), wjr_error_last()));
            if (error == WJR_EIO)
                fprintf(stderr, "wjr: the study's saved state is the last one written in full; "
                                "free space or fix the file system first\n");
            fprintf(stderr,
                    "wjr: jobs already submitted keep running; after fixing the cause, "
                    "continue with: wjr resume %s\n",
                    wjr_study_dir(study));
            return cli_exit_code(error);
        }
        cli_term_progress(t, &p);
        if (p.state != WJR_STUDY_RUNNING)
            break;
        cli_sleep(p.next_delay);
        if (cli_interrupted)
            return interrupted(study, t);
    }
    error = settle(study, t, &p);
    if (error != 0)
        return error;
    cli_term_clear(t);
    cli_print_summary(study);
    return p.state == WJR_STUDY_FINISHED ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}
