/*
 * backend.c - what every backend shares: the registry of backend types
 * that a saved runner names ("slurm"), rebuilding a backend from its type
 * and settings, and the calls that go through the table of functions
 * (free, cluster_info, the RPC count, the test of a trial's job that `wjr
 * check` asks for) or clear what a backend handed out (job lists, cluster
 * info). It knows no scheduler: each type's own file
 * does (backend_slurm.c for Slurm).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "util.h"

/* A backend type a runner's JSON may name, and how to rebuild one. */
typedef struct backend_type {
    const char *name;
    int (*from_json)(wjr_backend **out, const char *json);
} backend_type;

static const backend_type backend_types[] = {
    {"slurm", wjr__backend_slurm_from_json},
};

int wjr_backend_from_json(wjr_backend **out, const char *type, const char *json)
{
    size_t i;

    *out = NULL;
    for (i = 0; type && i < sizeof(backend_types) / sizeof(backend_types[0]); i++)
        if (strcmp(type, backend_types[i].name) == 0)
            return backend_types[i].from_json(out, json);
    return wjr_error_set(WJR_EINVALID, "unknown backend type '%s'", type ? type : "(none)");
}

void wjr_backend_free(wjr_backend *backend)
{
    if (backend && backend->free)
        backend->free(backend);
}

int wjr_backend_cluster_info(wjr_cluster_info **out, wjr_backend *backend)
{
    wjr_cluster_info *info;
    int error;

    if (out == NULL)
        return wjr_error_set(WJR_EINVALID, "no place for the cluster's answer");
    *out = NULL;
    if (backend == NULL)
        return wjr_error_set(WJR_EINVALID, "no backend");
    info = calloc(1, sizeof(*info));
    if (info == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    error = backend->cluster_info(info, backend);
    if (error < 0) {
        wjr_cluster_info_free(info);
        return error;
    }
    *out = info;
    return 0;
}

void wjr_cluster_items_free(wjr_cluster_item *items, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(items[i].name);
    free(items);
}

const wjr_cluster_item *wjr_cluster_items_find(const wjr_cluster_item *items, size_t n,
                                               const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strlen(items[i].name) == len && memcmp(items[i].name, name, len) == 0)
            return &items[i];
    return NULL;
}

const char *wjr_cluster_items_missing(const wjr_cluster_item *items, size_t n, const char *list,
                                      size_t *len)
{
    while (list != NULL && *list != '\0') {
        size_t k = strcspn(list, ",");
        if (k > 0 && wjr_cluster_items_find(items, n, list, k) == NULL) {
            *len = k;
            return list;
        }
        list += k + (list[k] == ',');
    }
    return NULL;
}

int wjr_cluster_items_put(wjr_cluster_item **items, size_t *n, const char *name, size_t len,
                          uint32_t count, int sum)
{
    wjr_cluster_item *v;
    size_t i;

    for (i = 0; i < *n; i++)
        if (strlen((*items)[i].name) == len && memcmp((*items)[i].name, name, len) == 0) {
            uint32_t *c = &(*items)[i].count;
            if (sum)
                *c = count > UINT32_MAX - *c ? UINT32_MAX : *c + count;
            else if (count > *c)
                *c = count;
            return 0;
        }
    v = realloc(*items, (*n + 1) * sizeof(*v));
    if (v == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    *items = v;
    v[*n].name = strndup(name, len);
    if (v[*n].name == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    v[*n].count = count;
    (*n)++;
    return 0;
}

int wjr__backend_will_run(wjr_cluster_info *info, const char **key, wjr_backend *b,
                          const char *params_json)
{
    wjr_job_spec spec;
    char *resources = NULL, cwd[4096];
    int error = 0;

    *key = NULL;
    if (b == NULL || b->will_run == NULL)
        return 0;
    /* without parameters, the fixed options alone */
    if (b->resources != NULL && params_json != NULL)
        error = b->resources(&resources, b, params_json);
    if (error < 0)
        return error;
    /* the job a trial's submission makes, but for its script and paths,
     * which slurmctld takes as they come */
    memset(&spec, 0, sizeof(spec));
    spec.name = "wjr-check";
    spec.comment = "wjr:check";
    spec.script = "#!/bin/sh\n# wjr check: slurmctld's test of a trial's job; it never runs\n";
    spec.work_dir = getcwd(cwd, sizeof(cwd)) != NULL ? cwd : "/";
    spec.std_out = "/dev/null";
    spec.std_err = "/dev/null";
    spec.resources = resources;
    error = b->will_run(info, key, b, &spec);
    free(resources);
    return error;
}

void wjr__cluster_info_clear(wjr_cluster_info *info)
{
    if (info == NULL)
        return;
    free(info->cluster_name);
    free(info->slurm_version);
    free(info->partition_max_time);
    free(info->partition);
    wjr_cluster_items_free(info->reservations, info->n_reservations);
    wjr_cluster_items_free(info->licenses, info->n_licenses);
    wjr_cluster_items_free(info->gres, info->n_gres);
    wjr_cluster_items_free(info->features, info->n_features);
    wjr_cluster_items_free(info->partitions, info->n_partitions);
    free(info->trial_partition);
    free(info->trial_nodes);
    free(info->trial_not_now);
    free(info->trial_site_message);
    memset(info, 0, sizeof(*info));
}

void wjr_cluster_info_free(wjr_cluster_info *info)
{
    wjr__cluster_info_clear(info);
    free(info);
}

uint64_t wjr_backend_rpc_count(const wjr_backend *backend)
{
    return backend ? backend->rpc_count : 0;
}

void wjr_job_list_clear(wjr_job_list *list)
{
    size_t i;

    if (list == NULL)
        return;
    for (i = 0; list->owner == NULL && i < list->count; i++) {
        free(list->jobs[i].array_task_str);
        free(list->jobs[i].name);
        free(list->jobs[i].comment);
        free(list->jobs[i].reason);
    }
    if (list->owner)
        list->owner_free(list->owner);
    free(list->jobs);
    list->jobs = NULL;
    list->count = 0;
    list->owner = NULL;
    list->owner_free = NULL;
}
