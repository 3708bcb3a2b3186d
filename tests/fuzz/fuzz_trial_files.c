/*
 * fuzz_trial_files.c - libFuzzer target: the files a model writes in its
 * trial directory, read by the script wrapper as BOA's ScriptWrapper does.
 * The first input byte picks the file (output.json or trial_status.json)
 * and which metrics are asked for; the rest is the file. Then
 * set_trial_status and fetch_trial_data run on it, as at a trial's end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const metrics[] = {"m", "branin", NULL};
    wjr_script_options wo = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    wjr_trial_ctx ctx;
    wjr_trial_status status = WJR_TRIAL_COMPLETED;
    char *reason = NULL, *out = NULL;
    const char *file;

    if (size < 1)
        return 0;
    file = (data[0] & 1) ? "trial_status.json" : "output.json";
    remove(fz_write("output.json", (const uint8_t *)"", 0));
    remove(fz_write("trial_status.json", (const uint8_t *)"", 0));
    fz_write(file, data + 1, size - 1);
    wo.run_model = "true";
    wo.metric_names = (data[0] & 2) ? metrics : NULL;
    if (wjr_wrapper_script_new(&w, &wo) != 0)
        fz_fail("wrapper", wjr_error_last());
    memset(&ctx, 0, sizeof(ctx));
    ctx.index = 0;
    ctx.trial_dir = fz_dir();
    ctx.experiment_dir = fz_dir();
    ctx.params_json = "{\"x\": 1}";
    ctx.job_id = "1";
    ctx.log = fz_no_log;
    if (w->set_trial_status)
        w->set_trial_status(&status, &reason, w, &ctx);
    if (status == WJR_TRIAL_COMPLETED && w->fetch_trial_data)
        w->fetch_trial_data(&out, w, &ctx);
    free(reason);
    free(out);
    wjr_wrapper_free(w);
    return 0;
}
