/*
 * log.c - the default logging sink: timestamped lines appended to a file
 * (normally <experiment_dir>/wjr.log), one mutex per sink so that records
 * from several threads never interleave.
 *
 * Records carry their trial index, so that a wrapper's output can be traced
 * to its trial, as the seed's queue handler does for Python log records.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include "util.h"
#include "wjr/wrapper.h"

struct wjr_log_file_sink {
    FILE *file;
    wjr_log_level min_level;
    pthread_mutex_t lock;
};

const char *wjr_log_level_name(wjr_log_level level)
{
    if (level >= WJR_LOG_ERROR)
        return "ERROR";
    if (level >= WJR_LOG_WARNING)
        return "WARNING";
    if (level >= WJR_LOG_INFO)
        return "INFO";
    return "DEBUG";
}

int wjr_log_file_sink_new(wjr_log_file_sink **out, const char *path, wjr_log_level min_level)
{
    wjr_log_file_sink *sink;

    *out = NULL;
    sink = calloc(1, sizeof(*sink));
    if (sink == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    sink->file = fopen(path, "ae");
    if (sink->file == NULL) {
        int e = errno;
        free(sink);
        return wjr_error_set(WJR_EIO, "cannot open log file %s: %s", path, strerror(e));
    }
    sink->min_level = min_level;
    pthread_mutex_init(&sink->lock, NULL);
    *out = sink;
    return 0;
}

void wjr_log_file_sink_write(wjr_log_level level, int64_t trial_index, const char *message,
                             void *payload)
{
    wjr_log_file_sink *sink = payload;
    char stamp[32];
    struct timespec ts;
    struct tm tm;

    if (sink == NULL || level < sink->min_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    pthread_mutex_lock(&sink->lock);
    if (trial_index >= 0)
        fprintf(sink->file, "%s.%03ld %s [trial %lld] %s\n", stamp, ts.tv_nsec / 1000000L,
                wjr_log_level_name(level), (long long)trial_index, message);
    else
        fprintf(sink->file, "%s.%03ld %s %s\n", stamp, ts.tv_nsec / 1000000L,
                wjr_log_level_name(level), message);
    fflush(sink->file);
    pthread_mutex_unlock(&sink->lock);
}

void wjr_log_file_sink_free(wjr_log_file_sink *sink)
{
    if (sink == NULL)
        return;
    fclose(sink->file);
    pthread_mutex_destroy(&sink->lock);
    free(sink);
}

void wjr_trial_log(const wjr_trial_ctx *ctx, wjr_log_level level, const char *fmt, ...)
{
    va_list ap;

    if (ctx == NULL)
        return;
    va_start(ap, fmt);
    wjr_log_emitv(ctx->log, ctx->log_payload, level, ctx->index, fmt, ap);
    va_end(ap);
}
