/*
 * backend_slurm_info.c - what the Slurm backend asks of the controller
 * besides jobs: its configuration (ClusterName, version, MaxArraySize,
 * MinJobAge, accounting), the partition jobs go to, and the reservations,
 * licenses and nodes (GRES, memory, features) when the options name them,
 * and how many of the partition's nodes are not up;
 * cancellations, one job or many in as few RPCs as the release allows; and
 * accounting (slurmdbd) look-ups of jobs slurmctld has forgotten, by job
 * name and a start-time bound.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurmdb.h>

#include "backend_slurm_int.h"
#include "util.h"

/* 26.05 renamed slurm_free_ctl_conf() to slurm_free_conf(). */
static void free_ctl_conf(slurm_conf_t *conf)
{
#if SLURM_AT_LEAST(26, 5, 0)
    slurm_free_conf(conf);
#else
    slurm_free_ctl_conf(conf);
#endif
}

/* 24.05 added slurm_kill_jobs(): many jobs in one REQUEST_KILL_JOBS. Its
 * answer is freed by slurm_free_kill_jobs_response_msg(), exported by
 * libslurm (src/common/slurm_protocol_defs.h) but declared in no public
 * header. */
#if SLURM_AT_LEAST(24, 5, 0)
extern void slurm_free_kill_jobs_response_msg(kill_jobs_resp_msg_t *msg);
#endif

/* ---- controller configuration --------------------------------------- */

static int load_conf(slurm_backend *sb)
{
    slurm_conf_t *conf = NULL;
    int error = wjr__slurm_reach(sb);

    if (error < 0)
        return error;
    sb->parent.rpc_count++;
    if (slurm_load_ctl_conf((time_t)0, &conf) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_ctl_conf");
    sb->max_array_size = conf->max_array_sz;
    free(sb->cluster_name);
    sb->cluster_name = wjr_strdup(conf->cluster_name);
    free(sb->slurm_version);
    sb->slurm_version = wjr_strdup(conf->version);
    sb->has_accounting =
        conf->accounting_storage_type && strstr(conf->accounting_storage_type, "slurmdbd") != NULL;
    free_ctl_conf(conf);
    return 0;
}

static int slurm_max_array_size(uint32_t *out, wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    int error;

    if (sb->max_array_size == 0) {
        error = load_conf(sb);
        if (error < 0)
            return error;
    }
    *out = sb->max_array_size;
    return 0;
}

static const char *slurm_cluster(wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;

    if (sb->cluster_name == NULL && load_conf(sb) < 0)
        return NULL;
    return sb->cluster_name;
}

static const char *slurm_partition(const wjr_backend *b)
{
    return ((const slurm_backend *)b)->partition;
}

/* ---- what the options name: reservations, licenses, the nodes -------- */

static int load_reservations(wjr_cluster_info *out, slurm_backend *sb)
{
    reserve_info_msg_t *msg = NULL;
    time_t now = time(NULL);
    uint32_t i;
    int error = 0;

    sb->parent.rpc_count++;
    if (slurm_load_reservations((time_t)0, &msg) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_reservations");
    for (i = 0; i < msg->record_count && error == 0; i++) {
        const reserve_info_t *r = &msg->reservation_array[i];
        if (r->name != NULL && (r->end_time == 0 || r->end_time > now))
            error = wjr_cluster_items_put(&out->reservations, &out->n_reservations, r->name,
                                          strlen(r->name), 0, 0);
    }
    slurm_free_reservation_info_msg(msg);
    out->reservations_known = error == 0;
    return error;
}

static int load_licenses(wjr_cluster_info *out, slurm_backend *sb)
{
    license_info_msg_t *msg = NULL;
    uint32_t i;
    int error = 0;

    sb->parent.rpc_count++;
    if (slurm_load_licenses((time_t)0, &msg, SHOW_ALL) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_licenses");
    for (i = 0; msg != NULL && i < msg->num_lic && error == 0; i++) {
        const slurm_license_info_t *l = &msg->lic_array[i];
        if (l->name != NULL)
            error = wjr_cluster_items_put(&out->licenses, &out->n_licenses, l->name,
                                          strlen(l->name), l->total, 0);
    }
    slurm_free_license_info_msg(msg);
    out->licenses_known = error == 0;
    return error;
}

/* 1 when the comma-separated list has the name (its first n bytes). */
static int listed_n(const char *list, const char *name, size_t n)
{
    while (list != NULL && *list != '\0') {
        size_t k = strcspn(list, ",");
        if (k == n && strncmp(list, name, n) == 0)
            return 1;
        list += k + (list[k] == ',');
    }
    return 0;
}

static int listed(const char *list, const char *name)
{
    return listed_n(list, name, strlen(name));
}

/* A partition's MaxTime as scontrol says it: "UNLIMITED" or "N minutes". */
static char *max_time_text(const partition_info_t *p)
{
    if (p->max_time == INFINITE)
        return wjr_strdup("UNLIMITED");
    return wjr_asprintf("%u minutes", (unsigned)p->max_time);
}

/* A list's limits: the most any of its partitions allows, since the job
 * runs in one that can take it; *no_time and *no_nodes are set once one
 * has no MaxTime or MaxNodes (then 0, unlimited, is the list's). */
static void widen_limits(wjr_cluster_info *out, const partition_info_t *p, int *no_time,
                         int *no_nodes)
{
    if (p->total_nodes > out->partition_nodes)
        out->partition_nodes = p->total_nodes;
    if (p->total_cpus > out->partition_cpus)
        out->partition_cpus = p->total_cpus;
    if (p->max_nodes == INFINITE || p->max_nodes == 0)
        *no_nodes = 1;
    else if (p->max_nodes > out->partition_max_nodes)
        out->partition_max_nodes = p->max_nodes;
    if (p->max_time == INFINITE || p->max_time == NO_VAL || p->max_time == 0)
        *no_time = 1;
    else if (p->max_time > out->partition_max_minutes)
        out->partition_max_minutes = p->max_time;
}

/* Each MaxTime of a list of partitions, in its order ("debug: 60 minutes,
 * gpu: UNLIMITED"); a name the cluster lacks is left out. */
static char *list_max_times(const partition_info_msg_t *parts, const char *list)
{
    char *text = NULL, *max, *t;
    uint32_t i;

    while (*list != '\0') {
        size_t k = strcspn(list, ",");
        for (i = 0; i < parts->record_count; i++) {
            const partition_info_t *p = &parts->partition_array[i];
            if (p->name == NULL || strlen(p->name) != k || strncmp(p->name, list, k) != 0)
                continue;
            max = max_time_text(p);
            t = wjr_asprintf("%s%s%s: %s", text != NULL ? text : "", text != NULL ? ", " : "",
                             p->name, max != NULL ? max : "?");
            free(max);
            free(text);
            text = t;
            break;
        }
        list += k + (list[k] == ',');
    }
    return text;
}

/* One node's Gres ("gpu:a100:2(S:0-1),nic:1") into its totals by name and
 * by name:type, then into out->gres, keeping the most any node has. */
static int add_node_gres(wjr_cluster_info *out, const char *gres)
{
    wjr_cluster_item *node = NULL;
    size_t n_node = 0, i;
    wjr_slurm_item it;
    char key[256];
    int error = 0;
    uint32_t c;

    while (error == 0 && wjr_slurm_next_item(&it, &gres, WJR_ITEM_GRES)) {
        if (it.name_len == 0 || it.name_len + it.type_len + 2 > sizeof(key))
            continue;
        c = it.count > UINT32_MAX ? UINT32_MAX : (uint32_t)it.count;
        error = wjr_cluster_items_put(&node, &n_node, it.name, it.name_len, c, 1);
        if (error == 0 && it.type != NULL) {
            snprintf(key, sizeof(key), "%.*s:%.*s", (int)it.name_len, it.name, (int)it.type_len,
                     it.type);
            error = wjr_cluster_items_put(&node, &n_node, key, strlen(key), c, 1);
        }
    }
    for (i = 0; i < n_node && error == 0; i++)
        error = wjr_cluster_items_put(&out->gres, &out->n_gres, node[i].name, strlen(node[i].name),
                                      node[i].count, 0);
    wjr_cluster_items_free(node, n_node);
    return error;
}

/* One node's features, available and active (comma-separated lists; a
 * feature may be in both), into out->features: each counted once for a
 * node of the partition (in_part), added with count 0 for another node. */
static int add_node_features(wjr_cluster_info *out, const char *avail, const char *active,
                             int in_part)
{
    wjr_cluster_item *node = NULL;
    size_t n_node = 0, i, k;
    const char *lists[2] = {avail, active}, *p;
    int error = 0;

    for (i = 0; i < 2 && error == 0; i++)
        for (p = lists[i]; p != NULL && *p != '\0' && error == 0; p += k + (p[k] == ',')) {
            k = strcspn(p, ",");
            if (k > 0)
                error = wjr_cluster_items_put(&node, &n_node, p, k, 1, 0);
        }
    for (i = 0; i < n_node && error == 0; i++)
        error = wjr_cluster_items_put(&out->features, &out->n_features, node[i].name,
                                      strlen(node[i].name), in_part ? 1 : 0, 1);
    wjr_cluster_items_free(node, n_node);
    return error;
}

/* Every node, in one RPC: the GRES and the largest RealMemory of the
 * partition's nodes (all nodes when the partition is unknown), and the
 * features of all. slurmctld sends the nodes without their partitions:
 * slurm_populate_node_partitions() writes them from the partitions'
 * node indexes, as scontrol does. The fields read here (gres, features,
 * features_act, real_memory, threads, partitions) and that call are in libslurm
 * from 22.05 to 26.05. */
static int load_nodes(wjr_cluster_info *out, slurm_backend *sb, partition_info_msg_t *parts)
{
    node_info_msg_t *msg = NULL;
    uint32_t i;
    int error = 0, in_part;

    sb->parent.rpc_count++;
    if (slurm_load_node((time_t)0, &msg, SHOW_ALL) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_node");
    slurm_populate_node_partitions(msg, parts);
    for (i = 0; i < msg->record_count && error == 0; i++) {
        const node_info_t *nd = &msg->node_array[i];
        if (nd->name == NULL)
            continue;
        in_part = out->partition == NULL || listed(nd->partitions, out->partition);
        if (in_part) {
            error = add_node_gres(out, nd->gres);
            if (nd->real_memory > out->node_max_memory)
                out->node_max_memory = nd->real_memory;
            if (nd->threads > out->node_max_threads)
                out->node_max_threads = nd->threads;
        }
        if (error == 0)
            error = add_node_features(out, nd->features, nd->features_act, in_part);
    }
    slurm_free_node_info_msg(msg);
    out->gres_known = error == 0;
    return error;
}

/* 1 when the check needs the nodes: for GRES or GPUs (fixed values: those
 * a trial takes from a parameter are not known before the trial), for
 * memory (mem, mem_per_cpu or mem_per_gpu, fixed or from a parameter: the
 * check takes the largest it can be), for threads per core (idem) or for a
 * constraint or prefer. */
static int needs_nodes(const slurm_backend *sb, const wjr_slurm_res *res)
{
    if ((sb->gres != NULL && *sb->gres != '\0') || res->gpus[0] != '\0' ||
        res->gpus_per_task[0] != '\0' || res->gpus_per_node[0] != '\0')
        return 1;
    if (sb->mem != NULL || res->mem_per_cpu_mb != 0 || res->mem_per_gpu_mb != 0 ||
        wjr_slurm_extra_per_trial(sb->extra, "mem") ||
        wjr_slurm_extra_per_trial(sb->extra, "mem_per_cpu") ||
        wjr_slurm_extra_per_trial(sb->extra, "mem_per_gpu"))
        return 1;
    if (res->threads_per_core > 1 || wjr_slurm_extra_per_trial(sb->extra, "threads_per_core"))
        return 1;
    return (sb->constraint != NULL && *sb->constraint != '\0') ||
           (sb->prefer != NULL && *sb->prefer != '\0');
}

/* Ask for what the options name, and only that: a reservation, licenses,
 * the nodes (needs_nodes). */
static int load_resources(wjr_cluster_info *out, slurm_backend *sb, partition_info_msg_t *parts)
{
    wjr_slurm_res res;
    int error = wjr_slurm_extra_resolve(&res, sb->extra, NULL);

    if (error == 0 && res.reservation[0] != '\0')
        error = load_reservations(out, sb);
    if (error == 0 && res.licenses[0] != '\0')
        error = load_licenses(out, sb);
    if (error == 0 && needs_nodes(sb, &res))
        error = load_nodes(out, sb, parts);
    return error;
}

static int slurm_cluster_info(wjr_cluster_info *out, wjr_backend *b)
{
    slurm_backend *sb = (slurm_backend *)b;
    slurm_conf_t *conf = NULL;
    partition_info_msg_t *parts = NULL;
    uint32_t i;
    size_t k;
    int error = 0, is_list = sb->partition != NULL && strchr(sb->partition, ',') != NULL;
    int no_time = 0, no_nodes = 0;

    memset(out, 0, sizeof(*out));
    error = wjr__slurm_reach(sb);
    if (error < 0)
        return error;
    b->rpc_count++;
    if (slurm_load_ctl_conf((time_t)0, &conf) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_ctl_conf");
    out->cluster_name = wjr_strdup(conf->cluster_name);
    free(sb->cluster_name); /* the first submission needs it too */
    sb->cluster_name = wjr_strdup(conf->cluster_name);
    out->slurm_version = wjr_strdup(conf->version);
    free(sb->slurm_version);
    sb->slurm_version = wjr_strdup(conf->version);
    out->max_array_size = conf->max_array_sz;
    out->max_job_count = conf->max_job_cnt;
    out->min_job_age = conf->min_job_age;
    out->has_accounting =
        conf->accounting_storage_type && strstr(conf->accounting_storage_type, "slurmdbd") != NULL;
    sb->max_array_size = conf->max_array_sz;
    sb->has_accounting = out->has_accounting;
    free_ctl_conf(conf);

    out->partition_found = sb->partition == NULL;
    out->partition_is_default = sb->partition == NULL;
    b->rpc_count++;
    if (slurm_load_partitions((time_t)0, &parts, SHOW_ALL) != SLURM_SUCCESS) {
        error = wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_partitions");
        wjr__cluster_info_clear(out);
        return error;
    }
    for (i = 0; i < parts->record_count; i++) {
        partition_info_t *p = &parts->partition_array[i];

        if (p->name != NULL)
            error = wjr_cluster_items_put(&out->partitions, &out->n_partitions, p->name,
                                          strlen(p->name), p->total_nodes, 0);
        if (error < 0) {
            slurm_free_partition_info_msg(parts);
            wjr__cluster_info_clear(out);
            return error;
        }
        if (is_list && p->name != NULL && listed(sb->partition, p->name))
            widen_limits(out, p, &no_time, &no_nodes);
        /* none configured: the cluster's default partition is the one */
        if (p->name && (sb->partition != NULL ? strcmp(p->name, sb->partition) == 0
                                              : (p->flags & PART_FLAG_DEFAULT) != 0)) {
            out->partition_found = 1;
            free(out->partition);
            out->partition = wjr_strdup(p->name);
            free(out->partition_max_time);
            out->partition_max_time = max_time_text(p);
            out->partition_nodes = p->total_nodes;
            out->partition_cpus = p->total_cpus;
            out->partition_max_nodes = p->max_nodes == INFINITE ? 0 : p->max_nodes;
            out->partition_max_minutes =
                p->max_time == INFINITE || p->max_time == NO_VAL ? 0 : p->max_time;
        }
    }
    /* a list ("debug,gpu", as sbatch -p takes it: the job starts in the
     * first that can run it) is found when each of its partitions is; the
     * job's partition is not known before it starts, so partition stays
     * NULL, its limits are the most any of the list allows, and
     * partition_max_time says each one's */
    if (is_list) {
        out->partition_found = wjr_cluster_items_missing(out->partitions, out->n_partitions,
                                                         sb->partition, &k) == NULL;
        out->partition_max_time = list_max_times(parts, sb->partition);
        if (no_time)
            out->partition_max_minutes = 0;
        if (no_nodes)
            out->partition_max_nodes = 0;
    }
    error = load_resources(out, sb, parts);
    slurm_free_partition_info_msg(parts);
    if (error < 0)
        wjr__cluster_info_clear(out);
    return error;
}

/* ---- the nodes that are not up ------------------------------------------ */

/* Not up: down, not yet registered or a FUTURE slot, or drained, failing,
 * not responding or powered down; slurmctld places no job there now. */
static int node_not_up(uint32_t state)
{
    uint32_t base = state & NODE_STATE_BASE;

    return base == NODE_STATE_DOWN || base == NODE_STATE_UNKNOWN || base == NODE_STATE_FUTURE ||
           (state & (NODE_STATE_DRAIN | NODE_STATE_FAIL | NODE_STATE_NO_RESPOND |
                     NODE_STATE_POWERED_DOWN)) != 0;
}

int wjr__slurm_nodes_down(uint32_t *down, uint32_t *total, slurm_backend *sb)
{
    partition_info_msg_t *parts = NULL;
    node_info_msg_t *msg = NULL;
    const char *which = sb->partition;
    uint32_t i;

    *down = *total = 0;
    sb->parent.rpc_count++;
    if (slurm_load_partitions((time_t)0, &parts, SHOW_ALL) != SLURM_SUCCESS)
        return wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_partitions");
    for (i = 0; which == NULL && i < parts->record_count; i++)
        if (parts->partition_array[i].flags & PART_FLAG_DEFAULT)
            which = parts->partition_array[i].name;
    sb->parent.rpc_count++;
    if (slurm_load_node((time_t)0, &msg, SHOW_ALL) != SLURM_SUCCESS) {
        int error = wjr__slurm_classify(SLURM_ERRNO(), "slurm_load_node");
        slurm_free_partition_info_msg(parts);
        return error;
    }
    slurm_populate_node_partitions(msg, parts);
    for (i = 0; i < msg->record_count; i++) {
        const node_info_t *nd = &msg->node_array[i];
        int in_part = 0;
        const char *p = which;
        /* a node in any partition of the job's list */
        while (p != NULL && *p != '\0' && !in_part) {
            size_t k = strcspn(p, ",");
            in_part = listed_n(nd->partitions, p, k);
            p += k + (p[k] == ',');
        }
        if (nd->name == NULL || !in_part)
            continue;
        (*total)++;
        *down += (uint32_t)node_not_up(nd->node_state);
    }
    slurm_free_node_info_msg(msg);
    slurm_free_partition_info_msg(parts);
    return 0;
}

/* ---- cancel -------------------------------------------------------------- */

static int slurm_cancel(wjr_backend *b, uint32_t job_id, uint32_t task_id)
{
    char id[64];
    int e = wjr__slurm_reach((slurm_backend *)b);

    if (e < 0)
        return e;
    if (task_id != WJR_NO_TASK)
        snprintf(id, sizeof(id), "%u_%u", (unsigned)job_id, (unsigned)task_id);
    else
        snprintf(id, sizeof(id), "%u", (unsigned)job_id);
    b->rpc_count++;
    if (slurm_kill_job2(id, SIGKILL, 0, NULL) == SLURM_SUCCESS)
        return 0;
    e = SLURM_ERRNO();
    if (e == ESLURM_ALREADY_DONE)
        return 0; /* it ended first: nothing to cancel */
    if (e == ESLURM_INVALID_JOB_ID)
        return wjr__slurm_fail(WJR_ENOTFOUND, e, id);
    return wjr__slurm_classify(e, "slurm_kill_job2");
}

/* Cancel the jobs named by Slurm job id expressions ("123", "456_[0-3,7]"):
 * from 24.05 on one REQUEST_KILL_JOBS for all of them (slurm_kill_jobs),
 * before that one REQUEST_KILL_JOB per expression. A job that already ended
 * or is gone is no error. */
static int slurm_cancel_many(wjr_backend *b, const char *const *ids, size_t n)
{
    int e, error = 0;

    error = wjr__slurm_reach((slurm_backend *)b);
    if (error < 0)
        return error;
    if (n == 0)
        return 0;
#if SLURM_AT_LEAST(24, 5, 0)
    {
        /* no user_name, so no user filter; JOB_END: no state filter */
        kill_jobs_msg_t msg;
        kill_jobs_resp_msg_t *resp = NULL;
        uint32_t k;
        int rc;

        if (n > UINT32_MAX)
            return wjr_error_set(WJR_EINVALID, "slurm_kill_jobs: too many jobs");
        memset(&msg, 0, sizeof(msg));
        msg.jobs_array = (char **)ids;
        msg.jobs_cnt = (uint32_t)n;
        msg.signal = SIGKILL;
        msg.state = JOB_END;
        b->rpc_count++;
        rc = slurm_kill_jobs(&msg, &resp);
        if (rc != SLURM_SUCCESS) {
            /* slurm_kill_jobs returns its error rather than setting errno */
            return wjr__slurm_classify(rc == SLURM_ERROR ? SLURM_ERRNO() : rc, "slurm_kill_jobs");
        }
        for (k = 0; resp && k < resp->jobs_cnt && error == 0; k++) {
            e = (int)resp->job_responses[k].error_code;
            if (e != SLURM_SUCCESS && e != ESLURM_ALREADY_DONE && e != ESLURM_INVALID_JOB_ID)
                error = wjr__slurm_fail(WJR_ESLURM, e, "slurm_kill_jobs");
        }
        slurm_free_kill_jobs_response_msg(resp);
        return error;
    }
#else
    size_t i;

    for (i = 0; i < n; i++) {
        b->rpc_count++;
        if (slurm_kill_job2(ids[i], SIGKILL, 0, NULL) == SLURM_SUCCESS)
            continue;
        e = SLURM_ERRNO();
        if (e == ESLURM_ALREADY_DONE || e == ESLURM_INVALID_JOB_ID)
            continue;
        if (error == 0)
            error = wjr__slurm_classify(e, "slurm_kill_job2");
        if (error == WJR_ETIMEOUT || error == WJR_EUNREACHABLE)
            break; /* the controller is away: the rest would wait as long */
    }
    return error;
#endif
}

/* ---- accounting -------------------------------------------------------- */

static int slurm_accounting(wjr_job_list *out, wjr_backend *b, const char *const *names, size_t n,
                            int64_t since)
{
    slurm_backend *sb = (slurm_backend *)b;
    slurmdb_job_cond_t cond;
    void *db = NULL;
    slurm_list jobs = NULL;
    slurm_list_iter it = NULL;
    slurmdb_job_rec_t *rec;
    char uid[32];
    size_t i, k = 0;
    int error = 0, count;

    memset(out, 0, sizeof(*out));
    if (sb->accounting == 0)
        return wjr_error_set(WJR_ENOTFOUND, "accounting is turned off");
    if (sb->has_accounting < 0) {
        error = load_conf(sb);
        if (error < 0)
            return error;
    }
    if (!sb->has_accounting)
        return wjr_error_set(WJR_ENOTFOUND, "the cluster has no accounting database");
    if (n == 0)
        return 0;

    memset(&cond, 0, sizeof(cond));
    /* 0 would mean "scheduling flags none": slurmdbd then adds flags = 0 to
     * its query and misses every job the scheduler started. NOTSET asks for
     * no filter, as sacct does. */
    cond.db_flags = SLURMDB_JOB_FLAG_NOTSET;
    cond.flags = JOBCOND_FLAG_NO_STEP | JOBCOND_FLAG_NO_TRUNC;
    cond.usage_start = (time_t)(since > 0 ? since : 1);
    cond.usage_end = time(NULL) + 60;
    cond.jobname_list = slurm_list_create(NULL);
    cond.userid_list = slurm_list_create(NULL);
    if (sb->cluster_name) {
        cond.cluster_list = slurm_list_create(NULL);
        slurm_list_append(cond.cluster_list, sb->cluster_name);
    }
    snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
    slurm_list_append(cond.userid_list, uid);
    for (i = 0; i < n; i++)
        slurm_list_append(cond.jobname_list, (void *)names[i]);

    b->rpc_count++;
    db = slurmdb_connection_get(NULL);
    if (db == NULL) {
        error = wjr__slurm_classify(SLURM_ERRNO(), "slurmdb_connection_get");
        goto done;
    }
    b->rpc_count++;
    jobs = slurmdb_jobs_get(db, &cond);
    if (jobs == NULL) {
        error = wjr__slurm_classify(SLURM_ERRNO(), "slurmdb_jobs_get");
        goto done;
    }
    count = slurm_list_count(jobs);
    if (count > 0) {
        out->jobs = calloc((size_t)count, sizeof(*out->jobs));
        if (out->jobs == NULL) {
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
            goto done;
        }
    }
    it = slurm_list_iterator_create(jobs);
    while ((rec = slurm_list_next(it)) != NULL && k < (size_t)count) {
        wjr_job_record *r = &out->jobs[k++];
        r->job_id = rec->jobid;
        r->array_job_id = rec->array_job_id;
        r->array_task_id = rec->array_task_id == NO_VAL || rec->array_job_id == 0
                               ? WJR_NO_TASK
                               : rec->array_task_id;
        if (rec->array_task_id == NO_VAL && rec->array_task_str)
            r->array_task_str = wjr_strdup(rec->array_task_str);
        r->state = rec->state;
        r->exit_code = (int)((rec->exitcode >> 8) & 0xff);
        r->term_signal = (int)(rec->exitcode & 0x7f);
        r->submit_time = (int64_t)rec->submit;
        r->start_time = (int64_t)rec->start;
        r->end_time = (int64_t)rec->end;
        r->name = wjr_strdup(rec->jobname);
        r->from_accounting = 1;
    }
    out->count = k;
done:
    if (it)
        slurm_list_iterator_destroy(it);
    if (jobs)
        slurm_list_destroy(jobs);
    if (db)
        slurmdb_connection_close(&db);
    if (cond.jobname_list)
        slurm_list_destroy(cond.jobname_list);
    if (cond.userid_list)
        slurm_list_destroy(cond.userid_list);
    if (cond.cluster_list)
        slurm_list_destroy(cond.cluster_list);
    if (error < 0)
        wjr_job_list_clear(out);
    return error;
}

void wjr__slurm_info_ops(wjr_backend *b)
{
    b->accounting = slurm_accounting;
    b->cancel = slurm_cancel;
    b->cancel_many = slurm_cancel_many;
    b->cluster_info = slurm_cluster_info;
    b->max_array_size = slurm_max_array_size;
    b->partition = slurm_partition;
    b->cluster = slurm_cluster;
}
