/*
 * study_store_int.h - what the store's two files share: the state of the
 * study's durable record (struct wjr_store, behind s->store, owned by the
 * study and released with wjr__store_free), its file names, and the calls
 * study_load.c (reading the files back) needs of study_store.c (the lock,
 * the writes). Private to those two files.
 */
#ifndef WJR_STUDY_STORE_INT_H
#define WJR_STUDY_STORE_INT_H

#include <stdint.h>

#include "journal.h"
#include "study_int.h"

#define STUDY_FILE   "study.json"
#define JOURNAL_FILE "study.journal"

struct wjr_store {
    wjr_journal *journal; /* NULL: read-only, or no snapshot made yet */
    uint64_t epoch;       /* of study.json and of the journal that goes with it */
    uint64_t snapshot_bytes;
    size_t n_recorded; /* trials[0, n_recorded) are in a snapshot or a record */
    size_t *touched;   /* positions of recorded trials changed since */
    size_t n_touched, cap_touched;
    int legacy;         /* read from a schema-1 study.json: the first write converts it */
    int header_changed; /* the study's header gained a field: the next save snapshots */
    int torn;           /* the journal ended in a torn record, dropped on opening */
    int partial;        /* WJR_STUDY_SUBMIT_ONLY: the snapshot's trials were not read, so
                           no snapshot can be written (and no results.csv) */
    wjr_study_state written_state;
    int64_t written_drawn;
};

/* s->store, made (zeroed) on first use; NULL with WJR_ENOMEM set. */
wjr_store *wjr__store_of(wjr_study *s);
/* "<s->dir>/<name>", malloc'd; NULL with WJR_ENOMEM set. */
char *wjr__store_path(const wjr_study *s, const char *name);
/* Write a new snapshot at the next epoch and start its empty journal. */
int wjr__store_snapshot(wjr_study *s);

#endif
