/*
 * config_fixture.h - what the configuration tests share: a temporary
 * folder for the test program, a configuration text written into it and
 * loaded, and the check that a text fails to load with one exact
 * "file:line[:column]: message". Include after <cmocka.h>.
 */
#ifndef WJR_TEST_CONFIG_FIXTURE_H
#define WJR_TEST_CONFIG_FIXTURE_H

#include "study_int.h"

/* The temporary folder, made by cfx_setup, removed by cfx_teardown. */
extern char cfx_dir[256];

/* cmocka group fixtures. */
int cfx_setup(void **state);
int cfx_teardown(void **state);

/* Write text as dir/name (dir NULL: cfx_dir); the path, valid until the
 * next call. */
const char *cfx_write(const char *dir, const char *name, const char *text);

/* Write text as cfx_dir/name and load it; the test fails with the loader's
 * error when it does not load. The caller frees the configuration. */
wjr_study_config *cfx_load(const char *name, const char *text);

/* Write text as cfx_dir/name: loading it must fail with WJR_ECONFIG and
 * the error "<path>:<message>", exactly; what names the case in a failure. */
void cfx_expect_error(const char *name, const char *text, const char *message, const char *what);

#endif
