/*
 * study_step.h - what the driver's step (study_step.c) shares with the
 * external API (study_submit.c).
 */
#ifndef WJR_STUDY_STEP_H
#define WJR_STUDY_STEP_H

#include "study_int.h"

/* Take in what the runner changed: log the trials whose status changed
 * since the last call (a debug trace; the runner logs outcomes itself)
 * and settle those that can no longer change (wjr__study_settle); 1 when
 * any status changed. */
int wjr__study_note_changes(wjr_study *s);

#endif
