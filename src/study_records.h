/*
 * study_records.h - the text of the study's durable records
 * (study_records.c): the lines of a snapshot (study.json, schema 2), the
 * records of the journal (study.journal), and the schema-1 study.json of
 * earlier versions. study_store.c decides when to write them, study_load.c
 * reads them back.
 *
 * A snapshot is one JSON document laid out one trial a line, so that it
 * reads line by line and still reads whole with any JSON tool:
 *
 *     {"__type":"WjrStudy","schema":2,"epoch":E,...,"runner":{...},"trials":[
 *     {"index":0,...,"run":{...}}
 *     ,{"index":1,...}
 *     ]}
 *
 * The first line holds the study's own state and the runner's settings;
 * each trial line holds the study's part of a trial and the runner's
 * record of it ("run"), so that its parameters are written once. A journal
 * record holds the study's state and the trials that changed since the
 * record before it, the runner's changes as the runner wrote them.
 */
#ifndef WJR_STUDY_RECORDS_H
#define WJR_STUDY_RECORDS_H

#include <stdint.h>
#include <jansson.h>

#include "study_int.h"
#include "util.h"

#define STUDY_SCHEMA        2
#define CONFIG_COPY         "config.cfg"
#define CONFIG_COPY_YAML    "config.yaml" /* BOA's YAML, template variables rendered */
#define STUDY_SCHEMA_LEGACY 1

/* The snapshot's first line, up to and with `"trials":[` (no newline).
 * runner_header: the runner's record without trials, as JSON text. */
void wjr__records_header(wjr_buf *b, const wjr_study *s, uint64_t epoch, size_t n_trials,
                         int64_t next_index, const char *runner_header);

/* The study's part of a trial as a JSON object (no newline), and, when
 * run_record is not NULL (the runner's record of it), that as "run" in
 * place of the parameters. */
void wjr__records_trial(wjr_buf *b, const wjr_study *s, const study_trial *t,
                        const char *run_record);

/* The first half of a journal record, `{"state":..,"drawn":..,"trials":[`:
 * the caller appends trial objects, then closes it with
 * wjr__records_close(b, runner_changes). */
void wjr__records_open(wjr_buf *b, const wjr_study *s);
void wjr__records_close(wjr_buf *b, const char *runner_changes);

/* The first line of a snapshot (closed with "]}" to parse it): fills s->config_dir, s->seed,
 * s->drawn, s->state, and returns the epoch, the number of trial lines that follow, the index the
 * next trial gets and the runner's record (a borrowed reference into root). */
int wjr__records_read_header(uint64_t *epoch, int64_t *n_trials, int64_t *next_index,
                             json_t **runner, wjr_study *s, json_t *root, const char *path);

/* The configuration copy a study file names (config.cfg or config.yaml). */
const char *wjr__records_config_copy(json_t *root);

/* Apply one trial object (a snapshot line or an element of a journal
 * record's "trials"): the study's trial is made or updated, and a "run"
 * goes to the runner. `where` names the place for messages. src, when not
 * NULL, is obj's compact text (src_len bytes, a snapshot's line): the
 * run's parameters and metrics are kept as written there. */
int wjr__records_apply_trial(wjr_study *s, json_t *obj, const char *src, size_t src_len,
                             const char *where);

/* Apply one journal record: the study's state, its trials, the runner's
 * changes. */
int wjr__records_apply(wjr_study *s, const char *payload, size_t len, const char *where);

/* The last journal record of a study opened for submitting only: the
 * study's state, and the index its next trial gets (s->unread_below). */
int wjr__records_apply_last(wjr_study *s, const char *payload, size_t len, const char *where);

/* A schema-1 study.json (one JSON document): the study's state, its
 * trials, and the runner's record as text for wjr_runner_from_json(). */
int wjr__records_read_legacy(char **runner_text, wjr_study *s, json_t *root, const char *path);

#endif
