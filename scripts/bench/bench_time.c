/*
 * bench_time.c - runs a command and prints its wall time and the CPU time
 * (user + system, from wait4) it and its waited-for children used, in
 * milliseconds with microsecond resolution: "wall_ms=... cpu_ms=...".
 * /usr/bin/time rounds to 10 ms, too coarse for one squeue.
 *
 *   bench_time [-o FILE] CMD [ARG...]   (CMD's stdout goes to /dev/null)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
    const char *outfile = NULL;
    struct rusage ru;
    FILE *out = stdout;
    double t0, wall;
    int status, first = 1;
    pid_t pid;

    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        outfile = argv[2];
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: bench_time [-o FILE] CMD [ARG...]\n");
        return 2;
    }
    t0 = bench_wall();
    pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execvp(argv[first], argv + first);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return 1;
    wall = bench_wall() - t0;
    if (outfile && (out = fopen(outfile, "w")) == NULL)
        return 1;
    fprintf(out, "wall_ms=%.3f cpu_ms=%.3f status=%d\n", wall * 1e3,
            (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
