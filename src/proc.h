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

#endif
