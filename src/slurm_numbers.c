/*
 * slurm_numbers.c - the numbers of Slurm job options, read as sbatch reads
 * them: time limits (--time, --time-min), memory sizes (--mem and the
 * other sizes), bounded integers and node ranges ("2-4"). Declared in
 * slurm_values.h, whose checks of whole options call them, as do the
 * configuration reader, slurm_resources.c and the Slurm backend. No
 * slurm.h, no state.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slurm_values.h"
#include "util.h"

/* Largest value of one field of a time limit: 10^9 days, hours or
 * minutes is beyond any limit Slurm holds (minutes in 32 bits). */
#define TIME_FIELD_MAX 1000000000L

/* One field of a time: digits only (no sign, no space), at most
 * TIME_FIELD_MAX; *end after them. */
static int time_field(long *out, const char *p, char **end)
{
    if (!isdigit((unsigned char)*p))
        return -1;
    errno = 0;
    *out = strtol(p, end, 10);
    return errno == ERANGE || *out > TIME_FIELD_MAX ? -1 : 0;
}

int wjr_slurm_parse_time(uint32_t *minutes, const char *s)
{
    long v[4] = {0, 0, 0, 0};
    int n = 0, days = 0;
    long d = 0, total;
    const char *p = s;
    char *end;

    if (s == NULL || *s == '\0')
        return WJR_EINVALID;
    if (strcasecmp(s, "UNLIMITED") == 0 || strcasecmp(s, "INFINITE") == 0 || strcmp(s, "-1") == 0) {
        *minutes = WJR_SLURM_INFINITE;
        return 0;
    }
    if (strchr(s, '-')) {
        if (time_field(&d, p, &end) < 0 || *end != '-')
            return WJR_EINVALID;
        days = 1;
        p = end + 1;
    }
    for (;;) {
        if (n == 3 || time_field(&v[n], p, &end) < 0)
            return WJR_EINVALID;
        n++;
        if (*end == '\0')
            break;
        if (*end != ':')
            return WJR_EINVALID;
        p = end + 1;
    }
    /* every field is at most TIME_FIELD_MAX: no sum below overflows */
    if (days) {
        /* D-H, D-H:M, D-H:M:S */
        long secs = d * 86400 + v[0] * 3600 + (n > 1 ? v[1] * 60 : 0) + (n > 2 ? v[2] : 0);
        total = (secs + 59) / 60;
    } else if (n == 1) {
        total = v[0];
    } else if (n == 2) {
        total = v[0] + (v[1] > 0 ? 1 : 0);
    } else {
        long secs = v[0] * 3600 + v[1] * 60 + v[2];
        total = (secs + 59) / 60;
    }
    if (total >= (long)WJR_SLURM_INFINITE)
        return WJR_EINVALID; /* larger than Slurm's largest finite limit */
    *minutes = (uint32_t)total;
    return 0;
}

int wjr_slurm_parse_time_limit(uint32_t *minutes, const char *s)
{
    int error = wjr_slurm_parse_time(minutes, s);

    if (error == 0 && *minutes == 0)
        *minutes = WJR_SLURM_INFINITE;
    return error;
}

int wjr_slurm_parse_mem(uint64_t *mb, const char *s)
{
    char *end;
    unsigned long long v;

    if (s == NULL || !isdigit((unsigned char)*s))
        return WJR_EINVALID;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return WJR_EINVALID;
    switch (*end) {
    case '\0':
    case 'M':
    case 'm':
        break;
    case 'K':
    case 'k':
        v = (v + 1023) / 1024;
        break;
    case 'G':
    case 'g':
        if (v > UINT64_MAX / 1024)
            return WJR_EINVALID;
        v *= 1024;
        break;
    case 'T':
    case 't':
        if (v > UINT64_MAX / (1024 * 1024))
            return WJR_EINVALID;
        v *= 1024 * 1024;
        break;
    default:
        return WJR_EINVALID;
    }
    if (*end != '\0' && end[1] != '\0' && !((end[1] == 'B' || end[1] == 'b') && end[2] == '\0'))
        return WJR_EINVALID;
    *mb = v;
    return 0;
}

int wjr_slurm_parse_int(long long *out, const char *s, long long lo, long long hi)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int wjr_slurm_parse_nodes(uint32_t *lo, uint32_t *hi, const char *s)
{
    char buf[32], *dash;
    long long a, b;

    if (strlen(s) >= sizeof(buf))
        return -1;
    strcpy(buf, s);
    dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    if (wjr_slurm_parse_int(&a, buf, 1, 1000000) < 0)
        return -1;
    b = a;
    if (dash && wjr_slurm_parse_int(&b, dash + 1, a, 1000000) < 0)
        return -1;
    *lo = (uint32_t)a;
    *hi = dash ? (uint32_t)b : 0;
    return 0;
}
