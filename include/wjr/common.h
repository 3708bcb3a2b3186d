/*
 * wjr/common.h - export macro, error codes, trial statuses and logging.
 *
 * Ownership: nothing declared here allocates, except wjr_log_file_sink_new()
 * whose result the caller frees with wjr_log_file_sink_free().
 */
#ifndef WJR_COMMON_H
#define WJR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WJR_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define WJR_EXTERN(type) extern type
#endif

#if defined(__GNUC__)
#define WJR_FORMAT(a, b) __attribute__((format(printf, a, b)))
#else
#define WJR_FORMAT(a, b)
#endif

/** Library version as text, "MAJOR.MINOR.PATCH". */
#define WJR_VERSION "0.1.0"

/**
 * Error codes. Functions return 0 on success or one of these; the message is
 * in a thread-local slot read with wjr_error_last(). Codes are never
 * renumbered: new ones go at the end.
 */
enum {
    WJR_OK = 0,
    WJR_ERROR = -1,         /**< generic failure */
    WJR_ENOTFOUND = -2,     /**< no such trial, file, job or key */
    WJR_EINVALID = -3,      /**< bad argument or bad input data (JSON, values) */
    WJR_ECONFIG = -4,       /**< bad configuration file */
    WJR_ESLURM = -5,        /**< Slurm refused the request; message is Slurm's */
    WJR_ETIMEOUT = -6,      /**< no answer in time; the outcome is unknown */
    WJR_EUNREACHABLE = -7,  /**< the controller could not be reached */
    WJR_EIO = -8,           /**< file system error */
    WJR_ELOCKED = -9,       /**< another process holds the study lock */
    WJR_EEXISTS = -10,      /**< the thing to be created exists already */
    WJR_ENOMEM = -11,       /**< out of memory */
    WJR_ESTATE = -12,       /**< operation not valid in the current state */
    WJR_EINTERRUPTED = -13, /**< stopped by wjr_interrupt(); nothing was lost */
    WJR_EHOOK = -14         /**< a trial's write_configs hook failed: that trial cannot run */
};

/**
 * The message of the last error raised in this thread. Borrowed: valid until
 * the next failing wjr call in this thread. Never NULL.
 */
WJR_EXTERN(const char *) wjr_error_last(void);

/** The code of the last error raised in this thread (0 if none). */
WJR_EXTERN(int) wjr_error_last_code(void);

/** Clear the thread's error slot. */
WJR_EXTERN(void) wjr_error_clear(void);

/**
 * Ask every wjr call under way in this process to stop soon (1), or clear
 * the request (0). Async-signal-safe: meant for a SIGINT handler. A hook
 * running then is ended and its step returns WJR_EINTERRUPTED; the trial
 * it served keeps its state, so that a later run finishes it.
 */
WJR_EXTERN(void) wjr_interrupt(int on);

/** Whether wjr_interrupt(1) is in force. */
WJR_EXTERN(int) wjr_interrupted(void);

/**
 * "Did you mean": of the NULL-terminated `names`, the one that `name` is a
 * likely typo of (within a third of the shorter length in edits, one at
 * least and three at most, case aside), or NULL when none is that close.
 * Returns one of `names`, borrowed from the caller.
 */
WJR_EXTERN(const char *) wjr_closest_name(const char *name, const char *const *names);

/** The library's version text. Borrowed, static. */
WJR_EXTERN(const char *) wjr_version(void);

/**
 * Trial statuses, numbered as Ax numbers its TrialStatus, so that a model
 * script may write either the name or the integer code.
 */
typedef enum {
    WJR_TRIAL_CANDIDATE = 0,
    WJR_TRIAL_STAGED = 1,
    WJR_TRIAL_FAILED = 2,
    WJR_TRIAL_COMPLETED = 3,
    WJR_TRIAL_RUNNING = 4,
    WJR_TRIAL_ABANDONED = 5,
    WJR_TRIAL_DISPATCHED = 6,
    WJR_TRIAL_EARLY_STOPPED = 7
} wjr_trial_status;

/** "RUNNING", "COMPLETED", ... Static string; "UNKNOWN" for other values. */
WJR_EXTERN(const char *) wjr_trial_status_name(wjr_trial_status status);

/**
 * Parse a status name (case-insensitive) or Ax integer code given as text.
 * @return 0, or WJR_EINVALID.
 */
WJR_EXTERN(int) wjr_trial_status_parse(wjr_trial_status *out, const char *text);

/** 1 when the status is final (COMPLETED, FAILED, ABANDONED, EARLY_STOPPED). */
WJR_EXTERN(int) wjr_trial_status_is_terminal(wjr_trial_status status);

/** Log levels, numbered as Python's logging numbers them. */
typedef enum {
    WJR_LOG_DEBUG = 10,
    WJR_LOG_INFO = 20,
    WJR_LOG_WARNING = 30,
    WJR_LOG_ERROR = 40
} wjr_log_level;

/** "DEBUG", "INFO", "WARNING" or "ERROR". Static. */
WJR_EXTERN(const char *) wjr_log_level_name(wjr_log_level level);

/** An array task id meaning "not an array task" (run metadata, job records). */
#define WJR_NO_TASK UINT32_MAX

/** Trial index meaning "no trial" in log records. */
#define WJR_NO_TRIAL ((int64_t)-1)

/**
 * A logging sink. Called with one record at a time, never concurrently for
 * one runner (the runner serialises calls). @p message is borrowed for the
 * duration of the call. @p trial_index is WJR_NO_TRIAL for records that
 * belong to no trial.
 */
typedef void (*wjr_log_fn)(wjr_log_level level, int64_t trial_index, const char *message,
                           void *payload);

/** A sink that appends timestamped lines to a file; thread-safe. */
typedef struct wjr_log_file_sink wjr_log_file_sink;

/**
 * Open (append, create) @p path as a log file.
 * @param out receives the sink; the caller owns it and frees it with
 *        wjr_log_file_sink_free() after every user of it is gone.
 * @param min_level records below this level are dropped.
 */
WJR_EXTERN(int)
wjr_log_file_sink_new(wjr_log_file_sink **out, const char *path, wjr_log_level min_level);

/** The wjr_log_fn to pair with a wjr_log_file_sink as its payload. */
WJR_EXTERN(void)
wjr_log_file_sink_write(wjr_log_level level, int64_t trial_index, const char *message,
                        void *payload);

/** Close and free a sink; NULL is accepted. */
WJR_EXTERN(void) wjr_log_file_sink_free(wjr_log_file_sink *sink);

#ifdef __cplusplus
}
#endif

#endif
