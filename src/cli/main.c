/*
 * main.c - the `wjr` command: its table of commands, global --help and
 * --version, and the dispatch to cmd_<verb>.c.
 *
 * Each command parses its own options and prints its own --help; exit codes
 * come from cli_exit_code() in cli_common.c only. No command logic here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {&cli_cmd_run,
                                              &cli_cmd_resume,
                                              &cli_cmd_init,
                                              &cli_cmd_submit,
                                              &cli_cmd_poll,
                                              &cli_cmd_status,
                                              &cli_cmd_cancel,
                                              &cli_cmd_results,
                                              &cli_cmd_report,
                                              &cli_cmd_check,
                                              NULL};

static void print_help(FILE *out)
{
    size_t i;

    fputs("usage: wjr [--help] [--version] COMMAND [ARGS]\n"
          "\n"
          "Run the trials of an optimization study as Slurm jobs.\n"
          "\n"
          "Commands:\n",
          out);
    for (i = 0; commands[i] != NULL; i++)
        fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\n"
          "Exit codes: 0 finished, 1 study failed, 2 usage or configuration error,\n"
          "3 cluster unreachable or submission refused, 4 I/O error (disk full),\n"
          "130 interrupted.\n"
          "Run 'wjr COMMAND --help' for a command's options; see wjr(1).\n",
          out);
}

int main(int argc, char **argv)
{
    size_t i;

    cli_set_command_line(argc, argv);
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("wjr %s (libwjr %s)\n", WJR_VERSION, wjr_version());
        return CLI_EXIT_OK;
    }
    for (i = 0; commands[i] != NULL; i++)
        if (strcmp(argv[1], commands[i]->name) == 0)
            return commands[i]->run(argc - 1, argv + 1);
    {
        const char *names[sizeof(commands) / sizeof(commands[0])];
        const char *guess;

        for (i = 0; commands[i] != NULL; i++)
            names[i] = commands[i]->name;
        names[i] = NULL;
        guess = wjr_closest_name(argv[1], names);
        if (guess != NULL)
            fprintf(stderr, "wjr: '%s' is not a wjr command; did you mean 'wjr %s'?\n", argv[1],
                    guess);
        else
            fprintf(stderr, "wjr: '%s' is not a wjr command. See 'wjr --help'.\n", argv[1]);
    }
    return CLI_EXIT_USAGE;
}
