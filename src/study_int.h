/*
 * study_int.h - private parts of the study configuration and generators,
 * shared by config.c, generator.c and study.c.
 */
#ifndef WJR_STUDY_INT_H
#define WJR_STUDY_INT_H

#include <jansson.h>

#include "wjr/study.h"
#include "wjr/backend.h"
#include "wjr/wrapper.h"
#include "wjr/runner.h"
#include "config_slurm.h"

typedef enum { WJR_PARAM_RANGE, WJR_PARAM_CHOICE, WJR_PARAM_FIXED } wjr_param_kind;

typedef struct wjr_param {
    char *name;
    wjr_param_kind kind;
    int is_int;     /* range: value_type int */
    int log_scale;  /* range */
    double lo, hi;  /* range bounds */
    json_t *values; /* choice: JSON array of scalars; fixed: the value (json) */
    int has_digits; /* range float: round to `digits` decimals */
    int digits;
    int is_ordered; /* choice: -1 unset, else as written (kept for the record) */
} wjr_param;

typedef enum { WJR_MODEL_SOBOL, WJR_MODEL_RANDOM, WJR_MODEL_GPEI } wjr_model;

typedef struct wjr_gen_step {
    wjr_model model;
    int64_t num_trials;      /* -1: the rest */
    int64_t max_parallelism; /* trials in flight while it generates; -1: no cap of its own */
} wjr_gen_step;

typedef struct wjr_metric {
    char *name;
    int minimize;
    int minimize_given;  /* minimize or lower_is_better was written */
    char *function;      /* BOA's metric function as written (`metric:`), or NULL */
    json_t *func_kwargs; /* metric_func_kwargs object, or NULL */
    json_t *param_names; /* array of parameter names, or NULL */
    json_t *properties;  /* properties object, or NULL */
    double noise_sd;     /* NAN: not given */
    double weight;       /* NAN: not given */
    double threshold;    /* objective_thresholds (several objectives); NAN: none */
    int info_only;
} wjr_metric;

/* parameter_constraints: sum(coef[i] * params[i]) <= bound */
typedef struct wjr_linear_constraint {
    char *text;   /* as written, for messages */
    double *coef; /* [n_params] */
    double bound;
} wjr_linear_constraint;

/* objective.outcome_constraints: metric <= bound (upper) or >= bound */
typedef struct wjr_outcome_constraint {
    char *text;
    char *metric;
    int upper;
    double bound;
} wjr_outcome_constraint;

struct wjr_study_config {
    char *path; /* absolute path of the file read */
    char *dir;  /* folder relative paths are resolved against */

    wjr_metric *metrics;
    size_t n_metrics;
    const char **metric_names; /* NULL-terminated, borrowed from metrics */
    wjr_param *params;
    size_t n_params;

    long long seed;
    int sobol_origin; /* SOBOL's points start at the origin (studies made since it
                       * did); 0: GSL's sequence from its second point, as before */
    wjr_gen_step *steps;
    size_t n_steps;
    int default_steps; /* the configuration named no steps (config_strategy.c) */
    wjr_linear_constraint *linear;
    size_t n_linear;
    wjr_outcome_constraint *outcome;
    size_t n_outcome;

    int64_t total_trials; /* -1: not set */
    int64_t max_pending_trials;
    int run_trials_in_batches;
    double tolerated_failure_rate;
    int64_t min_failed_for_rate; /* bad trials before the rate is checked (Ax's 5) */
    double init_seconds_between_polls;
    double ttl_seconds;        /* 0: none */
    int64_t max_infra_retries; /* resubmissions after the cluster's failures */

    char *run_model;
    char *write_configs;
    char *set_trial_status;
    char *fetch_trial_data;
    char *experiment_dir; /* absolute */

    char *working_dir;      /* where commands run; NULL: the trial directory */
    json_t *model_options;  /* passed to the scripts in data.json, or NULL */
    int objective_minimize; /* objective.minimize (scalarized objectives), -1: unset */
    double output_wait;     /* seconds to wait for a late output file */
    char *rendered;         /* YAML: the text after BOA's template variables */
    char *metrics_json;     /* the metrics' BOA settings for the wrapper */
    char *model_options_json;
    int is_yaml;

    /* what is valid but likely a mistake: "file:line: ..." lines, or NULL */
    char *warnings;

    char *partition, *time, *mem, *account, *qos, *constraint, *gres;
    int cpus_per_task;
    char **env; /* NULL-terminated */
    int array_throttle;
    int requeue;       /* -1: default */
    wjr_slurm_cfg res; /* nodes, tasks, GPUs, per-trial keys: config_slurm.c */
};

/* What a study cannot change once it has trials (parameters, metrics,
 * constraints, generation steps) as canonical JSON text, malloc'd, or
 * NULL when out of memory (study_describe.c). */
char *wjr__study_fixed_text(const wjr_study_config *c);

/* Load with relative paths resolved against base_dir (NULL: the file's folder). */
int wjr_study_config_load_from(wjr_study_config **out, const char *path, const char *base_dir);

/* Fill option structs whose strings borrow from config. */
void wjr_study_config_slurm_options(wjr_slurm_options *out, const wjr_study_config *config);
void wjr_study_config_script_options(wjr_script_options *out, const wjr_study_config *config);

/* A runner over the configuration's Slurm backend and script wrapper;
 * opts as for wjr_runner_new(). */
int wjr_study_config_new_runner(wjr_runner **out, const wjr_study_config *cfg,
                                const wjr_runner_options *opts);

/* Check a parameters object against the declared parameters (none: any object). */
int wjr_study_config_check_params(const wjr_study_config *config, json_t *params);

/* ---- generation strategy and constraints (config_strategy.c) ------------ */

/* The name of a step's model ("SOBOL", "RANDOM", "GPEI"). */
const char *wjr__model_name(wjr_model model);
/* A step's model by name (case-insensitive: SOBOL, RANDOM or UNIFORM, GPEI
 * or BOTORCH_MODULAR); -1 when unknown. */
int wjr__config_parse_model(wjr_model *out, const char *name);

/* Add "<message>\n" to cfg->warnings (wjr_study_config_warnings). */
int wjr__config_warn(wjr_study_config *cfg, const char *fmt, ...) WJR_FORMAT(2, 3);
/* The step trial `index` of the strategy belongs to, or -1 past the end. */
int64_t wjr__config_step_of(const wjr_study_config *cfg, int64_t index);
/* The parameters object satisfies every parameter constraint (0 also
 * without memory for more than 32 parameters). */
int wjr__config_params_feasible(const wjr_study_config *cfg, json_t *params);
/* The same for the parameters' values x[n_params]; a value a constraint
 * weighs that is not finite (NAN: not a number) breaks it. */
int wjr__config_values_feasible(const wjr_study_config *cfg, const double *x);
/* The region the parameter constraints leave, on the unit cube of the
 * varying parameters (in order; fixed ones left out) that the generators
 * map to values: a range's value is lo + u (hi - lo), an integer's about
 * lo - 0.5 + u (hi - lo + 1) before it is rounded. Initializes *out (the
 * caller clears it). Returns 0 or WJR_ENOMEM with its message. */
struct wjr_polytope;
int wjr__config_constraint_region(struct wjr_polytope *out, const wjr_study_config *cfg);
/* The metrics object ({"m": {"mean": x}} or {"m": x}) satisfies every
 * outcome constraint (a missing metric does not). */
int wjr__config_outcomes_ok(const wjr_study_config *cfg, json_t *metrics);
/* The objectives (config_objective.c): metric k is optimized (the first
 * metric not info_only; with weights, every weighted one; with several
 * metrics and no weights, every one not info_only). */
int wjr__config_is_objective(const wjr_study_config *cfg, size_t k);
/* Number of objectives of a multi-objective study (several metrics, no
 * weights); 1 otherwise (one metric, or their weighted sum), 0 without
 * metrics. */
size_t wjr__config_objectives(const wjr_study_config *cfg);
/* 1 when a metric not info_only has a weight: BOA's scalarized objective. */
int wjr__config_weighted(const wjr_study_config *c);
#define WJR_MAX_OBJECTIVES 16
/* Objective j's metric (NULL for a weighted sum, or past the last), and
 * its direction (1: minimize). */
const wjr_metric *wjr__config_objective_metric(const wjr_study_config *c, size_t j);
int wjr__config_objective_minimize(const wjr_study_config *c, size_t j);

/* A generator positioned at a trial index, resumable by regeneration. */
typedef struct wjr_generator wjr_generator;

int wjr_generator_new(wjr_generator **out, const wjr_study_config *config);
/* Parameters of trial `index` (a new reference). Indices may come in any
 * order; drawing forward from the last one is cheap, going back re-skips. */
int wjr_generator_draw(json_t **out, wjr_generator *gen, int64_t index);
void wjr_generator_free(wjr_generator *gen);

/* GPEI suggestions for the study's next `count` trials, as parameters
 * objects (study_gpei.c); the optimizer's warnings go to log. */
int wjr__study_gpei_suggest(json_t **out, const wjr_study *study, size_t step, size_t count,
                            int64_t first_index, wjr_log_fn log, void *log_payload);

/* ---- the study driver's record (study*.c) -------------------------------- */

typedef struct study_trial {
    int64_t index;
    char *params_json; /* compact JSON object, until the runner has the trial; then NULL,
                          and the runner's record holds them (wjr__study_params) */
    char *override_reason;
    const char *step;          /* generation step that made it (static), NULL: external */
    double value;              /* settled: its objective value if it can be best, else NAN */
    wjr_trial_status override; /* FAILED (ttl), ABANDONED (cancelled before submit) */
    wjr_trial_status last;     /* status seen at the last step, to log changes */
    /* small, and packed: a study of 100,000 trials holds as many */
    signed char overridden; /* the study decided the status itself */
    signed char settled;    /* its row can no longer change (terminal for study and runner);
                               the views (study_view.c) then keep value and feasible */
    signed char feasible;   /* settled: as wjr_study_trial.feasible (-1, 0, 1) */
    signed char touched;    /* changed since the store's last record (study_store.c) */
} study_trial;

typedef struct wjr_store wjr_store; /* study_store.c */

struct wjr_study {
    char *dir;              /* absolute experiment directory */
    char *config_dir;       /* folder the configuration's relative paths refer to */
    char *config_source;    /* absolute path of the file the study was created from
                               (NULL: not known, a study older than the field) */
    uint64_t config_digest; /* FNV-1a of that file's bytes as last seen */
    uint64_t fixed_digest;  /* FNV-1a of wjr__study_fixed_text(config) at creation */
    int has_fixed_digest;   /* 0: a study older than the field */
    char *fixed_text;       /* that text, canonical JSON (NULL: a study older than it) */
    int fixed_changed;      /* the copy now differs there: wjr_study_step refuses */
    char *fixed_change;     /* what differs, from wjr_json_diff (NULL: not known) */
    wjr_study_config *config;
    wjr_runner *runner;
    wjr_generator *gen;
    long long seed;
    int sobol_origin; /* config's sobol_origin, as the study was created */
    int64_t drawn;    /* generator points used */
    int used_up;      /* GPEI found no untried point: generate nothing more */
    study_trial *trials;
    size_t n_trials, cap;
    unsigned int flags;
    int64_t unread_below; /* WJR_STUDY_SUBMIT_ONLY: trials below this index were not read */
    int lock_fd;
    wjr_store *store; /* the snapshot and the journal; NULL until loaded or first saved */
    void *sink;       /* wjr_log_file_sink */
    wjr_log_fn user_log;
    void *user_payload;
    int log_level;
    int reconciled;
    wjr_study_state state;
    double delay;
    int stale;
    int changed;
    int results_stale; /* the runner changed a trial since results.csv was written */
    int submit_failures;
    int has_best; /* study_view.c: the best settled trial, kept as trials settle */
    int64_t best_index;
    double best_value;
    /* study_view.c: with several objectives, the Pareto front of the
     * settled trials, kept as they settle: their indices and objectives */
    int64_t *front_index;
    double *front_y; /* [n_front * objectives] */
    size_t n_front, front_cap;
    struct study_csv *csv; /* study_csv.c: results.csv's columns and settled rows */
};

#endif
