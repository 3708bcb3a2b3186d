/*
 * fuzz_study.c - libFuzzer target: study.json. Each input is written as the
 * study.json of a folder that also holds a valid configuration copy, and
 * the study is opened read-only; a study that opens is then reported
 * (status JSON, results CSV and JSON), as `wjr status` and `wjr results`
 * would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

static const char config[] =
    "parameters = {\n"
    "  x1 = { type = \"range\"; bounds = [-5.0, 10.0]; };\n"
    "  n = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };\n"
    "  c = { type = \"choice\"; values = [\"a\", \"b\"]; };\n"
    "};\n"
    "script_options = { run_model = \"true\"; experiment_dir = \".\"; };\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL;
    char *out = NULL;

    fz_write("config.cfg", (const uint8_t *)config, sizeof(config) - 1);
    fz_write("study.json", data, size);
    so.flags = WJR_STUDY_READONLY;
    so.log = fz_no_log;
    if (wjr_study_open(&s, fz_dir(), &so) == 0) {
        if (wjr_study_status_json(&out, s) == 0)
            free(out);
        out = NULL;
        if (wjr_study_results_csv(&out, s) == 0)
            free(out);
        out = NULL;
        if (wjr_study_results_json(&out, s) == 0)
            free(out);
    }
    wjr_study_free(s);
    return 0;
}
