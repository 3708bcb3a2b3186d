/*
 * mock_int.h - what the fake controller's files share; private to
 * tests/mock. Each piece of state has one owner, and the other files reach
 * it only through functions (no shared globals): mock_slurm.c owns the job
 * table, the submissions, the RPC counts and failures, the buffers handed
 * out, the lock and the configuration; mock_jobs.c the settings of the
 * submit and query RPCs it fakes; mock_kill.c, which fakes the kills, owns
 * nothing; mock_exec.c the execute mode (the
 * fake slurmd); mock_state.c the state file and the reading of the
 * environment; mock_cluster.c what the controller knows of the cluster
 * beyond its configuration (partitions, reservations, licenses, the
 * node's GRES); mock_acct.c the slurmdbd and its records.
 *
 * The job table is not handed around as a struct: the parts read it
 * through the getters of mock_slurm.h that the tests use too
 * (mock_job_count, mock_job_at, mock_lookup, mock_submission_at...) and
 * grow or restore it through the mock__ functions below. Like a test, a
 * part may change the fields of a record it holds (its state, its times),
 * never the table itself. Includes go one way: every part includes this
 * header, which includes mock_slurm.h, and no part includes another.
 */
#ifndef WJR_MOCK_INT_H
#define WJR_MOCK_INT_H

#include "mock_slurm.h"

/* mock_slurm.c: mock__take_failure() counts an RPC and is 1 when it is
 * to fail (errno set); mock__handed_out() counts a buffer out (+1) or
 * back (-1). */
int mock__take_failure(mock_rpc kind);
void mock__handed_out(int delta);

/* mock_slurm.c: the helpers every part uses. mock__dup() copies a string
 * (NULL stays NULL); mock__grow() makes room for element n of an array of
 * *cap (aborts when out of memory); mock__fail_with() stores err in errno
 * and returns SLURM_ERROR. */
char *mock__dup(const char *s);
void *mock__grow(void *p, size_t *cap, size_t n, size_t size);
int mock__fail_with(int err);

/* mock_slurm.c, the job table: whether a state has ended (COMPLETE and
 * after, but PREEMPTED); split a pending task out of its array's packed
 * record (*pos: the task's record; -1 when the array has no such task);
 * read "123" or "456_7" (*task MOCK_NO_TASK when none; -1 when malformed); a
 * new record at the end of the table (no id yet; it may move the table)
 * and a new, zeroed submission; forget every submission; the next job id;
 * and the counts a state file brings back (next_id 0: keep it). */
int mock__is_terminal(uint32_t state);
int mock__split_task(size_t *pos, uint32_t array_id, uint32_t task);
int mock__parse_id(const char *text, uint32_t *id, uint32_t *task);
mock_job *mock__new_job(void);
mock_submission *mock__new_submission(void);
void mock__clear_submissions(void);
uint32_t mock__next_id(void);
void mock__restore_counts(const uint64_t *rpc, uint32_t next_id, size_t kills,
                          const char *last_kill);

/* mock_slurm.c, the RPCs: count one that cannot fail; whether this
 * query is part of the poll whose slurm_load_job_state came just before
 * (mock__states_answered() marks that answer); count a kill request and
 * keep its text. mock__lock() and mock__unlock() take the fake's
 * (recursive) lock, which the calls of the backend's poll worker hold. */
void mock__count(mock_rpc kind);
int mock__same_poll(void);
void mock__states_answered(void);
void mock__note_kill(const char *job_id);
void mock__lock(void);
void mock__unlock(void);

/* mock_slurm.c, the configuration: MaxArraySize and the cluster's name
 * (NULL before the first mock_reset). */
uint32_t mock__max_array(void);
const char *mock__cluster_name(void);

/* mock_state.c: every wrapped call starts with mock__enter() (the
 * environment is read once); mock__save() writes the state file, if any;
 * mock__state_reset() forgets it (mock_reset); mock__env_int() reads a
 * WJR_MOCK_* number (1 and *out when set, 0 when not, -1 with a message
 * when malformed). */
void mock__enter(void);
void mock__save(void);
void mock__state_reset(void);
int mock__env_int(long *out, const char *name);

/* mock_cluster.c: forget its settings (mock_reset), read its WJR_MOCK_*
 * variables (0, or -1 when one is malformed), and whether a submission
 * may go to a partition, or to each of a list (1 while no partition was
 * added). */
void mock__cluster_reset(void);
int mock__cluster_env(void);
int mock__partition_known(const char *name);
/* mock_cluster.c: whether mocknode is up (not down, drained, failing or
 * not responding), and the default partition's name (NULL while none was
 * added). */
int mock__node_up(void);
const char *mock__default_partition(void);
/* mock_cluster.c: mock_set_job_cpu_limit's limit; 0: none. */
uint32_t mock__job_cpu_limit(void);

/* mock_jobs.c: back to its defaults (mock_reset), and whether a process
 * dies as a submit is accepted (WJR_MOCK_EXIT_AFTER_SUBMIT). */
void mock__jobs_reset(void);
void mock__set_exit_after_submit(int on);

/* mock_exec.c: back to no execute mode (mock_reset), read
 * WJR_MOCK_POLLS_UNTIL_DONE and WJR_MOCK_EXEC (0, or -1 when one is
 * malformed), whether new jobs are to run (1 in execute mode), and what
 * slurmd did since the last query. */
void mock__exec_reset(void);
int mock__exec_env(void);
int mock__exec_on(void);
void mock__advance_jobs(void);

/* mock_acct.c: forget its records and settings (mock_reset), and whether
 * the cluster has a slurmdbd (mock_set_accounting). */
void mock__acct_reset(void);
int mock__accounting(void);

#endif
