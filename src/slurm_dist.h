/*
 * slurm_dist.h - sbatch's --distribution, read as sbatch reads it: the
 * number slurmctld takes as the job's task distribution, the plane size,
 * and the SLURM_DISTRIBUTION text sbatch gives the job for srun in it.
 * Private; no slurm.h (backend_slurm_submit.c checks that the numbers
 * agree with Slurm's task_dist_states_t).
 */
#ifndef WJR_SLURM_DIST_H
#define WJR_SLURM_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Slurm's encoding: the node level in the lowest hex digit (1 cyclic, 2
 * block, 3 arbitrary, 4 plane), the socket level in the next (1 cyclic, 2
 * block, 3 fcyclic), the core level in the third; pack and nopack are
 * flags above. 0x2000 is no distribution given (a flag alone). */
#define WJR_DIST_PLANE         0x0004u
#define WJR_DIST_UNKNOWN       0x2000u
#define WJR_DIST_PACK_NODES    0x800000u
#define WJR_DIST_NO_PACK_NODES 0x400000u

/* Longest SLURM_DISTRIBUTION text, "cyclic:fcyclic:fcyclic,nopack". */
#define WJR_DIST_TEXT_MAX 32

typedef struct wjr_slurm_dist {
    uint32_t task_dist;           /* Slurm's task_dist_states_t value */
    uint32_t plane_size;          /* N of plane=N; 0 for the others */
    char text[WJR_DIST_TEXT_MAX]; /* "block:cyclic", "plane", "pack" ... */
} wjr_slurm_dist;

/*
 * The forms sbatch reads: "block", "cyclic", "plane=N", then up to three
 * levels "node:socket:core" of block, cyclic or fcyclic (not at the node
 * level), "*" for a level's default (block, cyclic, then the socket's),
 * and ",pack" or ",nopack" after any but plane, or "pack" or "nopack"
 * alone; case does not matter. "arbitrary" and "hostfile" are refused:
 * they place tasks by a host file that wjr does not pass. 0, or -1 with
 * why[] (when not NULL) saying what is wrong.
 */
int wjr_slurm_parse_dist(wjr_slurm_dist *out, char *why, size_t why_size, const char *text);

/* The same, for the configuration: 0, or WJR_ECONFIG with the error set
 * ("slurm.distribution \"x\": why; the forms"). */
int wjr_slurm_dist_check(const char *text);

#endif
