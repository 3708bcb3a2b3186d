/*
 * runner_store.h - the runner's change log, for a store that appends one
 * record per changed trial to a journal instead of rewriting its whole
 * snapshot. Private to the library (the study's store uses it).
 *
 * Every change of what wjr_runner_to_json writes for a trial, and every
 * new trial, marks the trial (runner_int.h: wjr__trial_touch), before the
 * checkpoint callback that follows the change is called. A store takes
 * the records of the marked trials (at a checkpoint, say) and appends
 * them; the snapshot it wrote last plus every record taken since, replayed
 * in order with wjr__runner_apply_change, rebuild a runner whose
 * wjr_runner_to_json text is the live runner's.
 *
 * The header (what to_json writes before "trials") is not in the records.
 * The study id and the experiment directory never change after creation;
 * max_infrastructure_retries does when wjr_runner_set_infrastructure_retries
 * is called, and the backend's settings do when the backend learns the
 * controller's Slurm version (at its first look at the cluster: the first
 * submission, run_multiple's MaxArraySize, wjr_backend_cluster_info).
 * wjr__runner_header_changed tells when a new snapshot is due for that.
 */
#ifndef WJR_RUNNER_STORE_H
#define WJR_RUNNER_STORE_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"
#include "wjr/runner.h"

/*
 * Append to @p out a JSON array text ("[...]") of the records of the
 * trials changed since the last call (or the last forget), each element
 * exactly the object wjr_runner_to_json writes for the trial in "trials",
 * in the order of their first change; then clear the marks. Costs one
 * record per changed trial, whatever the number of trials. WJR_ENOMEM
 * (the marks kept, out marked oom) when memory runs out.
 */
int wjr__runner_take_changes(wjr_buf *out, wjr_runner *r);

/* How many trials are marked: the records the next take would write. */
size_t wjr__runner_change_count(const wjr_runner *r);

/*
 * Replay one record of wjr__runner_take_changes: the trial of its index is
 * replaced by it (in place: its wjr_trial_info keeps its address), or
 * added when the runner does not have it. Built and checked exactly as
 * wjr_runner_from_json builds a trial (same errors); the runner is left
 * unchanged when it fails. The replayed trial is not marked: its record
 * is in the journal already.
 */
int wjr__runner_apply_change(wjr_runner *r, json_t *record);
/* The same, with the record's compact text (src_len bytes), of which the
 * parameters and metrics are kept as written (wjr__trial_from_json). */
int wjr__runner_apply_change_text(wjr_runner *r, json_t *record, const char *src, size_t src_len);

/* Room for cap trials in the runner's table, when a store knows how many
 * it is about to load (no doubling on the way). 0 or WJR_ENOMEM. */
int wjr__runner_reserve(wjr_runner *r, size_t cap);

/* The runner's record with an empty "trials" array (a snapshot's header
 * holds it; wjr_runner_from_json builds the runner from it). */
int wjr__runner_header_json(wjr_buf *out, const wjr_runner *r);

/* The record of the i-th trial in index order (as take_changes writes
 * it), appended to out: a snapshot's trial lines. */
int wjr__runner_trial_record(wjr_buf *out, const wjr_runner *r, size_t i);

/* Clear every mark (a full snapshot was just written) and remember the
 * header that snapshot holds, for wjr__runner_header_changed. */
void wjr__runner_forget_changes(wjr_runner *r);

/* 1 when the header differs from the one remembered by the last
 * wjr__runner_forget_changes (or none was, or it cannot be written): a
 * new snapshot is due. 0 otherwise. */
int wjr__runner_header_changed(const wjr_runner *r);

#endif
