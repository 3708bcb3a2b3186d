/*
 * study_store.h - the study's durable record (study_store.c): the lock of
 * an experiment directory, the copy of its configuration, study.json (the
 * checkpoint: trials, generator state, study state and the runner's
 * record) and results.csv. Every read and write of study.json goes through
 * these calls, so that its format is known to study_store.c alone.
 */
#ifndef WJR_STUDY_STORE_H
#define WJR_STUDY_STORE_H

#include "study_int.h"

/* 1 when s->dir already holds a study's record. */
int wjr__store_exists(const wjr_study *s);

/* Take the directory's lock (.lock, naming pid, host and command) for the
 * life of the study (s->lock_fd; wjr_study_free releases it). WJR_ELOCKED
 * when another process holds it. */
int wjr__store_lock(wjr_study *s, const char *command);

/* Copy the configuration (s->config, read from config_path) into the
 * experiment directory, where wjr__store_load() reads it again. */
int wjr__store_copy_config(const wjr_study *s, const char *config_path);

/* Read the study in s->dir (`dir` as the caller named it, for messages):
 * fills s->config_dir, s->config, the generator state (s->seed, s->drawn),
 * s->state, s->trials and s->runner, made with `ro`. */
int wjr__store_load(wjr_study *s, const char *dir, const wjr_runner_options *ro);

/* Write study.json with `runner`'s record (s->runner, or the runner that
 * is checkpointing). Nothing in a read-only study. */
int wjr__store_save(wjr_study *s, wjr_runner *runner);

/* study.json, and results.csv when its text changed. Nothing in a
 * read-only study. */
int wjr__store_persist(wjr_study *s);

/* The runner's checkpoint callback (payload: the study): study.json now,
 * results.csv at the end of the step. */
int wjr__store_checkpoint(wjr_runner *runner, void *payload);

#endif
