/*
 * slurm_values.h - the text of one Slurm job option, read as sbatch reads
 * it: time limits, memory sizes, counts, node ranges, GPU and GRES
 * requests, licenses, the warning signal, export lists and names. One
 * parser per form, shared by the configuration reader (which adds
 * file:line), slurm_resources.c and the Slurm backend (which copy the
 * numbers into a job description). Private; no slurm.h.
 */
#ifndef WJR_SLURM_VALUES_H
#define WJR_SLURM_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Slurm's INFINITE (backend_slurm.c checks that they agree): a time limit
 * of UNLIMITED. */
#define WJR_SLURM_INFINITE 0xffffffffu

/* Longest GPU request text ("a100:2") that a job's resources keep. */
#define WJR_GPUS_MAX 64

/* sbatch's --time forms: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S",
 * UNLIMITED, INFINITE or -1 (WJR_SLURM_INFINITE). 0 or WJR_EINVALID. */
int wjr_slurm_parse_time(uint32_t *minutes, const char *text);

/* A job's time limit (--time): as wjr_slurm_parse_time, but 0 is no limit
 * (WJR_SLURM_INFINITE), as sbatch reads --time=0. */
int wjr_slurm_parse_time_limit(uint32_t *minutes, const char *text);

/* --mem's forms: "256" (megabytes), "256M", "4G", "1T", "512K". 0 or
 * WJR_EINVALID. */
int wjr_slurm_parse_mem(uint64_t *megabytes, const char *text);

/* A decimal integer in [lo, hi], the whole text: 0 or -1. */
int wjr_slurm_parse_int(long long *out, const char *text, long long lo, long long hi);

/* "2" (*hi = 0) or "2-4": 0 or -1. */
int wjr_slurm_parse_nodes(uint32_t *lo, uint32_t *hi, const char *text);

/* "2" or "TYPE:2", shorter than WJR_GPUS_MAX: 0 or -1. */
int wjr_slurm_check_gpus(const char *text);

/* "true" or "1": 1; "false" or "0": 0; anything else -1 (a per-trial
 * exclusive). */
int wjr_slurm_parse_bool(const char *text);

/* 1 when n bytes at s are an environment variable's name: letters,
 * digits and '_', not first a digit (export lists, env entries). */
int wjr_slurm_env_name(const char *s, size_t n);

/* "USR1@120" (also "B:", "SIG" and no "@SECONDS": Slurm's 60): the
 * signal's number and the seconds; WJR_ECONFIG otherwise. Only USR1 and
 * USR2, which the batch script forwards to the model. */
int wjr_slurm_parse_signal(int *sig, int *seconds, const char *text);

/* Slurm's MAIL_* bits (backend_slurm_submit.c checks that they agree). */
#define WJR_MAIL_BEGIN          0x0001
#define WJR_MAIL_END            0x0002
#define WJR_MAIL_FAIL           0x0004
#define WJR_MAIL_REQUEUE        0x0008
#define WJR_MAIL_TIME100        0x0010
#define WJR_MAIL_TIME90         0x0020
#define WJR_MAIL_TIME80         0x0040
#define WJR_MAIL_TIME50         0x0080
#define WJR_MAIL_STAGE_OUT      0x0100
#define WJR_MAIL_ARRAY_TASKS    0x0200
#define WJR_MAIL_INVALID_DEPEND 0x0400

/* What sbatch's --hint makes of the job description: a comma-separated
 * list of compute_bound, memory_bound, multithread and nomultithread, in
 * any case, each word applied in turn as sbatch does (0: not set;
 * ntasks_per_core WJR_SLURM_INFINITE16 is any number of tasks). 0, or
 * WJR_ECONFIG naming the word, for another word or a text of
 * WJR_HINT_MAX characters or more. */
#define WJR_HINT_MAX         64
#define WJR_SLURM_INFINITE16 0xffffu
typedef struct wjr_slurm_hint {
    uint16_t threads_per_core, cores_per_socket, ntasks_per_core;
} wjr_slurm_hint;
int wjr_slurm_parse_hint(wjr_slurm_hint *out, const char *text);

/* sbatch's --mail-type: a comma-separated list of BEGIN, END, FAIL,
 * REQUEUE, ALL, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90, TIME_LIMIT_80,
 * TIME_LIMIT_50, ARRAY_TASKS, INVALID_DEPEND or NONE (no mail), in any
 * case, as WJR_MAIL_* bits. 0, or WJR_ECONFIG naming a word Slurm does not
 * know (sbatch passes over those unless no word is known). */
int wjr_slurm_parse_mail_type(uint16_t *bits, const char *text);

/*
 * Check the text of one option: key is the option's name in the
 * configuration ("time", "gres", "partition", ...). 0, or WJR_ECONFIG with
 * "slurm.KEY \"TEXT\" is not ..." saying what the value should be. Keys
 * without a form pass.
 */
int wjr_slurm_res_check(const char *key, const char *text);

/* 1 when the option may come from a trial's parameter (key: len bytes). */
int wjr_slurm_res_per_trial_keyn(const char *key, size_t len);
int wjr_slurm_res_per_trial_key(const char *key);

/*
 * The text of a parameter's value for option key: an integer (an integral
 * real counts) or a string, checked as wjr_slurm_res_check does. *out is
 * malloc'd. WJR_EINVALID naming the key and the value when it does not
 * fit.
 */
int wjr_slurm_res_value(char **out, const char *key, const json_t *value);

/* One item of a list of counted names, split as Slurm reads it. */
typedef enum {
    WJR_ITEM_GRES,    /* "gpu", "gpu:2", "gpu:a100", "gpu:a100:2"; also a node's Gres
                         as the controller shows it, "gpu:a100:2(S:0-1)" */
    WJR_ITEM_LICENSE, /* "matlab", "matlab@db:2" */
    WJR_ITEM_GPUS     /* --gpus: "2", "a100:2" (one item) */
} wjr_item_kind;

typedef struct wjr_slurm_item {
    const char *name; /* gres: "gpu"; license: "matlab@db"; gpus: "gpu" */
    size_t name_len;
    const char *type; /* gres and gpus: "a100"; NULL when none */
    size_t type_len;
    uint64_t count; /* 1 when the item gives none; K, M, G... multiply by 1024s */
} wjr_slurm_item;

/* Split the item at *cursor and move *cursor past it and its comma: 1, or
 * 0 at the end of the list. Borrows from the text; a malformed count
 * reads as 0 (the configuration's checks refuse such text first). */
int wjr_slurm_next_item(wjr_slurm_item *out, const char **cursor, wjr_item_kind kind);

/* 1 when a --gres list asks for GPUs ("gpu", "gpu:2", "gpu:a100:1"):
 * sbatch refuses it with --gpus-per-node. */
int wjr_slurm_gres_has_gpu(const char *gres);

/*
 * The options sbatch refuses together: any two of mem, mem_per_cpu and
 * mem_per_gpu; cpus_per_task with cpus_per_gpu; gpus_per_node with a gpu
 * in gres; hint with threads_per_core or ntasks_per_core (sbatch drops the
 * hint); exclusive with oversubscribe (sbatch keeps the last one given). One rule for the
 * configuration (which adds the line) and the library's own check of wjr_slurm_options. get(key,
 * ctx) returns NULL when option key is not set, else its text ("" for a number or a value from a
 * parameter). On a pair set together, *second is the option that comes second in the pair (the
 * configuration names its line), msg gets the reason naming both, and the result is 1; 0 when none
 * is.
 */
typedef const char *(*wjr_slurm_opt_get)(const char *key, const void *ctx);
int wjr_slurm_exclusive(const char **second, char *msg, size_t msg_size, wjr_slurm_opt_get get,
                        const void *ctx);

/* A --gres list ("gpu:a100:2,nic:1") as Slurm's TRES text, each item with
 * "gres:" before it, as sbatch sends it. malloc'd; NULL without memory. */
char *wjr_slurm_gres_tres(const char *gres);

#endif
