/*
 * jsondiff.c - the line that says where two JSON values differ
 * (src/jsondiff.c), as a refused resume shows it:
 *  - equal values give "";
 *  - objects by key, with a missing key shown as (none);
 *  - named entries (parameters, metrics) by name, so that removing one
 *    is one change and not a change at every later position;
 *  - arrays of objects by position, arrays of numbers whole;
 *  - at most max_items, then "and N more"; long values cut with "...".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsondiff.h"

/* wjr_json_diff of two JSON texts, compared with want. */
static void diff_cut_is(const char *was, const char *now, size_t max, size_t value_max,
                        const char *want)
{
    json_t *a = json_loads(was, JSON_DECODE_ANY, NULL), *b = json_loads(now, JSON_DECODE_ANY, NULL);
    char *got;

    assert_non_null(a);
    assert_non_null(b);
    got = wjr_json_diff(a, b, max, value_max);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    json_decref(a);
    json_decref(b);
}

static void diff_is(const char *was, const char *now, size_t max, const char *want)
{
    diff_cut_is(was, now, max, 60, want);
}

static void equal_values_say_nothing(void **state)
{
    (void)state;
    diff_is("{\"a\":[1,2],\"b\":{\"c\":null}}", "{\"b\":{\"c\":null},\"a\":[1,2]}", 4, "");
}

static void objects_key_by_key(void **state)
{
    (void)state;
    diff_is("{\"a\":1,\"b\":{\"c\":true,\"d\":\"x\"}}", "{\"a\":1,\"b\":{\"c\":false},\"e\":2}", 4,
            "b.c: true -> false; b.d: \"x\" -> (none); e: (none) -> 2");
}

static void named_entries_by_name(void **state)
{
    (void)state;
    /* x2 removed: one change, x3 not compared with what was x2's place */
    diff_is(
        "{\"parameters\":[{\"name\":\"x1\",\"bounds\":[0,1]},{\"name\":\"x2\"},"
        "{\"name\":\"x3\",\"bounds\":[0,5]}]}",
        "{\"parameters\":[{\"name\":\"x1\",\"bounds\":[0,2]},{\"name\":\"x3\",\"bounds\":[0,5]},"
        "{\"name\":\"x4\"}]}",
        4,
        "parameters[x1].bounds: [0, 1] -> [0, 2]; parameters[x2]: {\"name\": \"x2\"} -> (none); "
        "parameters[x4]: (none) -> {\"name\": \"x4\"}");
}

static void reordered_entries_are_a_change(void **state)
{
    (void)state;
    /* the same parameters in another order: not "" (that means equal) */
    diff_is("{\"p\":[{\"name\":\"x1\"},{\"name\":\"x2\"}]}",
            "{\"p\":[{\"name\":\"x2\"},{\"name\":\"x1\"}]}", 4,
            "p (order): [\"x1\", \"x2\"] -> [\"x2\", \"x1\"]");
}

static void arrays_of_objects_by_position(void **state)
{
    (void)state;
    diff_is("{\"steps\":[{\"model\":\"SOBOL\",\"num_trials\":5},{\"model\":\"GPEI\"}]}",
            "{\"steps\":[{\"model\":\"SOBOL\",\"num_trials\":8},{\"model\":\"GPEI\"}]}", 4,
            "steps[0].num_trials: 5 -> 8");
    /* a step added: the lists differ in length, shown whole */
    diff_is("{\"s\":[{\"m\":1}]}", "{\"s\":[{\"m\":1},{\"m\":2}]}", 4,
            "s: [{\"m\": 1}] -> [{\"m\": 1}, {\"m\": 2}]");
    /* strings whole too, and the same name twice is not matched by name */
    diff_is("{\"c\":[\"x <= 1\"]}", "{\"c\":[\"x <= 2\"]}", 4, "c: [\"x <= 1\"] -> [\"x <= 2\"]");
    diff_is("[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":2}]",
            "[{\"name\":\"a\",\"v\":1},{\"name\":\"a\",\"v\":3}]", 4, "[1].v: 2 -> 3");
}

/* names with the path's own characters are quoted: a.b is not a["b"] */
static void names_that_blur_the_path_are_quoted(void **state)
{
    (void)state;
    diff_is("{\"p\":[{\"name\":\"a.b\",\"v\":1}],\"a\":{\"b\":1}}",
            "{\"p\":[{\"name\":\"a.b\",\"v\":2}],\"a\":{\"b\":2}}", 4,
            "p[\"a.b\"].v: 1 -> 2; a.b: 1 -> 2");
    diff_is("{\"x]\":1,\"\":1,\"a b\":1,\"q\\\"\":1,\"d\u00e9j\u00e0\":1}",
            "{\"x]\":2,\"\":2,\"a b\":2,\"q\\\"\":2,\"d\u00e9j\u00e0\":2}", 8,
            "[\"x]\"]: 1 -> 2; [\"\"]: 1 -> 2; [\"a b\"]: 1 -> 2; [\"q\\\"\"]: 1 -> 2; "
            "d\u00e9j\u00e0: 1 -> 2");
}

static void at_most_max_items(void **state)
{
    (void)state;
    diff_is("{\"a\":1,\"b\":1,\"c\":1,\"d\":1}", "{\"a\":2,\"b\":2,\"c\":2,\"d\":2}", 2,
            "a: 1 -> 2; b: 1 -> 2; and 2 more");
    diff_is("1", "2", 4, "(the whole value): 1 -> 2");
}

static void long_values_cut_short(void **state)
{
    char was[200], want[300];

    (void)state;
    snprintf(was, sizeof(was), "{\"v\":\"%0100d\"}", 0);
    snprintf(want, sizeof(want), "v: \"%059d... -> 1", 0);
    diff_is(was, "{\"v\":1}", 4, want);
    /* never inside a UTF-8 character: "é" is 2 bytes, the cut at byte 3
     * would fall in the second */
    diff_cut_is("\"a\xc3\xa9"
                "b\"",
                "1", 4, 3, "(the whole value): \"a... -> 1");
    /* with no limit, whole */
    snprintf(want, sizeof(want), "v: \"%0100d\" -> 1", 0);
    diff_cut_is(was, "{\"v\":1}", 4, 0, want);
}

static void reals_read_as_written(void **state)
{
    (void)state;
    diff_is("{\"b\":[0.1,0.9]}", "{\"b\":[0.1,1.5]}", 4, "b: [0.1, 0.9] -> [0.1, 1.5]");
    diff_is("{\"b\":-5.0}", "{\"b\":10.0}", 4, "b: -5.0 -> 10.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_values_say_nothing),
        cmocka_unit_test(objects_key_by_key),
        cmocka_unit_test(named_entries_by_name),
        cmocka_unit_test(arrays_of_objects_by_position),
        cmocka_unit_test(at_most_max_items),
        cmocka_unit_test(long_values_cut_short),
        cmocka_unit_test(reordered_entries_are_a_change),
        cmocka_unit_test(reals_read_as_written),
        cmocka_unit_test(names_that_blur_the_path_are_quoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
