/*
 * cli.h - what the `wjr` command's files share: the command table entry,
 * the one map from library errors to exit codes, error and usage output,
 * signal handling and the terminal log sink.
 */
#ifndef WJR_CLI_H
#define WJR_CLI_H

#include <getopt.h>
#include <signal.h>

#include <wjr.h>

/* Exit codes (documented in wjr(1)). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_CLUSTER = 3,
    CLI_EXIT_IO = 4, /* a file could not be read or written (ENOSPC, EIO) */
    CLI_EXIT_INTERRUPTED = 130
};

typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* full --help text */
    int (*run)(int argc, char **argv);
} cli_command;

/* The one place library errors become exit codes. */
int cli_exit_code(int error);

/* "wjr VERB: message" on stderr; returns the exit code for `error`. */
int cli_fail(const char *verb, int error);
/* The configuration's warnings, "wjr VERB: warning: file:line: ..." on stderr. */
void cli_print_warnings(const char *verb, const wjr_study_config *config);

/* Print a usage error and the hint to --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) WJR_FORMAT(2, 3);

/*
 * Parse the options common to every command. Handles --help (prints usage,
 * returns 1 with *exit_code = 0). `extra` handles command options: it
 * returns 0 when it took the option, -1 for a usage error (already printed).
 * On return, *first_arg is the index of the first operand.
 */
typedef int (*cli_option_fn)(int opt, const char *arg, void *payload);
int cli_parse(int *first_arg, int *exit_code, const cli_command *cmd, int argc, char **argv,
              const char *shortopts, const void *longopts, cli_option_fn extra, void *payload);

/* The command line as one string, for the study lock ("wjr run x.cfg"). */
const char *cli_command_line(void);
void cli_set_command_line(int argc, char **argv);

/* SIGINT/SIGTERM set cli_interrupted; a second one ends the process. */
extern volatile sig_atomic_t cli_interrupted;
void cli_install_signals(void);
/* Sleep up to `seconds` in small slices; returns early on a signal. */
void cli_sleep(double seconds);

/* Terminal output of log records and the progress line. */
typedef struct cli_term {
    int tty;     /* stderr is a terminal: one live progress line */
    int verbose; /* show INFO records on a terminal, DEBUG otherwise */
    int quiet;   /* warnings and errors only */
    int line_shown;
    char line[512];
} cli_term;

void cli_term_init(cli_term *t, int verbose, int quiet);
void cli_term_log(wjr_log_level level, int64_t trial, const char *message, void *payload);
void cli_term_progress(cli_term *t, const wjr_study_progress *p);
void cli_term_clear(cli_term *t);

/* Options for opening a study with the terminal sink. */
void cli_study_options(wjr_study_options *o, cli_term *t, unsigned int flags);

/* Options of the commands that drive a study (run, resume): -v, -q. */
typedef struct cli_drive_opts {
    int verbose, quiet, detach;
} cli_drive_opts;
extern const struct option cli_drive_longopts[];
int cli_drive_option(int opt, const char *arg, void *payload);

/* --detach: submit the driver of the study in dir as a Slurm job and print
 * its job id (cli_detach.c); returns the exit code. */
int cli_detach(const char *verb, const char *dir);

/* Drive a study to its end (run, resume): returns the exit code. A study
 * that stopped is driven until its trials in Slurm have ended. */
int cli_drive(wjr_study *study, cli_term *t);

/* Trials submitted to Slurm and not ended (running or queued). */
size_t cli_in_flight(const wjr_study *study);

/* The summary with the best trial, on stdout. */
void cli_print_summary(const wjr_study *study);

/* Compact "k=v k=v" of a JSON object text into buf. */
void cli_format_object(char *buf, size_t size, const char *json, int metrics);

/* @p text for a terminal: control bytes (escape sequences, carriage
 * returns) as \xHH, cut to fit @p size. Returns @p buf. */
const char *cli_safe(char *buf, size_t size, const char *text);

/* Tables (status, results): a column's width in terminal columns (UTF-8
 * characters, so "±" counts once) grows to @p cell's unless the cell is
 * longer than @p most, which then overflows its own row rather than widen
 * every row. cli_put_cell prints @p cell padded to @p width and a space. */
int cli_widen(int width, const char *cell, int most);
void cli_put_cell(const char *cell, int width);

extern const cli_command cli_cmd_run, cli_cmd_resume, cli_cmd_init, cli_cmd_submit, cli_cmd_poll,
    cli_cmd_status, cli_cmd_cancel, cli_cmd_results, cli_cmd_check, cli_cmd_report;

#endif
