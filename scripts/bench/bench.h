/*
 * bench.h - small helpers shared by wjr's benchmark programs: wall and CPU
 * clocks, peak RSS, a quiet log sink, and a runner over the Slurm backend
 * with a trivial script wrapper. Not part of libwjr; header-only.
 */
#ifndef WJR_BENCH_H
#define WJR_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <wjr/runner.h>

static inline double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* user + system CPU seconds of this process */
static inline double bench_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* peak resident set size of this process, in MiB */
static inline double bench_maxrss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static inline void bench_die(const char *what, int error)
{
    fprintf(stderr, "bench: %s failed (%d): %s\n", what, error, wjr_error_last());
    exit(1);
}

/* Log sink that keeps warnings and errors on stderr and drops the rest:
 * the benchmarks measure the runner, not a log file. */
static inline void bench_log(wjr_log_level level, int64_t trial, const char *msg, void *payload)
{
    (void)payload;
    if (level >= WJR_LOG_WARNING)
        fprintf(stderr, "wjr[%lld] %s: %s\n", (long long)trial, wjr_log_level_name(level), msg);
}

/* A runner over the Slurm backend (default partition, Slurm's defaults)
 * whose batch jobs run `true`. No checkpoint callback. */
static inline wjr_runner *bench_runner(const char *experiment_dir, const char *study_id)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_script_options wo = WJR_SCRIPT_OPTIONS_INIT;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_backend *backend = NULL;
    wjr_wrapper *wrapper = NULL;
    wjr_runner *runner = NULL;
    int error;

    error = wjr_backend_slurm_new(&backend, &so);
    if (error < 0)
        bench_die("wjr_backend_slurm_new", error);
    wo.run_model = "true";
    error = wjr_wrapper_script_new(&wrapper, &wo);
    if (error < 0)
        bench_die("wjr_wrapper_script_new", error);
    ro.experiment_dir = experiment_dir;
    ro.study_id = study_id;
    ro.log = bench_log;
    error = wjr_runner_new(&runner, backend, wrapper, &ro);
    if (error < 0)
        bench_die("wjr_runner_new", error);
    return runner;
}

/* Realistic parameters of trial i (the Branin example's search space). */
static inline void bench_params(char *buf, size_t size, long long i)
{
    double x1 = -5.0 + 15.0 * (double)((i * 7919) % 10007) / 10007.0;
    double x2 = 15.0 * (double)((i * 104729) % 10009) / 10009.0;
    snprintf(buf, size, "{\"x1\": %.17g, \"x2\": %.17g, \"opt\": \"%s\", \"n\": %lld}", x1, x2,
             (i & 1) ? "b" : "a", 1 + i % 8);
}

#endif
