/*
 * template.h - BOA's `{{ name }}` templates: in commands, where every value
 * becomes one shell word, and in a YAML configuration's text. Private.
 */
#ifndef WJR_TEMPLATE_H
#define WJR_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

/* BOA's template variables of a configuration file (each malloc'd). */
typedef struct wjr_template_vars {
    char *config_path;      /* the file's absolute path */
    char *config_dir;       /* its folder */
    char *config_dir_name;  /* the folder's last component */
    char *config_file_name; /* the file's last component */
} wjr_template_vars;

int wjr_template_vars_init(wjr_template_vars *out, const char *config_path);
void wjr_template_vars_free(wjr_template_vars *v);
/* The value of template variable `name`, or NULL. Borrowed. */
const char *wjr_template_var(const wjr_template_vars *v, const char *name);

/* Text of a JSON scalar as Jinja2 would print the Python value (malloc'd);
 * NULL for arrays and objects. */
char *wjr_template_scalar_text(const json_t *v);

/*
 * Render the `{{ name }}` substitutions of a shell command. `lookup` gives
 * a name's value (NULL: unknown). Each value is inserted so that the shell
 * reads it literally as part of one word: a single-quoted word outside
 * quotes, escaped inside single or double quotes. With keep_unknown, an
 * unknown name is kept as written; otherwise it is an error naming it.
 * Only plain names are templates: filters, expressions and `{% ... %}`
 * blocks are errors. *out is malloc'd.
 */
typedef const char *(*wjr_template_lookup)(void *payload, const char *name, char **owned);
int wjr_template_command(char **out, const char *tmpl, wjr_template_lookup lookup, void *payload,
                         int keep_unknown);

/* The names a command template uses, in order, as a JSON array of strings. */
int wjr_template_names(json_t **out, const char *tmpl);

/* A path or name with the template variables in place, as text; other
 * names kept as written. *out is malloc'd. */
int wjr_template_text(char **out, const char *text, const wjr_template_vars *vars);

/*
 * Render a YAML configuration's text as BOA does with Jinja2 before reading
 * it: `{{ name }}` of the template variables is replaced, any other name
 * is kept as written. Lines that hold a command (run_model, run_cmd,
 * write_configs, set_trial_status, fetch_trial_data, with their
 * continuation lines) are kept as written: their substitutions are quoted
 * when the command is read. A `{% ... %}` block or `{# ... #}` comment is an
 * error naming file:line:column. *out is malloc'd.
 */
int wjr_template_render_file(char **out, const char *text, const char *file,
                             const wjr_template_vars *vars);

#endif
