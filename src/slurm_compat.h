/*
 * slurm_compat.h - the names that differ between the Slurm releases wjr
 * builds against (22.05 to 26.05), for the files that include slurm.h:
 * src/backend_slurm.c and the tests' fake controller in tests/mock/.
 * Include it after <slurm/slurm.h>. Private.
 */
#ifndef WJR_SLURM_COMPAT_H
#define WJR_SLURM_COMPAT_H

#define SLURM_AT_LEAST(major, minor, micro)                                                        \
    (SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(major, minor, micro))

#if !SLURM_AT_LEAST(22, 5, 0)
#error "wjr needs libslurm 22.05 or newer"
#endif

/* 23.02 added list_t and list_itr_t; 24.05 removed ListIterator and 24.11
 * removed List. */
#if SLURM_AT_LEAST(23, 2, 0)
typedef list_t *slurm_list;
typedef list_itr_t *slurm_list_iter;
#else
typedef List slurm_list;
typedef ListIterator slurm_list_iter;
#endif

#endif
