/*
 * script.h - the generated batch script of a trial or of a job array.
 * Private.
 */
#ifndef WJR_SCRIPT_H
#define WJR_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* Name of the exit record the script writes in the trial directory. */
#define WJR_EXIT_RECORD "wjr_exit.json"
/* Name of the start marker the script writes before it runs the model. */
#define WJR_START_MARKER "wjr_start.json"

/*
 * Build the batch script. For a single job (array == 0, n == 1) it runs
 * commands[0] for trial indices[0]; for an array, task k runs commands[k]
 * for indices[k]. Each command gets the trial directory as its last,
 * quoted argument. The script first writes the start marker (job id, job
 * name, start time), then runs the command, writes the exit code
 * atomically as the exit record and exits with it.
 */
int wjr_script_build(char **out, const char *experiment_dir, const char *study_id,
                     const int64_t *indices, char *const *commands, size_t n, int array);

#endif
