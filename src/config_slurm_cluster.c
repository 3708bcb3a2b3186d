/*
 * config_slurm_cluster.c - compares what the configuration's slurm group
 * asks for with what the controller said of the cluster (wjr_cluster_info,
 * gathered by the backend for `wjr check` and before `wjr run` creates a
 * study): the partition's size and MaxTime, the reservation, the licenses,
 * the GRES and GPU types, the memory, the threads per core and the features
 * (constraint, prefer) of the partition's nodes. Fixed
 * values, and the largest a parameter can give where the check is a count
 * or a memory size. It contacts no cluster
 * itself and refuses with file:line and what the cluster has; the values
 * themselves were checked at load (config_slurm.c). It also words what
 * slurmctld said when asked whether it would take the first trial's job:
 * a refusal at the line of the option to blame, or a warning.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config_int.h"
#include "config_slurm.h"
#include "slurm_gpus.h"
#include "slurm_values.h"
#include "study_int.h"
#include "util.h"

/* What one value of option key amounts to: megabytes for mem, mem_per_cpu
 * and mem_per_gpu ("4G" is 4096, a bare number is megabytes), minutes for
 * time and time_min (no limit is LLONG_MAX; time_min "0" is unset), GPUs
 * for gpus_per_node, else the count ("2-4" counts as 2); 0 when unset or
 * unreadable. */
static long long amount(const char *key, const char *text)
{
    uint64_t mb;
    uint32_t minutes;

    if (text == NULL)
        return 0;
    if (strcmp(key, "gpus_per_node") == 0)
        return wjr_slurm_gpu_count(text, WJR_ITEM_GPUS);
    if (strcmp(key, "time") == 0 || strcmp(key, "time_min") == 0) {
        if ((strcmp(key, "time") == 0 ? wjr_slurm_parse_time_limit(&minutes, text)
                                      : wjr_slurm_parse_time(&minutes, text)) < 0)
            return 0;
        return minutes == WJR_SLURM_INFINITE ? LLONG_MAX : (long long)minutes;
    }
    if (strcmp(key, "mem") != 0 && strcmp(key, "mem_per_cpu") != 0 &&
        strcmp(key, "mem_per_gpu") != 0)
        return atoll(text);
    if (wjr_slurm_parse_mem(&mb, text) < 0)
        return 0;
    return mb > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)mb;
}

/* The largest amount option key can ask for: its fixed value, or the
 * largest value its parameter can take; 0 when unset. */
static long long largest(const wjr_study_config *cfg, const char *key, long long fixed)
{
    const wjr_param *p = wjr_config_slurm_param(cfg, key);
    size_t i;
    long long best = 0, v;
    char *text = NULL;

    if (p == NULL)
        return fixed;
    if (p->kind == WJR_PARAM_RANGE)
        return (long long)p->hi;
    for (i = 0; i < (p->kind == WJR_PARAM_CHOICE ? json_array_size(p->values) : 1); i++) {
        const json_t *val = p->kind == WJR_PARAM_CHOICE ? json_array_get(p->values, i) : p->values;
        if (wjr_slurm_res_value(&text, key, val) == 0) {
            v = amount(key, text);
            best = v > best ? v : best;
        }
        free(text);
        text = NULL;
    }
    return best;
}

/* ---- what the cluster has: reservations, licenses, GRES, nodes --------- */

/* "a:4, b:2" (counts when with_counts), "none" for an empty list. */
static char *items_text(const wjr_cluster_item *v, size_t n, int with_counts)
{
    wjr_buf b = WJR_BUF_INIT;
    char *out = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        wjr_buf_printf(&b, "%s%s", i ? ", " : "", v[i].name);
        if (with_counts)
            wjr_buf_printf(&b, ":%u", (unsigned)v[i].count);
    }
    if (n == 0)
        wjr_buf_printf(&b, "none");
    if (wjr_buf_detach(&out, &b) < 0)
        return NULL;
    return out;
}

/* WJR_ECONFIG "FILE:LINE: slurm.KEY ... (WHAT: the list)". */
static int refuse(const char *file, int line, const char *list_what, const wjr_cluster_item *v,
                  size_t n, int with_counts, const char *fmt, ...)
{
    char msg[512], *list = items_text(v, n, with_counts);
    va_list ap;
    int error;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    error = wjr_error_set(WJR_ECONFIG, "%s:%d: %s (%s: %s)", file, line > 0 ? line : 1, msg,
                          list_what, list ? list : "?");
    free(list);
    return error;
}

/* The partition, or each of a list ("debug,gpu", as sbatch -p takes it). */
static int check_partition(const wjr_study_config *cfg, const wjr_cluster_info *info,
                           const char *file)
{
    const char *p;
    size_t n = 0;

    if (info->partition_found)
        return 0;
    /* the name of a list that is missing, else (the default) the whole */
    p = wjr_cluster_items_missing(info->partitions, info->n_partitions, cfg->partition, &n);
    if (p == NULL) {
        p = cfg->partition != NULL ? cfg->partition : "(default)";
        n = strlen(p);
    }
    return refuse(file, cfg->res.line_partition, "it has", info->partitions, info->n_partitions, 0,
                  "slurm.partition \"%.*s\" does not exist on cluster %s", (int)n, p,
                  info->cluster_name != NULL ? info->cluster_name : "?");
}

static int check_reservation(const wjr_study_config *cfg, const wjr_cluster_info *info,
                             const char *file)
{
    const char *p;
    size_t n = 0;

    if (!info->reservations_known || cfg->res.reservation == NULL)
        return 0;
    /* sbatch takes a comma-separated list: the job uses one of them */
    p = wjr_cluster_items_missing(info->reservations, info->n_reservations, cfg->res.reservation,
                                  &n);
    if (p != NULL)
        return refuse(file, cfg->res.line_reservation, "it has", info->reservations,
                      info->n_reservations, 0,
                      "slurm.reservation \"%.*s\" does not exist on cluster %s, or has ended",
                      (int)n, p, info->cluster_name ? info->cluster_name : "?");
    return 0;
}

static int check_licenses(const wjr_study_config *cfg, const wjr_cluster_info *info,
                          const char *file)
{
    const char *p = cfg->res.licenses;
    const char *cluster = info->cluster_name ? info->cluster_name : "?";
    const wjr_cluster_item *have;
    wjr_slurm_item it;

    if (!info->licenses_known || p == NULL)
        return 0;
    while (wjr_slurm_next_item(&it, &p, WJR_ITEM_LICENSE)) {
        have = wjr_cluster_items_find(info->licenses, info->n_licenses, it.name, it.name_len);
        if (have == NULL)
            return refuse(file, cfg->res.line_licenses, "it has", info->licenses, info->n_licenses,
                          1,
                          "slurm.licenses asks for license \"%.*s\", which cluster %s does "
                          "not have",
                          (int)it.name_len, it.name, cluster);
        if (it.count > have->count)
            return refuse(file, cfg->res.line_licenses, "it has", info->licenses, info->n_licenses,
                          1,
                          "slurm.licenses asks for %llu of license \"%.*s\", cluster %s has "
                          "%u in all",
                          (unsigned long long)it.count, (int)it.name_len, it.name, cluster,
                          (unsigned)have->count);
    }
    return 0;
}

/* One GRES or GPU request against the partition's nodes; per_node: its
 * count is what one node must have (--gres, --gpus-per-task,
 * --gpus-per-node). */
static int check_gres_item(const wjr_cluster_info *info, const char *file, int line,
                           const char *key, const wjr_slurm_item *it, int per_node)
{
    const char *part = info->partition ? info->partition : "(default)";
    const wjr_cluster_item *have;
    char want[256];

    if (it->type != NULL)
        snprintf(want, sizeof(want), "%.*s:%.*s", (int)it->name_len, it->name, (int)it->type_len,
                 it->type);
    else
        snprintf(want, sizeof(want), "%.*s", (int)it->name_len, it->name);
    have = wjr_cluster_items_find(info->gres, info->n_gres, want, strlen(want));
    if (have == NULL)
        return refuse(file, line, "its nodes have", info->gres, info->n_gres, 1,
                      "slurm.%s asks for \"%s\", which no node of partition %s has", key, want,
                      part);
    if (per_node && it->count > have->count)
        return refuse(file, line, "its nodes have", info->gres, info->n_gres, 1,
                      "slurm.%s asks for %llu \"%s\" per node, the most a node of partition "
                      "%s has is %u",
                      key, (unsigned long long)it->count, want, part, (unsigned)have->count);
    return 0;
}

static int check_gres(const wjr_study_config *cfg, const wjr_cluster_info *info, const char *file)
{
    const wjr_slurm_cfg *c = &cfg->res;
    const char *p = cfg->gres;
    wjr_slurm_item it;
    int error = 0;

    if (!info->gres_known)
        return 0;
    while (error == 0 && p != NULL && wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES))
        error = check_gres_item(info, file, c->line_gres, "gres", &it, 1);
    p = c->gpus;
    if (error == 0 && p != NULL && wjr_slurm_next_item(&it, &p, WJR_ITEM_GPUS))
        error = check_gres_item(info, file, c->line_gpus, "gpus", &it, 0);
    p = c->gpus_per_task;
    if (error == 0 && p != NULL && wjr_slurm_next_item(&it, &p, WJR_ITEM_GPUS))
        error = check_gres_item(info, file, c->line_gpus_per_task, "gpus_per_task", &it, 1);
    p = c->gpus_per_node;
    if (error == 0 && p != NULL && wjr_slurm_next_item(&it, &p, WJR_ITEM_GPUS))
        error = check_gres_item(info, file, c->line_gpus_per_node, "gpus_per_node", &it, 1);
    return error;
}

/* Memory per node beyond the RealMemory of every node of the partition:
 * slurmctld refuses the job ("Requested node configuration is not
 * available"). mem is per node; mem_per_cpu counts for each CPU a node
 * runs, cpus_per_task x ntasks_per_node (at least one task); mem_per_gpu
 * for each GPU a node runs, gpus_per_node or the gpus in gres (at least
 * one: GPUs asked for otherwise, per job or per task, are not counted). */
/* per x n > max (n > 0), without the product overflowing. */
static int too_much(long long per, long long n, unsigned long long max)
{
    return per > 0 && (unsigned long long)per > max / (unsigned long long)n;
}

static int check_memory(const wjr_study_config *cfg, const wjr_cluster_info *info, const char *file)
{
    const wjr_slurm_cfg *c = &cfg->res;
    const char *part = info->partition ? info->partition : "(default)";
    unsigned long long max = (unsigned long long)info->node_max_memory;
    long long mem = largest(cfg, "mem", amount("mem", cfg->mem));
    long long per_cpu = largest(cfg, "mem_per_cpu", amount("mem_per_cpu", c->mem_per_cpu));
    long long cpus = largest(cfg, "cpus_per_task", cfg->cpus_per_task);
    long long tasks = largest(cfg, "ntasks_per_node", c->ntasks_per_node);
    long long per_gpu = largest(cfg, "mem_per_gpu", amount("mem_per_gpu", c->mem_per_gpu));
    long long gpus = largest(cfg, "gpus_per_node", amount("gpus_per_node", c->gpus_per_node));

    if (!info->gres_known || max == 0)
        return 0;
    cpus = (cpus > 0 ? cpus : 1) * (tasks > 0 ? tasks : 1);
    if (mem > 0 && (unsigned long long)mem > max)
        return wjr_error_set(WJR_ECONFIG,
                             "%s:%d: slurm.mem asks for %lld MB per node, the most a node of "
                             "partition %s has is %llu MB (RealMemory)",
                             file, c->line_mem > 0 ? c->line_mem : 1, mem, part, max);
    if (too_much(per_cpu, cpus, max))
        return wjr_error_set(WJR_ECONFIG,
                             "%s:%d: slurm.mem_per_cpu asks for %lld MB for each of the %lld "
                             "CPUs of a node (cpus_per_task x ntasks_per_node), the most a "
                             "node of partition %s has is %llu MB (RealMemory)",
                             file, c->line_mem_per_cpu > 0 ? c->line_mem_per_cpu : 1, per_cpu, cpus,
                             part, max);
    if (gpus == 0)
        gpus = wjr_slurm_gpu_count(cfg->gres, WJR_ITEM_GRES);
    gpus = gpus > 0 ? gpus : 1;
    if (!too_much(per_gpu, gpus, max))
        return 0;
    return wjr_error_set(WJR_ECONFIG,
                         "%s:%d: slurm.mem_per_gpu asks for %lld MB for each of the %lld GPUs "
                         "of a node (gpus_per_node or the gpus in gres), the most a node of "
                         "partition %s has is %llu MB (RealMemory)",
                         file, c->line_mem_per_gpu > 0 ? c->line_mem_per_gpu : 1, per_gpu, gpus,
                         part, max);
}

/* More threads per core than any node of the partition has: slurmctld
 * refuses the job ("Requested node configuration is not available"). */
static int check_threads(const wjr_study_config *cfg, const wjr_cluster_info *info,
                         const char *file)
{
    const wjr_slurm_cfg *c = &cfg->res;
    long long want = largest(cfg, "threads_per_core", c->threads_per_core);

    if (!info->gres_known || info->node_max_threads == 0 ||
        want <= (long long)info->node_max_threads)
        return 0;
    return wjr_error_set(WJR_ECONFIG,
                         "%s:%d: slurm.threads_per_core asks for %lld threads per core, the most "
                         "a node of partition %s has is %u (ThreadsPerCore)",
                         file, c->line_threads_per_core > 0 ? c->line_threads_per_core : 1, want,
                         info->partition ? info->partition : "(default)",
                         (unsigned)info->node_max_threads);
}

/* The next feature name of a constraint expression ("a&b", "[r1|r2]",
 * "[(a|b)*1&c*2]", "a,b"): the text between the operators & | , [ ] ( )
 * and the counts "*N". 0 at the end. */
static int next_feature(const char **name, size_t *len, const char **p)
{
    const char *s = *p;

    for (;;) {
        s += strspn(s, "&|,[]()");
        if (*s != '*')
            break;
        s++;
        s += strspn(s, "0123456789");
    }
    *name = s;
    *len = strcspn(s, "&|,[]()*");
    *p = s + *len;
    return *len > 0;
}

/* A feature of expression p (option key, at line) that no node of the
 * partition has: slurmctld refuses the job ("Invalid feature
 * specification" when no node of the cluster has it, "Requested node
 * configuration is not available" when only others do). In an expression
 * with an OR, a feature of other partitions' nodes may be an alternative
 * the partition does without, and prefer (soft) is only a wish there
 * ("Invalid preferred feature specification" is for one no node has):
 * only one that no node at all has is refused then. */
static int check_features(const char *p, const char *key, int line, int soft,
                          const wjr_cluster_info *info, const char *file)
{
    const char *name, *guess;
    const char *part = info->partition ? info->partition : "(default)";
    const wjr_cluster_item *have;
    wjr_cluster_item *own = NULL;
    const char **names = NULL;
    size_t len, i, n = 0;
    char want[256];
    int error = 0, any_or;

    if (!info->gres_known || p == NULL)
        return 0;
    any_or = soft || strchr(p, '|') != NULL;
    /* the partition's own features (names borrowed), for the message */
    own = calloc(info->n_features + 1, sizeof(*own));
    names = calloc(info->n_features + 1, sizeof(*names));
    if (own == NULL || names == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < info->n_features; i++)
        if (info->features[i].count > 0) {
            own[n] = info->features[i];
            names[n++] = info->features[i].name;
        }
    while (error == 0 && next_feature(&name, &len, &p)) {
        have = wjr_cluster_items_find(info->features, info->n_features, name, len);
        if (have != NULL && (have->count > 0 || any_or))
            continue;
        snprintf(want, sizeof(want), "%.*s", (int)len, name);
        guess = wjr_closest_name(want, names);
        error = refuse(file, line, "its nodes have", own, n, 0,
                       "slurm.%s asks for feature \"%s\", which no node of partition %s "
                       "has%s%s%s%s",
                       key, want, part, have != NULL ? " (nodes of other partitions do)" : "",
                       guess ? " (did you mean \"" : "", guess ? guess : "", guess ? "\"?)" : "");
    }
done:
    free(own);
    free(names);
    return error;
}

/* Where the trials go, and what it has or allows: "partition debug has",
 * or for a list, whose limits are the most any of it allows, "partitions
 * short,long have at most". */
static const char *where(char *buf, size_t size, const wjr_study_config *cfg,
                         const wjr_cluster_info *info, const char *one, const char *list)
{
    const char *name = cfg->partition != NULL    ? cfg->partition
                       : info->partition != NULL ? info->partition
                                                 : "(default)";

    if (cfg->partition != NULL && strchr(cfg->partition, ',') != NULL)
        snprintf(buf, size, "partitions %s %s", name, list);
    else
        snprintf(buf, size, "partition %s %s", name, one);
    return buf;
}

/* Slurm starts no job whose time limit is longer than its partition's
 * MaxTime: the job pends for ever with reason PartitionTimeLimit (or is
 * refused, with EnforcePartLimits). With time_min set, the scheduler may
 * cut the limit down to fit, so time_min is what must fit. A QOS with flag
 * PartitionTimeLimit lifts the partition's limit: with a qos configured,
 * nothing is refused here. Without time, the partition's DefaultTime
 * applies, which fits. */
static int check_time(const wjr_study_config *cfg, const wjr_cluster_info *info, const char *file)
{
    const wjr_slurm_cfg *c = &cfg->res;
    long long least = largest(cfg, "time_min", amount("time_min", c->time_min));
    long long limit = largest(cfg, "time", amount("time", cfg->time));
    long long need = least > 0 ? least : limit;
    int line = least > 0 ? c->line_time_min : c->line_time;
    char asks[64], at[512];

    if (info->partition_max_minutes == 0 || cfg->qos != NULL ||
        need <= (long long)info->partition_max_minutes)
        return 0;
    if (need == LLONG_MAX)
        snprintf(asks, sizeof(asks), "no time limit");
    else
        snprintf(asks, sizeof(asks), "%lld minutes", need);
    return wjr_error_set(WJR_ECONFIG,
                         "%s:%d: slurm.%s asks for %s, %s %u minutes "
                         "(MaxTime): Slurm would leave every trial pending (reason "
                         "PartitionTimeLimit)%s",
                         file, line > 0 ? line : 1, least > 0 ? "time_min" : "time", asks,
                         where(at, sizeof(at), cfg, info, "allows", "allow at most"),
                         (unsigned)info->partition_max_minutes,
                         least > 0 ? "" : "; set a shorter time, or a time_min within it");
}

int wjr_config_slurm_check_cluster(const wjr_study_config *cfg, const wjr_cluster_info *info)
{
    int error;
    const wjr_slurm_cfg *c = &cfg->res;
    const char *file = c->file ? c->file : cfg->path;
    long long nodes = largest(cfg, "nodes", c->nodes ? atoll(c->nodes) : 0);
    long long ntasks = largest(cfg, "ntasks", c->ntasks);
    long long cpus = largest(cfg, "cpus_per_task", cfg->cpus_per_task);
    long long need = (ntasks > 0 ? ntasks : 1) * (cpus > 0 ? cpus : 1);
    char at[512];

    error = check_partition(cfg, info, file);
    if (error < 0)
        return error;
    if (info->partition_nodes > 0 && nodes > (long long)info->partition_nodes)
        return wjr_error_set(WJR_ECONFIG, "%s:%d: slurm.nodes asks for %lld nodes, %s %u", file,
                             c->line_nodes > 0 ? c->line_nodes : 1, nodes,
                             where(at, sizeof(at), cfg, info, "has", "have at most"),
                             (unsigned)info->partition_nodes);
    if (info->partition_max_nodes > 0 && nodes > (long long)info->partition_max_nodes)
        return wjr_error_set(WJR_ECONFIG,
                             "%s:%d: slurm.nodes asks for %lld nodes, %s %u per job (MaxNodes)",
                             file, c->line_nodes > 0 ? c->line_nodes : 1, nodes,
                             where(at, sizeof(at), cfg, info, "allows", "allow at most"),
                             (unsigned)info->partition_max_nodes);
    if (info->partition_cpus > 0 && need > (long long)info->partition_cpus)
        return wjr_error_set(
            WJR_ECONFIG, "%s:%d: a trial asks for %lld CPUs (ntasks x cpus_per_task), %s %u", file,
            c->line_ntasks > 0 ? c->line_ntasks : (c->line_cpus > 0 ? c->line_cpus : 1), need,
            where(at, sizeof(at), cfg, info, "has", "have at most"),
            (unsigned)info->partition_cpus);
    error = check_time(cfg, info, file);
    if (error == 0)
        error = check_reservation(cfg, info, file);
    if (error == 0)
        error = check_licenses(cfg, info, file);
    if (error == 0)
        error = check_gres(cfg, info, file);
    if (error == 0)
        error = check_memory(cfg, info, file);
    if (error == 0)
        error = check_threads(cfg, info, file);
    if (error == 0)
        error =
            check_features(cfg->constraint, "constraint", cfg->res.line_constraint, 0, info, file);
    if (error == 0)
        error = check_features(cfg->res.prefer, "prefer", cfg->res.line_prefer, 1, info, file);
    return error;
}

int wjr_config_slurm_will_run(wjr_study_config *cfg, const wjr_cluster_info *info, int error,
                              const char *key, const char *trial)
{
    const wjr_slurm_cfg *c = &cfg->res;
    const char *file = c->file ? c->file : cfg->path;
    int line = wjr_config_slurm_line(c, key);

    if (error == WJR_ESLURM && trial != NULL && line > 0)
        return wjr_error_prefix("%s:%d: slurm.%s, a trial with %s", file, line, key, trial);
    if (error == WJR_ESLURM) {
        /* Slurm's message, at the key it points at, or at the group (an
         * option left unset points there too: Slurm's default for it) */
        if (line > 0)
            return wjr_error_prefix("%s:%d: slurm.%s", file, line, key);
        if (c->line_group > 0 && key != NULL)
            return wjr_error_prefix("%s:%d: slurm (%s unset)", file, c->line_group, key);
        if (c->line_group > 0)
            return wjr_error_prefix("%s:%d: slurm", file, c->line_group);
        return wjr_error_prefix("%s", file);
    }
    if (error < 0)
        return error;
    if (info->trial_not_now != NULL && trial != NULL)
        return wjr__config_warn(cfg,
                                "slurmctld cannot start the job of a trial with %s now: %s; "
                                "it would be taken and wait",
                                trial, info->trial_not_now);
    if (info->trial_not_now != NULL &&
        (error = wjr__config_warn(cfg,
                                  "slurmctld cannot start the first trial's job now: %s; "
                                  "the trials' jobs would be taken and wait",
                                  info->trial_not_now)) < 0)
        return error;
    if (info->trial_site_message != NULL && trial == NULL)
        error =
            wjr__config_warn(cfg, "the cluster's job_submit plugin says of the trials' jobs: %s",
                             info->trial_site_message);
    return error;
}
