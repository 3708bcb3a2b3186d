/*
 * fuzz_runner_json.c - libFuzzer target: the runner's JSON readers. The
 * same text goes to wjr_runner_from_json (a string) and to
 * wjr_runner_from_json_file (streamed one trial at a time); they must agree:
 * both fail, or both succeed and write back the same JSON. The experiment
 * directory is forced into the fuzzer's own folder and logs are dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *a = NULL, *b = NULL;
    char *text = fz_string(data, size), *ja = NULL, *jb = NULL;
    const char *path;
    int ra, rb;

    /* a string stops at a NUL, the file does not: compare like with like */
    path = fz_write("runner.json", data, strlen(text));
    ro.experiment_dir = fz_dir();
    ro.log = fz_no_log;
    ra = wjr_runner_from_json(&a, text, &ro);
    rb = wjr_runner_from_json_file(&b, path, &ro);
    if ((ra == 0) != (rb == 0))
        fz_fail("string and file readers disagree", ra == 0 ? "file refused" : "string refused");
    if (ra == 0) {
        if (wjr_runner_to_json(&ja, a) != 0 || wjr_runner_to_json(&jb, b) != 0)
            fz_fail("to_json failed", wjr_error_last());
        if (strcmp(ja, jb) != 0)
            fz_fail("string and file readers built different runners", ja);
    }
    free(ja);
    free(jb);
    wjr_runner_free(a);
    wjr_runner_free(b);
    free(text);
    return 0;
}
