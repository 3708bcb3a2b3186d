/*
 * mock_jobs.c - the fake controller's submit and job queries: the __wrap_
 * versions of slurm_submit_batch_job, slurm_job_will_run2 (the test of a
 * job), slurm_load_job_user and slurm_load_job_state (with
 * slurm_bit_fmt), and their free calls. A
 * submission is checked as slurmctld checks it (script, environment,
 * partition, a deadline already past, array indices under MaxArraySize),
 * recorded, and becomes one record (an array's packed record with its
 * pending tasks); a query
 * answers the table as it stands after execute mode has moved it on. The
 * kills are mock_kill.c's. The job table, the counts and the lock are
 * mock_slurm.c's (mock_slurm.h, mock_int.h); this file owns only the
 * settings of these calls: a query's delay, stepped task strings, a lost
 * submit answer, hidden jobs and the death after a submit, and the last
 * description tested.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "mock_int.h"
#include "slurm_compat.h"

/* ---- the settings ------------------------------------------------------- */

/* atomic: the test changes it while the poll worker thread reads it */
static _Atomic int query_delay_ms;

static struct {
    int task_str_steps;       /* mock_set_task_str_steps */
    int exit_after_submit;    /* WJR_MOCK_EXIT_AFTER_SUBMIT */
    int timeout_after_accept; /* mock_submit_timeout_after_accept */
    int hide_queries;         /* job queries still answered with an empty table */
} J;

static char *last_will_run; /* mock_last_will_run */

void mock__jobs_reset(void)
{
    query_delay_ms = 0;
    memset(&J, 0, sizeof(J));
    free(last_will_run);
    last_will_run = NULL;
}

void mock_set_query_delay_ms(int ms)
{
    query_delay_ms = ms;
}

void mock_set_task_str_steps(int on)
{
    J.task_str_steps = on;
}

void mock_submit_timeout_after_accept(void)
{
    J.timeout_after_accept = 1;
}

void mock_hide_jobs(int queries)
{
    J.hide_queries = queries;
}

void mock__set_exit_after_submit(int on)
{
    J.exit_after_submit = on;
}

/* ---- array indices and task strings ------------------------------------- */

/* "0-9%4", "1,3-5", "0-10:2": the task ids, ascending; -1 when malformed. */
static int parse_array_inx(uint32_t **out, size_t *n, int *throttle, const char *s)
{
    size_t cap = 0;
    const char *p = s;
    char *end;

    *out = NULL;
    *n = 0;
    *throttle = 0;
    while (*p && *p != '%') {
        unsigned long lo = strtoul(p, &end, 10), hi, step = 1, v;
        if (end == p)
            return -1;
        hi = lo;
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            if (end == p + 1 || hi < lo)
                return -1;
            p = end;
            if (*p == ':') {
                step = strtoul(p + 1, &end, 10);
                if (end == p + 1 || step == 0)
                    return -1;
                p = end;
            }
        }
        for (v = lo; v <= hi; v += step) {
            *out = mock__grow(*out, &cap, *n, sizeof(**out));
            (*out)[(*n)++] = (uint32_t)v;
        }
        if (*p == ',')
            p++;
        else if (*p != '\0' && *p != '%')
            return -1;
    }
    if (*p == '%') {
        *throttle = atoi(p + 1);
        if (*throttle <= 0)
            return -1;
    }
    return *n > 0 ? 0 : -1;
}

/* The packed record's task string as slurmctld writes it: "0-3,7%2". */
static char *task_str(const mock_job *j)
{
    size_t i = 0, len = 0, cap = 32 + j->n_pending * 24;
    char *s = malloc(cap);

    if (s == NULL)
        abort();
    s[0] = '\0';
    while (i < j->n_pending) {
        size_t k = i;
        uint32_t step = i + 1 < j->n_pending ? j->pending[i + 1] - j->pending[i] : 0;
        while (k + 1 < j->n_pending && j->pending[k + 1] == j->pending[k] + 1)
            k++;
        if (k == i && J.task_str_steps && step > 1 && i + 2 < j->n_pending &&
            j->pending[i + 2] - j->pending[i + 1] == step) {
            while (k + 1 < j->n_pending && j->pending[k + 1] - j->pending[k] == step)
                k++;
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u:%u", i ? "," : "", j->pending[i],
                                    j->pending[k], step);
        } else if (k > i)
            len += (size_t)snprintf(s + len, cap - len, "%s%u-%u", i ? "," : "", j->pending[i],
                                    j->pending[k]);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s%u", i ? "," : "", j->pending[i]);
        i = k + 1;
    }
    if (j->throttle > 0)
        snprintf(s + len, cap - len, "%%%d", j->throttle);
    return s;
}

/* ---- the wrapped submit and query calls --------------------------------------------- */

int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp);
void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg);
int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags);
void __wrap_slurm_free_job_info_msg(job_info_msg_t *msg);

/* The resource fields of a job description that are set. */
static char *desc_resources(const job_desc_msg_t *d)
{
    char buf[2048];
    size_t n = 0;

#define PUT(cond, ...)                                                                             \
    do {                                                                                           \
        if ((cond) && n < sizeof(buf))                                                             \
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__);                          \
    } while (0)
    buf[0] = '\0';
    PUT(d->min_nodes != NO_VAL, " min_nodes=%u", d->min_nodes);
    PUT(d->max_nodes != NO_VAL, " max_nodes=%u", d->max_nodes);
    PUT(d->num_tasks != NO_VAL, " num_tasks=%u", d->num_tasks);
    PUT(d->bitflags & JOB_NTASKS_SET, " ntasks_set=1");
    PUT(d->ntasks_per_node != NO_VAL16, " ntasks_per_node=%u", d->ntasks_per_node);
    PUT(d->cpus_per_task != NO_VAL16, " cpus_per_task=%u", d->cpus_per_task);
    PUT(d->min_cpus != NO_VAL, " min_cpus=%u", d->min_cpus);
    PUT(d->pn_min_memory != NO_VAL64 && !(d->pn_min_memory & MEM_PER_CPU), " mem=%llu",
        (unsigned long long)d->pn_min_memory);
    PUT(d->pn_min_memory != NO_VAL64 && (d->pn_min_memory & MEM_PER_CPU), " mem_per_cpu=%llu",
        (unsigned long long)(d->pn_min_memory & ~MEM_PER_CPU));
    PUT(d->time_limit != NO_VAL, " time_limit=%u", d->time_limit);
    PUT(d->time_min != NO_VAL, " time_min=%u", d->time_min);
    PUT(d->tres_per_job != NULL, " tres_per_job=%s", d->tres_per_job);
    PUT(d->tres_per_task != NULL, " tres_per_task=%s", d->tres_per_task);
    PUT(d->tres_bind != NULL, " tres_bind=%s", d->tres_bind);
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 11, 0)
    PUT(d->oom_kill_step != NO_VAL16, " oom_kill_step=%u", d->oom_kill_step);
#endif
    PUT(d->tres_per_node != NULL, " tres_per_node=%s", d->tres_per_node);
    PUT(d->cpus_per_tres != NULL, " cpus_per_tres=%s", d->cpus_per_tres);
    PUT(d->mem_per_tres != NULL, " mem_per_tres=%s", d->mem_per_tres);
    PUT(d->shared != NO_VAL16, " shared=%u", d->shared);
    PUT(d->cores_per_socket != NO_VAL16, " cores_per_socket=%u", d->cores_per_socket);
    PUT(d->threads_per_core != NO_VAL16, " threads_per_core=%u", d->threads_per_core);
    PUT(d->ntasks_per_core != NO_VAL16, " ntasks_per_core=%u", d->ntasks_per_core);
    PUT(d->sockets_per_node != NO_VAL16, " sockets_per_node=%u", d->sockets_per_node);
    PUT(d->ntasks_per_socket != NO_VAL16, " ntasks_per_socket=%u", d->ntasks_per_socket);
    PUT(d->task_dist != NO_VAL, " task_dist=0x%x", d->task_dist);
    PUT(d->plane_size != NO_VAL16, " plane_size=%u", d->plane_size);
    PUT(d->reservation != NULL, " reservation=%s", d->reservation);
    PUT(d->licenses != NULL, " licenses=%s", d->licenses);
    PUT(d->req_nodes != NULL, " req_nodes=%s", d->req_nodes);
    PUT(d->prefer != NULL, " prefer=%s", d->prefer);
    PUT(d->wckey != NULL, " wckey=%s", d->wckey);
    PUT(d->exc_nodes != NULL, " exc_nodes=%s", d->exc_nodes);
    PUT(d->mail_type != NO_VAL16 && d->mail_type != 0, " mail_type=%u", d->mail_type);
    PUT(d->mail_user != NULL, " mail_user=%s", d->mail_user);
    PUT(d->pn_min_tmp_disk != NO_VAL, " tmp=%u", d->pn_min_tmp_disk);
    PUT(d->nice != NO_VAL, " nice=%lld", (long long)d->nice - (long long)NICE_OFFSET);
    PUT(d->open_mode != 0, " open_mode=%u", d->open_mode);
    PUT(d->begin_time != 0, " begin=%lld", (long long)d->begin_time);
    PUT(d->deadline != 0, " deadline=%lld", (long long)d->deadline);
    PUT(d->warn_signal != 0 && d->warn_signal != NO_VAL16,
        " warn_signal=%u warn_time=%u warn_flags=%u", d->warn_signal, d->warn_time, d->warn_flags);
#undef PUT
    return mock__dup(buf);
}

/* What slurmctld refuses in any description, submitted or tested: no
 * script, no environment, a partition it does not have, a deadline past
 * or too near for time_min. 1 with errno set. */
/* The CPUs a job asks for: cpus_per_task for each of its tasks (ntasks,
 * or ntasks_per_node on each of its nodes), or min_cpus when more. */
static uint64_t cpus_asked(const job_desc_msg_t *d)
{
    uint64_t per = d->cpus_per_task != NO_VAL16 ? d->cpus_per_task : 1;
    uint64_t tasks = d->num_tasks != NO_VAL ? d->num_tasks : 1;
    uint64_t nodes = d->min_nodes != NO_VAL && d->min_nodes > 0 ? d->min_nodes : 1;

    if (d->ntasks_per_node != NO_VAL16 && (uint64_t)d->ntasks_per_node * nodes > tasks)
        tasks = (uint64_t)d->ntasks_per_node * nodes;
    if (d->min_cpus != NO_VAL && d->min_cpus > per * tasks)
        return d->min_cpus;
    return per * tasks;
}

static int invalid(const job_desc_msg_t *desc)
{
    if (desc->script == NULL || desc->script[0] != '#')
        return mock__fail_with(ESLURM_JOB_SCRIPT_MISSING) != SLURM_SUCCESS;
    if (desc->environment == NULL || desc->env_size == 0)
        return mock__fail_with(ESLURM_ENVIRONMENT_MISSING) != SLURM_SUCCESS;
    if (!mock__partition_known(desc->partition))
        return mock__fail_with(ESLURM_INVALID_PARTITION_NAME) != SLURM_SUCCESS;
    /* as slurmctld: a deadline past, or too near for time_min */
    if (desc->deadline != 0 && desc->deadline < time(NULL))
        return mock__fail_with(ESLURM_INVALID_TIME_LIMIT) != SLURM_SUCCESS;
    if (desc->deadline != 0 && desc->time_min != NO_VAL &&
        desc->deadline < time(NULL) + (time_t)desc->time_min * 60)
        return mock__fail_with(ESLURM_INVALID_TIME_MIN_LIMIT) != SLURM_SUCCESS;
    /* as a QOS's MaxTRESPerJob with DenyOnLimit */
    if (mock__job_cpu_limit() > 0 && cpus_asked(desc) > mock__job_cpu_limit())
        return mock__fail_with(ESLURM_ACCOUNTING_POLICY) != SLURM_SUCCESS;
    return 0;
}

static mock_submission *record_submission(const job_desc_msg_t *d)
{
    mock_submission *s;
    uint32_t i;

    s = mock__new_submission();
    s->name = mock__dup(d->name);
    s->comment = mock__dup(d->comment);
    s->script = mock__dup(d->script);
    s->array_inx = mock__dup(d->array_inx);
    s->work_dir = mock__dup(d->work_dir);
    s->std_out = mock__dup(d->std_out);
    s->std_err = mock__dup(d->std_err);
    s->partition = mock__dup(d->partition);
    s->resources = desc_resources(d);
    s->env_size = d->env_size;
    s->env = calloc(d->env_size + 1, sizeof(char *));
    if (s->env == NULL)
        abort();
    for (i = 0; i < d->env_size && d->environment; i++)
        s->env[i] = mock__dup(d->environment[i]);
    return s;
}

static int submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp)
{
    mock_submission *s;
    mock_job *j;
    uint32_t *tasks = NULL;
    size_t n_tasks = 0;
    int throttle = 0;

    s = record_submission(desc);
    if (mock__take_failure(MOCK_RPC_SUBMIT))
        return SLURM_ERROR;
    if (invalid(desc))
        return SLURM_ERROR;
    if (desc->array_inx) {
        if (parse_array_inx(&tasks, &n_tasks, &throttle, desc->array_inx) < 0 ||
            tasks[n_tasks - 1] >= mock__max_array()) {
            free(tasks);
            return mock__fail_with(ESLURM_INVALID_ARRAY);
        }
    }
    j = mock_add_job(desc->name);
    j->comment = mock__dup(desc->comment);
    j->requeue = desc->requeue == 0 ? 0 : 1;
    j->exec = mock__exec_on();
    if (tasks) {
        j->array_job_id = j->job_id;
        j->pending = tasks;
        j->n_pending = n_tasks;
        j->throttle = throttle;
    }
    s->job_id = j->job_id;
    if (J.timeout_after_accept) {
        J.timeout_after_accept = 0;
        return mock__fail_with(SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    }
    *resp = calloc(1, sizeof(**resp));
    if (*resp == NULL)
        abort();
#if SLURM_AT_LEAST(25, 11, 0)
    (*resp)->step_id.job_id = j->job_id;
#else
    (*resp)->job_id = j->job_id;
#endif
    mock__handed_out(1);
    return SLURM_SUCCESS;
}

int __wrap_slurm_submit_batch_job(job_desc_msg_t *desc, submit_response_msg_t **resp)
{
    int rc;

    mock__enter();
    rc = submit_batch_job(desc, resp);
    mock__save();
    if (rc == SLURM_SUCCESS && J.exit_after_submit) {
        /* the process is killed as the answer arrives (WJR_MOCK_EXIT_AFTER_SUBMIT) */
        _exit(137);
    }
    return rc;
}

void __wrap_slurm_free_submit_response_response_msg(submit_response_msg_t *msg)
{
    if (msg == NULL)
        return;
    mock__handed_out(-1);
    free(msg);
}

/* ---- the test of a job (sbatch --test-only) ------------------------------ */

int __wrap_slurm_job_will_run2(job_desc_msg_t *desc, will_run_response_msg_t **resp);
void __wrap_slurm_free_will_run_response_msg(will_run_response_msg_t *msg);

const char *mock_last_will_run(void)
{
    return last_will_run;
}

/* Checked as a submission, then placed on mocknode while it is up and not
 * excluded; no job is made. */
static int job_will_run(job_desc_msg_t *desc, will_run_response_msg_t **resp)
{
    const char *part = desc->partition != NULL ? desc->partition : mock__default_partition();
    size_t n = part != NULL ? strcspn(part, ",") : 0;

    free(last_will_run);
    last_will_run = desc_resources(desc);
    if (mock__take_failure(MOCK_RPC_WILL_RUN))
        return SLURM_ERROR;
    if (invalid(desc))
        return SLURM_ERROR;
    if ((desc->exc_nodes != NULL && strstr(desc->exc_nodes, "mocknode") != NULL) ||
        !mock__node_up())
        return mock__fail_with(ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE);
    *resp = calloc(1, sizeof(**resp));
    if (*resp == NULL)
        abort();
    /* not before the job's begin, as slurmctld answers */
    (*resp)->start_time = desc->begin_time > time(NULL) ? desc->begin_time : time(NULL);
    (*resp)->proc_cnt = desc->min_cpus != NO_VAL ? desc->min_cpus : 1;
    (*resp)->node_list = mock__dup("mocknode");
    (*resp)->part_name = mock__dup(part != NULL ? part : "debug");
    if (part != NULL)
        (*resp)->part_name[n] = '\0'; /* the first of a list */
    mock__handed_out(1);
    return SLURM_SUCCESS;
}

int __wrap_slurm_job_will_run2(job_desc_msg_t *desc, will_run_response_msg_t **resp)
{
    int rc;

    *resp = NULL;
    mock__enter();
    rc = job_will_run(desc, resp);
    mock__save();
    return rc;
}

void __wrap_slurm_free_will_run_response_msg(will_run_response_msg_t *msg)
{
    if (msg == NULL)
        return;
    mock__handed_out(-1);
    free(msg->node_list);
    free(msg->part_name);
    free(msg->job_submit_user_msg);
    free(msg);
}

static int load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags)
{
    job_info_msg_t *msg;
    size_t i;

    int same_poll = mock__same_poll();

    (void)uid;
    (void)flags;
    *out = NULL;
    if (mock__take_failure(MOCK_RPC_QUERY))
        return SLURM_ERROR;
    if (!same_poll)
        mock__advance_jobs();
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->last_update = time(NULL);
    msg->record_count = (uint32_t)mock_job_count();
    if (J.hide_queries > 0) {
        J.hide_queries--;
        msg->record_count = 0;
    }
    msg->job_array = calloc(mock_job_count() ? mock_job_count() : 1, sizeof(slurm_job_info_t));
    if (msg->job_array == NULL)
        abort();
    for (i = 0; i < msg->record_count; i++) {
        const mock_job *j = mock_job_at(i);
        slurm_job_info_t *r = &msg->job_array[i];
        r->job_id = j->job_id;
        r->array_job_id = j->array_job_id;
        r->array_task_id = j->array_task_id == MOCK_NO_TASK ? NO_VAL : j->array_task_id;
        if (j->array_job_id && j->array_task_id == MOCK_NO_TASK)
            r->array_task_str = task_str(j);
        r->job_state = j->state;
        r->exit_code = j->exit_code == MOCK_NO_TASK ? NO_VAL : j->exit_code;
        r->requeue = (uint16_t)j->requeue;
        r->restart_cnt = j->restart_cnt;
        r->submit_time = (time_t)j->submit_time;
        r->start_time = (time_t)j->start_time;
        r->end_time = (time_t)j->end_time;
        r->name = mock__dup(j->name);
        r->comment = mock__dup(j->comment);
        r->state_desc = mock__dup(j->state_desc);
    }
    mock__handed_out(1);
    *out = msg;
    return SLURM_SUCCESS;
}

/* The delay a job query waits before it answers (mock_set_query_delay_ms),
 * read before the fake's state is touched. */
static void query_delay(void)
{
    int delay_ms = query_delay_ms;

    if (delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int __wrap_slurm_load_job_user(job_info_msg_t **out, uint32_t uid, uint16_t flags)
{
    int rc;

    query_delay();
    mock__lock();
    mock__enter();
    rc = load_job_user(out, uid, flags);
    mock__save();
    mock__unlock();
    return rc;
}

#if SLURM_AT_LEAST(23, 11, 5)
/* slurm_load_job_state: the states of the jobs (and array tasks) of the
 * given job ids. A packed record's "bitmap" is the text of its pending
 * tasks, which the wrapped slurm_bit_fmt below hands back. It fails, and
 * counts, as a MOCK_RPC_QUERY (it is the poll's query RPC), and is counted
 * once more as MOCK_RPC_STATES. */
int __wrap_slurm_load_job_state(int n_ids, slurm_selected_step_t *ids,
                                job_state_response_msg_t **out);
void __wrap_slurm_free_job_state_response_msg(job_state_response_msg_t *msg);
char *__wrap_slurm_bit_fmt(char *str, int32_t len, bitstr_t *b);

static int wanted(const mock_job *j, int n_ids, const slurm_selected_step_t *ids)
{
    int i;

    for (i = 0; i < n_ids; i++)
        if (ids[i].step_id.job_id == j->job_id ||
            (j->array_job_id != 0 && ids[i].step_id.job_id == j->array_job_id))
            return 1;
    return 0;
}

static int load_job_state(int n_ids, const slurm_selected_step_t *ids,
                          job_state_response_msg_t **out)
{
    job_state_response_msg_t *msg;
    size_t i, k = 0;

    *out = NULL;
    mock__count(MOCK_RPC_STATES);
    if (mock__take_failure(MOCK_RPC_QUERY))
        return SLURM_ERROR;
    mock__advance_jobs();
    msg = calloc(1, sizeof(*msg));
    if (msg == NULL)
        abort();
    msg->jobs = calloc(mock_job_count() ? mock_job_count() : 1, sizeof(*msg->jobs));
    if (msg->jobs == NULL)
        abort();
    for (i = 0; i < mock_job_count(); i++) {
        const mock_job *j = mock_job_at(i);
        job_state_response_job_t *r;
        if (!wanted(j, n_ids, ids))
            continue;
        r = &msg->jobs[k++];
        r->job_id = j->job_id;
        r->array_job_id = j->array_job_id;
        r->array_task_id = j->array_task_id == MOCK_NO_TASK ? NO_VAL : j->array_task_id;
        if (j->array_job_id && j->array_task_id == MOCK_NO_TASK) {
            char *text = task_str(j);
            text[strcspn(text, "%")] = '\0'; /* a bitmap has no throttle */
            r->array_task_id_bitmap = (bitstr_t *)text;
        }
        r->state = j->state;
    }
    msg->jobs_count = (uint32_t)k;
    mock__handed_out(1);
    *out = msg;
    mock__states_answered();
    return SLURM_SUCCESS;
}

int __wrap_slurm_load_job_state(int n_ids, slurm_selected_step_t *ids,
                                job_state_response_msg_t **out)
{
    int rc;

    query_delay();
    mock__lock();
    mock__enter();
    rc = load_job_state(n_ids, ids, out);
    mock__save();
    mock__unlock();
    return rc;
}

void __wrap_slurm_free_job_state_response_msg(job_state_response_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->jobs_count; i++)
        free(msg->jobs[i].array_task_id_bitmap);
    free(msg->jobs);
    free(msg);
    mock__lock();
    mock__handed_out(-1);
    mock__unlock();
}

char *__wrap_slurm_bit_fmt(char *str, int32_t len, bitstr_t *b)
{
    snprintf(str, (size_t)len, "%s", (const char *)b);
    return str;
}
#endif

void __wrap_slurm_free_job_info_msg(job_info_msg_t *msg)
{
    uint32_t i;

    if (msg == NULL)
        return;
    for (i = 0; i < msg->record_count; i++) {
        free(msg->job_array[i].array_task_str);
        free(msg->job_array[i].name);
        free(msg->job_array[i].comment);
        free(msg->job_array[i].state_desc);
    }
    free(msg->job_array);
    free(msg);
    mock__lock();
    mock__handed_out(-1);
    mock__unlock();
}
