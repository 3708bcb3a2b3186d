/*
 * fuzz_study.c - libFuzzer target: study.json and study.journal. Each input
 * is written as the study.json of a folder that also holds a valid
 * configuration copy; what follows a line "#journal" in it, if any, as its
 * study.journal (framing, checksums and records alike). The study is
 * opened read-only, as a whole and for submitting only; a study that opens
 * is then reported (status JSON, results CSV and JSON), as `wjr status` and
 * `wjr results` would. The JSON documents, written as text from the texts
 * the snapshot kept, must parse as JSON (else abort: a finding).
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_util.h"

static const char config[] =
    "parameters = {\n"
    "  x1 = { type = \"range\"; bounds = [-5.0, 10.0]; };\n"
    "  n = { type = \"range\"; bounds = [1, 8]; value_type = \"int\"; };\n"
    "  c = { type = \"choice\"; values = [\"a\", \"b\"]; };\n"
    "};\n"
    "script_options = { run_model = \"true\"; experiment_dir = \".\"; };\n";

/* A document wjr wrote must be JSON, whatever the files held. */
static void must_parse(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);

    if (v == NULL)
        abort();
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wjr_study_options so = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL;
    char *out = NULL;

    static const char mark[] = "\n#journal\n";
    const uint8_t *journal = memmem(data, size, mark, sizeof(mark) - 1);
    size_t snapshot = journal != NULL ? (size_t)(journal - data) : size;

    fz_write("config.cfg", (const uint8_t *)config, sizeof(config) - 1);
    fz_write("study.json", data, snapshot);
    if (journal != NULL)
        fz_write("study.journal", journal + sizeof(mark) - 1, size - snapshot - (sizeof(mark) - 1));
    else
        fz_remove("study.journal");
    /* the submit-only reading (the snapshot's first line, the journal's
     * last record) must stand the same inputs; it is opened read-only too */
    so.flags = WJR_STUDY_READONLY | WJR_STUDY_SUBMIT_ONLY;
    so.log = fz_no_log;
    if (wjr_study_open(&s, fz_dir(), &so) == 0)
        wjr_study_free(s);
    s = NULL;
    so.flags = WJR_STUDY_READONLY;
    so.log = fz_no_log;
    if (wjr_study_open(&s, fz_dir(), &so) == 0) {
        if (wjr_study_status_json(&out, s) == 0) {
            must_parse(out);
            free(out);
        }
        out = NULL;
        if (wjr_study_results_csv(&out, s) == 0)
            free(out);
        out = NULL;
        if (wjr_study_results_json(&out, s) == 0) {
            must_parse(out);
            free(out);
        }
    }
    wjr_study_free(s);
    return 0;
}
