/*
 * cli_detach.c - the --detach option of `wjr run` and `wjr resume`: hand
 * the study to a driver that runs as a Slurm job (wjr_study_detach) and
 * print its job id. The job runs this same wjr program, found through
 * /proc/self/exe, so the experiment directory and the program must be on
 * a file system the compute nodes share.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int cli_detach(const char *verb, const char *dir)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    uint32_t job_id = 0;
    int error;

    if (n <= 0) {
        fprintf(stderr, "wjr %s: cannot find the wjr program (/proc/self/exe)\n", verb);
        return CLI_EXIT_FAILED;
    }
    self[n] = '\0';
    error = wjr_study_detach(&job_id, dir, self);
    if (error < 0)
        return cli_fail(verb, error);
    printf("%u\n", (unsigned)job_id);
    fprintf(stderr,
            "wjr: the study in %s is driven by Slurm job %u; 'wjr status %s' shows it, and "
            "'wjr resume --detach %s' starts a new driver\n",
            dir, (unsigned)job_id, dir, dir);
    return CLI_EXIT_OK;
}
