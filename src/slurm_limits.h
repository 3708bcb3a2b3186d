/*
 * slurm_limits.h - the soft resource limits of the submitting process
 * that sbatch passes to a job (SLURM_RLIMIT_<NAME>, for slurmstepd to
 * apply to the batch script), under Slurm's names and in its order, and
 * sbatch's --propagate, which chooses among them. Private; no slurm.h.
 */
#ifndef WJR_SLURM_LIMITS_H
#define WJR_SLURM_LIMITS_H

/* How many limits there are: CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC,
 * NOFILE, MEMLOCK, AS. */
#define WJR_RLIMITS 10

/* The limits --propagate names, as bits (1 << i for limit i): "ALL",
 * "NONE", or a list of names ("STACK,NOFILE", "RLIMIT_CORE"; commas or
 * spaces between them), in any case. 0, or WJR_ECONFIG naming
 * slurm.propagate and the word it cannot read. */
int wjr_slurm_parse_propagate(unsigned *bits, const char *text);

/* Limit i's name ("STACK") and this process's soft value of it in *cur
 * (RLIM_INFINITY as Slurm passes it: the number); 0, or -1 when
 * getrlimit() fails or i is past the last. */
int wjr_slurm_rlimit(const char **name, unsigned long *cur, unsigned i);

#endif
