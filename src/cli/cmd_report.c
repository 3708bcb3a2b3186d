/*
 * cmd_report.c - `wjr report DIR [-o FILE]`: write a study as one
 * self-contained HTML page (convergence, parameters, queue and run times,
 * failures, the study's configuration). Read-only like `wjr status`: it
 * takes no lock, so it works while `wjr run` drives the study, and asks no
 * cluster. The page is written to a temporary file and renamed into place.
 *
 * The model is built by report_data.c, the page by report_html.c and
 * report_svg.c; this file only parses the command line and writes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

static const struct option longopts[] = {
    {"help", no_argument, NULL, 'h'}, {"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};

static int take_output(int opt, const char *arg, void *payload)
{
    if (opt != 'o')
        return -1;
    *(const char **)payload = arg;
    return 0;
}

/* Write the page to path through path.tmp.PID and a rename; "-": stdout. */
static int write_page(const report *r, const char *path)
{
    char tmp[4096];
    FILE *f;
    int bad;

    if (strcmp(path, "-") == 0)
        return report_write_html(stdout, r) < 0 || fflush(stdout) != 0 ? -1 : 0;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
        fprintf(stderr, "wjr report: %s: path too long\n", path);
        return -1;
    }
    f = fopen(tmp, "w");
    if (f == NULL) { /* name the file asked for: the temporary one is ours */
        fprintf(stderr, "wjr report: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    bad = report_write_html(f, r) < 0;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "wjr report: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int run(int argc, char **argv)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *study = NULL;
    const char *output = NULL;
    char *path = NULL;
    report r;
    int first, code, error;

    if (cli_parse(&first, &code, &cli_cmd_report, argc, argv, "o:", longopts, take_output, &output))
        return code;
    if (argc - first != 1)
        return cli_usage_error(&cli_cmd_report, "expected one experiment directory DIR");
    so.flags = WJR_STUDY_READONLY;
    error = wjr_study_open(&study, argv[first], &so);
    if (error < 0)
        return cli_fail("report", error);
    memset(&r, 0, sizeof(r));
    error = report_load(&r, study);
    if (error < 0) {
        code = cli_fail("report", error);
        goto done;
    }
    if (output == NULL) {
        size_t len = strlen(wjr_study_dir(study)) + sizeof("/report.html");
        path = malloc(len);
        if (path != NULL)
            snprintf(path, len, "%s/report.html", wjr_study_dir(study));
    }
    if (output == NULL && path == NULL) {
        code = CLI_EXIT_FAILED;
        goto done;
    }
    if (write_page(&r, output != NULL ? output : path) < 0) {
        code = CLI_EXIT_IO;
        goto done;
    }
    if (output == NULL || strcmp(output, "-") != 0)
        printf("%s\n", output != NULL ? output : path);
    code = CLI_EXIT_OK;
done:
    report_free(&r);
    free(path);
    wjr_study_free(study);
    return code;
}

const cli_command cli_cmd_report = {
    "report", "write a study as one HTML page",
    "usage: wjr report [-o FILE] DIR\n"
    "\n"
    "Write the study in DIR as one self-contained HTML file (inline SVG and\n"
    "CSS, no script, no network): convergence by trial index or end time with\n"
    "the best so far, each parameter against the objective, every job's queue\n"
    "wait and run time with the jobs in flight, median and 90th percentile\n"
    "wait and run, node-hours and the share of time spent waiting, the failed\n"
    "and abandoned trials with the last lines of their stderr, and the\n"
    "study's configuration. Reads study.json and study.journal only: it takes\n"
    "no lock (works while 'wjr run' drives the study) and asks no cluster.\n"
    "Prints the path.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  where to write the page ('-': stdout);\n"
    "                     default DIR/report.html\n"
    "  -h, --help         show this help\n",
    run};
