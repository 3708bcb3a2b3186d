/*
 * mock_slurm.h - a fake slurmctld and slurmdbd for the unit tests.
 *
 * The test executables are linked with -Wl,--wrap=<libslurm function> for
 * every libslurm call that src/backend_slurm.c makes; the files of
 * tests/mock (mock_slurm.c, the core, and its parts; see mock_int.h)
 * define the __wrap_ functions over an in-memory job table. Tests program it
 * through this header: jobs and their states, failures of the next RPCs,
 * MaxArraySize, accounting records. It counts the RPCs of each kind and
 * keeps a copy of every job description submitted to it.
 *
 * The CLI tests (tests/cli/) link the same fake into `wjr-mock` and program
 * it through WJR_MOCK_* environment variables instead (read at the first
 * wrapped call; see mock_load_env()): an execute mode that runs each batch
 * script with /bin/sh as slurmd would, failures of the next RPCs, and a
 * state file so that separate processes see one controller.
 *
 * Nothing here needs slurm.h: states use Slurm's numbers (src/state.h has
 * them as WJR_JOB_*), errors Slurm's errno values (slurm/slurm_errno.h).
 */
#ifndef WJR_MOCK_SLURM_H
#define WJR_MOCK_SLURM_H

#include <stddef.h>
#include <stdint.h>

/* 1 when the libslurm built against has slurm_load_job_state (23.11.5 and
 * later): a poll asks for states first, and for whole records only when a
 * state needs them. */
#include <slurm/slurm_version.h>
#define MOCK_HAS_JOB_STATE (SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 11, 5))

/* Slurm's NO_VAL: "no task id" in an array record. */
#define MOCK_NO_TASK 0xfffffffeu

typedef enum {
    MOCK_RPC_SUBMIT,     /* slurm_submit_batch_job */
    MOCK_RPC_QUERY,      /* slurm_load_job_user */
    MOCK_RPC_KILL,       /* slurm_kill_job2 */
    MOCK_RPC_CONF,       /* slurm_load_ctl_conf */
    MOCK_RPC_PARTITIONS, /* slurm_load_partitions */
    MOCK_RPC_DB_CONNECT, /* slurmdb_connection_get */
    MOCK_RPC_DB_JOBS,    /* slurmdb_jobs_get */
    /* slurm_load_job_state (Slurm 23.11.5 and later), the poll's cheaper
     * query: it is counted here and as a MOCK_RPC_QUERY, and failures set
     * for MOCK_RPC_QUERY apply to it */
    MOCK_RPC_RESERVATIONS, /* slurm_load_reservations */
    MOCK_RPC_LICENSES,     /* slurm_load_licenses */
    MOCK_RPC_NODES,        /* slurm_load_node */
    MOCK_RPC_STATES,
    MOCK_RPC_WILL_RUN, /* slurm_job_will_run2 */
    MOCK_RPC_KINDS
} mock_rpc;

/* One record of the fake controller's job table. */
typedef struct mock_job {
    uint32_t job_id;
    uint32_t array_job_id;  /* 0 when not an array */
    uint32_t array_task_id; /* MOCK_NO_TASK: a plain job, or the packed record */
    uint32_t *pending;      /* packed record: its pending task ids, ascending */
    size_t n_pending;
    int throttle; /* the array's %N; 0: none */
    uint32_t state;
    uint32_t exit_code; /* as Slurm keeps it: exit << 8 | signal; MOCK_NO_TASK: unknown */
    int requeue;
    uint32_t restart_cnt; /* times the job was requeued */
    int64_t submit_time;
    int64_t start_time; /* set when it first runs (or ends without running) */
    int64_t end_time;
    char *name;
    char *comment;
    char *state_desc;
    int exec;  /* execute mode: the controller runs this job's script when it is due */
    int polls; /* execute mode: queries that have seen the job running */
} mock_job;

/* A copy of one job description handed to slurm_submit_batch_job. */
typedef struct mock_submission {
    char *name;
    char *comment;
    char *script;
    char *array_inx;
    char *work_dir;
    char *std_out;
    char *std_err;
    char *partition;
    char **env; /* env_size entries */
    size_t env_size;
    /* The resource fields that were set, as " name=value" words in a fixed
     * order: " min_nodes=2 num_tasks=4 tres_per_job=gres/gpu:2 ..." */
    char *resources;
    uint32_t job_id; /* what the controller assigned; 0 when it refused */
} mock_submission;

/* An accounting (slurmdbd) record. */
typedef struct mock_acct {
    uint32_t job_id;
    uint32_t array_job_id;
    uint32_t array_task_id; /* MOCK_NO_TASK when none */
    char *name;
    uint32_t state;
    uint32_t exit_code; /* exit << 8 | signal */
    int64_t submit_time;
    int64_t start_time; /* 0: never started (tests set it after mock_add_acct) */
    int64_t end_time;
} mock_acct;

/* Forget everything and free it: jobs, failures, counters, settings.
 * Defaults: MaxArraySize 1001, cluster "mockcluster", no accounting, every
 * partition accepted, job ids from 1000. */
void mock_reset(void);

void mock_set_max_array_size(uint32_t max);
/* Write packed task strings with steps where the pending tasks allow it,
 * "0-8:2,9%2", as libslurm's xlate_array_task_str does; off: "0,2,4,6,8-9%2". */
void mock_set_task_str_steps(int on);
void mock_set_accounting(int on);
void mock_set_cluster_name(const char *name);
/* A cluster that shares the fake slurmdbd, its controller registered:
 * slurmdb_get_info_cluster finds it (as sbatch -M looks one up) besides
 * the cluster of mock_set_cluster_name, while accounting is on. */
void mock_add_cluster(const char *name);
/* Once a partition is added, submissions to other partitions are refused
 * with ESLURM_INVALID_PARTITION_NAME. */
void mock_add_partition(const char *name, uint32_t max_time_minutes);
/* The node and CPU counts every partition reports (0: unknown, the default;
 * mock_reset() does not change them). */
void mock_set_partition_size(uint32_t nodes, uint32_t cpus);
/* A reservation slurm_load_reservations lists (none by default). */
void mock_add_reservation(const char *name);
/* A license slurm_load_licenses lists, "name" or "name@server" (none by
 * default). */
void mock_add_license(const char *name, uint32_t total);
/* The Gres of the fake controller's one node ("gpu:a100:2(S:0-1),nic:1"),
 * a member of every partition; NULL (the default): none. */
void mock_set_node_gres(const char *gres);
/* The RealMemory (MB) of "mocknode"; 0 (the default): none reported. */
void mock_set_node_memory(uint64_t real_memory_mb);
/* Its ThreadsPerCore; 0 (the default): none reported. */
void mock_set_node_threads(uint16_t threads_per_core);
/* Its available features, "intel,ib"; NULL (the default): none. */
void mock_set_node_features(const char *features);
/* Its state, Slurm's number (NODE_STATE_IDLE, or with NODE_STATE_DRAIN...);
 * IDLE by default. */
void mock_set_node_state(uint32_t state);
/* The most CPUs a job may ask for (cpus_per_task x its tasks, or
 * min_cpus), as a QOS's MaxTRESPerJob=cpu=N with DenyOnLimit: a
 * submission or test asking more is refused with ESLURM_ACCOUNTING_POLICY;
 * 0 (the default): no limit. */
void mock_set_job_cpu_limit(uint32_t cpus);
/* Another node, in the comma-separated partitions, without GRES. */
void mock_add_node(const char *name, const char *partitions, uint64_t real_memory_mb,
                   const char *features);

/* The next @p count RPCs of @p kind fail with Slurm errno @p err
 * (count < 0: every one until mock_fail(kind, 0, 0)). A failing submit
 * creates no job. */
void mock_fail(mock_rpc kind, int count, int err);
/* The next submit is accepted (the job exists) but the answer is lost:
 * the caller sees SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT. */
void mock_submit_timeout_after_accept(void);
/* The next @p queries job queries answer with an empty table, as a
 * controller that has not yet processed a submission. */
void mock_hide_jobs(int queries);

/* The resource fields of the last job description slurm_job_will_run2
 * was asked about (as a submission's), or NULL. slurm_job_will_run2
 * checks a description as a submission is checked, refuses one that
 * excludes mocknode, or any while mocknode is not up, with
 * ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE (as slurmctld, which tests the
 * nodes that are up), and else answers that the job would start now on
 * mocknode. */
const char *mock_last_will_run(void);

uint64_t mock_rpc_count(mock_rpc kind);
uint64_t mock_rpc_total(void);
/* The RPCs of a kind sent while libslurm's working_cluster_rec named
 * another cluster (-M), and the name of the cluster the last counted RPC
 * went to (NULL: slurm.conf's). slurm_load_ctl_conf answers with that
 * cluster's name. */
uint64_t mock_rpc_count_elsewhere(mock_rpc kind);
const char *mock_last_rpc_cluster(void);
/* Buffers handed to the backend and not yet given back to the free calls. */
long mock_outstanding(void);

/* The job table. mock_job pointers stay valid until the next submit,
 * add, lookup or purge. */
size_t mock_job_count(void);
mock_job *mock_job_at(size_t i);
/* A plain job, PENDING, submitted now, with a fresh job id. */
mock_job *mock_add_job(const char *name);
/* The record of "123" or "123_4"; an array task still packed as pending
 * is split out of its packed record first, as slurmctld does when the
 * task starts. NULL when unknown. */
mock_job *mock_lookup(const char *job_id_text);
/* Set state and exit status of "123" or "123_4" (end time now when the
 * state is terminal). Returns 0, or -1 when unknown. */
int mock_set_state(const char *job_id_text, uint32_t state, int exit_code, int sig);
/* The controller forgets a record ("123" or "123_4"), as after MinJobAge. */
int mock_purge(const char *job_id_text);
void mock_purge_all(void);

size_t mock_submission_count(void);
const mock_submission *mock_submission_at(size_t i);
/* The value of NAME in a submission's environment, or NULL. */
const char *mock_submission_env(const mock_submission *s, const char *name);

/* Cancellations: how many, and the last job id text and signal. */
size_t mock_kill_count(void);
const char *mock_last_kill(void);

/* Accounting records; the look-up filters by job name and time. */
mock_acct *mock_add_acct(uint32_t job_id, uint32_t array_job_id, uint32_t task_id, const char *name,
                         uint32_t state, int exit_code, int sig, int64_t submit_time,
                         int64_t end_time);
/* The last accounting query: its usage_start and how many names it held. */
int64_t mock_acct_last_since(void);
size_t mock_acct_last_names(void);

/*
 * Execute mode. Every job accepted while it is on is run by the fake
 * controller: at each slurm_load_job_user the job counts one more query;
 * while it has seen at most @p polls_until_done of them it is RUNNING, at the
 * next one its batch script runs to its end (/bin/sh SCRIPT, in the job's
 * work_dir, with the job's environment plus SLURM_JOB_ID, and for an array
 * task SLURM_ARRAY_JOB_ID and SLURM_ARRAY_TASK_ID; stdin /dev/null, stdout
 * and stderr to std_out/std_err with %j %A %a %x %u %N %% replaced) and the
 * job becomes COMPLETE (exit 0) or FAILED, with exit_code = code << 8 (the
 * signal when the script was killed). Array tasks start one by one as the
 * throttle allows. A job cancelled before it is due never runs. The query
 * waits for the scripts it runs: keep them shorter than the caller's RPC
 * timeout (libwjr's rpc_timeout, 30 s by default).
 */
void mock_set_exec(int on, int polls_until_done);

/* Make every slurm_load_job_user sleep this long before it answers, as a
 * controller that is down makes libslurm retry (0: answer at once). The
 * sleep comes before the fake's state is touched; a test must not call
 * mock_* while a delayed query may still run. */
void mock_set_query_delay_ms(int ms);

/* Persist the controller (job table, submissions, RPC counts, next job id)
 * to @p path as JSON, written atomically after every wrapped call, and load
 * it now when the file exists. NULL stops persisting. Returns 0, or -1 when
 * the file exists and cannot be read. */
int mock_set_state_file(const char *path);

/*
 * Read the WJR_MOCK_* environment variables; the first wrapped libslurm
 * call does it by itself, once:
 *   WJR_MOCK_EXEC=1                  execute mode (mock_set_exec)
 *   WJR_MOCK_POLLS_UNTIL_DONE=N      queries a job is RUNNING before it runs (default 1)
 *   WJR_MOCK_STATE=FILE              the state file (mock_set_state_file)
 *   WJR_MOCK_PARTITIONS=NAME[:MIN],..   mock_add_partition for each (MIN: MaxTime)
 *   WJR_MOCK_RESERVATIONS=NAME,..    mock_add_reservation for each
 *   WJR_MOCK_LICENSES=NAME:TOTAL,..  mock_add_license for each
 *   WJR_MOCK_NODE_GRES=GRES          mock_set_node_gres
 *   WJR_MOCK_NODE_MEMORY=MB          mock_set_node_memory
 *   WJR_MOCK_NODE_THREADS=N          mock_set_node_threads
 *   WJR_MOCK_NODE_FEATURES=F,..      mock_set_node_features
 *   WJR_MOCK_NODE_STATE=N            mock_set_node_state (Slurm's number)
 *   WJR_MOCK_JOB_CPU_LIMIT=N         mock_set_job_cpu_limit
 *   WJR_MOCK_MAX_ARRAY_SIZE=N        mock_set_max_array_size
 *   WJR_MOCK_FAIL_<KIND>=ERR[:COUNT] mock_fail: KIND is SUBMIT, QUERY, KILL, CONF,
 *                                    PARTITIONS, RESERVATIONS, LICENSES, NODES or
 *                                    WILL_RUN;
 *                                    ERR a Slurm errno; COUNT the number
 *                                    of calls (default: every call of this process)
 *   WJR_MOCK_UNREACHABLE=1           every controller RPC fails with
 *                                    SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR
 *   WJR_MOCK_LOSE_SUBMIT_ANSWER=1    the first submit is accepted but its answer is lost
 *                                    (mock_submit_timeout_after_accept)
 *   WJR_MOCK_EXIT_AFTER_SUBMIT=1     the process dies (_exit 137) as soon as a submit
 *                                    is accepted and the state file written, as
 *                                    after a kill -9 between the RPC and its use
 * Failures are per process: they are not kept in the state file.
 * Returns 0, or -1 (with a message on stderr) when a value is malformed.
 */
int mock_load_env(void);

#endif
