/*
 * runner_store.c - the runner's change log (runner_store.h): the records
 * of the trials marked since the last take, replaying one record into a
 * runner, and whether the header changed since the last snapshot. The
 * marks themselves are set by wjr__trial_touch (runner.c) wherever a
 * trial changes; the records are the codec's (runner_json.c). It writes
 * no file: the study's store decides where records go.
 */
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"
#include "runner_store.h"
#include "util.h"

static void clear_marks(wjr_runner *r)
{
    size_t i;

    for (i = 0; i < r->n_changed; i++)
        r->changed[i]->marked = 0;
    r->n_changed = 0;
}

int wjr__runner_take_changes(wjr_buf *out, wjr_runner *r)
{
    size_t i;

    if (out == NULL || r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr__runner_take_changes: no buffer or runner");
    wjr_buf_puts(out, "[");
    for (i = 0; i < r->n_changed; i++) {
        if (i > 0) /* one line: a journal record reads with line tools */
            wjr_buf_puts(out, ",");
        wjr__trial_emit(out, r->changed[i]);
    }
    wjr_buf_puts(out, "]");
    if (out->oom)
        return wjr_error_set(WJR_ENOMEM, "out of memory"); /* marked still: nothing is lost */
    clear_marks(r);
    return 0;
}

size_t wjr__runner_change_count(const wjr_runner *r)
{
    return r ? r->n_changed : 0;
}

int wjr__runner_apply_change(wjr_runner *r, json_t *record)
{
    return wjr__runner_apply_change_text(r, record, NULL, 0);
}

int wjr__runner_apply_change_text(wjr_runner *r, json_t *record, const char *src, size_t src_len)
{
    trial *t = NULL, *old, swap;
    int error;

    if (r == NULL)
        return wjr_error_set(WJR_EINVALID, "wjr__runner_apply_change: no runner");
    error = wjr__trial_from_json(&t, r, record, src, src_len);
    if (error < 0)
        return error;
    old = wjr__find_trial(r, t->info.index);
    if (old == NULL) {
        error = wjr__insert_trial(r, t);
        if (error < 0)
            wjr__trial_free(t);
        return error;
    }
    /* the record's state into the trial the table holds, whose mark stays */
    swap = *old;
    *old = *t;
    *t = swap;
    old->marked = t->marked;
    t->marked = 0;
    wjr__trial_free(t);
    return 0;
}

/* The header as the runner's JSON holds it now (malloc'd), or NULL. */
static char *header_text(const wjr_runner *r)
{
    wjr_buf b = WJR_BUF_INIT;
    char *text = NULL;

    if (wjr__runner_emit_header(&b, r) < 0 || wjr_buf_detach(&text, &b) < 0) {
        wjr_buf_free(&b);
        return NULL;
    }
    return text;
}

void wjr__runner_forget_changes(wjr_runner *r)
{
    if (r == NULL)
        return;
    clear_marks(r);
    free(r->saved_header);
    r->saved_header = header_text(r);
}

int wjr__runner_header_changed(const wjr_runner *r)
{
    char *now;
    int changed;

    if (r == NULL || r->saved_header == NULL)
        return 1;
    now = header_text(r);
    changed = now == NULL || strcmp(now, r->saved_header) != 0;
    free(now);
    return changed;
}

int wjr__runner_header_json(wjr_buf *out, const wjr_runner *r)
{
    int error = wjr__runner_emit_header(out, r);

    if (error == 0)
        wjr_buf_puts(out, ",\"trials\":[]}");
    return error == 0 && out->oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : error;
}

int wjr__runner_trial_record(wjr_buf *out, const wjr_runner *r, size_t i)
{
    if (i >= r->n_trials)
        return wjr_error_set(WJR_EINVALID, "wjr__runner_trial_record: no trial at %zu", i);
    wjr__trial_emit(out, r->trials[i]);
    return out->oom ? wjr_error_set(WJR_ENOMEM, "out of memory") : 0;
}
