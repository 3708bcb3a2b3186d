/*
 * fuzz_submit.c - libFuzzer target: `wjr submit --params` and `--batch`
 * lines. The input is split into lines as `--batch` reads a file; each
 * line is parsed and checked against a configuration's parameters exactly
 * as wjr_study_submit does before it records a trial (JSON with duplicate
 * keys refused, then wjr_study_config_check_params), and a line that
 * passes must print back as JSON that passes again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_util.h"
#include "study_int.h"

static const char config[] =
    "parameters = {\n"
    "  x1 = { type = \"range\"; bounds = [-5.0, 10.0]; };\n"
    "  n = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };\n"
    "  lr = { type = \"range\"; bounds = [1e-5, 1.0]; log_scale = true; };\n"
    "  c = { type = \"choice\"; values = [\"a\", \"b\"]; };\n"
    "  f = { type = \"fixed\"; value = 2.5; };\n"
    "};\n"
    "script_options = { run_model = \"true\"; experiment_dir = \"runs\"; };\n";

static wjr_study_config *cfg;

static int check_line(const char *line)
{
    json_error_t jerr;
    json_t *p = json_loads(line, JSON_REJECT_DUPLICATES, &jerr), *again;
    char *text;
    int rc;

    if (p == NULL)
        return -1;
    rc = wjr_study_config_check_params(cfg, p);
    if (rc == 0) {
        text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
        again = text ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
        if (again == NULL || wjr_study_config_check_params(cfg, again) != 0)
            fz_fail("accepted parameters do not pass again", text);
        json_decref(again);
        free(text);
    }
    json_decref(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_string(data, size), *line, *save = NULL;

    if (cfg == NULL && wjr_study_config_load(&cfg, fz_write("c.cfg", (const uint8_t *)config,
                                                            sizeof(config) - 1)) != 0)
        fz_fail("config", wjr_error_last());
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
        if (line[strspn(line, " \t\r")] != '\0')
            check_line(line);
    free(text);
    return 0;
}
