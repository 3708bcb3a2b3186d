/*
 * backend_slurm_submit.c - the Slurm backend's submissions: a job
 * description from the options, the resources a trial asks for and the
 * runner's job spec (script, name, comment, paths, an array's task range),
 * then one slurm_submit_batch_job(), tried again while the controller says
 * it is busy, as sbatch does. It exports the submitter's environment
 * without inherited SLURM_* and SBATCH_* variables, as sbatch's default
 * does, with the variables sbatch adds (the job's name and requests, the
 * submitter's umask, nice value and resource limits, where it was
 * submitted from), and names the working directory, the output paths and
 * the begin and deadline, read by libslurm's own parser. The same
 * description goes to slurm_job_will_run2() for `wjr check`, as sbatch
 * --test-only sends it: slurmctld's refusal, or where and when the job
 * would start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "backend_slurm_int.h"
#include "slurm_limits.h"
#include "util.h"

extern char **environ;

/* slurm_job_will_run2()'s answer is freed by this call, which slurm.h
 * names there but declares only in src/common/slurm_protocol_defs.h;
 * libslurm exports it on every release from 22.05 to 26.05. */
extern void slurm_free_will_run_response_msg(will_run_response_msg_t *msg);

/* libslurm's reader of sbatch's --begin and --deadline, its parse_time()
 * under the name it exports on every release from 22.05 to 26.05; no
 * public header declares it. It answers 0, and prints its own line to
 * stderr, when it cannot read the text. */
extern time_t slurm_parse_time(const char *time_str, int past);

int wjr_slurm_when(int64_t *out, const char *key, const char *text)
{
    time_t t = slurm_parse_time(text, 0);

    *out = (int64_t)t;
    if (t <= 0)
        return wjr_error_set(WJR_ECONFIG,
                             "slurm.%s \"%s\" is not a time as sbatch --%s reads it, such as "
                             "\"16:00\", \"now+1hour\", \"2026-12-24T08:00\" or \"tomorrow\"",
                             key, text, key);
    return 0;
}

/* 25.11 moved the new job's id into a slurm_step_id_t. */
static uint32_t submitted_job_id(const submit_response_msg_t *resp)
{
#if SLURM_AT_LEAST(25, 11, 0)
    return resp->step_id.job_id;
#else
    return resp->job_id;
#endif
}

/* ---- environment --------------------------------------------------------- */

/* What sbatch tells the job of itself (slurmd does not set these): its
 * name, which the batch script's start marker and exit record carry (so
 * that evidence.c can tell a record of this submission from one of
 * another), and the tasks and CPUs it asked for, which srun in the job
 * reads; then what it tells of the submitting process (process_vars).
 * "" ends the list. */
enum { JOB_VARS_MAX = 20 + 12, JOB_VAR_LEN = WJR_RES_TEXT_MAX + 32 };

/* The process's umask, read without setting it (umask() reads it only by
 * changing it, which a file another thread creates meanwhile would get):
 * Linux shows it in /proc/self/status. -1 when it does not. */
static int current_umask(unsigned *out)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int found = 0;

    if (f == NULL)
        return -1;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = sscanf(line, "Umask: %o", out) == 1;
    fclose(f);
    return found ? 0 : -1;
}

/* What sbatch tells the job of the process that submits it, for
 * slurmstepd to apply to the batch script: its umask (SLURM_UMASK), its
 * nice value (SLURM_PRIO_PROCESS, as PropagatePrioProcess says) and its
 * soft resource limits (SLURM_RLIMIT_*: each, for slurmstepd to apply
 * those PropagateResourceLimits names; with propagate, only those it
 * names, marked U to be applied whatever the configuration says), so that
 * a model run by wjr gets the stack size, open files or core size it gets
 * from sbatch. The names are Slurm's, the same on every release from
 * 22.05 to 26.05. From vars[k] on; the next k. */
static int process_vars(char vars[JOB_VARS_MAX][JOB_VAR_LEN], int k, const slurm_backend *sb)
{
    const char *name;
    unsigned long cur;
    unsigned mask, i;
    int prio;

    if (current_umask(&mask) == 0)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_UMASK=0%o%o%o", (mask >> 6) & 7, (mask >> 3) & 7,
                 mask & 7);
    errno = 0; /* -1 is a nice value too */
    prio = getpriority(PRIO_PROCESS, 0);
    if (prio != -1 || errno == 0)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_PRIO_PROCESS=%d", prio);
    for (i = 0; i < WJR_RLIMITS; i++)
        if ((sb->propagate == NULL || (sb->propagate_bits & (1u << i)) != 0) &&
            wjr_slurm_rlimit(&name, &cur, i) == 0)
            snprintf(vars[k++], JOB_VAR_LEN, "SLURM_RLIMIT_%s=%s%lu", name,
                     sb->propagate != NULL ? "U" : "", cur);
    return k;
}

static void job_vars_set(char vars[JOB_VARS_MAX][JOB_VAR_LEN], const job_desc_msg_t *desc,
                         const wjr_slurm_res *res, const slurm_backend *sb)
{
    int k = 0;

    memset(vars, 0, JOB_VARS_MAX * JOB_VAR_LEN);
    /* a name too long to fit is left out: the records then name no job,
     * which counts for any submission, as before */
    if (desc->name != NULL && strlen(desc->name) < JOB_VAR_LEN - sizeof("SLURM_JOB_NAME="))
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_JOB_NAME=%s", desc->name);
    if (desc->cpus_per_task != NO_VAL16)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_CPUS_PER_TASK=%u", desc->cpus_per_task);
    /* as sbatch exports them; slurmd keeps them (22.05) or writes the
     * task count slurmctld allotted over SLURM_NTASKS (later majors), for
     * sbatch's jobs alike */
    if (res->ntasks) {
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_NTASKS=%u", res->ntasks);
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_NPROCS=%u", res->ntasks);
    }
    if (res->ntasks_per_node)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_NTASKS_PER_NODE=%u", res->ntasks_per_node);
    /* the GPU options, as sbatch exports them for srun in the job */
    if (res->gpus[0])
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_GPUS=%s", res->gpus);
    if (res->gpus_per_node[0])
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_GPUS_PER_NODE=%s", res->gpus_per_node);
    if (res->cpus_per_gpu)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_CPUS_PER_GPU=%u", res->cpus_per_gpu);
    if (res->mem_per_gpu_mb)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_MEM_PER_GPU=%llu",
                 (unsigned long long)res->mem_per_gpu_mb);
    /* the hint as given, and the cores and threads it or the options ask
     * for, as sbatch exports them */
    if (res->hint[0])
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_HINT=%s", res->hint);
    if (desc->ntasks_per_core != NO_VAL16)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_NTASKS_PER_CORE=%u", desc->ntasks_per_core);
    if (desc->threads_per_core != NO_VAL16)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_THREADS_PER_CORE=%u", desc->threads_per_core);
        /* the tasks' TRES and their binding, as sbatch exports them for srun
         * (tres_per_task()); until 23.11 sbatch exports the GPUs per task and
         * their binding as given */
#if SLURM_AT_LEAST(23, 2, 0)
    if (desc->tres_per_task != NULL)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_TRES_PER_TASK=%s", desc->tres_per_task);
#endif
#if SLURM_AT_LEAST(23, 11, 0)
    if (desc->tres_bind != NULL)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_TRES_BIND=%s", desc->tres_bind);
#else
    if (res->gpus_per_task[0])
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_GPUS_PER_TASK=%s", res->gpus_per_task);
    if (res->gpu_bind[0])
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_GPU_BIND=%s", res->gpu_bind);
#endif
    /* the task layout, as sbatch exports it for srun in the job */
    if (desc->ntasks_per_socket != NO_VAL16)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_NTASKS_PER_SOCKET=%u", desc->ntasks_per_socket);
    if (res->dist.task_dist != 0)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_DISTRIBUTION=%s", res->dist.text);
    if (res->dist.plane_size != 0)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_DIST_PLANESIZE=%u", res->dist.plane_size);
    /* as sbatch passes them on to srun in the job: its output files
     * appended to (--open-mode=append), and an export other than ALL */
    snprintf(vars[k++], JOB_VAR_LEN, "SLURM_OPEN_MODE=a");
    if (res->export_env[0] && strcasecmp(res->export_env, "ALL") != 0)
        snprintf(vars[k++], JOB_VAR_LEN, "SLURM_EXPORT_ENV=%s", res->export_env);
    process_vars(vars, k, sb);
}

/* sbatch's default export: the submitter's environment, without the
 * SLURM_* variables inherited from an enclosing job, plus the extra
 * variables of the configuration (which win). With export NONE or a list
 * of names, what is exported plus the user's login environment, as sbatch
 * does (SLURM_GET_USER_ENV). */
static char **build_env(const slurm_backend *sb, const wjr_slurm_res *res, const char *work_dir,
                        char job_vars[][JOB_VAR_LEN], uint32_t *count)
{
    size_t n = 0, i, k = 0, extra = 0;
    char **env;
    char host[256] = "";

    for (i = 0; environ && environ[i]; i++)
        n++;
    for (i = 0; sb->env && sb->env[i]; i++)
        extra++;
    env = calloc(n + extra + JOB_VARS_MAX + 5, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (i = 0; environ && environ[i]; i++) {
        const char *e = environ[i];
        size_t j, nl = strcspn(e, "=");
        int overridden = 0;
        if (strncmp(e, "SLURM_", 6) == 0 || strncmp(e, "SBATCH_", 7) == 0 ||
            !wjr_slurm_res_exports(res, e))
            continue;
        for (j = 0; sb->env && sb->env[j]; j++)
            if (strncmp(sb->env[j], e, nl + 1) == 0)
                overridden = 1;
        if (!overridden)
            env[k++] = (char *)e;
    }
    for (i = 0; sb->env && sb->env[i]; i++)
        env[k++] = sb->env[i];
    if (wjr_slurm_extra_job_env(sb->extra))
        env[k++] = (char *)wjr_slurm_extra_job_env(sb->extra);
    for (i = 0; i < JOB_VARS_MAX && job_vars[i][0]; i++)
        env[k++] = job_vars[i];
    /* as sbatch with --export=NONE or a list: the job starts from the
     * user's login environment (HOME, the login PATH), then these */
    if (!wjr_slurm_res_exports(res, "SLURM_GET_USER_ENV="))
        env[k++] = (char *)"SLURM_GET_USER_ENV=1";
    /* what sbatch tells the job about where it came from */
    gethostname(host, sizeof(host) - 1);
    env[k++] = wjr_asprintf("SLURM_SUBMIT_HOST=%s", host);
    env[k++] = wjr_asprintf("SLURM_SUBMIT_DIR=%s", work_dir ? work_dir : "/");
    *count = (uint32_t)k;
    return env;
}

static void free_env(char **env, uint32_t count)
{
    if (env == NULL)
        return;
    /* only the last two were allocated here */
    if (count >= 2) {
        free(env[count - 1]);
        free(env[count - 2]);
    }
    free(env);
}

/* ---- submit ------------------------------------------------------------ */

/* The GPU TRES prefix: "gres:gpu" until 23.11, which writes "gres/gpu". */
#if SLURM_AT_LEAST(23, 11, 0)
#define GPU_TRES "gres/gpu"
#else
#define GPU_TRES "gres:gpu"
#endif

/* What slurm_resources.c resolved: nodes, tasks, GPUs, and the options a
 * trial took from its parameters (these win over the fixed ones). */
static void apply_res(job_desc_msg_t *desc, const wjr_slurm_res *res)
{
    const wjr_slurm_res r = *res;

    if (r.min_nodes) {
        desc->min_nodes = r.min_nodes;
        if (r.max_nodes)
            desc->max_nodes = r.max_nodes;
    }
    if (r.ntasks) {
        /* flagged as sbatch --ntasks flags it (on 22.05 slurmctld still
         * gives ntasks_per_node x nodes tasks when that is more; see
         * job_vars_set for what the job sees) */
        desc->num_tasks = r.ntasks;
        desc->bitflags |= JOB_NTASKS_SET;
    }
    if (r.ntasks_per_node)
        desc->ntasks_per_node = (uint16_t)r.ntasks_per_node;
    if (r.cpus_per_task) {
        desc->cpus_per_task = (uint16_t)r.cpus_per_task;
        desc->min_cpus = r.cpus_per_task;
    }
    if (r.ntasks && desc->cpus_per_task != NO_VAL16)
        desc->min_cpus = r.ntasks * desc->cpus_per_task;
    else if (r.ntasks)
        desc->min_cpus = r.ntasks;
    if (r.mem_mb)
        desc->pn_min_memory = r.mem_mb;
    if (r.mem_per_cpu_mb)
        desc->pn_min_memory = r.mem_per_cpu_mb | MEM_PER_CPU;
    if (r.time_set)
        desc->time_limit = r.time_minutes;
    if (r.time_min_minutes)
        desc->time_min = r.time_min_minutes;
    if (r.gpus[0])
        desc->tres_per_job = wjr_asprintf(GPU_TRES ":%s", r.gpus);
    if (r.gpus_per_node[0]) { /* before the gres, as sbatch writes them */
        char *t = wjr_asprintf(GPU_TRES ":%s%s%s", r.gpus_per_node,
                               desc->tres_per_node != NULL ? "," : "",
                               desc->tres_per_node != NULL ? desc->tres_per_node : "");
        free(desc->tres_per_node);
        desc->tres_per_node = t;
    }
    if (r.cpus_per_gpu)
        desc->cpus_per_tres = wjr_asprintf(GPU_TRES ":%u", r.cpus_per_gpu);
    if (r.mem_per_gpu_mb)
        desc->mem_per_tres = wjr_asprintf(GPU_TRES ":%llu", (unsigned long long)r.mem_per_gpu_mb);
    if (r.exclusive)
        desc->shared = JOB_SHARED_NONE;
    if (r.oversubscribe)
        desc->shared = JOB_SHARED_OK;
    /* the options, or what the hint makes of them (slurm_resources.c), as
     * sbatch does */
    if (r.threads_per_core)
        desc->threads_per_core = (uint16_t)r.threads_per_core;
    if (r.ntasks_per_core)
        desc->ntasks_per_core = (uint16_t)r.ntasks_per_core;
    if (r.cores_per_socket)
        desc->cores_per_socket = (uint16_t)r.cores_per_socket;
    if (r.sockets_per_node)
        desc->sockets_per_node = (uint16_t)r.sockets_per_node;
    if (r.ntasks_per_socket)
        desc->ntasks_per_socket = (uint16_t)r.ntasks_per_socket;
    if (r.dist.task_dist != 0) {
        desc->task_dist = r.dist.task_dist;
        if (r.dist.plane_size != 0)
            desc->plane_size = (uint16_t)r.dist.plane_size;
    }
    if (r.nice_set)
        desc->nice = (uint32_t)((int64_t)NICE_OFFSET + r.nice);
    if (r.warn_signal) {
        /* B: to the batch shell only: the model is no step, the script
         * forwards the signal to it */
        desc->warn_signal = (uint16_t)r.warn_signal;
        desc->warn_time = (uint16_t)r.warn_seconds;
        desc->warn_flags = KILL_JOB_BATCH;
    }
    /* copies: r is the caller's; freed with the description */
    desc->reservation = r.reservation[0] ? wjr_strdup(r.reservation) : NULL;
    desc->licenses = r.licenses[0] ? wjr_strdup(r.licenses) : NULL;
}

/* The tasks' TRES as sbatch writes them. From 24.05 sbatch sends (and
 * exports as SLURM_TRES_PER_TASK, for srun in the job) "cpu=C" for
 * --cpus-per-task and "gres/gpu[:type]=N" for --gpus-per-task, in one
 * list, cpu first; before, only the GPUs ("gres/gpu:N", exported from
 * 23.02). From 23.11 --gpus-per-task also binds each task to its GPUs
 * unless a binding is given: "gres/gpu:per_task:N" (SLURM_TRES_BIND). A
 * binding given (gpu_bind) is sent as sbatch --gpu-bind sends it. */
static int tres_per_task(job_desc_msg_t *desc, const wjr_slurm_res *r)
{
#if SLURM_AT_LEAST(24, 5, 0)
    const char *colon = strchr(r->gpus_per_task, ':');
    wjr_buf b = WJR_BUF_INIT;

    if (desc->cpus_per_task != NO_VAL16)
        wjr_buf_printf(&b, "cpu=%u", desc->cpus_per_task);
    if (r->gpus_per_task[0] != '\0' && colon != NULL)
        wjr_buf_printf(&b, "%s" GPU_TRES ":%.*s=%s", b.len > 0 ? "," : "",
                       (int)(colon - r->gpus_per_task), r->gpus_per_task, colon + 1);
    else if (r->gpus_per_task[0] != '\0')
        wjr_buf_printf(&b, "%s" GPU_TRES "=%s", b.len > 0 ? "," : "", r->gpus_per_task);
    free(desc->tres_per_task);
    desc->tres_per_task = NULL;
    if (b.len > 0 && wjr_buf_detach(&desc->tres_per_task, &b) < 0) {
        wjr_buf_free(&b);
        return WJR_ENOMEM;
    }
#else
    if (r->gpus_per_task[0] != '\0' &&
        (desc->tres_per_task = wjr_asprintf(GPU_TRES ":%s", r->gpus_per_task)) == NULL)
        return WJR_ENOMEM;
#endif
    /* a binding given wins; 22.05 to 23.02 write it "gpu:" */
    if (r->gpu_bind[0] != '\0') {
#if SLURM_AT_LEAST(23, 11, 0)
        desc->tres_bind = wjr_asprintf(GPU_TRES ":%s", r->gpu_bind);
#else
        desc->tres_bind = wjr_asprintf("gpu:%s", r->gpu_bind);
#endif
        return desc->tres_bind != NULL ? 0 : WJR_ENOMEM;
    }
#if SLURM_AT_LEAST(23, 11, 0)
    if (r->gpus_per_task[0] != '\0') {
        const char *count = strrchr(r->gpus_per_task, ':');
        desc->tres_bind =
            wjr_asprintf(GPU_TRES ":per_task:%s", count != NULL ? count + 1 : r->gpus_per_task);
        if (desc->tres_bind == NULL)
            return WJR_ENOMEM;
    }
#endif
    return 0;
}

static int fill_desc(job_desc_msg_t *desc, const slurm_backend *sb, const wjr_job_spec *spec,
                     const wjr_slurm_res *res, char **array_inx)
{
    uint32_t minutes;
    uint64_t mb;
    int64_t when;

    slurm_init_job_desc_msg(desc);
    desc->name = (char *)spec->name;
    desc->comment = (char *)spec->comment;
    desc->script = (char *)spec->script;
    desc->work_dir = (char *)spec->work_dir;
    desc->std_out = (char *)spec->std_out;
    desc->std_err = (char *)spec->std_err;
    /* sbatch --open-mode=append: a requeued job (preempted, a failed node,
     * the detached driver near its limit) adds to its output files instead
     * of emptying them, so its earlier runs' output stays readable */
    desc->open_mode = OPEN_MODE_APPEND;
    desc->user_id = getuid();
    desc->group_id = getgid();
    desc->min_nodes = 1;
    desc->partition = sb->partition;
    desc->account = sb->account;
    desc->qos = sb->qos;
    desc->features = sb->constraint;
    desc->req_nodes = sb->nodelist;
    desc->prefer = sb->prefer;
    desc->wckey = sb->wckey;
    desc->exc_nodes = sb->exclude;
    desc->mail_user = sb->mail_user;
    if (sb->mail_type != NULL)
        desc->mail_type = sb->mail_bits;
    if (sb->tmp != NULL)
        desc->pn_min_tmp_disk = sb->tmp_mb;
    if (sb->gres)
        desc->tres_per_node = wjr_slurm_gres_tres(sb->gres);
    if (sb->cpus_per_task > 0) {
        desc->cpus_per_task = (uint16_t)sb->cpus_per_task;
        desc->min_cpus = (uint32_t)sb->cpus_per_task;
    }
    if (sb->time) {
        if (wjr_slurm_parse_time_limit(&minutes, sb->time) < 0)
            return wjr_error_set(WJR_ECONFIG, "slurm.time: cannot read '%s'", sb->time);
        desc->time_limit = minutes;
    }
    /* read at each submission, as sbatch reads them at its own: "now+1hour"
     * counts from this job */
    if (sb->begin) {
        if (wjr_slurm_when(&when, "begin", sb->begin) < 0)
            return WJR_ECONFIG;
        desc->begin_time = (time_t)when;
    }
    if (sb->deadline) {
        if (wjr_slurm_when(&when, "deadline", sb->deadline) < 0)
            return WJR_ECONFIG;
        desc->deadline = (time_t)when;
    }
    if (sb->mem) {
        if (wjr_slurm_parse_mem(&mb, sb->mem) < 0)
            return wjr_error_set(WJR_ECONFIG, "slurm.mem: cannot read '%s'", sb->mem);
        desc->pn_min_memory = mb;
    }
    if (sb->requeue >= 0)
        desc->requeue = (uint16_t)sb->requeue;
#if SLURM_AT_LEAST(24, 11, 0)
    /* as sbatch leaves it: the cluster's TaskPluginParam decides whether
     * an OOM of one task ends the batch step (libslurm's init sets 0, which
     * would say never, whatever the cluster says) */
    desc->oom_kill_step = NO_VAL16;
#endif
    apply_res(desc, res);
    if (tres_per_task(desc, res) < 0)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    *array_inx = NULL;
    if (spec->array_inx) {
        if (sb->array_throttle > 0)
            *array_inx = wjr_asprintf("%s%%%d", spec->array_inx, sb->array_throttle);
        else
            *array_inx = wjr_strdup(spec->array_inx);
        if (*array_inx == NULL)
            return WJR_ENOMEM;
        desc->array_inx = *array_inx;
    }
    return 0;
}

/* A job description as a submission sends it, with what it owns. The
 * environment points into job_vars: the struct stays where it is. */
typedef struct prepared {
    job_desc_msg_t desc;
    char *array_inx;
    char **env;
    uint32_t env_size;
    char job_vars[JOB_VARS_MAX][JOB_VAR_LEN];
} prepared;

static void release(prepared *p)
{
    free(p->desc.tres_per_node);
    free(p->desc.tres_per_job);
    free(p->desc.tres_per_task);
    free(p->desc.tres_bind);
    free(p->desc.cpus_per_tres);
    free(p->desc.mem_per_tres);
    free(p->desc.reservation);
    free(p->desc.licenses);
    free(p->array_inx);
    free_env(p->env, p->env_size);
}

/* The description of spec: the options and the trial's own values (which
 * win), its environment. Release it in every case. */
static int prepare(prepared *p, const slurm_backend *sb, const wjr_job_spec *spec)
{
    wjr_slurm_res res;
    int error;

    memset(p, 0, sizeof(*p));
    if (wjr_slurm_extra_resolve(&res, sb->extra, spec->resources) < 0)
        return WJR_ECONFIG;
    error = fill_desc(&p->desc, sb, spec, &res, &p->array_inx);
    if (error < 0)
        return error;
    job_vars_set(p->job_vars, &p->desc, &res, sb);
    p->env = build_env(sb, &res, spec->work_dir, p->job_vars, &p->env_size);
    if (p->env == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    p->desc.environment = p->env;
    p->desc.env_size = p->env_size;
    return 0;
}

/* Send the RPC until it is answered, trying again while slurmctld says
 * it is busy, as sbatch does (sleeping a little longer each time): 0, or
 * the Slurm error of the last try. */
static int send_patiently(slurm_backend *sb, int (*rpc)(job_desc_msg_t *, void *),
                          job_desc_msg_t *desc, void *answer)
{
    double deadline = wjr_now() + (sb->rpc_timeout > 0 ? sb->rpc_timeout : 30.0);
    int tries = 0, e;

    for (;;) {
        sb->parent.rpc_count++;
        if (rpc(desc, answer) == SLURM_SUCCESS)
            return 0;
        e = SLURM_ERRNO();
        if (!wjr__slurm_errno_is_busy(e) || wjr_now() + (tries + 1) >= deadline)
            return e != 0 ? e : SLURM_ERROR;
        sleep((unsigned)++tries);
    }
}

static int submit_rpc(job_desc_msg_t *desc, void *answer)
{
    return slurm_submit_batch_job(desc, (submit_response_msg_t **)answer);
}

static int will_run_rpc(job_desc_msg_t *desc, void *answer)
{
    return slurm_job_will_run2(desc, (will_run_response_msg_t **)answer);
}

/* slurmctld refuses a job whose deadline has passed, or comes before its
 * time_min could run, as it refuses a time limit it does not allow: 1 when
 * the deadline is what it refuses. (A deadline the time limit overruns is
 * taken; slurmctld ends the job when it can no longer finish in time.) */
static int past_deadline(const job_desc_msg_t *desc, int e)
{
    time_t now = time(NULL);

    if (desc->deadline == 0)
        return 0;
    if (e == ESLURM_INVALID_TIME_LIMIT)
        return desc->deadline < now;
    return e == ESLURM_INVALID_TIME_MIN_LIMIT && desc->time_min != NO_VAL &&
           desc->deadline < now + (time_t)desc->time_min * 60;
}

/* slurmctld's message for e, naming the partition or the deadline it does
 * not name */
static int refused(const slurm_backend *sb, const job_desc_msg_t *desc, int e, const char *call)
{
    char *what = NULL, when[32] = "";
    struct tm tm;
    int error;

    if (e == ESLURM_INVALID_PARTITION_NAME && sb->partition != NULL) {
        what = wjr_asprintf("%s: partition '%s'", call, sb->partition);
    } else if (past_deadline(desc, e)) {
        if (localtime_r(&desc->deadline, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        what = wjr_asprintf("%s: deadline '%s' (%s) leaves a job no time to run", call,
                            sb->deadline, when);
    }
    error = wjr__slurm_classify(e, what ? what : call);
    free(what);
    return error;
}

static int slurm_submit(uint32_t *out, wjr_backend *b, const wjr_job_spec *spec)
{
    slurm_backend *sb = (slurm_backend *)b;
    prepared p;
    submit_response_msg_t *resp = NULL;
    int error, e;

    error = wjr__slurm_reach(sb);
    if (error < 0)
        return error;
    error = prepare(&p, sb, spec);
    if (error == 0) {
        e = send_patiently(sb, submit_rpc, &p.desc, &resp);
        if (e != 0)
            error = refused(sb, &p.desc, e, "slurm_submit_batch_job");
        else
            *out = submitted_job_id(resp);
    }
    if (resp)
        slurm_free_submit_response_response_msg(resp);
    release(&p);
    return error;
}

/* ---- the test of a job (sbatch --test-only) ------------------------------ */

/* The option a refusal of slurmctld's points at, or NULL. */
static const char *key_of(int e)
{
    switch (e) {
    case ESLURM_INVALID_ACCOUNT:
        return "account";
    case ESLURM_INVALID_QOS:
        return "qos";
    case ESLURM_INVALID_PARTITION_NAME:
    case ESLURM_PARTITION_NOT_AVAIL:
    case ESLURM_JOB_MISSING_REQUIRED_PARTITION_GROUP:
        return "partition";
    case ESLURM_INVALID_TIME_LIMIT:
        return "time";
    case ESLURM_INVALID_TIME_MIN_LIMIT:
        return "time_min";
    case ESLURM_RESERVATION_ACCESS:
    case ESLURM_RESERVATION_INVALID:
    case ESLURM_RESERVATION_NOT_USABLE:
        return "reservation";
    case ESLURM_INVALID_LICENSES:
        return "licenses";
    case ESLURM_INVALID_FEATURE:
        return "constraint";
    case ESLURM_INVALID_WCKEY:
        return "wckey";
    case ESLURM_INVALID_NODE_NAME:
        return "nodelist";
    default:
        return NULL;
    }
}

/* Where and when slurmctld would start the job. The answer's fields read
 * here are in every release from 22.05 to 26.05. */
static int take_answer(wjr_cluster_info *info, const will_run_response_msg_t *resp)
{
    info->trial_tested = 1;
    info->trial_start = (int64_t)resp->start_time;
    info->trial_cpus = resp->proc_cnt;
    if ((resp->part_name != NULL &&
         (info->trial_partition = wjr_strdup(resp->part_name)) == NULL) ||
        (resp->node_list != NULL && (info->trial_nodes = wjr_strdup(resp->node_list)) == NULL) ||
        (resp->job_submit_user_msg != NULL && *resp->job_submit_user_msg != '\0' &&
         (info->trial_site_message = wjr_strdup(resp->job_submit_user_msg)) == NULL))
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    return 0;
}

/* slurmctld tests a job against the nodes that are up (not down, drained
 * or failing) and answers a job none of them can hold now as it answers a
 * job no node could ever hold. A submission would be taken and wait when
 * some nodes of its partition are not up: then that is no refusal. */
static int not_now(wjr_cluster_info *info, slurm_backend *sb, int e)
{
    uint32_t down = 0, total = 0;
    int error = wjr__slurm_nodes_down(&down, &total, sb);

    if (error < 0)
        return error;
    if (down == 0)
        return 1; /* a refusal */
    info->trial_not_now = wjr_asprintf(
        "%s (Slurm error %d); %u of the %u nodes of %s %s down, drained or not responding",
        slurm_strerror(e), e, (unsigned)down, (unsigned)total,
        sb->partition != NULL ? sb->partition : "the default partition", down == 1 ? "is" : "are");
    return info->trial_not_now != NULL ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

/* slurmctld tests a job that names a reservation starting later as one
 * that cannot start now, while a submission would be taken and wait. */
static int reservation_later(wjr_cluster_info *info, int e, const char *reservation)
{
    info->trial_not_now = wjr_asprintf("%s (Slurm error %d): reservation %s has not begun",
                                       slurm_strerror(e), e, reservation);
    return info->trial_not_now != NULL ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

static int slurm_will_run(wjr_cluster_info *info, const char **key, wjr_backend *b,
                          const wjr_job_spec *spec)
{
    slurm_backend *sb = (slurm_backend *)b;
    prepared p;
    will_run_response_msg_t *resp = NULL;
    int error, e;

    *key = NULL;
    error = wjr__slurm_reach(sb);
    if (error < 0)
        return error;
    error = prepare(&p, sb, spec);
    if (error == 0) {
        e = send_patiently(sb, will_run_rpc, &p.desc, &resp);
        if (e == 0 && resp != NULL)
            error = take_answer(info, resp);
        else if (e == ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE ||
                 e == ESLURM_REQUESTED_PART_CONFIG_UNAVAILABLE || e == ESLURM_NODES_BUSY)
            error = not_now(info, sb, e);
        else if (e == ESLURM_INVALID_TIME_VALUE && p.desc.reservation != NULL)
            error = reservation_later(info, e, p.desc.reservation);
        else if (e != 0)
            error = 1;
        if (error == 1) {
            *key = past_deadline(&p.desc, e) ? "deadline" : key_of(e);
            error =
                refused(sb, &p.desc, e,
                        "slurmctld refuses the trials' jobs (asked as sbatch --test-only asks)");
        }
    }
    if (resp)
        slurm_free_will_run_response_msg(resp);
    release(&p);
    return error;
}

void wjr__slurm_submit_ops(wjr_backend *b)
{
    b->submit = slurm_submit;
    b->will_run = slurm_will_run;
}
