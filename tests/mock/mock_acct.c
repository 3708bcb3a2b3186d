/*
 * mock_acct.c - the fake slurmdbd: whether the cluster has one
 * (mock_set_accounting, which slurm_load_ctl_conf reports as its
 * AccountingStorageType), the accounting records a test adds, and the
 * __wrap_ versions of slurmdb_connection_get, slurmdb_jobs_get and
 * slurmdb_connection_close that answer from them, counted and failing as
 * mock_slurm.c's RPCs do (mock_int.h); and the clusters it knows
 * (mock_add_cluster), which __wrap_slurmdb_get_info_cluster finds as
 * sbatch -M does. It knows nothing of the controller's job table: a
 * record is only what a test put here.
 */
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurmdb.h>

#include "mock_int.h"
#include "slurm_compat.h"

static struct {
    mock_acct *acct;
    size_t n_acct, cap_acct;
    int accounting;
    int64_t acct_since;
    size_t acct_names;
    char **clusters; /* besides slurm.conf's */
    size_t n_clusters, cap_clusters;
} A;

static int db_handle;

void mock__acct_reset(void)
{
    size_t i;

    for (i = 0; i < A.n_acct; i++)
        free(A.acct[i].name);
    free(A.acct);
    for (i = 0; i < A.n_clusters; i++)
        free(A.clusters[i]);
    free(A.clusters);
    memset(&A, 0, sizeof(A));
}

int mock__accounting(void)
{
    return A.accounting;
}

void mock_set_accounting(int on)
{
    A.accounting = on;
}

mock_acct *mock_add_acct(uint32_t job_id, uint32_t array_job_id, uint32_t task_id, const char *name,
                         uint32_t state, int exit_code, int sig, int64_t submit_time,
                         int64_t end_time)
{
    mock_acct *a;

    A.acct = mock__grow(A.acct, &A.cap_acct, A.n_acct, sizeof(*A.acct));
    a = &A.acct[A.n_acct++];
    a->job_id = job_id;
    a->array_job_id = array_job_id;
    a->array_task_id = task_id;
    a->name = mock__dup(name);
    a->state = state;
    a->exit_code = ((uint32_t)exit_code << 8) | ((uint32_t)sig & 0x7f);
    a->submit_time = submit_time;
    a->end_time = end_time;
    return a;
}

void mock_add_cluster(const char *name)
{
    A.clusters = mock__grow(A.clusters, &A.cap_clusters, A.n_clusters, sizeof(*A.clusters));
    A.clusters[A.n_clusters++] = mock__dup(name);
}

int64_t mock_acct_last_since(void)
{
    return A.acct_since;
}

size_t mock_acct_last_names(void)
{
    return A.acct_names;
}

/* ---- the wrapped slurmdb calls ------------------------------------------ */

void *__wrap_slurmdb_connection_get(uint16_t *flags);
int __wrap_slurmdb_connection_close(void **db);
slurm_list __wrap_slurmdb_jobs_get(void *db, slurmdb_job_cond_t *cond);

void *__wrap_slurmdb_connection_get(uint16_t *flags)
{
    (void)flags;
    mock__enter();
    if (mock__take_failure(MOCK_RPC_DB_CONNECT))
        return NULL;
    if (!A.accounting) {
        mock__fail_with(SLURM_ERROR);
        return NULL;
    }
    mock__handed_out(1);
    return &db_handle;
}

int __wrap_slurmdb_connection_close(void **db)
{
    if (db && *db == &db_handle) {
        mock__handed_out(-1);
        *db = NULL;
    }
    return SLURM_SUCCESS;
}

static void acct_rec_free(void *p)
{
    slurmdb_job_rec_t *r = p;

    free(r->jobname);
    free(r);
    mock__handed_out(-1);
}

static int name_listed(slurm_list names, const char *name)
{
    slurm_list_iter it;
    const char *n;
    int found = 0;

    if (names == NULL)
        return 1;
    if (name == NULL)
        return 0;
    it = slurm_list_iterator_create(names);
    while (!found && (n = slurm_list_next(it)) != NULL)
        found = strcmp(n, name) == 0;
    slurm_list_iterator_destroy(it);
    return found;
}

slurm_list __wrap_slurmdb_jobs_get(void *db, slurmdb_job_cond_t *cond)
{
    slurm_list out;
    size_t i;

    mock__enter();
    if (mock__take_failure(MOCK_RPC_DB_JOBS))
        return NULL;
    if (db != &db_handle) {
        mock__fail_with(SLURM_ERROR);
        return NULL;
    }
    A.acct_since = cond ? (int64_t)cond->usage_start : 0;
    A.acct_names = cond && cond->jobname_list ? (size_t)slurm_list_count(cond->jobname_list) : 0;
    out = slurm_list_create(acct_rec_free);
    for (i = 0; i < A.n_acct; i++) {
        const mock_acct *a = &A.acct[i];
        slurmdb_job_rec_t *r;
        if (!name_listed(cond ? cond->jobname_list : NULL, a->name))
            continue;
        /* slurmdbd: jobs that ran (or were eligible) at or after usage_start */
        if (cond && cond->usage_start && a->end_time && a->end_time < cond->usage_start)
            continue;
        r = calloc(1, sizeof(*r));
        if (r == NULL)
            abort();
        r->jobid = a->job_id;
        r->array_job_id = a->array_job_id;
        r->array_task_id = a->array_task_id == MOCK_NO_TASK ? NO_VAL : a->array_task_id;
        r->jobname = mock__dup(a->name);
        r->state = a->state;
        r->exitcode = a->exit_code;
        r->submit = (time_t)a->submit_time;
        r->start = (time_t)a->start_time;
        r->end = (time_t)a->end_time;
        mock__handed_out(1);
        slurm_list_append(out, r);
    }
    return out;
}

/* ---- the clusters slurmdbd knows (-M) ------------------------------------ */

slurm_list __wrap_slurmdb_get_info_cluster(char *cluster_names);

static void cluster_rec_free(void *p)
{
    slurmdb_cluster_rec_t *r = p;

    free(r->name);
    free(r);
}

static void add_cluster_rec(slurm_list out, const char *name, const char *names)
{
    slurmdb_cluster_rec_t *r;

    if (name == NULL || (names != NULL && strcmp(names, name) != 0))
        return;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        abort();
    r->name = mock__dup(name);
    slurm_list_append(out, r);
}

/* As libslurm's: the records of the clusters named (one name here), or of
 * all with NULL; NULL when slurmdbd does not answer or knows none. It is a
 * slurmdbd connection: counted and failing as MOCK_RPC_DB_CONNECT. The
 * backend keeps what it looked up for the process's life, so the records
 * are not counted among the buffers handed out. */
slurm_list __wrap_slurmdb_get_info_cluster(char *cluster_names)
{
    slurm_list out;
    size_t i;

    mock__enter();
    if (mock__take_failure(MOCK_RPC_DB_CONNECT) || !A.accounting)
        return NULL;
    out = slurm_list_create(cluster_rec_free);
    add_cluster_rec(out, mock__cluster_name(), cluster_names);
    for (i = 0; i < A.n_clusters; i++)
        add_cluster_rec(out, A.clusters[i], cluster_names);
    if (slurm_list_count(out) == 0) {
        slurm_list_destroy(out);
        return NULL;
    }
    return out;
}
