/*
 * test_util.h - what the unit tests share: a fixture with a fresh
 * experiment directory under $TMPDIR and a runner over the mocked Slurm, a
 * log sink that keeps records for assertions, a wrapper that writes no
 * files, small file and process helpers, wjr_study_check of a small study
 * and the Slurm backend's to_json round trip.
 */
#ifndef WJR_TEST_UTIL_H
#define WJR_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "wjr.h"

/* The study id every fixture runner uses: job names are "wjr-s1-<index>". */
#define TU_STUDY "s1"

typedef struct tu_record {
    wjr_log_level level;
    int64_t trial;
    char *message;
} tu_record;

typedef struct tu_log {
    tu_record *records;
    size_t count;
    size_t cap;
} tu_log;

/* A wjr_log_fn keeping every record in the tu_log given as payload. */
void tu_log_fn(wjr_log_level level, int64_t trial_index, const char *message, void *payload);
/* Index of the first record at @p level (0: any) for @p trial whose message
 * contains @p needle, or -1. */
long tu_log_find(const tu_log *log, wjr_log_level level, int64_t trial, const char *needle);
void tu_log_clear(tu_log *log);

typedef struct tu_fixture {
    char *dir; /* the experiment directory, removed on teardown */
    wjr_runner *runner;
    tu_log log;
} tu_fixture;

/* cmocka fixtures: mock_reset() and a fresh directory; teardown frees the
 * runner, checks that every libslurm buffer was given back, removes it all. */
int tu_setup(void **state);
int tu_teardown(void **state);

/* Create f->runner (study TU_STUDY, log into f->log) over the Slurm backend
 * with @p slurm (NULL: defaults) and @p wrapper (NULL: a plain wrapper
 * running `true`). */
void tu_runner(tu_fixture *f, wjr_wrapper *wrapper, const wjr_slurm_options *slurm);
/* The same with a checkpoint callback; returns wjr_runner_new's code. */
int tu_runner_checkpointed(tu_fixture *f, wjr_wrapper *wrapper, const wjr_slurm_options *slurm,
                           wjr_checkpoint_fn checkpoint, void *payload);

/* A wrapper writing no files, with run_model only (type "TestWrapper"). */
wjr_wrapper *tu_plain_wrapper(const char *run_model);
/* The built-in script wrapper with run_model and an optional write_configs. */
wjr_wrapper *tu_script_wrapper(const char *run_model, const char *write_configs);

/* Run one trial and return its borrowed info; fails the test on error. */
const wjr_trial_info *tu_run(tu_fixture *f, int64_t index, const char *params_json);
/* Poll one trial and return its status. */
wjr_trial_status tu_poll_one(tu_fixture *f, int64_t index);
/* @p n trial specs (malloc'd; free() them) for indices first, first+1...,
 * each with the parameters {"x": 0.5}. */
wjr_trial_spec *tu_make_specs(size_t n, int64_t first);

/* One field of one trial as the runner's to_json writes it, as JSON text
 * (malloc'd; "null" when absent): "submission", "intent_time", "key"... */
char *tu_trial_field(wjr_runner *r, int64_t index, const char *field);
/* The same, for a field holding an integer (0 when absent). */
long long tu_trial_int(wjr_runner *r, int64_t index, const char *field);
/* Fail the test unless the trial's "submission" word is @p want. */
void tu_assert_submission(wjr_runner *r, int64_t index, const char *want);

/* malloc'd "<dir>/<name>" */
char *tu_path(const char *dir, const char *name);
/* Whole file as malloc'd text, or NULL. */
char *tu_read(const char *path);
void tu_write(const char *path, const char *text);
int tu_exists(const char *path);
/* A fresh directory under $TMPDIR (malloc'd), and rm -rf. */
char *tu_mkdtemp(void);
void tu_rm_rf(const char *path);

/* Run `/bin/sh script` in @p cwd with NULL-terminated "NAME=VALUE" pairs
 * added to the environment; the exit status (128+signal when killed). */
int tu_run_sh(const char *script_path, const char *cwd, const char *const *env);
/* Write a batch script into f->dir and run it there as a job would. */
int tu_run_script(tu_fixture *f, const char *script, const char *const *env);

/* A trial context on <f->dir>/000001 (the directory created; *dir malloc'd),
 * with parameters {"x": 1} and the fixture's log. */
void tu_trial_ctx(wjr_trial_ctx *ctx, tu_fixture *f, char **dir);
/* Write text to <dir>/<name>, or remove the file when text is NULL. */
void tu_put(const char *dir, const char *name, const char *text);
/* A study configuration <f->dir>/study.cfg (path malloc'd): @p body, then
 * script_options running `true` with the experiment in <f->dir>/exp, and a
 * slurm section for the partition "debug". */
char *tu_study_config(tu_fixture *f, const char *body);

/* Write a minimal study with SLURM_GROUP (the slurm group's members, from
 * line 3) and PARAMETERS (NULL: one range x) into <f->dir>/c.cfg and check
 * it: wjr_study_check's code, *info (when info; the caller frees it) and
 * the warnings joined in warnings[size] (when warnings). */
int tu_check_slurm(tu_fixture *f, const char *slurm_group, const char *parameters,
                   wjr_cluster_info **info, char *warnings, size_t size);
/* wjr_error_last() holds what. */
void tu_assert_error_has(const char *what);
/* The Slurm backend made from o, written out, read back and written
 * again: the same text, which holds each of has[] (NULL-terminated). */
void tu_survives_to_json(const wjr_slurm_options *o, const char *const *has);

/* The fake controller's last submission (there must be one). */
struct mock_submission;
const struct mock_submission *tu_last_sub(void);
/* Its resources hold the word " what " (or end with it) / hold no what. */
void tu_assert_res(const struct mock_submission *s, const char *what);
void tu_assert_no_res(const struct mock_submission *s, const char *what);

#endif
