/*
 * cmd_cancel.c - `wjr cancel DIR [INDEX...]`: stop trials (all unfinished
 * ones when none is named). Stopped trials become ABANDONED. A study its
 * detached driver holds is refused with the ways that work: scancel of the
 * trials' jobs, or the driver stopped first. A study with trials still to
 * come is not over: the output says what resuming it will do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

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

/* The study is locked: when its detached driver holds it, say how to
 * cancel anyway. Slurm cancels a trial's job (the driver's next poll makes
 * the trial ABANDONED), or the driver is stopped first. */
static void driver_hint(const char *dir, const int64_t *indices, size_t n)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    wjr_study_trial t;
    uint32_t driver = 0;
    size_t i, k, jobs = 0;
    char id[1024];

    if (wjr_study_driver_job(&driver, dir) < 0 || driver == 0)
        return;
    fprintf(stderr, "wjr cancel: the study is driven by its detached driver, Slurm job %u\n",
            (unsigned)driver);
    so.flags = WJR_STUDY_READONLY;
    if (n > 0 && wjr_study_open(&study, dir, &so) == 0) {
        for (i = 0; i < wjr_study_trial_count(study); i++) {
            if (wjr_study_trial_at(&t, study, i) < 0 || t.job_id == NULL ||
                wjr_trial_status_is_terminal(t.status))
                continue;
            for (k = 0; k < n && indices[k] != t.index; k++)
                ;
            if (k == n)
                continue;
            fprintf(stderr, "%s%s", jobs++ == 0 ? "  to cancel while it runs: scancel " : " ",
                    cli_safe(id, sizeof(id), t.job_id));
        }
        if (jobs > 0)
            fprintf(stderr, " (the driver records the trial%s ABANDONED at its next poll)\n",
                    jobs == 1 ? "" : "s");
    }
    wjr_study_free(study);
    fprintf(stderr,
            "  %s stop the driver first: scancel %u, then 'wjr cancel' again and "
            "'wjr resume --detach %s'\n",
            jobs > 0 ? "or" : "to cancel,", (unsigned)driver, cli_safe(id, sizeof(id), dir));
}

/* The study's tolerated_trial_failure_rate, from its description; 1 when
 * unknown (no stop is then foretold). */
static double tolerated_rate(const wjr_study *study)
{
    char *text = NULL;
    json_t *desc, *rate;
    double out = 1.0;

    if (wjr_study_describe_json(&text, study) < 0)
        return out;
    desc = json_loads(text, 0, NULL);
    rate = json_object_get(json_object_get(desc, "scheduler"), "tolerated_trial_failure_rate");
    if (json_is_number(rate))
        out = json_number_value(rate);
    json_decref(desc);
    free(text);
    return out;
}

/* Cancelling trials does not end the study: resumed, it generates new
 * ones up to scheduler.total_trials, which a user who cancelled to stop
 * may not expect; or, when the cancelled trials put its bad share over
 * tolerated_trial_failure_rate, it may stop for that. Say so, and how to
 * end it with the trials it has. */
static void resume_hint(const wjr_study *study, const char *dir)
{
    wjr_study_progress p;
    char id[1024], path[4096];
    char *copy;
    double tolerated, bad;

    wjr_study_get_progress(&p, study);
    if (p.state != WJR_STUDY_RUNNING || p.total <= p.generated || p.generated <= 0)
        return;
    tolerated = tolerated_rate(study);
    bad = (double)(p.failed + p.abandoned);
    copy = wjr_study_config_copy(study);
    fprintf(stderr,
            "wjr: the study is not over: resumed ('wjr resume %s'), it goes on with its %lld "
            "other trials (scheduler.total_trials is %lld)",
            cli_safe(id, sizeof(id), dir), (long long)(p.total - p.generated), (long long)p.total);
    if (bad / (double)p.generated > tolerated)
        fprintf(stderr,
                ", unless its failure rate stops it first (%lld of its %lld trials are failed or "
                "abandoned, more than tolerated_trial_failure_rate %g)",
                (long long)(p.failed + p.abandoned), (long long)p.generated, tolerated);
    fprintf(stderr,
            "; to end it with the %lld it has, set scheduler.total_trials to %lld in %s first\n",
            (long long)p.generated, (long long)p.generated,
            cli_safe(path, sizeof(path),
                     copy != NULL ? copy : "the study's copy of its configuration"));
    free(copy);
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
    if (error == WJR_ELOCKED)
        driver_hint(argv[first], indices, n);
    if (study != NULL)
        printf("cancelled %zu trial%s\n", cancelled, cancelled == 1 ? "" : "s");
    if (error == 0 && cancelled > 0)
        resume_hint(study, argv[first]);
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
    "not yet submitted are abandoned without asking Slurm. The study must not\n"
    "be driven: while a driver (wjr run, or the job of --detach) holds it,\n"
    "cancel a trial's job with scancel (the driver records the trial ABANDONED\n"
    "at its next poll), or stop the driver first; for a detached driver the\n"
    "message names the jobs. Cancelling does not end the study: resumed, it\n"
    "generates new trials up to scheduler.total_trials (the message says how\n"
    "to end it with the trials it has).\n"
    "\n"
    "Options:\n"
    "  -r, --reason TEXT  recorded as the trials' reason\n"
    "  -h, --help         show this help\n",
    run};
