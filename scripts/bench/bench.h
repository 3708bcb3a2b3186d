/*
 * bench.h - small helpers shared by wjr's benchmark programs: wall and CPU
 * clocks, peak RSS, a quiet log sink, and a runner over the Slurm backend
 * with a trivial script wrapper (or a minimal wrapper that writes no trial
 * files). Not part of libwjr; header-only.
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

/* A minimal wrapper for the breakdown of run()'s cost: the batch job runs
 * `true`, and write_configs is NULL, so the runner writes no trial files
 * (no trial directory, no parameters.json/data.json/trial.json). What is
 * left is the runner's own work: parameter check, batch script,
 * environment, submission key, RPC. */
typedef struct bench_wrapper {
    wjr_wrapper base;
} bench_wrapper;

static inline int bench_wrapper_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    (void)w;
    (void)t;
    *out = strdup("true");
    return *out ? 0 : WJR_ENOMEM;
}

static inline int bench_wrapper_to_json(char **out, const wjr_wrapper *w)
{
    (void)w;
    *out = strdup("{}");
    return *out ? 0 : WJR_ENOMEM;
}

static inline void bench_wrapper_free(wjr_wrapper *w)
{
    free(w);
}

static inline wjr_wrapper *bench_wrapper_new(void)
{
    bench_wrapper *bw = calloc(1, sizeof(*bw));

    if (bw == NULL)
        bench_die("calloc", WJR_ENOMEM);
    bw->base.version = WJR_WRAPPER_VERSION;
    bw->base.type = "BenchWrapper";
    bw->base.run_model = bench_wrapper_run_model;
    bw->base.to_json = bench_wrapper_to_json;
    bw->base.free = bench_wrapper_free;
    return &bw->base;
}

/* A durable checkpoint, as the CLI's: the runner's whole state written to
 * <experiment_dir>/runner.json through a temporary file, fsync and rename
 * (wjr_runner_to_json_file), at every point where the runner asks for one. */
static inline int bench_checkpoint(wjr_runner *runner, void *payload)
{
    return wjr_runner_to_json_file(runner, (const char *)payload);
}

/* A runner over the Slurm backend (default partition, Slurm's defaults)
 * whose batch jobs run `true`. With files, the built-in script wrapper
 * (trial directory and BOA's three trial files, as in real use); without,
 * bench_wrapper_new()'s wrapper (no trial files). With @p checkpoint_path,
 * bench_checkpoint() writes there durably; NULL: no checkpoint callback. */
static inline wjr_runner *bench_runner_ckpt(const char *experiment_dir, const char *study_id,
                                            int files, const char *checkpoint_path)
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
    if (files) {
        wo.run_model = "true";
        error = wjr_wrapper_script_new(&wrapper, &wo);
        if (error < 0)
            bench_die("wjr_wrapper_script_new", error);
    } else {
        wrapper = bench_wrapper_new();
    }
    ro.experiment_dir = experiment_dir;
    ro.study_id = study_id;
    ro.log = bench_log;
    if (checkpoint_path != NULL) {
        ro.checkpoint = bench_checkpoint;
        ro.checkpoint_payload = (void *)checkpoint_path;
    }
    error = wjr_runner_new(&runner, backend, wrapper, &ro);
    if (error < 0)
        bench_die("wjr_runner_new", error);
    return runner;
}

static inline wjr_runner *bench_runner_files(const char *experiment_dir, const char *study_id,
                                             int files)
{
    return bench_runner_ckpt(experiment_dir, study_id, files, NULL);
}

static inline wjr_runner *bench_runner(const char *experiment_dir, const char *study_id)
{
    return bench_runner_files(experiment_dir, study_id, 1);
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
