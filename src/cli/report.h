/*
 * report.h - what the files of `wjr report` share: the report's model of a
 * study (filled once from the public study API by report_data.c), the
 * figures derived from it, the SVG charts (report_svg.c, report_pareto.c,
 * drawn with report_plot.h) and the HTML page (report_html.c). cmd_report.c owns a report from load
 * to free; the writers only read it.
 */
#ifndef WJR_CLI_REPORT_H
#define WJR_CLI_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include <wjr.h>

/* One trial as the report sees it. Strings are borrowed from the study,
 * which outlives the report. */
typedef struct report_trial {
    int64_t index;
    wjr_trial_status status;
    const char *job_id;         /* NULL while not submitted */
    const char *slurm_state;    /* last seen, or NULL */
    const char *reason;         /* NULL when none */
    const char *trial_dir;      /* NULL while not submitted */
    json_t *params;             /* owned: the parameters object */
    double value;               /* the objective's mean; NAN when none */
    int64_t submit, start, end; /* Unix seconds, 0 while unknown */
    int exit_code;              /* -1 when unknown */
    int term_signal;
    uint32_t restarts;
    /* Optional per-trial labels, filled by report_trial_labels(): the
     * generation step ("SOBOL", "GPEI"...) or NULL; 1 feasible, 0
     * infeasible, -1 unknown (no outcome constraints). */
    const char *step;
    int feasible;
    int pareto; /* on the Pareto front: 1 or 0; -1 with one objective */
    int series; /* the step's place among report_steps() (0..7, 6 for any past the
                   eighth), -1 for none: its colour and thinning series */
} report_trial;

typedef enum { REPORT_RANGE, REPORT_CHOICE, REPORT_FIXED } report_param_kind;

/* One declared parameter (borrowed from the study description). */
typedef struct report_param {
    const char *name;
    report_param_kind kind;
    int log_scale;
    int is_int;
    double lo, hi;  /* range bounds */
    json_t *values; /* choice: the values (borrowed) */
} report_param;

/* Queue and run-time figures over the submitted trials. */
typedef struct report_stats {
    size_t n_started, n_ended;
    double wait_median, wait_p90; /* seconds, NAN when no trial started */
    double run_median, run_p90;   /* seconds, NAN when no trial ended */
    double node_hours;            /* one node per job: run time summed */
    double cpu_hours;             /* run time times cpus_per_task */
    double wait_share;            /* waiting / (waiting + running), NAN if none */
    int64_t t0, t1;               /* first submit, last end (or now) */
    size_t max_in_flight;
} report_stats;

/* One objective of a study with several (the description's "objectives"). */
typedef struct report_objective {
    const char *metric; /* borrowed from the description */
    int minimize;
    double threshold; /* NAN when none */
} report_objective;

#define REPORT_MAX_OBJECTIVES 16

typedef struct report {
    json_t *desc; /* owned: wjr_study_describe_json() parsed */
    const char *study_id, *dir, *state;
    const char *metric; /* objective metric, NULL when none */
    int minimize;
    char *fallback_metric; /* owned: the metric used when no objective is set */
    report_trial *trials;  /* index order */
    size_t n;
    report_param *params; /* declared, or derived from the trials when none is */
    size_t n_params;
    json_t *derived; /* owned: names and values of derived parameters */
    const char *cluster, *partition, *slurm_version; /* NULL when unknown */
    int cpus_per_task;
    wjr_study_progress progress;
    long best; /* position of the best trial in trials[], -1 if none */
    /* several objectives (0 with one): each completed trial's values in
     * obj_values (owned), row i for trials[i], NAN where not reported */
    report_objective objectives[REPORT_MAX_OBJECTIVES];
    size_t n_objectives;
    double *obj_values;
    int64_t now;
    report_stats stats;
} report;

/* Fill @p r from an open study (read-only use). 0 or a wjr error code. */
int report_load(report *r, const wjr_study *study);
void report_free(report *r);

/* The optional labels of one trial (generation step, feasibility). */
void report_trial_labels(report_trial *out, const wjr_study_trial *t);

/* The last @p max_lines lines (at most @p max_bytes bytes) of the trial's
 * stderr file, malloc'd, or NULL when there is none. */
char *report_stderr_tail(const report *r, const report_trial *t, int max_lines, size_t max_bytes);

/* Quantile q (0..1, nearest rank) of n values, sorted in place; NAN if n==0. */
double report_quantile(double *v, size_t n, double q);

/* Text with & < > " ' escaped for HTML and SVG (text and attributes). */
void report_escape(FILE *out, const char *text);

/* "1h 02m", "3m 20s", "45 s": a duration for people. */
void report_duration(char *buf, size_t size, double seconds);

/* The charts, each one <svg> element. */
void report_svg_convergence(FILE *out, const report *r, int by_time);
void report_svg_parameter(FILE *out, const report *r, const report_param *p);
void report_svg_timeline(FILE *out, const report *r);
void report_svg_in_flight(FILE *out, const report *r);
/* Objectives a against b, the Pareto front drawn over the trials
 * (report_pareto.c). */
void report_svg_pareto(FILE *out, const report *r, size_t a, size_t b);

/* The colour of generation step @p label among the report's steps, and the
 * list of distinct steps (for legends). */
const char *report_step_colour(const report *r, const char *label);
/* The colour of a trial's series (report_trial.series). */
const char *report_series_colour(int series);
/* Fill every trial's series, once its step is known. */
void report_set_series(report *r);
size_t report_steps(const report *r, const char **out, size_t max);

/* The whole page. 0, or -1 when writing failed. */
int report_write_html(FILE *out, const report *r);

#endif
