/*
 * slurm_dist.c - sbatch's --distribution (slurm_dist.h): the text of the
 * option turned into Slurm's task distribution number, the plane size
 * and the canonical text sbatch puts in the job's SLURM_DISTRIBUTION,
 * with the same forms accepted and refused as sbatch's parser (22.05 to
 * 26.05 read them alike).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slurm_dist.h"
#include "slurm_values.h"
#include "util.h"

/* A level's method: 1 cyclic, 2 block, 3 fcyclic; 0 when word is none. */
static unsigned level_code(const char *word, size_t len)
{
    static const char *const names[] = {NULL, "cyclic", "block", "fcyclic"};
    unsigned i;

    for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncasecmp(word, names[i], len) == 0)
            return i;
    return 0;
}

/* The flag of "pack" or "nopack", 0 for any other word. */
static uint32_t pack_flag(const char *word)
{
    if (strcasecmp(word, "pack") == 0)
        return WJR_DIST_PACK_NODES;
    if (strcasecmp(word, "nopack") == 0)
        return WJR_DIST_NO_PACK_NODES;
    return 0;
}

static int refuse(char *why, size_t size, const char *what)
{
    if (why != NULL && size > 0)
        snprintf(why, size, "%s", what);
    return -1;
}

/* plane=N: N from 1 to 65533, nothing after it. */
static int parse_plane(wjr_slurm_dist *out, char *why, size_t size, const char *text)
{
    long long n;

    if (text[5] != '=' || wjr_slurm_parse_int(&n, text + 6, 1, 65533) < 0)
        return refuse(why, size,
                      "plane takes its size, plane=N with N from 1 to 65533 (sbatch would read "
                      "a size left out from SLURM_DIST_PLANESIZE, which wjr does not pass)");
    out->task_dist = WJR_DIST_PLANE;
    out->plane_size = (uint32_t)n;
    snprintf(out->text, sizeof(out->text), "plane");
    return 0;
}

int wjr_slurm_parse_dist(wjr_slurm_dist *out, char *why, size_t size, const char *text)
{
    static const char *const shown[] = {NULL, "cyclic", "block", "fcyclic"};
    char buf[64], *flag, *word, *save = NULL;
    unsigned code[3] = {0, 0, 0}, n = 0, i;
    uint32_t f = 0;

    memset(out, 0, sizeof(*out));
    if (text == NULL || *text == '\0' || strlen(text) >= sizeof(buf))
        return refuse(why, size,
                      "it is empty or too long (sbatch reads block, cyclic, plane=N, or levels "
                      "node:socket:core such as block:cyclic)");
    if (strncasecmp(text, "plane", 5) == 0)
        return parse_plane(out, why, size, text);
    if (strcasecmp(text, "arbitrary") == 0 || strcasecmp(text, "hostfile") == 0)
        return refuse(why, size,
                      "arbitrary places tasks by a host file (SLURM_HOSTFILE), which wjr does "
                      "not pass; srun -m arbitrary in the model's script can still use one");
    strcpy(buf, text);
    flag = strchr(buf, ',');
    if (flag != NULL) {
        *flag++ = '\0';
        if ((f = pack_flag(flag)) == 0)
            return refuse(why, size, "what follows the comma must be pack or nopack");
    }
    if (buf[0] == '\0')
        return refuse(why, size, "a comma must follow a distribution");
    if (pack_flag(buf) != 0 && flag == NULL) { /* "pack" alone */
        out->task_dist = WJR_DIST_UNKNOWN | pack_flag(buf);
        snprintf(out->text, sizeof(out->text), "%s",
                 pack_flag(buf) == WJR_DIST_PACK_NODES ? "pack" : "nopack");
        return 0;
    }
    for (word = strtok_r(buf, ":", &save); word != NULL; word = strtok_r(NULL, ":", &save)) {
        if (n == 3)
            return refuse(why, size, "it has more than three levels (node:socket:core)");
        if (strcmp(word, "*") == 0)
            code[n] = n == 0 ? 2u : n == 1 ? 1u : code[1];
        else
            code[n] = level_code(word, strlen(word));
        if (code[n] == 0 || (n == 0 && code[n] == 3))
            return refuse(why, size,
                          n == 0 ? "the node level must be block, cyclic or * (then the socket "
                                   "and core levels, each block, cyclic, fcyclic or *, as in "
                                   "block:cyclic, or plane=N)"
                                 : "a socket or core level must be block, cyclic, fcyclic or *");
        n++;
    }
    if (n == 0)
        return refuse(why, size, "it names no distribution");
    out->task_dist = f;
    for (i = 0; i < n; i++)
        out->task_dist |= (uint32_t)code[i] << (4 * i);
    out->text[0] = '\0';
    for (i = 0; i < n; i++)
        snprintf(out->text + strlen(out->text), sizeof(out->text) - strlen(out->text), "%s%s",
                 i > 0 ? ":" : "", shown[code[i]]);
    if (f != 0)
        snprintf(out->text + strlen(out->text), sizeof(out->text) - strlen(out->text), ",%s",
                 f == WJR_DIST_PACK_NODES ? "pack" : "nopack");
    return 0;
}

int wjr_slurm_dist_check(const char *text)
{
    wjr_slurm_dist d;
    char why[200];

    if (wjr_slurm_parse_dist(&d, why, sizeof(why), text) == 0)
        return 0;
    return wjr_error_set(WJR_ECONFIG, "slurm.distribution \"%s\": %s", text, why);
}
