/*
 * closest.c - "did you mean": of a list of names, the one a mistyped name
 * most likely meant. The config uses it for unknown keys, metrics and
 * partitions, the CLI for unknown commands. Edits count insertions,
 * deletions, substitutions and swaps of neighbours, case aside.
 */
#include <ctype.h>
#include <string.h>

#include "wjr/common.h"

static int same_letter(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Edits from a to b, any case: insertions, deletions, substitutions and
 * swaps of two neighbours ("cots" is one edit from "cost"). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t rows[3][64]; /* rows i-2, i-1 and i of the table, by i % 3 */

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        rows[0][j] = j;
    for (i = 1; i <= la; i++) {
        size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *older = rows[(i + 1) % 3];

        cur[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (same_letter(a[i - 1], b[j - 1]) ? 0 : 1);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) &&
                same_letter(a[i - 2], b[j - 1]) && older[j - 2] + 1 < best)
                best = older[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[la % 3][lb];
}

/* The closest of names within a third of the shorter length (one edit at
 * least, three at most): "brannin" finds "branin", but "loss" does not
 * find "cost", two edits away in four letters. */
const char *wjr_closest_name(const char *name, const char *const *names)
{
    const char *guess = NULL;
    size_t best = 99, k, len = strlen(name);

    for (k = 0; names[k] != NULL; k++) {
        size_t d = edit_distance(name, names[k]), shorter = strlen(names[k]);
        size_t limit = (shorter < len ? shorter : len) / 3;

        limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
        if (d <= limit && d < best) {
            best = d;
            guess = names[k];
        }
    }
    return guess;
}
