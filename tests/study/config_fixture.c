/*
 * config_fixture.c - the configuration tests' shared setup: one temporary
 * folder per test program, configuration files written into it, loaded,
 * and the exact file:line error of one that must not load. It asserts
 * through cmocka and knows no section of a configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "wjr.h"

char cfx_dir[256];

int cfx_setup(void **state)
{
    (void)state;
    snprintf(cfx_dir, sizeof(cfx_dir), "/tmp/wjr-test-config-XXXXXX");
    return mkdtemp(cfx_dir) != NULL ? 0 : -1;
}

int cfx_teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cfx_dir);
    return system(cmd) == 0 ? 0 : -1;
}

const char *cfx_write(const char *dir, const char *name, const char *text)
{
    static char path[700];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : cfx_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

wjr_study_config *cfx_load(const char *name, const char *text)
{
    wjr_study_config *c = NULL;

    if (wjr_study_config_load(&c, cfx_write(NULL, name, text)) != 0)
        fail_msg("%s: %s", name, wjr_error_last());
    return c;
}

void cfx_expect_error(const char *name, const char *text, const char *message, const char *what)
{
    wjr_study_config *c = NULL;
    const char *path = cfx_write(NULL, name, text);
    char expect[1024];
    int error = wjr_study_config_load(&c, path);

    if (error != WJR_ECONFIG)
        fail_msg("%s: got %d (%s)", what, error, wjr_error_last());
    assert_null(c);
    snprintf(expect, sizeof(expect), "%s:%s", path, message);
    if (strcmp(wjr_error_last(), expect) != 0)
        fail_msg("%s:\n got  %s\n want %s", what, wjr_error_last(), expect);
}
