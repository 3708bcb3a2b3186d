/*
 * numbers.c - numbers are written in the shortest form that reads back as
 * the same double (src/util.c: wjr_format_double, wjr_json_dumps), in the
 * metrics, the parameters and every JSON text wjr writes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "test_util.h"
#include "util.h"

/* The shortest text of v (or, where jansson's own is as short, that one:
 * jansson 2.15 writes 1e300 where 2.14 wrote 1e+300), and that it reads
 * back exactly. */
static void check_double2(double v, const char *want, const char *or_want)
{
    json_t *o = json_pack("{s:f}", "v", v), *back;
    char *text = wjr_json_dumps(o, JSON_COMPACT), expect[64], expect2[64];

    assert_non_null(text);
    snprintf(expect, sizeof(expect), "{\"v\":%s}", want);
    snprintf(expect2, sizeof(expect2), "{\"v\":%s}", or_want);
    if (strcmp(text, expect2) != 0)
        assert_string_equal(text, expect);
    back = json_loads(text, 0, NULL);
    assert_non_null(back);
    assert_true(json_is_real(json_object_get(back, "v")));
    assert_true(json_real_value(json_object_get(back, "v")) == v);
    json_decref(back);
    json_decref(o);
    free(text);
}

static void check_double(double v, const char *want)
{
    check_double2(v, want, want);
}

static void test_shortest_reals(void **state)
{
    (void)state;
    check_double(48.65702, "48.65702");
    check_double(0.1, "0.1");
    check_double(91.644932, "91.644932");
    check_double(2.0, "2.0");
    check_double(-1.5e-300, "-1.5e-300");
    check_double2(1e300, "1e+300", "1e300");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(0.1 + 0.2, "0.30000000000000004");
}

/* Integers, strings and keys are left as they are. */
static void test_other_tokens(void **state)
{
    json_t *o = json_loads("{\"1.10000000000000009\": \"0.10000000000000001 \\\" 2.5\", "
                           "\"n\": [12345678901234567, -3, true, null, 1.25]}",
                           0, NULL);
    char *text;

    (void)state;
    assert_non_null(o);
    text = wjr_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, "{\"1.10000000000000009\":\"0.10000000000000001 \\\" 2.5\","
                              "\"n\":[12345678901234567,-3,true,null,1.25]}");
    free(text);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shortest_reals),
        cmocka_unit_test(test_other_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
