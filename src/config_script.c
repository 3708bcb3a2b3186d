/*
 * config_script.c - the configuration's script_options: the commands
 * (run_model or BOA's run_cmd, write_configs, set_trial_status,
 * fetch_trial_data), where they run (working_dir, rel_to_config,
 * rel_to_launch) and the experiment directory (experiment_dir, or BOA's
 * output_dir, exp_name and append_timestamp).
 *
 * A command's `{{ name }}` templates are checked here: BOA's template
 * variables are rendered, each value one quoted shell word, and any other
 * name must be a parameter or trial_dir (an error names the key's line).
 * In wjr's own format, commands run from the trial directory, so a plain
 * word naming a file next to the configuration becomes its quoted absolute
 * path; words within quotes are never touched. It runs nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config_int.h"
#include "jsontext.h"
#include "template.h"
#include "util.h"

static int is_plain_word(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!isalnum(c) && strchr("_./+-=:,@%", c) == NULL)
            return 0;
    }
    return n > 0;
}

/* Length of the shell word at p: up to unquoted blank space, with '...',
 * "..." and backslash escapes kept inside the word. */
static size_t shell_word_len(const char *p)
{
    const char *s = p;
    char quote = 0;

    while (*s != '\0') {
        if (quote == 0 && (*s == ' ' || *s == '\t' || *s == '\n'))
            break;
        if (quote != '\'' && *s == '\\' && s[1] != '\0') {
            s += 2;
            continue;
        }
        if (quote == 0 && (*s == '\'' || *s == '"'))
            quote = *s;
        else if (quote != 0 && *s == quote)
            quote = 0;
        s++;
    }
    return (size_t)(s - p);
}

/*
 * Each plain word of a shell command (outside any quotes, made only of
 * ordinary characters) that names an existing file relative to dir becomes
 * its quoted absolute path; the rest is kept as written. A word within
 * quotes is never touched: a quoted path inserted there would end the
 * quotes and expose the folder's name to the shell.
 */
static char *resolve_command(const char *cmd, const char *dir)
{
    wjr_buf b = WJR_BUF_INIT;
    const char *p = cmd;
    char *out = NULL;

    while (*p != '\0') {
        size_t n;
        char *word, *abs;
        struct stat st;

        if (*p == ' ' || *p == '\t' || *p == '\n') {
            wjr_buf_put(&b, p++, 1);
            continue;
        }
        n = shell_word_len(p);
        word = strndup(p, n);
        abs = NULL;
        if (word != NULL && word[0] != '/' && is_plain_word(p, n))
            abs = path_join(dir, word);
        if (abs != NULL && stat(abs, &st) == 0 && S_ISREG(st.st_mode))
            wjr_buf_shell_quote(&b, abs);
        else
            wjr_buf_put(&b, p, n);
        free(abs);
        free(word);
        p += n;
    }
    wjr_buf_puts(&b, "");
    if (wjr_buf_detach(&out, &b) < 0)
        return NULL;
    return out;
}

static const char *lookup_template_var(void *payload, const char *name, char **owned)
{
    *owned = NULL;
    return wjr_template_var(payload, name);
}

/* Every `{{ name }}` left in a command must be a parameter or trial_dir. */
static int check_command_names(const wjr_study_config *cfg, const parse_ctx *ctx,
                               const config_setting_t *s, const char *cmd)
{
    json_t *names = NULL;
    size_t i, k;
    int error = wjr_template_names(&names, cmd);

    if (error < 0)
        return fail_at(ctx, s, "%s", wjr_error_last());
    if (cfg->n_params == 0) { /* an external optimizer's study: checked at submit */
        json_decref(names);
        return 0;
    }
    for (i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        for (k = 0; k < cfg->n_params; k++)
            if (strcmp(cfg->params[k].name, n) == 0)
                break;
        if (k == cfg->n_params && strcmp(n, "trial_dir") != 0) {
            error = fail_at(ctx, s,
                            "unknown template variable '%s' in %s: use a parameter's name, "
                            "trial_dir, config_path, config_dir, config_dir_name or "
                            "config_file_name",
                            n, config_setting_name(s));
            break;
        }
    }
    json_decref(names);
    return error;
}

static int parse_hook(char **out, wjr_study_config *cfg, const parse_ctx *ctx,
                      const config_setting_t *g, const char *key)
{
    char *raw = NULL, *cmd = NULL;
    const config_setting_t *s = config_setting_get_member(g, key);
    int error = get_string(&raw, ctx, g, key);

    if (error < 0 || raw == NULL)
        return error;
    if (raw[strspn(raw, " \t\n")] == '\0') {
        free(raw);
        return fail_at(ctx, s, "script_options.%s is empty", key);
    }
    /* BOA runs commands from working_dir; wjr's own format from the trial
     * directory, with files next to the configuration made absolute */
    cmd = ctx->yaml ? wjr_strdup(raw) : resolve_command(raw, cfg->dir);
    free(raw);
    if (cmd == NULL)
        return WJR_ENOMEM;
    free(*out);
    *out = NULL;
    error = wjr_template_command(out, cmd, lookup_template_var, (void *)&ctx->vars, 1);
    free(cmd);
    if (error < 0)
        return fail_at(ctx, s, "%s", wjr_error_last());
    /* the study's state keeps commands as JSON text: never drop one */
    if (!wjr_utf8_valid(*out))
        return fail_at(ctx, s,
                       "script_options.%s is not valid UTF-8 once its paths are made absolute "
                       "(the command, or the name of the configuration's folder): rename the "
                       "folder or fix the text",
                       key);
    return check_command_names(cfg, ctx, s, *out);
}

/* A path member, with template variables the file's text kept (a line that
 * also holds a command is not rendered as text). */
static int get_path(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key)
{
    char *raw = NULL;
    int error = get_string(&raw, ctx, g, key);

    if (error < 0 || raw == NULL)
        return error;
    error = wjr_template_text(out, raw, &ctx->vars);
    free(raw);
    return error;
}

/* BOA's experiment directory: experiment_dir, or output_dir/exp_name, with
 * a timestamp (and .1, .2 ... when taken) unless append_timestamp is false. */
static int experiment_dir_of(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    char *exp = NULL, *outdir = NULL, *name = NULL, *base = NULL, stamp[32];
    int stamp_it = -1, error, k;
    time_t now = time(NULL);
    struct tm tm;

    error = get_path(&exp, ctx, g, "experiment_dir");
    if (error == 0)
        error = get_path(&outdir, ctx, g, "output_dir");
    if (error == 0)
        error = get_path(&name, ctx, g, "exp_name");
    if (error == 0 && config_setting_get_member(g, "append_timestamp") != NULL)
        error = get_bool(&stamp_it, ctx, g, "append_timestamp");
    if (error < 0)
        goto done;
    if (exp != NULL && (outdir != NULL || name != NULL)) {
        error = fail_at(ctx, config_setting_get_member(g, "experiment_dir"),
                        "give experiment_dir, or output_dir and exp_name, not both");
        goto done;
    }
    if (exp != NULL && exp[0] == '\0') {
        error =
            fail_at(ctx, config_setting_get_member(g, "experiment_dir"), "experiment_dir is empty");
        goto done;
    }
    if (exp == NULL && outdir == NULL && name == NULL && !ctx->yaml) {
        error = fail_at(ctx, g, "script_options needs experiment_dir = \"path\";");
        goto done;
    }
    if (exp != NULL) {
        base = path_join(cfg->dir, exp);
        if (stamp_it != 1) { /* a named directory: wjr resumes it, never renames it */
            cfg->experiment_dir = base;
            base = NULL;
            goto done;
        }
    } else {
        char *parent = path_join(cfg->dir, outdir != NULL ? outdir : ".");
        base = parent ? wjr_asprintf("%s/%s", parent, name != NULL ? name : "boa_runs") : NULL;
        free(parent);
    }
    if (base == NULL) {
        error = WJR_ENOMEM;
        goto done;
    }
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    for (k = 0; k < 1000; k++) {
        free(cfg->experiment_dir);
        cfg->experiment_dir = wjr_asprintf("%s%s%s%s%.0d", base, stamp_it != 0 ? "_" : "",
                                           stamp_it != 0 ? stamp : "", k > 0 ? "." : "", k);
        if (cfg->experiment_dir == NULL || !wjr_file_exists(cfg->experiment_dir))
            break;
    }
    if (cfg->experiment_dir == NULL)
        error = WJR_ENOMEM;
    else if (k > 0 && stamp_it == 0)
        /* without a timestamp the name is the same at every run: a second
         * `wjr run` after an interruption starts a new study beside it */
        error = warn_at(cfg, ctx, g,
                        "%s exists: this study goes to %s, as BOA does (append_timestamp is "
                        "false); to continue the study there instead, run `wjr resume %s`",
                        base, cfg->experiment_dir, base);
done:
    if (error == 0 && cfg->experiment_dir != NULL && !wjr_utf8_valid(cfg->experiment_dir))
        /* trial files and the study's state hold it as JSON text */
        error = fail_at(ctx, g,
                        "script_options.experiment_dir is not valid UTF-8 once made absolute "
                        "(it, or the name of the configuration's folder): rename the folder");
    free(exp);
    free(outdir);
    free(name);
    free(base);
    return error;
}

/* Whether a plain word of a command looks like a file the command needs:
 * a path (it holds '/') or a script by its extension; not an option, an
 * assignment or an address. */
static int names_a_file(const char *w)
{
    static const char *const ext[] = {".py", ".R", ".r",  ".sh",  ".bash", ".jl", ".pl",
                                      ".rb", ".m", ".js", ".jar", ".lua",  NULL};
    size_t n = strlen(w), k;

    if (w[0] == '-' || strchr(w, '=') != NULL || strstr(w, "://") != NULL)
        return 0;
    if (strchr(w, '/') != NULL)
        return 1;
    for (k = 0; ext[k] != NULL; k++)
        if (n > strlen(ext[k]) && strcmp(w + n - strlen(ext[k]), ext[k]) == 0)
            return 1;
    return 0;
}

/* A command's plain words that look like files (names_a_file) but exist
 * neither in `dir` nor in `also` (may be NULL): a warning each, since the
 * job would fail on every trial ("sh: cannot open model.sh"). A file made
 * later (by write_configs or setup) is possible, so it is not an error. */
static int warn_missing_files(wjr_study_config *cfg, const parse_ctx *ctx,
                              const config_setting_t *s, const char *dir, const char *also)
{
    const char *p = config_setting_get_string(s);
    int error = 0, first = 1;

    while (p != NULL && *p != '\0' && error == 0) {
        size_t n;
        char *word, *a = NULL, *b = NULL;

        if (*p == ' ' || *p == '\t' || *p == '\n') {
            p++;
            continue;
        }
        n = shell_word_len(p);
        word = is_plain_word(p, n) ? strndup(p, n) : NULL;
        if (word != NULL && names_a_file(word)) {
            a = path_join(dir, word);
            b = also != NULL ? path_join(also, word) : NULL;
            if (a != NULL && !wjr_file_exists(a) && (b == NULL || !wjr_file_exists(b)))
                error = warn_at(cfg, ctx, s,
                                "script_options.%s names '%s', which is not in %s%s%s: the "
                                "command of every trial would fail to find it",
                                config_setting_name(s), word, dir, also != NULL ? " nor in " : "",
                                also != NULL ? also : "");
            /* the program itself, there but not executable: "Permission
             * denied" (exit 126) on every trial */
            else if (first && strchr(word, '/') != NULL && a != NULL && wjr_file_exists(a) &&
                     access(a, X_OK) != 0)
                error = warn_at(cfg, ctx, s,
                                "script_options.%s runs '%s', which is not executable: make it "
                                "so (chmod +x %s), or name its interpreter (sh %s)",
                                config_setting_name(s), word, word, word);
        }
        first = 0;
        free(a);
        free(b);
        free(word);
        p += n;
    }
    return error;
}

int wjr__cfg_parse_script(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"run_model",
                                       "run_cmd",
                                       "write_configs",
                                       "set_trial_status",
                                       "fetch_trial_data",
                                       "experiment_dir",
                                       "output_dir",
                                       "exp_name",
                                       "append_timestamp",
                                       "working_dir",
                                       "rel_to_config",
                                       "rel_to_launch",
                                       "output_wait_seconds",
                                       "setup",
                                       NULL};
    int rel_config = -1, rel_launch = -1, error;
    char *wd = NULL;
    size_t k;

    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0 && config_setting_get_member(g, "rel_to_config") != NULL)
        error = get_bool(&rel_config, ctx, g, "rel_to_config");
    if (error == 0 && config_setting_get_member(g, "rel_to_launch") != NULL)
        error = get_bool(&rel_launch, ctx, g, "rel_to_launch");
    if (error < 0)
        return error;
    if (rel_config == 1 && rel_launch == 1)
        return fail_at(ctx, config_setting_get_member(g, "rel_to_launch"),
                       "give rel_to_config or rel_to_launch, not both");
    if ((rel_launch == 1 || rel_config == 0) && !ctx->explicit_base) {
        /* relative to where wjr was started; a resumed study keeps it */
        char *cwd = getcwd(NULL, 0);
        if (cwd == NULL)
            return wjr_error_set(WJR_EIO, "getcwd: %s", strerror(errno));
        free(cfg->dir);
        cfg->dir = cwd;
    }
    if (config_setting_get_member(g, "run_model") && config_setting_get_member(g, "run_cmd"))
        return fail_at(ctx, config_setting_get_member(g, "run_cmd"),
                       "run_cmd is another name of run_model: give one of them");
    error = parse_hook(&cfg->run_model, cfg, ctx, g, "run_model");
    if (error == 0)
        error = parse_hook(&cfg->run_model, cfg, ctx, g, "run_cmd");
    if (error == 0)
        error = parse_hook(&cfg->write_configs, cfg, ctx, g, "write_configs");
    if (error == 0)
        error = parse_hook(&cfg->set_trial_status, cfg, ctx, g, "set_trial_status");
    if (error == 0)
        error = parse_hook(&cfg->fetch_trial_data, cfg, ctx, g, "fetch_trial_data");
    if (error == 0)
        error = get_double(&cfg->output_wait, ctx, g, "output_wait_seconds", 0.0, 3600.0);
    if (error == 0)
        error = get_path(&wd, ctx, g, "working_dir");
    if (error == 0 && config_setting_get_member(g, "setup") != NULL)
        error = wjr__cfg_parse_setup(&cfg->res, ctx, config_setting_get_member(g, "setup"));
    if (error < 0)
        goto done;
    if (cfg->run_model == NULL) {
        error = fail_at(ctx, g, "%s",
                        ctx->yaml ? "script_options needs run_model: COMMAND (or BOA's run_cmd)"
                                  : "script_options needs run_model = \"command\";");
        goto done;
    }
    if (wd != NULL || ctx->yaml) {
        cfg->working_dir = path_join(cfg->dir, wd != NULL ? wd : ".");
        if (cfg->working_dir == NULL) {
            error = WJR_ENOMEM;
            goto done;
        }
    }
    /* BOA's commands run from working_dir; wjr's have their files next to
     * the configuration, or in working_dir */
    for (k = 0; k < 5 && error == 0; k++)
        if (config_setting_get_member(g, keys[k]) != NULL)
            error = warn_missing_files(cfg, ctx, config_setting_get_member(g, keys[k]),
                                       ctx->yaml ? cfg->working_dir : cfg->dir,
                                       ctx->yaml ? NULL : cfg->working_dir);
    if (error == 0)
        error = experiment_dir_of(cfg, ctx, g);
done:
    free(wd);
    return error;
}

int wjr__cfg_check_command_values(const wjr_study_config *cfg, json_t *params)
{
    const char *const cmds[] = {cfg->run_model, cfg->write_configs, cfg->set_trial_status,
                                cfg->fetch_trial_data};
    json_t *names = NULL;
    size_t c, i;
    int error = 0;

    for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]) && error == 0; c++) {
        if (cmds[c] == NULL || wjr_template_names(&names, cmds[c]) < 0)
            continue;
        for (i = 0; i < json_array_size(names) && error == 0; i++) {
            const char *n = json_string_value(json_array_get(names, i));
            if (strcmp(n, "trial_dir") != 0 && json_object_get(params, n) == NULL)
                error = wjr_error_set(WJR_EINVALID,
                                      "the command template names '%s', which the parameters "
                                      "lack",
                                      n);
        }
        json_decref(names);
        names = NULL;
    }
    return error;
}
