/*
 * study_store.h - the study's durable record (study_store.c): the lock of
 * an experiment directory, the copy of its configuration, the snapshot
 * study.json and the journal study.journal (trials, generator state, study
 * state and the runner's records), and results.csv. Every read and write of
 * those files goes through these calls.
 *
 * The store's state (wjr_store, behind s->store) is owned by the study and
 * released with wjr__store_free().
 */
#ifndef WJR_STUDY_STORE_H
#define WJR_STUDY_STORE_H

#include <time.h>

#include "study_int.h"

/* 1 when s->dir already holds a study's record. */
int wjr__store_exists(const wjr_study *s);
int wjr__store_exists_in(const char *dir);

/* Take the directory's lock (.lock, naming pid, host, command and the
 * Slurm job the process runs in, if any) for the
 * life of the study (s->lock_fd; wjr_study_free releases it). WJR_ELOCKED
 * when another process holds it. */
int wjr__store_lock(wjr_study *s, const char *command);
/* WJR_ELOCKED, naming the holder as wjr__store_lock() does, when another
 * process holds the directory's lock now; 0 when none does. Takes
 * nothing and writes nothing. */
int wjr__store_locked(const wjr_study *s);

/* The last holder of the lock of `dir`, read without taking it: its
 * "PID HOST COMMAND" (malloc'd, NULL when none), the Slurm job it ran in
 * (0: none), the time of its last step (0 once it released the lock;
 * see wjr__store_heartbeat), and in `dead` why it is known to have died
 * without releasing the lock (a static string: no process has its PID on
 * this host, the PID is now another process's, or the host restarted), or
 * NULL when it may live or runs on another host (a compute node), where
 * only its steps tell. */
int wjr__store_lock_holder(char **holder, uint32_t *job, time_t *stepped, const char **dead,
                           const char *dir);

/* Copy the configuration (s->config, read from config_path) into the
 * experiment directory, where wjr__store_load() reads it again; note
 * config_path and a digest of its bytes in s->config_source and
 * s->config_digest. */
int wjr__store_copy_config(wjr_study *s, const char *config_path);
/* 1 when s->config_source has changed since the study was created from
 * it (0 also when it is gone or was never noted). */
int wjr__store_source_changed(const wjr_study *s);
/* That copy's path (malloc'd), or NULL when out of memory. */
char *wjr__store_config_copy(const wjr_study *s);

/* Read the study in s->dir (`dir` as the caller named it, for messages):
 * fills s->config_dir, s->config, the generator state (s->seed, s->drawn),
 * s->state, s->trials and s->runner, made with `ro`. A writable study is
 * then ready to append (a schema-1 study.json is converted here). */
int wjr__store_load(wjr_study *s, const char *dir, const wjr_runner_options *ro);

/* Record what changed since the last save: one journal record, or a new
 * snapshot when the journal has outgrown the last one (or there is none
 * yet). Nothing in a read-only study. */
int wjr__store_save(wjr_study *s);

/* wjr__store_save(), then results.csv when its text changed. Nothing in
 * a read-only study. */
int wjr__store_persist(wjr_study *s);

/* The runner's checkpoint callback (payload: the study): a record now,
 * results.csv at the end of the step. */
int wjr__store_checkpoint(wjr_runner *runner, void *payload);

/* A recorded trial's study part changed (status override, reason, step):
 * it goes out with the next record. New trials need no call. */
void wjr__store_touch(wjr_study *s, study_trial *t);
/* The study's part of the snapshot's header changed (a field it did not
 * have): the next save writes a snapshot, since the journal holds only
 * trials. */
void wjr__store_header_changed(wjr_study *s);

/* The lock holder's sign of life: the lock file's time is set to now at
 * every step of the driver, and to 0 when the lock is released, so that
 * `wjr status` on any node can tell a running driver from a dead one
 * (wjr_study_driver_describe). */
void wjr__store_heartbeat(wjr_study *s, int alive);

/* 1 when something changed that no record holds yet (a change the runner
 * made without a checkpoint, e.g. a job's first sighting). */
int wjr__store_pending(const wjr_study *s);

/* 1 when the journal ended in a torn record that opening dropped. */
int wjr__store_recovered_torn(const wjr_study *s);

void wjr__store_free(wjr_study *s);

/* The journal is compacted once it is larger than the snapshot and than
 * this (bytes; 256 KiB). The tests lower it to compact often; 0: at every
 * save. */
extern size_t wjr__store_compact_min;

#endif
