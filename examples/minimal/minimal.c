/*
 * minimal.c - the smallest use of libwjr: create a runner from a study
 * configuration, submit two trials, stop one, and poll until the other ends.
 * Build: cc minimal.c $(pkg-config --cflags --libs wjr) -o minimal
 */
#include <stdio.h>
#include <unistd.h>

#include <wjr.h>

int main(int argc, char **argv)
{
    wjr_runner *r;
    wjr_trial_spec a = {0, "{\"x1\": 2.5, \"x2\": 7.5, \"opt\": \"a\", \"n\": 3}"};
    wjr_trial_spec b = {1, "{\"x1\": 9.0, \"x2\": 2.0, \"opt\": \"b\", \"n\": 1}"};
    const wjr_run_metadata *meta;
    wjr_poll_result *poll = NULL;

    if (wjr_runner_from_config(&r, argc > 1 ? argv[1] : "minimal.cfg") < 0 ||
        wjr_runner_run(&meta, r, &a) < 0 || wjr_runner_run(NULL, r, &b) < 0 ||
        wjr_runner_stop(r, 1, "not needed") < 0) {
        fprintf(stderr, "minimal: %s\n", wjr_error_last());
        return 1;
    }
    printf("trial 0 runs as Slurm job %s in %s\n", meta->job_id, meta->trial_dir);
    do {
        wjr_poll_result_free(poll);
        sleep(1);
        if (wjr_runner_poll(&poll, r, &a.index, 1) < 0) {
            fprintf(stderr, "minimal: %s\n", wjr_error_last());
            return 1;
        }
    } while (poll->statuses[0] == WJR_TRIAL_RUNNING);
    printf("trial 0: %s %s\n", wjr_trial_status_name(poll->statuses[0]),
           wjr_runner_trial(r, 0)->metrics_json);
    printf("trial 1: %s\n", wjr_trial_status_name(wjr_runner_trial(r, 1)->status));
    wjr_poll_result_free(poll);
    wjr_runner_free(r);
    return 0;
}
