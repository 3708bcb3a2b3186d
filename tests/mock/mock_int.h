/*
 * mock_int.h - what the fake controller's files share; private to
 * tests/mock. Each piece of state has one owner, and the other files reach
 * it only through the mock__ functions below (no shared globals):
 * mock_slurm.c owns the job table, the submissions, the RPC counts and
 * failures, the buffers handed out, the lock and the state file;
 * mock_cluster.c what the controller knows of the cluster beyond its
 * configuration (partitions, reservations, licenses, the node's GRES);
 * mock_acct.c the slurmdbd and its records.
 */
#ifndef WJR_MOCK_INT_H
#define WJR_MOCK_INT_H

#include "mock_slurm.h"

/* mock_slurm.c: every wrapped call starts with mock__enter() (the
 * environment is read once); mock__take_failure() counts an RPC and is 1
 * when it is to fail (errno set); mock__handed_out() counts a buffer out
 * (+1) or back (-1); mock__save() writes the state file, if any. */
void mock__enter(void);
int mock__take_failure(mock_rpc kind);
void mock__handed_out(int delta);
void mock__save(void);

/* mock_slurm.c: the helpers every part uses. mock__dup() copies a string
 * (NULL stays NULL); mock__grow() makes room for element n of an array of
 * *cap (aborts when out of memory); mock__fail_with() stores err in errno
 * and returns SLURM_ERROR. */
char *mock__dup(const char *s);
void *mock__grow(void *p, size_t *cap, size_t n, size_t size);
int mock__fail_with(int err);

/* mock_cluster.c: forget its settings (mock_reset), read its WJR_MOCK_*
 * variables (0, or -1 when one is malformed), and whether a submission
 * may go to a partition (1 while no partition was added). */
void mock__cluster_reset(void);
int mock__cluster_env(void);
int mock__partition_known(const char *name);

/* mock_acct.c: forget its records and settings (mock_reset), and whether
 * the cluster has a slurmdbd (mock_set_accounting). */
void mock__acct_reset(void);
int mock__accounting(void);

#endif
