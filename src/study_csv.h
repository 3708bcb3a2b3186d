/*
 * study_csv.h - results.csv's text (study_csv.c), kept up to date from the
 * trial views as trials settle. wjr_study_results_csv() (public) renders
 * the same text afresh.
 */
#ifndef WJR_STUDY_CSV_H
#define WJR_STUDY_CSV_H

#include "study_int.h"

typedef struct study_csv study_csv;

/* results.csv's text (malloc'd): the settled trials' rows from the study's
 * cache (s->csv, made on first use), rendered once; the other rows now. */
int wjr__study_csv(char **out, wjr_study *s);
/* 1 unless results.csv last received exactly this text. */
int wjr__study_csv_changed(const wjr_study *s, const char *text);
/* results.csv now holds text (taken). */
void wjr__study_csv_written(wjr_study *s, char *text);
/* Free a cache (NULL: nothing). */
void wjr__study_csv_free(study_csv *c);

#endif
