/*
 * study_driver.h - what the study's core (study.c: construction, the log,
 * reconciliation) gives the step (study_step.c) and the external API
 * (study_submit.c).
 */
#ifndef WJR_STUDY_DRIVER_H
#define WJR_STUDY_DRIVER_H

#include "study_int.h"

/* A log callback (payload: the study): wjr.log and the caller's sink. */
void wjr__study_log_dispatch(wjr_log_level level, int64_t trial, const char *message,
                             void *payload);
/* Log one of the driver's records through wjr__study_log_dispatch. */
void wjr__study_log(wjr_study *s, wjr_log_level level, int64_t trial, const char *fmt, ...)
    WJR_FORMAT(4, 5);
/* 0, or WJR_ESTATE when the study was opened read-only. */
int wjr__study_writable(const wjr_study *s);

#endif
