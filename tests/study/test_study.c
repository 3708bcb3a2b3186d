/*
 * test_study.c - the study driver without a cluster: create, the files of
 * the experiment directory, the lock, study.json round trip, refusing an
 * existing study, a study.json of another schema, a corrupt study.json
 * that loses nothing, and the study's description naming each step's model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "study_int.h"
#include "wjr.h"
#include <jansson.h>

static char tmpdir[256];
static char cfg[300];
static char exp_dir[300];

static int setup(void **state)
{
    char cmd[700];
    (void)state;

    /* libslurm reads a configuration; this one names no real controller */
    setenv("SLURM_CONF", WJR_TEST_DATA "/slurm.conf", 1);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/wjr-test-study-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(cmd, sizeof(cmd),
             "sed 's#runs/demo#exp#' '%s/branin.cfg' > '%s/s.cfg' && touch '%s/model.py'",
             WJR_TEST_DATA, tmpdir, tmpdir);
    snprintf(cfg, sizeof(cfg), "%s/s.cfg", tmpdir);
    snprintf(exp_dir, sizeof(exp_dir), "%s/exp", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static int exists(const char *name)
{
    char path[600];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", exp_dir, name);
    return stat(path, &st) == 0;
}

static json_t *load_study_json(void)
{
    char path[600];

    snprintf(path, sizeof(path), "%s/study.json", exp_dir);
    return json_load_file(path, 0, NULL);
}

static void test_create_lock_reopen(void **state)
{
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study *s = NULL, *t = NULL;
    wjr_study_progress p;
    char expect[128], *json = NULL;
    json_t *root;
    (void)state;

    o.command = "wjr run s.cfg";
    assert_int_equal(wjr_study_create(&s, cfg, &o), 0);
    assert_true(exists("study.json"));
    assert_true(exists("config.cfg"));
    assert_true(exists("wjr.log"));
    assert_true(exists("results.csv"));
    assert_true(exists(".lock"));
    assert_string_equal(wjr_study_dir(s), exp_dir);
    assert_non_null(wjr_study_id(s));

    /* a second process (here: a second open file description) is refused */
    o.command = "wjr resume exp";
    assert_int_equal(wjr_study_open(&t, exp_dir, &o), WJR_ELOCKED);
    assert_null(t);
    snprintf(expect, sizeof(expect), "study locked by pid %ld on ", (long)getpid());
    assert_non_null(strstr(wjr_error_last(), expect));
    assert_non_null(strstr(wjr_error_last(), "(wjr run s.cfg)"));

    /* read-only opens need no lock */
    o.flags = WJR_STUDY_READONLY;
    assert_int_equal(wjr_study_open(&t, exp_dir, &o), 0);
    wjr_study_get_progress(&p, t);
    assert_int_equal(p.state, WJR_STUDY_RUNNING);
    assert_int_equal(p.total, 12);
    assert_int_equal(p.generated, 0);
    assert_int_equal(p.best_index, -1);
    assert_string_equal(p.best_metric, "branin");
    assert_int_equal(wjr_study_status_json(&json, t), 0);
    assert_non_null(strstr(json, "\"trials\": []"));
    free(json);
    assert_int_equal(wjr_study_step(&p, t), WJR_ESTATE);
    wjr_study_free(t);
    wjr_study_free(s);

    /* study.json: generator state, the runner's record */
    root = load_study_json();
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "__type")), "WjrStudy");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(root, "generator"), "seed")), 7);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(root, "generator"), "drawn")), 0);
    assert_true(json_is_object(json_object_get(root, "runner")));
    json_decref(root);

    /* the lock is free again */
    o.flags = 0;
    assert_int_equal(wjr_study_open(&t, exp_dir, &o), 0);
    wjr_study_free(t);
}

static void test_refuse_existing(void **state)
{
    wjr_study *s = NULL;
    (void)state;

    assert_int_equal(wjr_study_create(&s, cfg, NULL), WJR_EEXISTS);
    assert_null(s);
    assert_non_null(strstr(wjr_error_last(), "wjr resume"));
}

/* Trials recorded with the study's own statuses survive a round trip. */
static void test_round_trip(void **state)
{
    wjr_study *s = NULL;
    wjr_study_options o = WJR_STUDY_OPTIONS_INIT;
    wjr_study_trial tr;
    json_t *root, *trials;
    char path[600], *before = NULL, *after = NULL, *csv = NULL;
    (void)state;

    root = load_study_json();
    /* a study made now starts SOBOL at the origin, and says so */
    assert_true(json_is_true(json_object_get(json_object_get(root, "generator"), "sobol_origin")));
    trials = json_object_get(root, "trials");
    json_array_append_new(trials,
                          json_pack("{sIs{sfsfsssI}ssss}", "index", (json_int_t)0, "parameters",
                                    "x1", 1.5, "x2", 2.5, "opt", "a,c", "n", (json_int_t)3,
                                    "status", "FAILED", "reason", "ttl exceeded (60 s)"));
    json_array_append_new(trials,
                          json_pack("{sIs{sfsfsssI}}", "index", (json_int_t)1, "parameters", "x1",
                                    -1.0, "x2", 0.5, "opt", "b,\"q\"", "n", (json_int_t)8));
    snprintf(path, sizeof(path), "%s/study.json", exp_dir);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(1)), 0);
    json_decref(root);

    assert_int_equal(wjr_study_open(&s, exp_dir, &o), 0);
    assert_int_equal(wjr_study_trial_count(s), 2);
    assert_int_equal(wjr_study_trial_at(&tr, s, 0), 0);
    assert_int_equal(tr.status, WJR_TRIAL_FAILED);
    assert_string_equal(tr.reason, "ttl exceeded (60 s)");
    assert_int_equal(wjr_study_trial_at(&tr, s, 1), 0);
    assert_int_equal(tr.status, WJR_TRIAL_CANDIDATE);
    assert_null(tr.job_id);
    assert_int_equal(wjr_study_status_json(&before, s), 0);
    assert_int_equal(wjr_study_results_csv(&csv, s), 0);
    assert_string_equal(csv, "trial_index,status,job_id,generation_method,x1,x2,opt,n,branin,"
                             "branin_sem,reason\n"
                             "0,FAILED,,,1.5,2.5,\"a,c\",3,,,ttl exceeded (60 s)\n"
                             "1,CANDIDATE,,,-1,0.5,\"b,\"\"q\"\"\",8,,,\n");
    free(csv);
    /* cancelling a trial never submitted needs no cluster */
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){1}, 1, "not wanted"), 0);
    wjr_study_free(s);

    assert_int_equal(wjr_study_open(&s, exp_dir, &o), 0);
    assert_int_equal(wjr_study_trial_at(&tr, s, 1), 0);
    assert_int_equal(tr.status, WJR_TRIAL_ABANDONED);
    assert_string_equal(tr.reason, "not wanted");
    assert_int_equal(s->config->sobol_origin, 1);
    assert_int_equal(wjr_study_status_json(&after, s), 0);
    assert_string_not_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){7}, 1, NULL), WJR_ENOTFOUND);
    wjr_study_free(s);

    /* a study from before SOBOL started at the origin keeps its sequence,
     * and keeps it through the next write */
    root = load_study_json();
    assert_int_equal(json_object_del(json_object_get(root, "generator"), "sobol_origin"), 0);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(1)), 0);
    json_decref(root);
    assert_int_equal(wjr_study_open(&s, exp_dir, &o), 0);
    assert_int_equal(s->config->sobol_origin, 0);
    assert_int_equal(wjr_study_cancel(NULL, s, (int64_t[]){1}, 1, "again"), 0);
    wjr_study_free(s);
    assert_int_equal(wjr_study_open(&s, exp_dir, &o), 0);
    assert_int_equal(s->config->sobol_origin, 0);
    wjr_study_free(s);
}

/* The description names every step's model, GPEI included. */
static void test_describe_models(void **state)
{
    wjr_study *s = NULL;
    json_t *root, *steps;
    char cmd[1000], path[600], *text = NULL;
    const char *want[] = {"SOBOL", "RANDOM", "GPEI"};
    size_t i;
    (void)state;

    snprintf(path, sizeof(path), "%s/steps.cfg", tmpdir);
    snprintf(cmd, sizeof(cmd),
             "sed -e 's#runs/demo#exp-steps#' -e 's#^generation_strategy.*#generation_strategy = "
             "{ steps = ( { model = \"SOBOL\"; num_trials = 3; }, { model = \"RANDOM\"; "
             "num_trials = 2; }, { model = \"GPEI\"; num_trials = -1; } ); };#' '%s/branin.cfg' "
             "> '%s'",
             WJR_TEST_DATA, path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(wjr_study_create(&s, path, NULL), 0);
    assert_int_equal(wjr_study_describe_json(&text, s), 0);
    root = json_loads(text, 0, NULL);
    assert_non_null(root);
    steps = json_object_get(json_object_get(root, "generation_strategy"), "steps");
    assert_int_equal(json_array_size(steps), 3);
    for (i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(steps, i), "model")),
                            want[i]);
    json_decref(root);
    free(text);
    wjr_study_free(s);
}

static void test_bad_params_lose_nothing(void **state)
{
    wjr_study *s = NULL;
    char *out = NULL;
    const char *batch[] = {"{\"x1\": 1.0, \"x2\": 2, \"opt\": \"a\", \"n\": 3}",
                           "{\"x1\": 1.0, \"x2\": 2, \"opt\": \"'; rm -rf ~ #\", \"n\": 3}"};
    (void)state;

    assert_int_equal(wjr_study_open(&s, exp_dir, NULL), 0);
    assert_int_equal(wjr_study_submit(&out, s, "{\"x1\": "), WJR_EINVALID);
    assert_int_equal(wjr_study_submit(&out, s, "{\"x1\": 1, \"x1\": 2}"), WJR_EINVALID);
    assert_int_equal(wjr_study_submit_batch(&out, s, batch, 2), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "parameters 2"));
    assert_null(out);
    assert_int_equal(wjr_study_trial_count(s), 2);
    wjr_study_free(s);
}

static void test_corrupt_study_json(void **state)
{
    wjr_study *s = NULL;
    json_t *root;
    char path[600], *text;
    FILE *f;
    (void)state;

    /* a study file of another schema is refused, not misread */
    root = load_study_json();
    assert_non_null(root);
    json_object_set_new(root, "schema",
                        json_integer(json_integer_value(json_object_get(root, "schema")) + 1));
    snprintf(path, sizeof(path), "%s/study.json", exp_dir);
    assert_int_equal(json_dump_file(root, path, JSON_INDENT(1)), 0);
    json_decref(root);
    assert_int_equal(wjr_study_open(&s, exp_dir, NULL), WJR_EINVALID);
    assert_null(s);
    assert_non_null(strstr(wjr_error_last(), "another wjr version"));

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"__type\": \"WjrStudy\", ", f);
    fclose(f);
    assert_int_equal(wjr_study_open(&s, exp_dir, NULL), WJR_EINVALID);
    assert_null(s);
    f = fopen(path, "r");
    text = calloc(1, 64);
    assert_non_null(fgets(text, 64, f));
    fclose(f);
    assert_string_equal(text, "{\"__type\": \"WjrStudy\", "); /* untouched */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_lock_reopen), cmocka_unit_test(test_refuse_existing),
        cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_bad_params_lose_nothing),
        cmocka_unit_test(test_corrupt_study_json), cmocka_unit_test(test_describe_models),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
