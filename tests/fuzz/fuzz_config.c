/*
 * fuzz_config.c - libFuzzer target: the configuration loader (libconfig
 * text) on any input. A configuration that loads must also produce its
 * first trials' parameters without error or crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("fuzz.cfg", data, size);
    wjr_study_config *cfg = NULL;
    char *params = NULL;
    int64_t i;

    if (wjr_study_config_load(&cfg, path) == 0) {
        for (i = 0; i < 3; i++) {
            if (wjr_study_config_generate(&params, cfg, i) == 0)
                free(params);
            params = NULL;
        }
    }
    wjr_study_config_free(cfg);
    return 0;
}
