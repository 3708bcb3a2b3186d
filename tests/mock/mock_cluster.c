/*
 * mock_cluster.c - the fake controller's picture of the cluster around the
 * jobs: its partitions (names, MaxTime, sizes; the first is the default), its reservations, its
 * licenses, and its node "mocknode", a member of every partition, with the
 * Gres, RealMemory, features and state a test gives it, and any other nodes a
 * test adds (each in the partitions it names), and a limit on the CPUs of
 * a job, as a QOS's. The __wrap_ versions of
 * slurm_load_partitions, slurm_load_reservations, slurm_load_licenses and
 * slurm_load_node answer from it, counted and failing as mock_slurm.c's
 * RPCs do (mock_int.h); slurm_populate_node_partitions gives the nodes
 * their partitions, which slurm_load_node leaves out as slurmctld does.
 * Set by the tests through mock_slurm.h, or by the
 * WJR_MOCK_PARTITIONS, _RESERVATIONS, _LICENSES, _NODE_GRES, _NODE_MEMORY,
 * _NODE_FEATURES, _NODE_THREADS, _NODE_STATE and _JOB_CPU_LIMIT variables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>

#include "mock_int.h"

static struct {
    char **partitions;
    uint32_t *partition_time;
    size_t n_partitions;
    char **reservations;
    size_t n_reservations;
    char **licenses;
    uint32_t *license_total;
    size_t n_licenses;
    char *node_gres;
    uint64_t node_memory;
    uint16_t node_threads;
    char *node_features;
    uint32_t node_state;    /* mock_set_node_state; 0: IDLE */
    uint32_t job_cpu_limit; /* mock_set_job_cpu_limit; 0: none */
    struct mock_node {      /* mock_add_node */
        char *name, *partitions, *features;
        uint64_t memory;
    } * nodes;
    size_t n_nodes;
} C;

/* Every partition's size (mock_set_partition_size); 0: unknown. Kept
 * across mock_reset(). */
static uint32_t partition_nodes, partition_cpus;

static char *dup_text(const char *s)
{
    char *d = s ? strdup(s) : NULL;

    if (s != NULL && d == NULL)
        abort();
    return d;
}

/* Append name (and *num, when num) to the list names[]. */
static void append(char ***names, uint32_t **nums, size_t *n, const char *name, uint32_t num)
{
    *names = realloc(*names, (*n + 1) * sizeof(**names));
    if (*names == NULL)
        abort();
    if (nums != NULL) {
        *nums = realloc(*nums, (*n + 1) * sizeof(**nums));
        if (*nums == NULL)
            abort();
        (*nums)[*n] = num;
    }
    (*names)[(*n)++] = dup_text(name);
}

static void free_list(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void mock__cluster_reset(void)
{
    size_t i;

    free_list(C.partitions, C.n_partitions);
    free(C.partition_time);
    free_list(C.reservations, C.n_reservations);
    free_list(C.licenses, C.n_licenses);
    free(C.license_total);
    free(C.node_gres);
    free(C.node_features);
    for (i = 0; i < C.n_nodes; i++) {
        free(C.nodes[i].name);
        free(C.nodes[i].partitions);
        free(C.nodes[i].features);
    }
    free(C.nodes);
    memset(&C, 0, sizeof(C));
}

void mock_add_partition(const char *name, uint32_t max_time_minutes)
{
    append(&C.partitions, &C.partition_time, &C.n_partitions, name, max_time_minutes);
}

void mock_set_partition_size(uint32_t nodes, uint32_t cpus)
{
    partition_nodes = nodes;
    partition_cpus = cpus;
}

void mock_add_reservation(const char *name)
{
    append(&C.reservations, NULL, &C.n_reservations, name, 0);
}

void mock_add_license(const char *name, uint32_t total)
{
    append(&C.licenses, &C.license_total, &C.n_licenses, name, total);
}

void mock_set_node_gres(const char *gres)
{
    free(C.node_gres);
    C.node_gres = dup_text(gres);
}

void mock_set_node_memory(uint64_t real_memory_mb)
{
    C.node_memory = real_memory_mb;
}

void mock_set_node_threads(uint16_t threads_per_core)
{
    C.node_threads = threads_per_core;
}

void mock_set_node_features(const char *features)
{
    free(C.node_features);
    C.node_features = dup_text(features);
}

void mock_set_node_state(uint32_t state)
{
    C.node_state = state;
}

void mock_set_job_cpu_limit(uint32_t cpus)
{
    C.job_cpu_limit = cpus;
}

uint32_t mock__job_cpu_limit(void)
{
    return C.job_cpu_limit;
}

int mock__node_up(void)
{
    uint32_t st = C.node_state ? C.node_state : NODE_STATE_IDLE;

    return (st & NODE_STATE_BASE) != NODE_STATE_DOWN &&
           (st & (NODE_STATE_DRAIN | NODE_STATE_FAIL | NODE_STATE_NO_RESPOND)) == 0;
}

void mock_add_node(const char *name, const char *partitions, uint64_t real_memory_mb,
                   const char *features)
{
    struct mock_node *n;

    C.nodes = realloc(C.nodes, (C.n_nodes + 1) * sizeof(*C.nodes));
    if (C.nodes == NULL)
        abort();
    n = &C.nodes[C.n_nodes++];
    n->name = dup_text(name);
    n->partitions = dup_text(partitions);
    n->features = dup_text(features);
    n->memory = real_memory_mb;
}

const char *mock__default_partition(void)
{
    return C.n_partitions > 0 ? C.partitions[0] : NULL;
}

int mock__partition_known(const char *name)
{
    size_t i, k;

    if (C.n_partitions == 0 || name == NULL)
        return 1;
    /* a list ("debug,gpu"), as slurmctld takes it: each one */
    for (; *name != '\0'; name += k + (name[k] == ',')) {
        k = strcspn(name, ",");
        for (i = 0; i < C.n_partitions; i++)
            if (strlen(C.partitions[i]) == k && strncmp(C.partitions[i], name, k) == 0)
                break;
        if (i == C.n_partitions)
            return 0;
    }
    return 1;
}

/* ---- the environment --------------------------------------------------- */

/* Each NAME[:NUMBER] item of the comma-separated variable to add(); -1
 * when a NUMBER is not one. */
static int env_list(const char *var, uint32_t dflt, void (*add)(const char *, uint32_t))
{
    const char *v = getenv(var);
    char *copy, *item, *save = NULL, *colon, *end;
    unsigned long num;
    int rc = 0;

    if (v == NULL || *v == '\0')
        return 0;
    copy = dup_text(v);
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        colon = strrchr(item, ':');
        num = dflt;
        if (colon != NULL) {
            *colon = '\0';
            num = strtoul(colon + 1, &end, 10);
            if (*end != '\0' || end == colon + 1) {
                fprintf(stderr, "mock_slurm: %s: \"%s\" is not a number\n", var, colon + 1);
                rc = -1;
                continue;
            }
        }
        add(item, (uint32_t)num);
    }
    free(copy);
    return rc;
}

static void add_reservation(const char *name, uint32_t unused)
{
    (void)unused;
    mock_add_reservation(name);
}

int mock__cluster_env(void)
{
    int rc = 0;

    if (env_list("WJR_MOCK_PARTITIONS", INFINITE, mock_add_partition) < 0)
        rc = -1;
    if (env_list("WJR_MOCK_RESERVATIONS", 0, add_reservation) < 0)
        rc = -1;
    if (env_list("WJR_MOCK_LICENSES", 1, mock_add_license) < 0)
        rc = -1;
    if (getenv("WJR_MOCK_NODE_GRES") != NULL && *getenv("WJR_MOCK_NODE_GRES") != '\0')
        mock_set_node_gres(getenv("WJR_MOCK_NODE_GRES"));
    if (getenv("WJR_MOCK_NODE_FEATURES") != NULL && *getenv("WJR_MOCK_NODE_FEATURES") != '\0')
        mock_set_node_features(getenv("WJR_MOCK_NODE_FEATURES"));
    if (getenv("WJR_MOCK_NODE_MEMORY") != NULL && *getenv("WJR_MOCK_NODE_MEMORY") != '\0')
        mock_set_node_memory(strtoull(getenv("WJR_MOCK_NODE_MEMORY"), NULL, 10));
    if (getenv("WJR_MOCK_NODE_THREADS") != NULL && *getenv("WJR_MOCK_NODE_THREADS") != '\0')
        mock_set_node_threads((uint16_t)strtoul(getenv("WJR_MOCK_NODE_THREADS"), NULL, 10));
    if (getenv("WJR_MOCK_NODE_STATE") != NULL && *getenv("WJR_MOCK_NODE_STATE") != '\0')
        mock_set_node_state((uint32_t)strtoul(getenv("WJR_MOCK_NODE_STATE"), NULL, 0));
    if (getenv("WJR_MOCK_JOB_CPU_LIMIT") != NULL && *getenv("WJR_MOCK_JOB_CPU_LIMIT") != '\0')
        mock_set_job_cpu_limit((uint32_t)strtoul(getenv("WJR_MOCK_JOB_CPU_LIMIT"), NULL, 10));
    return rc;
}

/* ---- the wrapped libslurm calls ----------------------------------------- */

int __wrap_slurm_load_partitions(time_t update_time, partition_info_msg_t **out, uint16_t flags);
void __wrap_slurm_free_partition_info_msg(partition_info_msg_t *msg);
int __wrap_slurm_load_reservations(time_t update_time, reserve_info_msg_t **out);
void __wrap_slurm_free_reservation_info_msg(reserve_info_msg_t *msg);
int __wrap_slurm_load_licenses(time_t update_time, license_info_msg_t **out, uint16_t flags);
void __wrap_slurm_free_license_info_msg(license_info_msg_t *msg);
int __wrap_slurm_load_node(time_t update_time, node_info_msg_t **out, uint16_t flags);
void __wrap_slurm_free_node_info_msg(node_info_msg_t *msg);
void __wrap_slurm_populate_node_partitions(node_info_msg_t *nodes, partition_info_msg_t *parts);

/* Count the call; 1 when it is to fail (the state file is written either
 * way, as the other wrapped calls do). */
static int begin(mock_rpc kind)
{
    mock__enter();
    if (!mock__take_failure(kind))
        return 0;
    mock__save();
    return 1;
}

/* The answer is handed out: count it, and save the RPC count. */
static void handed(void)
{
    mock__handed_out(1);
    mock__save();
}

static void *zalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);

    if (p == NULL)
        abort();
    return p;
}

int __wrap_slurm_load_partitions(time_t update_time, partition_info_msg_t **out, uint16_t flags)
{
    partition_info_msg_t *msg;
    size_t i;

    (void)update_time;
    (void)flags;
    *out = NULL;
    if (begin(MOCK_RPC_PARTITIONS))
        return SLURM_ERROR;
    msg = zalloc(1, sizeof(*msg));
    msg->record_count = (uint32_t)C.n_partitions;
    msg->partition_array = zalloc(C.n_partitions, sizeof(partition_info_t));
    for (i = 0; i < C.n_partitions; i++) {
        msg->partition_array[i].name = dup_text(C.partitions[i]);
        msg->partition_array[i].max_time = C.partition_time[i];
        msg->partition_array[i].total_nodes = partition_nodes;
        msg->partition_array[i].total_cpus = partition_cpus;
        msg->partition_array[i].max_nodes = INFINITE;
        if (i == 0) /* the first one added is the cluster's default */
            msg->partition_array[i].flags = PART_FLAG_DEFAULT;
    }
    *out = msg;
    handed();
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_partition_info_msg(partition_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++)
        free(msg->partition_array[i].name);
    free(msg->partition_array);
    free(msg);
    mock__handed_out(-1);
}

int __wrap_slurm_load_reservations(time_t update_time, reserve_info_msg_t **out)
{
    reserve_info_msg_t *msg;
    size_t i;

    (void)update_time;
    *out = NULL;
    if (begin(MOCK_RPC_RESERVATIONS))
        return SLURM_ERROR;
    msg = zalloc(1, sizeof(*msg));
    msg->record_count = (uint32_t)C.n_reservations;
    msg->reservation_array = zalloc(C.n_reservations, sizeof(reserve_info_t));
    for (i = 0; i < C.n_reservations; i++) {
        msg->reservation_array[i].name = dup_text(C.reservations[i]);
        msg->reservation_array[i].start_time = time(NULL) - 60;
        msg->reservation_array[i].end_time = time(NULL) + 3600;
    }
    *out = msg;
    handed();
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_reservation_info_msg(reserve_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++)
        free(msg->reservation_array[i].name);
    free(msg->reservation_array);
    free(msg);
    mock__handed_out(-1);
}

int __wrap_slurm_load_licenses(time_t update_time, license_info_msg_t **out, uint16_t flags)
{
    license_info_msg_t *msg;
    size_t i;

    (void)update_time;
    (void)flags;
    *out = NULL;
    if (begin(MOCK_RPC_LICENSES))
        return SLURM_ERROR;
    msg = zalloc(1, sizeof(*msg));
    msg->num_lic = (uint32_t)C.n_licenses;
    msg->lic_array = zalloc(C.n_licenses, sizeof(slurm_license_info_t));
    for (i = 0; i < C.n_licenses; i++) {
        msg->lic_array[i].name = dup_text(C.licenses[i]);
        msg->lic_array[i].total = C.license_total[i];
        msg->lic_array[i].available = C.license_total[i];
    }
    *out = msg;
    handed();
    return SLURM_SUCCESS;
}

void __wrap_slurm_free_license_info_msg(license_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->num_lic; i++)
        free(msg->lic_array[i].name);
    free(msg->lic_array);
    free(msg);
    mock__handed_out(-1);
}

/* The nodes as slurmctld sends them: without their partitions (see
 * __wrap_slurm_populate_node_partitions). */
int __wrap_slurm_load_node(time_t update_time, node_info_msg_t **out, uint16_t flags)
{
    node_info_msg_t *msg;
    size_t i;

    (void)update_time;
    (void)flags;
    *out = NULL;
    if (begin(MOCK_RPC_NODES))
        return SLURM_ERROR;
    msg = zalloc(1, sizeof(*msg));
    msg->record_count = (uint32_t)(1 + C.n_nodes);
    msg->node_array = zalloc(1 + C.n_nodes, sizeof(node_info_t));
    msg->node_array[0].name = dup_text("mocknode");
    msg->node_array[0].gres = dup_text(C.node_gres);
    msg->node_array[0].real_memory = C.node_memory;
    msg->node_array[0].threads = C.node_threads;
    msg->node_array[0].features = dup_text(C.node_features);
    msg->node_array[0].node_state = C.node_state ? C.node_state : NODE_STATE_IDLE;
    for (i = 0; i < C.n_nodes; i++) {
        node_info_t *nd = &msg->node_array[1 + i];
        nd->name = dup_text(C.nodes[i].name);
        nd->features = dup_text(C.nodes[i].features);
        nd->real_memory = C.nodes[i].memory;
        nd->node_state = NODE_STATE_IDLE;
    }
    *out = msg;
    handed();
    return SLURM_SUCCESS;
}

/* Write each node's partitions, as libslurm does from the partitions'
 * node indexes: mocknode is in all of them, another node in those
 * mock_add_node named. Not an RPC. */
void __wrap_slurm_populate_node_partitions(node_info_msg_t *nodes, partition_info_msg_t *parts)
{
    size_t i, len = 1;
    char *all;

    (void)parts;
    if (nodes == NULL || nodes->record_count == 0)
        return;
    for (i = 0; i < C.n_partitions; i++)
        len += strlen(C.partitions[i]) + 1;
    all = zalloc(len, 1);
    for (i = 0; i < C.n_partitions; i++) {
        if (i > 0)
            strcat(all, ",");
        strcat(all, C.partitions[i]);
    }
    free(nodes->node_array[0].partitions);
    nodes->node_array[0].partitions = all;
    for (i = 1; i < nodes->record_count && i - 1 < C.n_nodes; i++) {
        free(nodes->node_array[i].partitions);
        nodes->node_array[i].partitions = dup_text(C.nodes[i - 1].partitions);
    }
}

void __wrap_slurm_free_node_info_msg(node_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++) {
        free(msg->node_array[i].name);
        free(msg->node_array[i].gres);
        free(msg->node_array[i].partitions);
        free(msg->node_array[i].features);
    }
    free(msg->node_array);
    free(msg);
    mock__handed_out(-1);
}
