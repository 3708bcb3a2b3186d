/*
 * study_view.c - the study's trial table: the records the driver appends
 * and the store loads, kept in index order.
 *
 * It knows nothing of files or of the cluster.
 */
#include <stdlib.h>
#include <string.h>

#include "study_view.h"
#include "util.h"

study_trial *wjr__study_find_trial(const wjr_study *s, int64_t index)
{
    size_t lo = 0, hi = s->n_trials;

    while (lo < hi) { /* the table is in index order */
        size_t mid = lo + (hi - lo) / 2;

        if (s->trials[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_trials && s->trials[lo].index == index ? &s->trials[lo] : NULL;
}

int64_t wjr__study_next_index(const wjr_study *s)
{
    return s->n_trials == 0 ? 0 : s->trials[s->n_trials - 1].index + 1;
}

int wjr__study_add_trial(wjr_study *s, int64_t index, char *params_json)
{
    study_trial *t;

    if (s->n_trials == s->cap) {
        size_t cap = s->cap == 0 ? 16 : s->cap * 2;
        study_trial *grown = realloc(s->trials, cap * sizeof(*grown));
        if (grown == NULL) {
            free(params_json);
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        }
        s->trials = grown;
        s->cap = cap;
    }
    t = &s->trials[s->n_trials++];
    memset(t, 0, sizeof(*t));
    t->index = index;
    t->params_json = params_json;
    t->last = WJR_TRIAL_CANDIDATE;
    return 0;
}
