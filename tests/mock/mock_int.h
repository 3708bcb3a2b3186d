/*
 * mock_int.h - what the fake controller's two files share. mock_slurm.c
 * owns the job table, the RPC counts and failures, the buffers handed out
 * and the state file; mock_cluster.c owns what the controller knows of the
 * cluster beyond its configuration: partitions, reservations, licenses and
 * the node's GRES. Private to tests/mock.
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

/* mock_cluster.c: forget its settings (mock_reset), read its WJR_MOCK_*
 * variables (0, or -1 when one is malformed), and whether a submission
 * may go to a partition (1 while no partition was added). */
void mock__cluster_reset(void);
int mock__cluster_env(void);
int mock__partition_known(const char *name);

#endif
