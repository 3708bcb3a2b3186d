/*
 * slurm_gpus.c - whether slurmctld would refuse a job's GPU requests
 * taken together (slurm_gpus.h): the checks of its gres code ("Failed to
 * validate job spec", the same on 22.05, 24.11 and 26.05), redone on the
 * option texts so that wjr can name what is wrong before it submits; and
 * the forms of --gpu-bind.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "slurm_gpus.h"
#include "util.h"

/* 1 for a gpu item of a list of kind (every --gpus* item is one). */
static int is_gpu(const wjr_slurm_item *it, wjr_item_kind kind)
{
    return kind == WJR_ITEM_GPUS || (it->name_len == 3 && strncmp(it->name, "gpu", 3) == 0);
}

long long wjr_slurm_gpu_count(const char *text, wjr_item_kind kind)
{
    wjr_slurm_item it;
    long long n = 0;

    while (text != NULL && wjr_slurm_next_item(&it, &text, kind))
        if (is_gpu(&it, kind))
            n += it.count > (uint64_t)INT32_MAX ? INT32_MAX : (long long)it.count;
    return n;
}

/* The one gpu item of text into it (for a gres list, its only gpu item):
 * 1, or 0 when there is none or several (it is then zeroed or the last). */
static int gpu_item(wjr_slurm_item *it, const char *text, wjr_item_kind kind)
{
    wjr_slurm_item x;
    int n = 0;

    memset(it, 0, sizeof(*it));
    while (text != NULL && wjr_slurm_next_item(&x, &text, kind))
        if (is_gpu(&x, kind)) {
            *it = x;
            n++;
        }
    return n == 1 && it->count > 0;
}

/* 1 when Slurm counts a and b together: the same type, or neither typed. */
static int same_gpus(const wjr_slurm_item *a, const wjr_slurm_item *b)
{
    if (a->type == NULL || b->type == NULL)
        return a->type == b->type;
    return a->type_len == b->type_len && strncmp(a->type, b->type, a->type_len) == 0;
}

/* GPUs with a type and without one in one job ("Invalid GRES
 * specification (with and without type identification)"): the key where
 * the mix shows, in sbatch's order, or NULL. */
static const char *type_mix(int *typed, const wjr_gpu_request *r)
{
    const struct {
        const char *key, *text;
        wjr_item_kind kind;
    } keys[] = {
        {"gres", r->gres, WJR_ITEM_GRES},
        {"gpus", r->gpus, WJR_ITEM_GPUS},
        {"gpus_per_node", r->gpus_per_node, WJR_ITEM_GPUS},
        {"gpus_per_task", r->gpus_per_task, WJR_ITEM_GPUS},
    };
    size_t i;
    int seen = 0; /* 1: a typed request, 2: an untyped one */

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *p = keys[i].text;
        wjr_slurm_item it;

        while (p != NULL && wjr_slurm_next_item(&it, &p, keys[i].kind)) {
            if (!is_gpu(&it, keys[i].kind))
                continue;
            seen |= it.type != NULL ? 1 : 2;
            if (seen == 3) {
                *typed = it.type != NULL;
                return keys[i].key;
            }
        }
    }
    return NULL;
}

int wjr_slurm_gpu_conflict(const char **key, char *msg, size_t size, const wjr_gpu_request *r)
{
    const char *node_key = r->gpus_per_node != NULL ? "gpus_per_node" : "gres";
    wjr_slurm_item all, each, node;
    int has_all = gpu_item(&all, r->gpus, WJR_ITEM_GPUS);
    int has_each = gpu_item(&each, r->gpus_per_task, WJR_ITEM_GPUS);
    int has_node = r->gpus_per_node != NULL ? gpu_item(&node, r->gpus_per_node, WJR_ITEM_GPUS)
                                            : gpu_item(&node, r->gres, WJR_ITEM_GRES);
    int typed = 0;
    uint32_t lo, hi;

    if ((*key = type_mix(&typed, r)) != NULL) {
        snprintf(msg, size,
                 "slurm.%s asks for GPUs %s a type where another GPU request %s: Slurm "
                 "refuses the job (\"Invalid GRES specification (with and without type "
                 "identification)\"); give every GPU request the type, or none",
                 *key, typed ? "with" : "without", typed ? "has none" : "names one");
        return 1;
    }
    *key = "gpus_per_task";
    if (r->has_gpus_per_task && !r->has_gpus && !r->has_tasks) {
        snprintf(msg, size,
                 "slurm.gpus_per_task needs slurm.ntasks, slurm.ntasks_per_node or "
                 "slurm.gpus: Slurm refuses GPUs per task without a count of tasks "
                 "(\"Invalid generic resource (gres) specification\")");
        return 1;
    }
    if (has_all && has_each && same_gpus(&all, &each) && all.count % each.count != 0) {
        snprintf(msg, size,
                 "slurm.gpus \"%s\" is not a multiple of slurm.gpus_per_task \"%s\": Slurm "
                 "refuses the job (\"--gpus not multiple of --gpus-per-task\")",
                 r->gpus, r->gpus_per_task);
        return 1;
    }
    if (has_node && has_each && same_gpus(&node, &each) && node.count % each.count != 0) {
        snprintf(msg, size,
                 "the %llu GPUs per node of slurm.%s are not a multiple of "
                 "slurm.gpus_per_task \"%s\": Slurm refuses the job",
                 (unsigned long long)node.count, node_key, r->gpus_per_task);
        return 1;
    }
    *key = "gpus";
    if (has_all && has_node && same_gpus(&all, &node) && all.count % node.count != 0) {
        snprintf(msg, size,
                 "slurm.gpus \"%s\" is not a multiple of the %llu GPUs per node of slurm.%s: "
                 "Slurm refuses the job (\"--gpus is not multiple of --gpus-per-node\")",
                 r->gpus, (unsigned long long)node.count, node_key);
        return 1;
    }
    if (has_all && r->nodes != NULL && wjr_slurm_parse_nodes(&lo, &hi, r->nodes) == 0 &&
        all.count < lo) {
        snprintf(msg, size,
                 "slurm.gpus \"%s\" is fewer GPUs than the %u nodes of slurm.nodes: Slurm "
                 "refuses a job with fewer GPUs than nodes (\"--gpus < -N\")",
                 r->gpus, (unsigned)lo);
        return 1;
    }
    return 0;
}

/* A comma-separated list of numbers, decimal or hexadecimal (an optional
 * 0x), each with an optional repeat "*N": 1 when text is one. */
static int num_list(const char *text, int hex)
{
    const char *p = text;

    do {
        const char *digits = hex && strncasecmp(p, "0x", 2) == 0 ? p + 2 : p;
        size_t n = hex ? strspn(digits, "0123456789abcdefABCDEF") : strspn(digits, "0123456789");

        if (n == 0 || n > 16)
            return 0;
        p = digits + n;
        if (*p == '*') {
            n = strspn(p + 1, "0123456789");
            if (n == 0 || n > 9)
                return 0;
            p += 1 + n;
        }
    } while (*p == ',' && *++p != '\0');
    return *p == '\0';
}

int wjr_slurm_check_gpu_bind(const char *text)
{
    const char *p = text;
    long long n;

    if (strncasecmp(p, "verbose,", 8) == 0)
        p += 8;
    if (strcasecmp(p, "closest") == 0 || strcasecmp(p, "none") == 0)
        return 0;
    if (strncasecmp(p, "map_gpu:", 8) == 0 && num_list(p + 8, 0))
        return 0;
    if (strncasecmp(p, "mask_gpu:", 9) == 0 && num_list(p + 9, 1))
        return 0;
    if ((strncasecmp(p, "per_task:", 9) == 0 &&
         wjr_slurm_parse_int(&n, p + 9, 0, 2147483647) == 0) ||
        (strncasecmp(p, "single:", 7) == 0 && wjr_slurm_parse_int(&n, p + 7, 0, 2147483647) == 0))
        return 0;
    return wjr_error_set(WJR_ECONFIG,
                         "slurm.gpu_bind \"%s\" is not a GPU binding as sbatch reads it: closest, "
                         "none, map_gpu:LIST, mask_gpu:LIST, per_task:N or single:N, after an "
                         "optional verbose,",
                         text);
}
