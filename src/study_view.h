/*
 * study_view.h - the study's trial table (study_view.c): finding and
 * appending trial records, shared by the driver and the store.
 */
#ifndef WJR_STUDY_VIEW_H
#define WJR_STUDY_VIEW_H

#include "study_int.h"

/* The trial with `index`, or NULL. */
study_trial *wjr__study_find_trial(const wjr_study *s, int64_t index);
/* The index the next trial gets (indices only grow). */
int64_t wjr__study_next_index(const wjr_study *s);
/* Append a trial with a larger index than the last; takes params_json
 * (freed on failure too). */
int wjr__study_add_trial(wjr_study *s, int64_t index, char *params_json);

#endif
