/*
 * study_lines.h - a snapshot's trial lines, read and parsed ahead of the
 * reader that applies them. Private to the study's store (study_load.c).
 *
 * jansson's parse of 100,000 trial lines takes as long as everything else
 * opening a study does, so a second thread reads and parses the lines
 * while the caller applies the ones before them. The lines come in the
 * file's order, whatever the thread does; a snapshot of few lines is read
 * without a thread, by the same code.
 */
#ifndef WJR_STUDY_LINES_H
#define WJR_STUDY_LINES_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

/* One line, owned by the reader, valid until the next call of
 * wjr_lines_next or wjr_lines_stop. */
typedef struct wjr_line {
    char *text;    /* as read, with its newline; NUL-terminated */
    ssize_t len;   /* getline's count: <= 0 when the file ended before it */
    json_t *obj;   /* a trial line's parse (the leading ',' skipped), or NULL */
    char err[160]; /* why obj is NULL, for a trial line */
} wjr_line;

typedef struct wjr_lines wjr_lines;

/*
 * Start reading f, at the first trial line of a snapshot of n_trials
 * trials: n_trials lines, each parsed, then the closing line, read as
 * text. The reader stops at the first line that does not end in a
 * newline. 0, or WJR_ENOMEM; f belongs to the reader until wjr_lines_stop.
 */
int wjr_lines_start(wjr_lines **out, FILE *f, int64_t n_trials);

/* The next line, in the file's order; NULL past the last one read. */
const wjr_line *wjr_lines_next(wjr_lines *r);

/* Stop the reading (the thread ends after the lines it is on) and free
 * the reader. f is then the caller's again, positioned past the lines
 * read, which are all of them when the caller took every line. */
void wjr_lines_stop(wjr_lines *r);

#endif
