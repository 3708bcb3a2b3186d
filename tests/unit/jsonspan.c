/*
 * jsonspan.c - JSON text used as written (src/jsonspan.c):
 *  - a member's value is found where jansson would take it from: at the
 *    object's top level, the last of repeated keys, never inside a string
 *    or a nested value; text it cannot be sure of (whitespace, a key with
 *    an escape, a NUL byte, no object) says so instead of guessing;
 *  - compact text re-indented is the text jansson's JSON_INDENT(2) writes
 *    of the parsed value, at depth 0 and nested deeper.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "jsonspan.h"
#include "util.h"

/* The span of key in text, as a string ("" when none); the result code. */
static int span(char *out, size_t size, const char *text, const char *key)
{
    size_t off = 0, len = 0;
    int rc = wjr_json_member_span(text, strlen(text), key, &off, &len);

    snprintf(out, size, "%.*s", rc == 1 ? (int)len : 0, text + off);
    return rc;
}

static void spans_where_jansson_reads(void **state)
{
    static const char line[] =
        "{\"index\":3,\"run\":{\"reason\":\"a "
        "},\\\"parameters\\\":{\",\"n\":[1,{\"parameters\":2}],"
        "\"parameters\":{\"x\":-1.5e-3,\"s\":\"{[,:]}\"},\"metrics\":null,\"t\":true}}";
    char out[256];
    json_t *parsed, *run;
    size_t off, len;

    (void)state;
    parsed = json_loads(line, 0, NULL);
    assert_non_null(parsed); /* the test's own text is JSON */
    assert_int_equal(span(out, sizeof(out), line, "index"), 1);
    assert_string_equal(out, "3");
    assert_int_equal(span(out, sizeof(out), line, "run"), 1);
    run = json_object_get(parsed, "run");
    assert_int_equal(wjr_json_member_span(line, strlen(line), "run", &off, &len), 1);
    /* in run: not the quoted decoy, not the array's object */
    {
        const char *r = line + off, *p;
        size_t roff, rlen;

        assert_int_equal(wjr_json_member_span(r, len, "parameters", &roff, &rlen), 1);
        p = strstr(line, "\"parameters\":{\"x\"") + strlen("\"parameters\":");
        assert_ptr_equal(r + roff, p);
        assert_int_equal(rlen, strlen("{\"x\":-1.5e-3,\"s\":\"{[,:]}\"}"));
        assert_true(json_is_object(json_object_get(run, "parameters")));
        assert_int_equal(wjr_json_member_span(r, len, "metrics", &roff, &rlen), 1);
        assert_memory_equal(r + roff, "null", rlen);
        assert_int_equal(wjr_json_member_span(r, len, "n", &roff, &rlen), 1);
        assert_memory_equal(r + roff, "[1,{\"parameters\":2}]", rlen);
    }
    /* the line's own members: no parameters at its top level */
    assert_int_equal(span(out, sizeof(out), line, "parameters"), 0);
    json_decref(parsed);
    assert_int_equal(span(out, sizeof(out), "{}", "run"), 0);
    assert_int_equal(span(out, sizeof(out), "{\"a\":[],\"b\":{}}", "b"), 1);
    assert_string_equal(out, "{}");
    assert_int_equal(span(out, sizeof(out), "{\"a\":\"\\\\\",\"b\":\"\\\"\"}", "b"), 1);
    assert_string_equal(out, "\"\\\"\"");
}

static void repeated_keys_give_the_last(void **state)
{
    static const char text[] = "{\"p\":{\"x\":1},\"q\":0,\"p\":{\"x\":2}}";
    json_t *parsed = json_loads(text, 0, NULL);
    char out[64], *dumped;

    (void)state;
    assert_int_equal(span(out, sizeof(out), text, "p"), 1);
    dumped = json_dumps(json_object_get(parsed, "p"), JSON_COMPACT);
    assert_string_equal(out, dumped); /* jansson keeps the last too */
    free(dumped);
    json_decref(parsed);
}

static void unsure_text_says_so(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(span(out, sizeof(out), "{\"a\": 1}", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "{\"a\":{\"b\": 1}}", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "{\"\\u0061\":1}", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "[1,2]", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "{\"a\":1", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "{\"a\":", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "{\"a\":\"cut", "a"), -1);
    assert_int_equal(span(out, sizeof(out), "", "a"), -1);
    {
        /* jansson takes this text (a NUL after a number): a copy of the
         * span would end at the NUL (found by fuzz_study) */
        static const char nul[] = "{\"p\":{\"x\":12\0,\"n\":7},\"q\":1}";
        json_t *v = json_loadb(nul, sizeof(nul) - 1, 0, NULL);
        size_t off, len;

        assert_non_null(v);
        json_decref(v);
        assert_int_equal(wjr_json_member_span(nul, sizeof(nul) - 1, "p", &off, &len), -1);
        assert_int_equal(wjr_json_member_span(nul, sizeof(nul) - 1, "q", &off, &len), -1);
    }
}

/* wjr_buf_json_indent of text's compact dump, against jansson's indent. */
static void assert_indents_as_jansson(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL), *wrap;
    char *compact, *expected, *nested;
    wjr_buf b = WJR_BUF_INIT;
    const char *at;

    assert_non_null(v);
    compact = wjr_json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    expected = wjr_json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    wjr_buf_json_indent(&b, compact, strlen(compact), 0);
    assert_string_equal(b.ptr, expected);
    /* two levels down, as a trial's member in the status document */
    wrap = json_pack("{s{sO}}", "a", "b", v);
    nested = wjr_json_dumps(wrap, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    at = strstr(nested, "\"b\": ") + 5;
    b.len = 0;
    wjr_buf_json_indent(&b, compact, strlen(compact), 2);
    assert_memory_equal(at, b.ptr, b.len);
    assert_string_equal(at + b.len, "\n  }\n}");
    wjr_buf_free(&b);
    free(nested);
    json_decref(wrap);
    free(compact);
    free(expected);
    json_decref(v);
}

static void indents_as_jansson(void **state)
{
    static const char *const texts[] = {
        "{}",
        "[]",
        "{\"x\":1.5,\"layers\":2,\"opt\":\"adam\"}",
        "{\"loss\":{\"mean\":0.25,\"sem\":null},\"acc\":{\"mean\":1e-300,\"sem\":0.5}}",
        "{\"a\":[],\"b\":{},\"c\":[1,[2,[]],{\"d\":{}}]}",
        "{\"s\":\"{[,:]} \\\"q\\\" \\\\ \\u00e9 \\n\",\"t\":true,\"f\":false}",
        "[{\"a\":1},{\"b\":[null]}]",
        "{\"deep\":{\"er\":{\"still\":{\"more\":{\"and\":{\"more\":{\"x\":[1,2,3]}}}}}}}",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        assert_indents_as_jansson(texts[i]);
}

/* Whitespace in the text, as a hand-edited file has it, is left out. */
static void spaces_are_dropped(void **state)
{
    static const char spaced[] = "{ \"x\" : 1 ,\n \"y\" : [ 2 , \"a b\" ] }";
    wjr_buf b = WJR_BUF_INIT;

    (void)state;
    wjr_buf_json_indent(&b, spaced, strlen(spaced), 0);
    assert_string_equal(b.ptr, "{\n  \"x\": 1,\n  \"y\": [\n    2,\n    \"a b\"\n  ]\n}");
    wjr_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spans_where_jansson_reads), cmocka_unit_test(repeated_keys_give_the_last),
        cmocka_unit_test(unsure_text_says_so),       cmocka_unit_test(indents_as_jansson),
        cmocka_unit_test(spaces_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
