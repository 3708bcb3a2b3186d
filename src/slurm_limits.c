/*
 * slurm_limits.c - the soft resource limits sbatch passes to a job, and
 * its --propagate. sbatch writes SLURM_RLIMIT_<NAME>=<soft limit> for
 * each limit the submit host's PropagateResourceLimits names (all ten by
 * default), and slurmstepd applies those its own configuration
 * propagates. With --propagate, sbatch writes only the limits named
 * there, each as U<soft limit>: slurmstepd applies a U value whatever
 * its configuration says, and "NONE" leaves the job slurmd's limits. The
 * names and that rule are Slurm's (slurm_rlimits_info.c, sbatch.c,
 * slurmstepd's ulimits.c), the same from 22.05 to 26.05.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "slurm_limits.h"
#include "util.h"

static const struct {
    int resource;
    const char *name;
} limits[WJR_RLIMITS] = {
    {RLIMIT_CPU, "CPU"},     {RLIMIT_FSIZE, "FSIZE"},   {RLIMIT_DATA, "DATA"},
    {RLIMIT_STACK, "STACK"}, {RLIMIT_CORE, "CORE"},     {RLIMIT_RSS, "RSS"},
    {RLIMIT_NPROC, "NPROC"}, {RLIMIT_NOFILE, "NOFILE"}, {RLIMIT_MEMLOCK, "MEMLOCK"},
    {RLIMIT_AS, "AS"},
};

/* The limit named by n bytes at s ("STACK", "rlimit_stack"); -1 when none. */
static int limit_of(const char *s, size_t n)
{
    int i;

    if (n > 7 && strncasecmp(s, "RLIMIT_", 7) == 0) {
        s += 7;
        n -= 7;
    }
    for (i = 0; i < WJR_RLIMITS; i++)
        if (strlen(limits[i].name) == n && strncasecmp(limits[i].name, s, n) == 0)
            return i;
    return -1;
}

int wjr_slurm_parse_propagate(unsigned *bits, const char *text)
{
    const char *p = text, *delims = ", \t\n";
    size_t n;
    int i, words = 0;

    *bits = 0;
    if (strcasecmp(text, "ALL") == 0) {
        *bits = (1u << WJR_RLIMITS) - 1;
        return 0;
    }
    if (strcasecmp(text, "NONE") == 0)
        return 0;
    for (p += strspn(p, delims); *p != '\0'; p += n, p += strspn(p, delims)) {
        n = strcspn(p, delims);
        i = limit_of(p, n);
        if (i < 0)
            return wjr_error_set(WJR_ECONFIG,
                                 "slurm.propagate \"%s\": \"%.*s\" is not a resource limit (ALL, "
                                 "NONE, or some of CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, "
                                 "NOFILE, MEMLOCK, AS)",
                                 text, (int)n, p);
        *bits |= 1u << i;
        words++;
    }
    if (words == 0)
        return wjr_error_set(WJR_ECONFIG,
                             "slurm.propagate is empty (ALL, NONE, or some of CPU, FSIZE, DATA, "
                             "STACK, CORE, RSS, NPROC, NOFILE, MEMLOCK, AS)");
    return 0;
}

int wjr_slurm_rlimit(const char **name, unsigned long *cur, unsigned i)
{
    struct rlimit r;

    if (i >= WJR_RLIMITS || getrlimit(limits[i].resource, &r) != 0)
        return -1;
    *name = limits[i].name;
    *cur = (unsigned long)r.rlim_cur;
    return 0;
}
