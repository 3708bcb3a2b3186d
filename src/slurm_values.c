/*
 * slurm_values.c - reads the text of one Slurm job option as sbatch reads
 * it, and says what is wrong with a bad one: time limits (--time and
 * --time-min), memory sizes (--mem, --mem-per-cpu), counts, node ranges,
 * GPU requests, GRES lists (name[:type][:count],...), licenses
 * (name[@server][:count],...), the warning signal, export lists, mail
 * types, hints and the names of partitions, accounts, QOS, reservations and
 * nodes; and which options sbatch refuses together.
 *
 * The numbers (times, sizes, counts, node ranges) are slurm_numbers.c's.
 * One parser per form: the configuration reader calls these at load (and
 * adds file:line), slurm_resources.c for the values a trial takes from its
 * parameters, and the Slurm backend for the numbers it copies into a job
 * description. It does not include slurm.h, keeps no state and sends
 * nothing.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slurm_dist.h"
#include "slurm_gpus.h"
#include "slurm_values.h"
#include "util.h"

typedef enum {
    K_COUNT,
    K_COUNT16,
    K_NODES,
    K_MEM,
    K_TIME,
    K_GPUS,
    K_NICE,
    K_GRES,
    K_LICENSES,
    K_NAME,
    K_TEXT,
    K_BOOL,   /* true, false, 1, 0 */
    K_EXPORT, /* ALL, NONE or NAME,NAME */
    K_MAIL,   /* BEGIN,END,... */
    K_HINT    /* nomultithread,... */
} value_kind;

/* The options with a form, and whether a trial's parameter may set them. */
static const struct {
    const char *key;
    value_kind kind;
    int per_trial;
} keys[] = {
    {"time", K_TIME, 1},
    {"cpus_per_task", K_COUNT16, 1},
    {"mem", K_MEM, 1},
    {"nodes", K_NODES, 1},
    {"ntasks", K_COUNT, 1},
    {"ntasks_per_node", K_COUNT16, 1},
    {"mem_per_cpu", K_MEM, 1},
    {"gpus", K_GPUS, 1},
    {"gpus_per_task", K_GPUS, 1},
    {"gpus_per_node", K_GPUS, 1},
    {"cpus_per_gpu", K_COUNT16, 1},
    {"mem_per_gpu", K_MEM, 1},
    {"time_min", K_TIME, 1},
    {"nice", K_NICE, 1},
    {"driver_time", K_TIME, 0},
    {"gres", K_GRES, 0},
    {"licenses", K_LICENSES, 1},
    {"partition", K_NAME, 0},
    {"driver_partition", K_NAME, 0},
    {"account", K_NAME, 0},
    {"qos", K_NAME, 0},
    {"reservation", K_NAME, 1},
    {"exclusive", K_BOOL, 1},
    {"export", K_EXPORT, 1},
    {"constraint", K_TEXT, 0},
    {"nodelist", K_NAME, 0},
    {"exclude", K_NAME, 0},
    {"mail_type", K_MAIL, 0},
    {"mail_user", K_NAME, 0},
    {"tmp", K_MEM, 0},
    {"hint", K_HINT, 1},
    {"threads_per_core", K_COUNT16, 1},
    {"ntasks_per_core", K_COUNT16, 1},
    {"sockets_per_node", K_COUNT16, 1},
    {"cores_per_socket", K_COUNT16, 1},
    {"ntasks_per_socket", K_COUNT16, 1},
    {"distribution", K_TEXT, 0}, /* its forms: slurm_dist.c */
    {"gpu_bind", K_TEXT, 0},     /* its forms: slurm_gpus.c */
    {"oversubscribe", K_BOOL, 1},
    {"prefer", K_TEXT, 0},
    {"wckey", K_NAME, 0},
    {"begin", K_TEXT, 0}, /* read by libslurm's parser: config_slurm.c */
    {"deadline", K_TEXT, 0},
    {"propagate", K_TEXT, 0}, /* its names: config_slurm.c */
    {"clusters", K_NAME, 0},  /* one name: config_slurm.c */
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int find_key(const char *key, size_t len)
{
    size_t i;

    for (i = 0; i < N_KEYS; i++)
        if (strlen(keys[i].key) == len && strncmp(keys[i].key, key, len) == 0)
            return (int)i;
    return -1;
}

int wjr_slurm_res_per_trial_keyn(const char *key, size_t len)
{
    int k = key != NULL ? find_key(key, len) : -1;

    return k >= 0 && keys[k].per_trial;
}

int wjr_slurm_res_per_trial_key(const char *key)
{
    return key != NULL && wjr_slurm_res_per_trial_keyn(key, strlen(key));
}

/* ---- lists and names ------------------------------------------------------ */

/* n bytes of letters, digits, '_', '-' and '.', at least one. */
static int is_word(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

/* n bytes of a positive count, with a K, M, G, T or P multiplier if
 * suffix (GRES counts such as "bandwidth:4G"). */
static int is_count(const char *s, size_t n, int suffix)
{
    char buf[24];
    long long v;

    if (n > 0 && suffix && strchr("KkMmGgTtPp", s[n - 1]) != NULL)
        n--;
    if (n == 0 || n >= sizeof(buf) || !isdigit((unsigned char)s[0]))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return wjr_slurm_parse_int(&v, buf, 1, 1000000000000LL) == 0;
}

int wjr_slurm_check_gpus(const char *s)
{
    const char *colon = strrchr(s, ':');
    long long n;

    if (strlen(s) >= WJR_GPUS_MAX)
        return -1;
    if (colon && !is_word(s, (size_t)(colon - s)))
        return -1;
    return wjr_slurm_parse_int(&n, colon ? colon + 1 : s, 1, 100000);
}

/* One GRES: name, name:count, name:type or name:type:count. */
static int gres_item(const char *s, size_t n)
{
    const char *c1 = memchr(s, ':', n), *c2;
    size_t rest;

    if (c1 == NULL)
        return is_word(s, n);
    if (!is_word(s, (size_t)(c1 - s)))
        return 0;
    rest = n - (size_t)(c1 - s) - 1;
    c2 = memchr(c1 + 1, ':', rest);
    if (c2 == NULL)
        return is_count(c1 + 1, rest, 1) || is_word(c1 + 1, rest);
    return is_word(c1 + 1, (size_t)(c2 - c1 - 1)) && is_count(c2 + 1, n - (size_t)(c2 - s) - 1, 1);
}

/* One license: name, name@server, each optionally with :count. */
static int license_item(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n), *at;
    size_t name = colon ? (size_t)(colon - s) : n;

    if (colon && !is_count(colon + 1, n - name - 1, 0))
        return 0;
    at = memchr(s, '@', name);
    if (at != NULL)
        return is_word(s, (size_t)(at - s)) && is_word(at + 1, name - (size_t)(at - s) - 1);
    return is_word(s, name);
}

/* A comma-separated list whose every item passes. */
static int each_item(const char *s, int (*item)(const char *, size_t))
{
    for (;;) {
        size_t n = strcspn(s, ",");
        if (!item(s, n))
            return 0;
        if (s[n] == '\0')
            return 1;
        s += n + 1;
    }
}

int wjr_slurm_parse_bool(const char *text)
{
    if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
        return 1;
    if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
        return 0;
    return -1;
}

int wjr_slurm_env_name(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || isdigit((unsigned char)s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* A name as Slurm keeps it: no white space or control characters (and
 * with names = 0, only the control characters are refused). */
static int is_name(const char *s, int names)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (iscntrl((unsigned char)*s) || (names && isspace((unsigned char)*s)))
            return 0;
    return 1;
}

static const struct {
    const char *word;
    uint16_t bits;
} mail_words[] = {
    {"BEGIN", WJR_MAIL_BEGIN},
    {"END", WJR_MAIL_END},
    {"FAIL", WJR_MAIL_FAIL},
    {"REQUEUE", WJR_MAIL_REQUEUE},
    {"ALL", WJR_MAIL_BEGIN | WJR_MAIL_END | WJR_MAIL_FAIL | WJR_MAIL_REQUEUE | WJR_MAIL_STAGE_OUT |
                WJR_MAIL_INVALID_DEPEND},
    {"STAGE_OUT", WJR_MAIL_STAGE_OUT},
    {"TIME_LIMIT", WJR_MAIL_TIME100},
    {"TIME_LIMIT_90", WJR_MAIL_TIME90},
    {"TIME_LIMIT_80", WJR_MAIL_TIME80},
    {"TIME_LIMIT_50", WJR_MAIL_TIME50},
    {"ARRAY_TASKS", WJR_MAIL_ARRAY_TASKS},
    {"INVALID_DEPEND", WJR_MAIL_INVALID_DEPEND},
};

/* The bits of one --mail-type word (n bytes at s); -1 when unknown. */
static int mail_word(const char *s, size_t n)
{
    size_t i;

    if (n == 4 && strncasecmp(s, "NONE", 4) == 0)
        return 0;
    for (i = 0; i < sizeof(mail_words) / sizeof(mail_words[0]); i++)
        if (strlen(mail_words[i].word) == n && strncasecmp(mail_words[i].word, s, n) == 0)
            return mail_words[i].bits;
    return -1;
}

int wjr_slurm_parse_mail_type(uint16_t *bits, const char *text)
{
    const char *p = text;
    int b;

    *bits = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        b = mail_word(p, n);
        if (b < 0)
            return wjr_error_set(WJR_ECONFIG,
                                 "slurm.mail_type \"%s\": \"%.*s\" is not a mail type (BEGIN, "
                                 "END, FAIL, REQUEUE, ALL, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90, "
                                 "TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS, INVALID_DEPEND or "
                                 "NONE)",
                                 text, (int)n, p);
        if (b == 0) { /* NONE, as sbatch reads it: no mail, whatever else */
            *bits = 0;
            return 0;
        }
        *bits |= (uint16_t)b;
        p += n + (p[n] == ',');
    }
    if (p == text)
        return wjr_error_set(WJR_ECONFIG, "slurm.mail_type is empty");
    return 0;
}

int wjr_slurm_parse_hint(wjr_slurm_hint *out, const char *text)
{
    const char *p = text;

    memset(out, 0, sizeof(*out));
    if (strlen(text) >= WJR_HINT_MAX)
        return wjr_error_set(WJR_ECONFIG, "slurm.hint is longer than %d characters",
                             WJR_HINT_MAX - 1);
    do { /* as sbatch's verify_hint(); 0 stands for its NO_VAL */
        size_t n = strcspn(p, ",");
        if (n == 13 && strncasecmp(p, "compute_bound", n) == 0) {
            out->cores_per_socket = 0;
            out->threads_per_core = 1;
        } else if (n == 12 && strncasecmp(p, "memory_bound", n) == 0) {
            out->cores_per_socket = 1;
            out->threads_per_core = 1;
        } else if (n == 11 && strncasecmp(p, "multithread", n) == 0) {
            out->threads_per_core = 0;
            out->ntasks_per_core = WJR_SLURM_INFINITE16;
        } else if (n == 13 && strncasecmp(p, "nomultithread", n) == 0) {
            out->threads_per_core = 1;
        } else {
            return wjr_error_set(WJR_ECONFIG,
                                 "slurm.hint \"%s\": \"%.*s\" is not a hint (compute_bound, "
                                 "memory_bound, multithread or nomultithread)",
                                 text, (int)n, p);
        }
        p += n;
    } while (*p++ == ',');
    return 0;
}

static int check_kind(value_kind kind, const char *s)
{
    long long v;
    uint32_t a, b;
    uint64_t mb;
    uint16_t m;
    wjr_slurm_hint h;

    switch (kind) {
    case K_COUNT:
        return wjr_slurm_parse_int(&v, s, 1, 1000000);
    case K_COUNT16:
        return wjr_slurm_parse_int(&v, s, 1, 65535);
    case K_NODES:
        return wjr_slurm_parse_nodes(&a, &b, s);
    case K_MEM:
        return wjr_slurm_parse_mem(&mb, s) < 0 ? -1 : 0;
    case K_TIME:
        return wjr_slurm_parse_time(&a, s) < 0 ? -1 : 0;
    case K_GPUS:
        return wjr_slurm_check_gpus(s);
    case K_NICE:
        return wjr_slurm_parse_int(&v, s, -2147483645LL, 2147483645LL);
    case K_GRES:
        return each_item(s, gres_item) ? 0 : -1;
    case K_LICENSES:
        return each_item(s, license_item) ? 0 : -1;
    case K_NAME:
        return is_name(s, 1) ? 0 : -1;
    case K_TEXT:
        return is_name(s, 0) ? 0 : -1;
    case K_BOOL:
        return wjr_slurm_parse_bool(s) < 0 ? -1 : 0;
    case K_EXPORT:
        return strcmp(s, "ALL") == 0 || strcmp(s, "NONE") == 0 || each_item(s, wjr_slurm_env_name)
                   ? 0
                   : -1;
    case K_MAIL:
        return wjr_slurm_parse_mail_type(&m, s);
    case K_HINT:
        return wjr_slurm_parse_hint(&h, s);
    }
    return -1;
}

static const char *kind_text(value_kind kind)
{
    switch (kind) {
    case K_COUNT:
        return "a count from 1 to 1000000";
    case K_COUNT16:
        return "a count from 1 to 65535";
    case K_NODES:
        return "a node count \"N\" or a range \"MIN-MAX\"";
    case K_MEM:
        return "a memory size such as 512M or 4G (a bare number is megabytes)";
    case K_TIME:
        return "a Slurm time such as 30, 01:30:00 or 1-00:00:00 (a bare number is minutes)";
    case K_GPUS:
        return "a GPU count \"N\" or \"TYPE:N\"";
    case K_NICE:
        return "an integer nice value";
    case K_GRES:
        return "a GRES list such as \"gpu:2\" or \"gpu:a100:1,nic:1\" (NAME[:TYPE][:COUNT],...)";
    case K_LICENSES:
        return "a license list such as \"matlab:2,fluent\" (NAME[@SERVER][:COUNT],...)";
    case K_NAME:
        return "a name without spaces or control characters";
    case K_TEXT:
        return "a text without control characters";
    case K_BOOL:
        return "true or false";
    case K_EXPORT:
        return "ALL, NONE or a comma-separated list of variable names";
    case K_MAIL:
        return "a list of mail types such as END,FAIL";
    case K_HINT:
        return "nomultithread, multithread, compute_bound or memory_bound";
    }
    return "a valid value";
}

/* ---- checks --------------------------------------------------------------- */

int wjr_slurm_parse_signal(int *sig, int *seconds, const char *text)
{
    const char *p = text, *at;
    long long secs = 60; /* Slurm's default */
    size_t n;

    if (strncmp(p, "B:", 2) == 0)
        p += 2;
    if (strncmp(p, "SIG", 3) == 0)
        p += 3;
    at = strchr(p, '@');
    n = at != NULL ? (size_t)(at - p) : strlen(p);
    if ((at == NULL || wjr_slurm_parse_int(&secs, at + 1, 1, 65535) == 0) && n == 4 &&
        (strncmp(p, "USR1", 4) == 0 || strncmp(p, "USR2", 4) == 0)) {
        *sig = p[3] == '1' ? SIGUSR1 : SIGUSR2;
        *seconds = (int)secs;
        return 0;
    }
    return wjr_error_set(WJR_ECONFIG,
                         "slurm.signal \"%s\" must be USR1@SECONDS or USR2@SECONDS (the batch "
                         "script forwards these two to the model), SECONDS from 1 to 65535 "
                         "(60 when left out)",
                         text);
}

int wjr_slurm_res_check(const char *key, const char *text)
{
    int k = find_key(key, strlen(key));
    int sig, secs;
    uint16_t mail;
    uint64_t mb;
    wjr_slurm_hint hint;

    if (strcmp(key, "signal") == 0)
        return wjr_slurm_parse_signal(&sig, &secs, text);
    if (strcmp(key, "mail_type") == 0)
        return wjr_slurm_parse_mail_type(&mail, text);
    if (strcmp(key, "hint") == 0)
        return wjr_slurm_parse_hint(&hint, text);
    if (strcmp(key, "distribution") == 0)
        return wjr_slurm_dist_check(text);
    if (strcmp(key, "gpu_bind") == 0)
        return wjr_slurm_check_gpu_bind(text);
    /* pn_min_tmp_disk is 32 bits of megabytes */
    if (strcmp(key, "tmp") == 0 && wjr_slurm_parse_mem(&mb, text) == 0 && mb >= UINT32_MAX)
        return wjr_error_set(WJR_ECONFIG, "slurm.tmp \"%s\" is more disk than Slurm can ask for",
                             text);
    if (strcmp(key, "export") == 0) {
        if (strcmp(text, "ALL") == 0 || strcmp(text, "NONE") == 0 ||
            each_item(text, wjr_slurm_env_name))
            return 0;
        return wjr_error_set(WJR_ECONFIG,
                             "slurm.export \"%s\" must be ALL, NONE or a comma-separated list of "
                             "variable names (set values with slurm.env)",
                             text);
    }
    if (k < 0 || check_kind(keys[k].kind, text) == 0)
        return 0;
    return wjr_error_set(WJR_ECONFIG, "slurm.%s \"%s\" is not %s", key, text,
                         kind_text(keys[k].kind));
}

int wjr_slurm_res_value(char **out, const char *key, const json_t *value)
{
    int k = find_key(key, strlen(key));
    char *text = NULL, *shown;
    double d;

    *out = NULL;
    if (k < 0 || !keys[k].per_trial)
        return wjr_error_set(WJR_EINVALID, "slurm.%s cannot come from a parameter", key);
    if (json_is_integer(value)) {
        text = wjr_asprintf("%lld", (long long)json_integer_value(value));
    } else if (json_is_real(value)) {
        d = json_real_value(value);
        if (d == (double)(long long)d && d > -1e15 && d < 1e15)
            text = wjr_asprintf("%lld", (long long)d);
    } else if (json_is_string(value)) {
        text = wjr_strdup(json_string_value(value));
    } else if (json_is_boolean(value)) {
        text = wjr_strdup(json_is_true(value) ? "true" : "false");
    }
    if (text == NULL || check_kind(keys[k].kind, text) < 0) {
        free(text);
        shown = json_dumps(value, JSON_ENCODE_ANY);
        wjr_error_set(WJR_EINVALID, "slurm.%s = %s is not %s", key, shown ? shown : "?",
                      kind_text(keys[k].kind));
        free(shown);
        return WJR_EINVALID;
    }
    *out = text;
    return 0;
}

char *wjr_slurm_gres_tres(const char *gres)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *p = gres;
    char *out = NULL;

    for (;;) {
        size_t n = strcspn(p, ",");
        wjr_buf_printf(&b, "%sgres:%.*s", p == gres ? "" : ",", (int)n, p);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    if (wjr_buf_detach(&out, &b) < 0)
        return NULL;
    return out;
}

/* n bytes of a count, with a 1024-fold multiplier letter: the value, or 0. */
static uint64_t count_of(const char *s, size_t n)
{
    static const char mult[] = "KMGTP";
    uint64_t v = 0;
    const char *m;
    size_t i;

    for (i = 0; i < n && isdigit((unsigned char)s[i]); i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || i + 1 < n)
        return 0;
    if (i + 1 == n) {
        m = s[i] != '\0' ? strchr(mult, toupper((unsigned char)s[i])) : NULL;
        if (m == NULL)
            return 0;
        for (i = 0; i <= (size_t)(m - mult); i++)
            v = v > UINT64_MAX / 1024 ? UINT64_MAX : v * 1024;
    }
    return v;
}

int wjr_slurm_next_item(wjr_slurm_item *out, const char **cursor, wjr_item_kind kind)
{
    const char *s = *cursor, *end, *c1, *c2;
    size_t n, depth = 0, len = 0;

    memset(out, 0, sizeof(*out));
    if (s == NULL || *s == '\0')
        return 0;
    /* the item ends at a comma outside parentheses ("(S:0,2)" is a node's
     * socket list); what follows a parenthesis is not part of it */
    for (n = 0; s[n] != '\0' && (s[n] != ',' || depth > 0); n++) {
        if (s[n] == '(' && depth++ == 0 && len == 0)
            len = n;
        else if (s[n] == ')' && depth > 0)
            depth--;
    }
    *cursor = s[n] == ',' ? s + n + 1 : s + n;
    end = s + (len > 0 ? len : n);
    out->count = 1;
    c1 = memchr(s, ':', (size_t)(end - s));
    c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
    if (kind == WJR_ITEM_GPUS) {
        const char *last = c2 ? c2 : c1;
        out->name = "gpu";
        out->name_len = 3;
        if (last != NULL) {
            out->type = s;
            out->type_len = (size_t)(last - s);
        }
        out->count = count_of(last ? last + 1 : s, (size_t)(end - (last ? last + 1 : s)));
        return 1;
    }
    out->name = s;
    out->name_len = (size_t)((c1 ? c1 : end) - s);
    if (c1 == NULL)
        return 1;
    if (kind == WJR_ITEM_LICENSE) {
        out->count = count_of(c1 + 1, (size_t)(end - c1 - 1));
        return 1;
    }
    if (c2 == NULL) { /* name:count or name:type */
        if (isdigit((unsigned char)c1[1])) {
            out->count = count_of(c1 + 1, (size_t)(end - c1 - 1));
        } else {
            out->type = c1 + 1;
            out->type_len = (size_t)(end - c1 - 1);
        }
        return 1;
    }
    out->type = c1 + 1;
    out->type_len = (size_t)(c2 - c1 - 1);
    out->count = count_of(c2 + 1, (size_t)(end - c2 - 1));
    return 1;
}

int wjr_slurm_gres_has_gpu(const char *gres)
{
    wjr_slurm_item it;
    const char *p = gres;

    while (wjr_slurm_next_item(&it, &p, WJR_ITEM_GRES))
        if (it.name_len == 3 && strncmp(it.name, "gpu", 3) == 0)
            return 1;
    return 0;
}

int wjr_slurm_exclusive(const char **second, char *msg, size_t msg_size, wjr_slurm_opt_get get,
                        const void *ctx)
{
    /* the keys, second one named first and at its line; then sbatch's options */
    static const char *const pairs[][4] = {
        {"mem", "mem_per_cpu", "mem", "mem-per-cpu"},
        {"mem", "mem_per_gpu", "mem", "mem-per-gpu"},
        {"mem_per_cpu", "mem_per_gpu", "mem-per-cpu", "mem-per-gpu"},
        {"cpus_per_task", "cpus_per_gpu", "cpus-per-task", "cpus-per-gpu"},
        {"hint", "threads_per_core", "hint", "threads-per-core"},
        {"hint", "ntasks_per_core", "hint", "ntasks-per-core"},
        {"hint", "sockets_per_node", "hint", "sockets-per-node"},
        {"hint", "cores_per_socket", "hint", "cores-per-socket"},
        {"exclusive", "oversubscribe", "exclusive", "oversubscribe"},
    };
    const char *gres;
    size_t i;

    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        if (get(pairs[i][0], ctx) == NULL || get(pairs[i][1], ctx) == NULL)
            continue;
        *second = pairs[i][1];
        snprintf(msg, msg_size, "slurm.%s and slurm.%s exclude each other (sbatch's --%s and --%s)",
                 pairs[i][1], pairs[i][0], pairs[i][3], pairs[i][2]);
        return 1;
    }
    gres = get("gres", ctx);
    if (get("gpus_per_node", ctx) != NULL && gres != NULL && wjr_slurm_gres_has_gpu(gres)) {
        *second = "gpus_per_node";
        snprintf(msg, msg_size,
                 "slurm.gpus_per_node and a gpu in slurm.gres exclude each other (both ask for "
                 "GPUs per node, and sbatch refuses them together)");
        return 1;
    }
    return 0;
}
