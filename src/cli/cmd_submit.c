/*
 * cmd_submit.c - `wjr submit DIR --params JSON | --batch FILE`: run trials
 * an external optimizer chose, and print their run metadata as JSON.
 *
 * A batch file holds one JSON object per line (blank lines are skipped);
 * every line is checked before any trial is submitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct submit_opts {
    const char *params;
    const char *batch;
} submit_opts;

static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                         {"params", required_argument, NULL, 'p'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {NULL, 0, NULL, 0}};

static int take_option(int opt, const char *arg, void *payload)
{
    submit_opts *o = payload;

    if (opt == 'p')
        o->params = arg;
    else if (opt == 'b')
        o->batch = arg;
    else
        return -1;
    return 0;
}

static void free_lines(char **lines, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Read the non-blank lines of a file ("-": stdin): all of them or none. */
static int read_lines(char ***out, size_t *n, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *line = NULL, **lines = NULL, **grown;
    size_t cap = 0, len = 0;
    int error = 0;

    *out = NULL;
    *n = 0;
    if (f == NULL) {
        fprintf(stderr, "wjr submit: %s: cannot open: ", path);
        perror(NULL);
        return -1;
    }
    while (error == 0 && getline(&line, &cap, f) >= 0) {
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        grown = realloc(lines, (len + 1) * sizeof(*lines));
        if (grown != NULL) {
            lines = grown;
            lines[len] = strdup(line);
        }
        if (grown == NULL || lines[len] == NULL)
            error = -1;
        else
            len++;
    }
    /* A batch cut short by a read error or no memory is not submitted. */
    if (error == 0 && ferror(f))
        error = -1;
    if (error < 0) {
        fprintf(stderr, "wjr submit: %s: cannot read the whole file\n", path);
        free_lines(lines, len);
    } else {
        *out = lines;
        *n = len;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return error;
}

static int run(int argc, char **argv)
{
    submit_opts o = {NULL, NULL};
    wjr_study_options so;
    wjr_study *study = NULL;
    cli_term term;
    char **lines = NULL, *json = NULL;
    size_t n = 0;
    int first, code, error;

    if (cli_parse(&first, &code, &cli_cmd_submit, argc, argv, "p:b:", longopts, take_option, &o))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_submit, "expected one experiment directory DIR");
    if ((o.params == NULL) == (o.batch == NULL))
        return cli_usage_error(&cli_cmd_submit, "give either --params JSON or --batch FILE");
    if (o.batch != NULL) {
        if (read_lines(&lines, &n, o.batch) < 0)
            return CLI_EXIT_USAGE;
        if (n == 0) {
            fprintf(stderr, "wjr submit: %s holds no parameters\n", o.batch);
            free(lines);
            return CLI_EXIT_USAGE;
        }
    }
    cli_term_init(&term, 0, 1);
    cli_study_options(&so, &term, 0);
    so.flags |= WJR_STUDY_SUBMIT_ONLY; /* the earlier trials are not read: see wjr/study.h */
    error = wjr_study_open(&study, argv[first], &so);
    if (error == 0 && o.params != NULL)
        error = wjr_study_submit(&json, study, o.params);
    else if (error == 0)
        error = wjr_study_submit_batch(&json, study, (const char *const *)lines, n);
    code = error < 0 ? cli_fail("submit", error) : CLI_EXIT_OK;
    if (json != NULL)
        printf("%s\n", json);
    free(json);
    free_lines(lines, n);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_submit = {
    "submit", "run trials an external optimizer chose",
    "usage: wjr submit DIR (--params JSON | --batch FILE)\n"
    "\n"
    "Run one trial with the parameters JSON (an object such as\n"
    "'{\"x1\": 0.5, \"x2\": 3}') as a Slurm job, or every line of FILE (one JSON\n"
    "object per line, '-' for stdin) as job arrays. When the configuration\n"
    "declares parameters, every value is checked against them first. Prints the\n"
    "run metadata as JSON: with --params one object with \"trial_index\" and\n"
    "\"job_id\", with --batch {\"<trial_index>\": metadata, ...}.\n"
    "\n"
    "Options:\n"
    "  -p, --params JSON  the parameters of one trial\n"
    "  -b, --batch FILE   JSON lines, one trial each\n"
    "  -h, --help         show this help\n",
    run};
