/*
 * runner_store.h - what the study's store needs of the runner's records
 * (runner_json.c): the runner's settings without its trials, one trial's
 * record, the records of the trials changed since the last call, and the
 * replay of such a record. Not public: a study's snapshot and journal
 * (study_store.c) are their only users.
 *
 * The text written is the same per-trial object wjr_runner_to_json() puts
 * in its "trials" array, so that a record replays exactly as a load does.
 */
#ifndef WJR_RUNNER_STORE_H
#define WJR_RUNNER_STORE_H

#include <stddef.h>
#include <jansson.h>

#include "wjr/runner.h"
#include "util.h"

/* The runner's record with an empty "trials" array, appended to out. */
int wjr__runner_header_json(wjr_buf *out, const wjr_runner *r);

/* The record of the i-th trial (index order), appended to out. */
int wjr__runner_trial_record(wjr_buf *out, const wjr_runner *r, size_t i);

/* A JSON array of the records of the trials changed since the last call
 * (or since wjr__runner_forget_changes()), appended to out; the marks are
 * cleared. */
int wjr__runner_take_changes(wjr_buf *out, wjr_runner *r);

/* Clear every mark: a snapshot holds everything. */
void wjr__runner_forget_changes(wjr_runner *r);

/* Replay one trial record: the trial of that index is replaced, or made. */
int wjr__runner_apply_change(wjr_runner *r, json_t *record);

#endif
