/*
 * bench_memory.c - measures the peak resident memory (getrusage ru_maxrss)
 * of a process that tracks TOTAL trials: it reads the runner's state as
 * JSON text (wjr_runner_from_json), polls once (wjr_runner_poll: the live
 * trials are queued jobs listed in IDS, the others are COMPLETED with
 * metrics) and writes the state again (wjr_runner_to_json). The state text
 * is synthetic (bench_state.h) but has the runner's format and realistic
 * parameters. Prints the RSS after each stage, in MiB.
 *
 *   bench_memory TOTAL IDS DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(int argc, char **argv)
{
    size_t n_live, total, len;
    bench_job *live;
    char *text, *out = NULL;
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
    text = bench_runner_json(argv[3], live, n_live, total - n_live);
    len = strlen(text);
    printf("stage=text bytes=%zu rss_mib=%.1f peak_mib=%.1f\n", len, rss_now_mib(),
           bench_maxrss_mib());
    ro.log = bench_log;
    t0 = bench_wall();
    error = wjr_runner_from_json(&r, text, &ro);
    if (error < 0)
        bench_die("wjr_runner_from_json", error);
    printf("stage=from_json trials=%zu seconds=%.3f rss_mib=%.1f peak_mib=%.1f\n",
           wjr_runner_trial_count(r), bench_wall() - t0, rss_now_mib(), bench_maxrss_mib());
    free(text);
    printf("stage=free_text rss_mib=%.1f peak_mib=%.1f\n", rss_now_mib(), bench_maxrss_mib());
    t0 = bench_wall();
    error = wjr_runner_poll(&res, r, NULL, 0);
    if (error < 0)
        bench_die("wjr_runner_poll", error);
    printf("stage=poll seconds=%.3f stale=%d rss_mib=%.1f peak_mib=%.1f\n", bench_wall() - t0,
           res->stale, rss_now_mib(), bench_maxrss_mib());
    wjr_poll_result_free(res);
    t0 = bench_wall();
    error = wjr_runner_to_json(&out, r);
    if (error < 0)
        bench_die("wjr_runner_to_json", error);
    printf("stage=to_json bytes=%zu seconds=%.3f rss_mib=%.1f peak_mib=%.1f\n", strlen(out),
           bench_wall() - t0, rss_now_mib(), bench_maxrss_mib());
    free(out);
    wjr_runner_free(r);
    free(live);
    printf("result total=%zu live=%zu peak_rss_mib=%.1f baseline_mib=%.1f\n", total, n_live,
           bench_maxrss_mib(), base);
    return 0;
}
