/*
 * bench_memory.c - measures the peak resident memory (getrusage ru_maxrss)
 * of a process that tracks TOTAL trials: it reads the runner's state from
 * a file (wjr_runner_from_json_file, as a long study resumes), polls once
 * (wjr_runner_poll: the live trials are queued jobs listed in IDS, the
 * others are COMPLETED with metrics) and writes the state again
 * (wjr_runner_to_json_file). The state is synthetic (bench_state.h, built
 * in a child process so that it does not count here) but has the runner's
 * format and realistic parameters. Prints the RSS after each stage, in MiB.
 *
 *   bench_memory TOTAL IDS DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include "bench_state.h"

static double rss_now_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return (double)rss * 4096.0 / (1024.0 * 1024.0);
}

/* Write the synthetic state to path in a child process, so that building
 * the text does not count in this process's peak RSS. */
static void write_state(const char *path, const char *dir, const bench_job *live, size_t n_live,
                        size_t n_done)
{
    pid_t pid = fork();
    int status = 0;

    if (pid < 0)
        bench_die("fork", -1);
    if (pid == 0) {
        char *text = bench_runner_json(dir, live, n_live, n_done);
        FILE *f = fopen(path, "w");
        if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
            _exit(1);
        printf("stage=text bytes=%zu\n", strlen(text));
        fflush(stdout);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        bench_die("writing the state file", -1);
}

int main(int argc, char **argv)
{
    size_t n_live, total;
    bench_job *live;
    char *path, *out_path;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *r = NULL;
    wjr_poll_result *res = NULL;
    double base, t0;
    int error;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_memory TOTAL IDS DIR\n");
        return 2;
    }
    total = (size_t)atol(argv[1]);
    live = bench_read_jobs(argv[2], &n_live);
    base = bench_maxrss_mib();
    printf("stage=start rss_mib=%.1f peak_mib=%.1f\n", rss_now_mib(), base);
    fflush(stdout);
    path = malloc(strlen(argv[3]) + 32);
    out_path = malloc(strlen(argv[3]) + 32);
    if (path == NULL || out_path == NULL)
        bench_die("malloc", -1);
    sprintf(path, "%s/runner.json", argv[3]);
    sprintf(out_path, "%s/runner.out.json", argv[3]);
    write_state(path, argv[3], live, n_live, total - n_live);
    ro.log = bench_log;
    t0 = bench_wall();
    error = wjr_runner_from_json_file(&r, path, &ro);
    if (error < 0)
        bench_die("wjr_runner_from_json_file", error);
    printf("stage=from_json trials=%zu seconds=%.3f rss_mib=%.1f peak_mib=%.1f\n",
           wjr_runner_trial_count(r), bench_wall() - t0, rss_now_mib(), bench_maxrss_mib());
    t0 = bench_wall();
    error = wjr_runner_poll(&res, r, NULL, 0);
    if (error < 0)
        bench_die("wjr_runner_poll", error);
    printf("stage=poll seconds=%.3f stale=%d rss_mib=%.1f peak_mib=%.1f\n", bench_wall() - t0,
           res->stale, rss_now_mib(), bench_maxrss_mib());
    wjr_poll_result_free(res);
    t0 = bench_wall();
    error = wjr_runner_to_json_file(r, out_path);
    if (error < 0)
        bench_die("wjr_runner_to_json_file", error);
    printf("stage=to_json seconds=%.3f rss_mib=%.1f peak_mib=%.1f\n", bench_wall() - t0,
           rss_now_mib(), bench_maxrss_mib());
    wjr_runner_free(r);
    unlink(path);
    unlink(out_path);
    free(path);
    free(out_path);
    free(live);
    printf("result total=%zu live=%zu peak_rss_mib=%.1f baseline_mib=%.1f\n", total, n_live,
           bench_maxrss_mib(), base);
    return 0;
}
