/*
 * study_view.h - the study's trials as the driver and the reports see them
 * (study_view.c): the trial table, each trial's effective status and
 * public view from the study's record and the runner's, its metrics, and
 * the best trial. Read-only but for appending trials.
 */
#ifndef WJR_STUDY_VIEW_H
#define WJR_STUDY_VIEW_H

#include "study_int.h"

/* ---- the trial table ----------------------------------------------------- */

/* The trial with `index`, or NULL. */
study_trial *wjr__study_find_trial(const wjr_study *s, int64_t index);
/* The index the next trial gets (indices only grow). */
int64_t wjr__study_next_index(const wjr_study *s);
/* Room for cap trials in the table (a load that knows its count). 0 or
 * WJR_ENOMEM. */
int wjr__study_reserve(wjr_study *s, size_t cap);
/* Append a trial with a larger index than the last; takes params_json
 * (freed on failure too). NULL: the runner has the trial and holds its
 * parameters. */
int wjr__study_add_trial(wjr_study *s, int64_t index, char *params_json);
/* The trial's parameters (compact JSON text, borrowed): the study's own
 * copy until the runner has the trial, then the runner's; NULL if neither
 * has them. */
const char *wjr__study_params(const wjr_study *s, const study_trial *t);
/* The same, parsed: a new reference, or NULL. */
json_t *wjr__study_trial_params(const wjr_study *s, const study_trial *t);
/* Once the runner holds the trial's parameters, the study lets its own
 * copy go: one copy per trial, owned by the runner. */
void wjr__study_share_params(wjr_study *s, study_trial *t);
/* Free every trial and the table. */
void wjr__study_trials_free(wjr_study *s);

/* ---- what a trial looks like --------------------------------------------- */

/* The runner's record of a trial, or NULL. Unlike wjr_runner_trial(),
 * leaves the error slot alone. */
const wjr_trial_info *wjr__study_runner_info(const wjr_study *s, int64_t index);
/* 1 when the runner's record names a job (the trial was submitted). */
int wjr__study_submitted(const wjr_trial_info *info);
/* Effective status of a study trial (the study's override, else the runner's). */
wjr_trial_status wjr__study_trial_status(const wjr_study *s, const study_trial *t);
/* Fill the public view of one trial (strings borrowed from s). */
void wjr__study_trial_view(wjr_study_trial *out, const wjr_study *s, const study_trial *t);

/* ---- metrics and the best trial ------------------------------------------ */

/* Once nothing about trial t can change any more (its status is terminal
 * for the study and the runner), parse its metrics once, keep what the
 * views need (t->value, t->feasible: t->settled) and let it
 * compete for the best trial. Nothing before that, or after: call it
 * whenever t's status may have changed. */
void wjr__study_settle(wjr_study *s, study_trial *t);
/* The trial's metrics as a new reference (not to be changed), or NULL. */
json_t *wjr__study_trial_metrics(const wjr_study *s, const study_trial *t);
/* 1 when metrics have weights: trials rank by the weighted sum (BOA's
 * scalarized objective, direction objective.minimize, default true). */
int wjr__study_scalarized(const wjr_study_config *config);
/* The metric that ranks trials: the first one not info_only, or NULL. */
const wjr_metric *wjr__study_objective(const wjr_study *s);
/* Index of the best completed trial by the objective (the first objective
 * when there are several), -1 if none; kept as trials settle
 * (wjr__study_settle), not computed here. */
int64_t wjr__study_best(double *value, const wjr_study *s);
/* Objective j (0 .. wjr__config_objectives() - 1) of a trial's metrics:
 * the weighted sum when scalarized, else the j-th objective metric's
 * mean; NAN when absent. */
double wjr__study_objective_mean(const wjr_study_config *c, json_t *metrics, size_t j);
/* With several objectives: 1 when trial `index` is on the Pareto front of
 * the settled trials (completed, within the outcome constraints and the
 * objective thresholds), 0 when not; -1 in a study with one objective. */
int wjr__study_on_front(const wjr_study *s, int64_t index);

/* ---- the study's counts -------------------------------------------------- */

/* A trial the driver must (re)submit: generated, not submitted, not decided. */
int wjr__study_needs_submit(const wjr_study *s, const study_trial *t);
/* 1 when every trial's status is terminal. */
int wjr__study_all_terminal(const wjr_study *s);
/* Add each trial to p's count of its status (waiting in Slurm's queue
 * counts as pending). */
void wjr__study_count(wjr_study_progress *p, const wjr_study *s);

/* WJR_ESTATE unless the whole study was read (not WJR_STUDY_SUBMIT_ONLY):
 * for the calls that need every trial. */
int wjr__study_whole(const wjr_study *s, const char *what);

#endif
