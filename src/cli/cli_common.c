/*
 * cli_common.c - helpers every `wjr` command uses: the map from library
 * errors to exit codes, error and usage messages, option parsing with
 * --help, signal handling, and the terminal log sink with its live
 * progress line.
 *
 * It drives no study and knows no command: those live in cmd_<verb>.c and
 * cli_drive.c. Like the rest of the CLI it uses libwjr's public API only.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

volatile sig_atomic_t cli_interrupted = 0;

static char command_line[512];

int cli_exit_code(int error)
{
    switch (error) {
    case WJR_OK:
        return CLI_EXIT_OK;
    case WJR_ESLURM:
    case WJR_EUNREACHABLE:
    case WJR_ETIMEOUT:
        return CLI_EXIT_CLUSTER;
    case WJR_ECONFIG:
    case WJR_EINVALID:
    case WJR_ENOTFOUND:
    case WJR_EEXISTS:
    case WJR_ELOCKED:
    case WJR_ESTATE:
        return CLI_EXIT_USAGE;
    case WJR_EIO:
        return CLI_EXIT_IO;
    case WJR_EINTERRUPTED:
        return CLI_EXIT_INTERRUPTED;
    default:
        return CLI_EXIT_FAILED;
    }
}

int cli_fail(const char *verb, int error)
{
    char msg[2048];

    fprintf(stderr, "wjr %s: %s\n", verb, cli_safe(msg, sizeof(msg), wjr_error_last()));
    if (error == WJR_ELOCKED && (strcmp(verb, "run") == 0 || strcmp(verb, "init") == 0))
        fprintf(stderr, "wjr: that process drives the study ('wjr status' and 'wjr report' read "
                        "it meanwhile); to drive it from here instead, stop it first (kill -INT "
                        "PID, as Ctrl-C does; scancel a driver job), then 'wjr resume' it\n");
    else if (error == WJR_ELOCKED) /* what to do about it: the library only says who */
        fprintf(stderr,
                "wjr: that process drives the study ('wjr status' and 'wjr report' read it "
                "meanwhile); to %s, let it end or stop it first (kill -INT PID, as Ctrl-C "
                "does; scancel a driver job)\n",
                verb);
    return cli_exit_code(error);
}

void cli_print_warnings(const char *verb, const wjr_study_config *config)
{
    const char *w = config != NULL ? wjr_study_config_warnings(config) : NULL;
    char line[2048], msg[2048];

    while (w != NULL && *w != '\0') {
        size_t n = strcspn(w, "\n");

        snprintf(line, sizeof(line), "%.*s", (int)n, w);
        fprintf(stderr, "wjr %s: warning: %s\n", verb, cli_safe(msg, sizeof(msg), line));
        w += n + (w[n] == '\n');
    }
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    const char *nl = strchr(cmd->usage, '\n');

    fprintf(stderr, "wjr %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%.*s\nTry 'wjr %s --help'.\n", nl != NULL ? (int)(nl - cmd->usage) : 0,
            cmd->usage, cmd->name);
    return CLI_EXIT_USAGE;
}

static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

int cli_parse(int *first_arg, int *exit_code, const cli_command *cmd, int argc, char **argv,
              const char *shortopts, const void *longopts, cli_option_fn extra, void *payload)
{
    char spec[64];
    int opt;

    snprintf(spec, sizeof(spec), ":h%s", shortopts != NULL ? shortopts : "");
    optind = 0;
    opterr = 0;
    *exit_code = CLI_EXIT_OK;
    for (;;) {
        opt = getopt_long(argc, argv, spec,
                          longopts != NULL ? (const struct option *)longopts : help_only, NULL);
        if (opt == -1)
            break;
        if (opt == 'h') {
            fputs(cmd->usage, stdout);
            return 1;
        }
        if (opt == '?') {
            if (optopt != 0)
                *exit_code = cli_usage_error(cmd, "unknown option -%c", optopt);
            else
                *exit_code = cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
            return 1;
        }
        if (opt == ':') {
            *exit_code = cli_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
            return 1;
        }
        if (extra == NULL || extra(opt, optarg, payload) < 0) {
            *exit_code = CLI_EXIT_USAGE;
            return 1;
        }
    }
    *first_arg = optind;
    return 0;
}

void cli_set_command_line(int argc, char **argv)
{
    size_t used = 0;
    int i;

    command_line[0] = '\0';
    for (i = 0; i < argc && used + 2 < sizeof(command_line); i++) {
        int w = snprintf(command_line + used, sizeof(command_line) - used, "%s%s", i > 0 ? " " : "",
                         i == 0 ? "wjr" : argv[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (used >= sizeof(command_line))
        command_line[sizeof(command_line) - 1] = '\0';
    /* The lock file holds one line. */
    for (used = 0; command_line[used] != '\0'; used++)
        if (command_line[used] == '\n')
            command_line[used] = ' ';
}

const char *cli_command_line(void)
{
    return command_line;
}

static void on_signal(int sig)
{
    (void)sig;
    cli_interrupted = 1;
    wjr_interrupt(1); /* a step under way stops its hooks at once */
}

void cli_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* The first signal stops the driver cleanly; a second one ends the
     * process at once (study.json is always written atomically). No
     * SA_RESTART: a blocking call in the middle of a step returns EINTR
     * instead of swallowing the signal until the step ends. */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_sleep(double seconds)
{
    struct timespec slice = {0, 100 * 1000 * 1000};

    while (seconds > 0 && !cli_interrupted) {
        if (seconds < 0.1)
            slice.tv_nsec = (long)(seconds * 1e9);
        nanosleep(&slice, NULL);
        seconds -= 0.1;
    }
}

void cli_term_init(cli_term *t, int verbose, int quiet)
{
    memset(t, 0, sizeof(*t));
    t->tty = isatty(STDERR_FILENO);
    t->verbose = verbose;
    t->quiet = quiet;
}

void cli_term_clear(cli_term *t)
{
    if (t->tty && t->line_shown) {
        fputs("\r\033[K", stderr);
        t->line_shown = 0;
    }
}

static void redraw(cli_term *t)
{
    if (t->tty && t->line[0] != '\0') {
        fprintf(stderr, "\r\033[K%s", t->line);
        t->line_shown = 1;
    }
    fflush(stderr);
}

void cli_term_log(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    cli_term *t = payload;
    wjr_log_level min = WJR_LOG_INFO;
    char stamp[16];
    time_t now = time(NULL);
    struct tm tm;

    if (t->quiet)
        min = WJR_LOG_WARNING;
    else if (t->tty && !t->verbose)
        min = WJR_LOG_WARNING;
    else if (!t->tty && t->verbose)
        min = WJR_LOG_DEBUG;
    if (level < min)
        return;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
    cli_term_clear(t);
    if (trial != WJR_NO_TRIAL)
        fprintf(stderr, "%s %-7s [trial %lld] %s\n", stamp, wjr_log_level_name(level),
                (long long)trial, message);
    else
        fprintf(stderr, "%s %-7s %s\n", stamp, wjr_log_level_name(level), message);
    redraw(t);
}

void cli_term_progress(cli_term *t, const wjr_study_progress *p)
{
    char best[160] = "", stopped[48] = "";
    char total[32];

    if (p->objectives > 1)
        snprintf(best, sizeof(best), " | Pareto front: %lld", (long long)p->pareto_count);
    else if (p->best_index >= 0)
        snprintf(best, sizeof(best), " | best #%lld %s=%.6g", (long long)p->best_index,
                 p->best_metric != NULL ? p->best_metric : "?", p->best_value);
    if (p->total >= 0)
        snprintf(total, sizeof(total), "%lld", (long long)p->total);
    else
        snprintf(total, sizeof(total), "?");
    if (p->early_stopped > 0)
        snprintf(stopped, sizeof(stopped), " | %lld early-stopped", (long long)p->early_stopped);
    snprintf(t->line, sizeof(t->line),
             "%lld/%s done | %lld running | %lld pending | %lld failed%s%s%s",
             (long long)(p->completed + p->failed + p->abandoned + p->early_stopped), total,
             (long long)p->running, (long long)p->pending, (long long)p->failed, stopped, best,
             p->stale ? " | controller not answering" : "");
    if (t->tty) {
        redraw(t);
    } else if (p->changed && !t->quiet) {
        fprintf(stderr, "progress: %s\n", t->line);
        fflush(stderr);
    }
}

void cli_study_options(wjr_study_options *o, cli_term *t, unsigned int flags)
{
    wjr_study_options init = WJR_STUDY_OPTIONS_INIT;

    *o = init;
    o->flags = flags;
    o->log = cli_term_log;
    o->log_payload = t;
    o->log_level = WJR_LOG_DEBUG;
    o->command = cli_command_line();
}

static void append_value(char *buf, size_t size, size_t *used, json_t *v)
{
    int w;

    if (json_is_string(v))
        w = snprintf(buf + *used, size - *used, "%s", json_string_value(v));
    else if (json_is_integer(v))
        w = snprintf(buf + *used, size - *used, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        w = snprintf(buf + *used, size - *used, "%.6g", json_real_value(v));
    else if (json_is_true(v) || json_is_false(v))
        w = snprintf(buf + *used, size - *used, "%s", json_is_true(v) ? "true" : "false");
    else
        w = snprintf(buf + *used, size - *used, "null");
    if (w > 0)
        *used = *used + (size_t)w < size ? *used + (size_t)w : size - 1;
}

static int has_control(const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

void cli_format_object(char *buf, size_t size, const char *json, int metrics)
{
    json_t *obj = json != NULL ? json_loads(json, 0, NULL) : NULL;
    const char *key;
    json_t *v;
    size_t used = 0;
    int w;

    buf[0] = '\0';
    if (!json_is_object(obj)) {
        snprintf(buf, size, "-");
        json_decref(obj);
        return;
    }
    json_object_foreach(obj, key, v)
    {
        w = snprintf(buf + used, size - used, "%s%s=", used > 0 ? " " : "", key);
        if (w < 0 || used + (size_t)w >= size)
            break;
        used += (size_t)w;
        if (metrics && json_is_object(v)) {
            append_value(buf, size, &used, json_object_get(v, "mean"));
            if (json_is_number(json_object_get(v, "sem"))) {
                w = snprintf(buf + used, size - used, "±");
                if (w > 0 && used + (size_t)w < size)
                    used += (size_t)w;
                append_value(buf, size, &used, json_object_get(v, "sem"));
            }
        } else {
            append_value(buf, size, &used, v);
        }
    }
    json_decref(obj);
    /* keys and string values come from the model: no escape sequences,
     * and no line break that would split a row of a table */
    if (has_control(buf)) {
        char *copy = strdup(buf);
        if (copy != NULL)
            cli_safe(buf, size, copy);
        free(copy);
    }
}

const char *cli_safe(char *buf, size_t size, const char *text)
{
    size_t used = 0;
    const unsigned char *p;

    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (p = (const unsigned char *)(text != NULL ? text : ""); *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            if (used + 4 >= size)
                break;
            snprintf(buf + used, size - used, "\\x%02x", *p);
            used += 4;
        } else {
            if (used + 1 >= size)
                break;
            buf[used++] = (char)*p;
        }
    }
    buf[used] = '\0';
    return buf;
}

/* Terminal columns of a UTF-8 text: its bytes but continuation bytes. */
static int text_width(const char *s)
{
    int n = 0;

    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

int cli_widen(int width, const char *cell, int most)
{
    int n = text_width(cell);

    return n > width && n <= most ? n : width;
}

void cli_put_cell(const char *cell, int width)
{
    int n = text_width(cell);

    fputs(cell, stdout);
    printf("%*s", (n < width ? width - n : 0) + 1, "");
}
