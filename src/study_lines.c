/*
 * study_lines.c - a snapshot's trial lines read and parsed by a second
 * thread while the caller applies the lines before them (study_lines.h).
 *
 * Two batches of lines alternate: the thread fills one (getline, then
 * jansson's parse) while the caller takes the lines of the other. A batch
 * is the thread's while it is not full, the caller's while it is; the
 * mutex guards only that flag and the stop request. The thread reads no
 * further than the lines the snapshot says it holds, and ends at the
 * first line that is not whole, so that the caller finds the file where
 * its own reading would have left it. With few lines, the caller fills
 * the batches itself, and no thread runs.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "study_lines.h"
#include "wjr/common.h"

/* Lines per batch: enough to make the hand-over rare, few enough that the
 * batches of parsed lines stay small beside the study. */
#define BATCH 64
/* Threads parsing batches: the parse costs more than the caller's work on
 * the lines, so two share it. */
#define FILLERS 2
/* Batches in the ring: each filler can work on one while the caller takes
 * the lines of another. */
#define SLOTS (2 * FILLERS)

enum { SLOT_FREE, SLOT_FILLING, SLOT_FULL };

typedef struct batch {
    wjr_line lines[BATCH];
    size_t caps[BATCH];   /* getline's buffer sizes */
    json_t *stale[BATCH]; /* parses of the lines read before, to free */
    size_t n_stale;
    size_t n;
    int state; /* SLOT_*: under lock */
} batch;

struct wjr_lines {
    FILE *f;
    int64_t n_trials; /* trial lines; one more line closes them */
    batch b[SLOTS];
    size_t pos;    /* the caller's next line in b[taken % SLOTS] */
    int has;       /* the caller holds that batch */
    int n_threads; /* fillers started */
    /* under lock */
    int64_t read;     /* lines read so far */
    int eof;          /* the last line is read: no batch after `batches` */
    uint64_t batches; /* batches claimed by the fillers */
    uint64_t taken;   /* the caller's batch: the next to take, or the one held */
    int stop;         /* the caller wants no more lines */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t threads[FILLERS];
};

/* Read the next batch's lines into b: under lock, so that the batches
 * follow the file's order. The parses of its earlier lines go to
 * b->stale, for the filler to free without the lock. */
static void read_batch(wjr_lines *r, batch *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        b->stale[i] = b->lines[i].obj;
        b->lines[i].obj = NULL;
    }
    b->n_stale = b->n;
    for (b->n = 0; b->n < BATCH && !r->eof;) {
        wjr_line *l = &b->lines[b->n];
        int64_t k = r->read++;

        l->len = getline(&l->text, &b->caps[b->n], r->f);
        l->err[0] = '\0';
        l->obj = NULL;
        b->n++;
        if (l->len <= 0 || l->text[l->len - 1] != '\n' || k == r->n_trials)
            r->eof = 1; /* cut short, or the closing line */
    }
}

/* Parse b's trial lines, without the lock. first is its first line's
 * number among the trial lines; the closing line is not parsed. */
static void parse_batch(wjr_lines *r, batch *b, int64_t first)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        wjr_line *l = &b->lines[i];
        json_error_t jerr;
        size_t skip;

        if (l->len <= 0 || l->text[l->len - 1] != '\n' || first + (int64_t)i == r->n_trials)
            break;
        skip = first + (int64_t)i > 0 && l->text[0] == ',';
        l->obj = json_loadb(l->text + skip, (size_t)l->len - skip, 0, &jerr);
        if (l->obj == NULL)
            snprintf(l->err, sizeof(l->err), "%s", jerr.text);
    }
}

/* Free the parses read_batch set aside: in the filler, which allocated
 * them, not in the caller, which has its own work. */
static void release_stale(batch *b)
{
    size_t i;

    for (i = 0; i < b->n_stale; i++)
        json_decref(b->stale[i]);
    b->n_stale = 0;
}

/* Claim, read and parse batches until the file's lines are all read. */
static void *filler(void *arg)
{
    wjr_lines *r = arg;

    pthread_mutex_lock(&r->lock);
    for (;;) {
        batch *b = &r->b[r->batches % SLOTS];
        int64_t first;

        while (!r->stop && !r->eof && b->state != SLOT_FREE) {
            pthread_cond_wait(&r->cond, &r->lock);
            b = &r->b[r->batches % SLOTS];
        }
        if (r->stop || r->eof)
            break;
        b->state = SLOT_FILLING;
        r->batches++;
        first = r->read;
        read_batch(r, b);
        pthread_mutex_unlock(&r->lock);
        release_stale(b);
        parse_batch(r, b, first);
        pthread_mutex_lock(&r->lock);
        b->state = SLOT_FULL;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int wjr_lines_start(wjr_lines **out, FILE *f, int64_t n_trials)
{
    wjr_lines *r = calloc(1, sizeof(*r));
    int i;

    *out = NULL;
    if (r == NULL)
        return WJR_ENOMEM;
    r->f = f;
    r->n_trials = n_trials;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (n_trials >= BATCH) {
        sigset_t all, old;

        /* the caller's signals (Ctrl-C) stay the caller's thread's */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        for (i = 0; i < FILLERS; i++)
            if (pthread_create(&r->threads[r->n_threads], NULL, filler, r) == 0)
                r->n_threads++;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    *out = r;
    return 0;
}

/* The caller's next batch: from the fillers, or read here when none runs.
 * 0 when none is to come. */
static int take(wjr_lines *r)
{
    batch *b;
    int full;

    pthread_mutex_lock(&r->lock);
    if (r->has) { /* hand the one held back */
        r->b[r->taken % SLOTS].state = SLOT_FREE;
        r->taken++;
        r->has = 0;
        pthread_cond_broadcast(&r->cond);
    }
    b = &r->b[r->taken % SLOTS];
    if (r->n_threads == 0 && !r->eof) { /* read it here */
        int64_t first = r->read;

        r->batches++;
        read_batch(r, b);
        release_stale(b);
        parse_batch(r, b, first);
        b->state = SLOT_FULL;
    }
    while (b->state != SLOT_FULL && !(r->eof && r->taken >= r->batches))
        pthread_cond_wait(&r->cond, &r->lock);
    full = b->state == SLOT_FULL;
    pthread_mutex_unlock(&r->lock);
    r->has = full;
    r->pos = 0;
    return full;
}

const wjr_line *wjr_lines_next(wjr_lines *r)
{
    if (!r->has || r->pos >= r->b[r->taken % SLOTS].n) {
        if (!take(r) || r->b[r->taken % SLOTS].n == 0)
            return NULL;
    }
    return &r->b[r->taken % SLOTS].lines[r->pos++];
}

void wjr_lines_stop(wjr_lines *r)
{
    int i;
    size_t k;

    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    for (i = 0; i < r->n_threads; i++)
        pthread_join(r->threads[i], NULL);
    for (i = 0; i < SLOTS; i++)
        for (k = 0; k < BATCH; k++) {
            json_decref(r->b[i].lines[k].obj);
            free(r->b[i].lines[k].text);
        }
    for (i = 0; i < SLOTS; i++)
        release_stale(&r->b[i]);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    free(r);
}
