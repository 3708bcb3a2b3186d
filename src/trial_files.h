/*
 * trial_files.h - reading the files a model writes into its trial
 * directory, safely, under BOA's names. Private.
 */
#ifndef WJR_TRIAL_FILES_H
#define WJR_TRIAL_FILES_H

#include <stddef.h>

#include <jansson.h>

/* The most a trial file may hold. */
#define WJR_TRIAL_FILE_LIMIT (16u * 1024u * 1024u)

/* BOA's base names of output and status files (NULL-terminated). */
extern const char *const wjr_output_names[];
extern const char *const wjr_status_names[];

/*
 * Read <trial_dir>/<name>: a regular file only, never blocking (a FIFO or
 * device is refused), no larger than `limit`, and through a symbolic link
 * only when the link stays inside the trial directory. WJR_ENOTFOUND when
 * absent. *out is malloc'd and NUL-terminated.
 */
int wjr_trial_file_read(char **out, size_t *len, const char *trial_dir, const char *name,
                        size_t limit);

/*
 * Find the file <base>.<json|yml|yaml> (extension in any case) of the
 * first of `bases` (at most 16) that trial_dir holds, as BOA looks for
 * them. *found is malloc'd, or NULL when there is none. One base with
 * two extensions is an error naming both files.
 */
int wjr_trial_file_find(char **found, const char *trial_dir, const char *const *bases);

/* Read and parse a trial file as JSON, or YAML by its extension. */
int wjr_trial_file_load(json_t **out, const char *trial_dir, const char *name);

#endif
