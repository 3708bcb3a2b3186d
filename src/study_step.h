/*
 * study_step.h - what the driver's step (study_step.c) shares with the
 * external API (study_submit.c).
 */
#ifndef WJR_STUDY_STEP_H
#define WJR_STUDY_STEP_H

#include "study_int.h"

/* Log the trials whose status changed since the last call (a debug trace;
 * the runner logs outcomes itself); 1 when any changed. */
int wjr__study_note_changes(wjr_study *s);

#endif
