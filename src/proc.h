/*
 * proc.h - running a hook command on the login node with its output
 * captured into the log. Private.
 */
#ifndef WJR_PROC_H
#define WJR_PROC_H

#include "wjr/wrapper.h"

/*
 * Run `/bin/sh -c '<command> "$1"' wjr <last_arg>` in @p cwd: the command
 * comes from the user's configuration, the last argument is passed as a
 * separate word and never parsed by the shell. stdout lines are logged as
 * INFO, stderr lines as WARNING, tagged with the trial.
 * *exit_status gets the exit code (128+signal when killed).
 */
int wjr_proc_run_hook(int *exit_status, const char *command, const char *last_arg, const char *cwd,
                      const wjr_trial_ctx *trial);

/* Seconds a hook may run unless WJR_HOOK_TIMEOUT says otherwise. */
#define WJR_HOOK_TIMEOUT_DEFAULT 600.0

/*
 * The same with a time limit of @p timeout seconds: past it the hook's
 * process group is killed and WJR_ETIMEOUT returned; after wjr_interrupt(1)
 * the same happens at once with WJR_EINTERRUPTED. wjr_proc_run_hook uses
 * WJR_HOOK_TIMEOUT from the environment, else WJR_HOOK_TIMEOUT_DEFAULT.
 */
int wjr_proc_run_hook_timed(int *exit_status, const char *command, const char *last_arg,
                            const char *cwd, const wjr_trial_ctx *trial, double timeout);

#endif
