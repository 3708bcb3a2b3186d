/*
 * config_params.c - the configuration's parameters section: range (bounds,
 * int or float, log scale, digits), choice (values, is_ordered) and fixed
 * parameters, in wjr's group form, BOA's list form and BOA's YAML
 * shorthand (`x3: 4.0`), with names that must be unique and plain; and the
 * check of a trial's parameter values against them (wjr submit). Errors
 * name file:line. It generates no values.
 */
#include <ctype.h>
#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

static int parse_range(wjr_param *p, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *b = config_setting_get_member(g, "bounds");
    const config_setting_t *lo, *hi;
    char *value_type = NULL;
    int error;

    if (b == NULL)
        return fail_at(ctx, g, "range parameter '%s' needs bounds = [low, high];", p->name);
    if ((config_setting_type(b) != CONFIG_TYPE_ARRAY &&
         config_setting_type(b) != CONFIG_TYPE_LIST) ||
        config_setting_length(b) != 2)
        return type_error(ctx, b, "two numbers [low, high]");
    lo = config_setting_get_elem(b, 0);
    hi = config_setting_get_elem(b, 1);
    if (!is_number(lo) || !is_number(hi))
        return type_error(ctx, b, "two numbers [low, high]");
    p->lo = number_of(lo);
    p->hi = number_of(hi);
    p->is_int = is_integer(lo) && is_integer(hi);
    error = get_string(&value_type, ctx, g, "value_type");
    if (error < 0)
        return error;
    if (value_type != NULL) {
        if (strcmp(value_type, "int") == 0) {
            p->is_int = 1;
        } else if (strcmp(value_type, "float") == 0) {
            p->is_int = 0;
        } else {
            error = fail_at(ctx, config_setting_get_member(g, "value_type"),
                            "value_type of range parameter '%s' must be \"int\" or \"float\", "
                            "not \"%s\"",
                            p->name, value_type);
            free(value_type);
            return error;
        }
        free(value_type);
    }
    error = get_bool(&p->log_scale, ctx, g, "log_scale");
    if (error < 0)
        return error;
    if (!isfinite(p->lo) || !isfinite(p->hi) || !(p->lo < p->hi))
        return fail_at(ctx, b, "bounds of '%s' must be finite with low < high, not [%g, %g]",
                       p->name, p->lo, p->hi);
    if (p->is_int && (p->lo != floor(p->lo) || p->hi != floor(p->hi)))
        return fail_at(ctx, b, "bounds of int parameter '%s' must be integers", p->name);
    /* 2^53: every integer up to it is a double, and values stay in int64 */
    if (p->is_int && (fabs(p->lo) > 9007199254740992.0 || fabs(p->hi) > 9007199254740992.0))
        return fail_at(ctx, b,
                       "bounds of int parameter '%s' must lie within +-9007199254740992 (2^53), "
                       "not [%g, %g]",
                       p->name, p->lo, p->hi);
    if (p->log_scale && p->lo <= 0)
        return fail_at(ctx, b, "log_scale parameter '%s' needs bounds above 0", p->name);
    return 0;
}

/* One value of a choice or fixed parameter as Ax's value_type makes it
 * (new reference), or NULL when it cannot be: "int" (a whole number),
 * "float", "str" (as Python's str() writes it) or "bool". */
static json_t *typed_value(const json_t *v, const char *type)
{
    char buf[64];
    double d = json_number_value(v);

    if (strcmp(type, "int") == 0)
        return json_is_integer(v) ? json_incref((json_t *)v)
               : json_is_real(v) && d == floor(d) && fabs(d) <= 9007199254740992.0
                   ? json_integer((json_int_t)d)
                   : NULL;
    if (strcmp(type, "float") == 0)
        return json_is_number(v) ? json_real(d) : NULL;
    if (strcmp(type, "bool") == 0)
        return json_is_boolean(v) ? json_incref((json_t *)v) : NULL;
    if (json_is_string(v))
        return json_incref((json_t *)v);
    if (json_is_boolean(v))
        return json_string(json_is_true(v) ? "True" : "False");
    if (json_is_integer(v))
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (isfinite(d)) {
        wjr_format_double(buf, sizeof(buf), d);
        if (strpbrk(buf, ".en") == NULL) /* Python writes 2.0, not 2 */
            strcat(buf, ".0");
    } else
        return NULL;
    return json_string(buf);
}

/* value_type on a choice or fixed parameter: its values made that type,
 * as Ax does. */
static int typed_values(wjr_param *p, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *at = config_setting_get_member(g, "value_type");
    char *type = NULL;
    size_t i, n = json_is_array(p->values) && p->kind == WJR_PARAM_CHOICE
                      ? json_array_size(p->values)
                      : 1;
    int error = get_string(&type, ctx, g, "value_type");

    if (error < 0 || type == NULL)
        return error;
    if (strcmp(type, "int") != 0 && strcmp(type, "float") != 0 && strcmp(type, "str") != 0 &&
        strcmp(type, "bool") != 0)
        error =
            fail_at(ctx, at,
                    "value_type must be \"int\", \"float\", \"str\" or \"bool\", not \"%s\"", type);
    for (i = 0; i < n && error == 0; i++) {
        json_t *v = p->kind == WJR_PARAM_CHOICE ? json_array_get(p->values, i) : p->values;
        json_t *t = typed_value(v, type);
        char *text = t == NULL ? json_dumps(v, JSON_ENCODE_ANY) : NULL;

        if (t == NULL)
            error = fail_at(ctx, at, "value %s of '%s' is not of value_type %s",
                            text != NULL ? text : "?", p->name, type);
        else if (p->kind == WJR_PARAM_CHOICE)
            json_array_set_new(p->values, i, t);
        else {
            json_decref(p->values);
            p->values = t;
        }
        free(text);
    }
    free(type);
    return error;
}

static int parse_param(wjr_param *p, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"name",   "type",  "bounds", "value_type", "log_scale",
                                       "values", "value", "digits", "is_ordered", NULL};
    char *type = NULL;
    const config_setting_t *v;
    int64_t digits = -1;
    int error, i, n;

    p->is_ordered = -1;
    if (ctx->yaml && config_setting_type(g) != CONFIG_TYPE_GROUP &&
        config_setting_type(g) != CONFIG_TYPE_LIST) {
        /* BOA's shorthand `x3: 4.0` is a fixed parameter */
        p->kind = WJR_PARAM_FIXED;
        p->values = scalar_json(g);
        return p->values != NULL ? 0 : type_error(ctx, g, "a number, string or boolean");
    }
    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = get_string(&type, ctx, g, "type");
    if (error < 0)
        goto done;
    if (type == NULL) {
        error = fail_at(ctx, g, "parameter '%s' needs type = \"range\", \"choice\" or \"fixed\"",
                        p->name);
    } else if (strcmp(type, "range") == 0) {
        p->kind = WJR_PARAM_RANGE;
        error = parse_range(p, ctx, g);
    } else if (strcmp(type, "choice") == 0) {
        p->kind = WJR_PARAM_CHOICE;
        v = config_setting_get_member(g, "values");
        if (v == NULL) {
            error = fail_at(ctx, g, "choice parameter '%s' needs values = [...];", p->name);
            goto done;
        }
        if ((config_setting_type(v) != CONFIG_TYPE_ARRAY &&
             config_setting_type(v) != CONFIG_TYPE_LIST) ||
            config_setting_length(v) == 0) {
            error = type_error(ctx, v, "a non-empty array of values");
            goto done;
        }
        p->values = json_array();
        n = config_setting_length(v);
        for (i = 0; i < n; i++) {
            json_t *j = scalar_json(config_setting_get_elem(v, (unsigned)i));
            if (j == NULL) {
                error = type_error(ctx, v, "an array of numbers, strings or booleans");
                goto done;
            }
            json_array_append_new(p->values, j);
        }
    } else if (strcmp(type, "fixed") == 0) {
        p->kind = WJR_PARAM_FIXED;
        v = config_setting_get_member(g, "value");
        if (v == NULL) {
            error = fail_at(ctx, g,
                            ctx->yaml ? "fixed parameter '%s' needs value: ..."
                                      : "fixed parameter '%s' needs value = ...;",
                            p->name);
            goto done;
        }
        p->values = scalar_json(v);
        if (p->values == NULL)
            error = type_error(ctx, v, "a number, string or boolean");
    } else {
        error =
            fail_at(ctx, config_setting_get_member(g, "type"),
                    "parameter type must be \"range\", \"choice\" or \"fixed\", not \"%s\"", type);
    }
    if (error == 0 && p->kind != WJR_PARAM_RANGE)
        error = typed_values(p, ctx, g);
    if (error == 0 && config_setting_get_member(g, "is_ordered") != NULL) {
        error = get_bool(&p->is_ordered, ctx, g, "is_ordered");
        if (error == 0 && p->kind != WJR_PARAM_CHOICE)
            error = fail_at(ctx, config_setting_get_member(g, "is_ordered"),
                            "is_ordered applies to choice parameters only");
    }
    if (error == 0)
        error = get_int(&digits, ctx, g, "digits", 0);
    if (error == 0 && digits >= 0) {
        if (digits > 15 || p->kind != WJR_PARAM_RANGE || p->is_int)
            error = fail_at(ctx, config_setting_get_member(g, "digits"),
                            "digits (0 to 15) applies to float range parameters only");
        p->has_digits = 1;
        p->digits = (int)digits;
    }
    if (error == 0 && p->kind != WJR_PARAM_RANGE) {
        /* BOA drops the bounds of a fixed parameter (as it drops a range's
         * value: above) */
        int dropped = ctx->yaml && p->kind == WJR_PARAM_FIXED;
        const char *stray =
            config_setting_get_member(g, "bounds") != NULL && !dropped ? "bounds" : NULL;
        if (config_setting_get_member(g, "log_scale") != NULL)
            stray = "log_scale";
        if (stray != NULL)
            error = fail_at(ctx, config_setting_get_member(g, stray),
                            "%s applies to range parameters only", stray);
    }
done:
    free(type);
    return error;
}

static int valid_name(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return 0;
    for (i = 0; s[i] != '\0'; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

int wjr__cfg_parse_parameters(wjr_study_config *cfg, const parse_ctx *ctx,
                              const config_setting_t *g)
{
    int error, i, n = config_setting_length(g);
    int is_list = config_setting_type(g) == CONFIG_TYPE_LIST;

    if (!is_list && config_setting_type(g) != CONFIG_TYPE_GROUP)
        return type_error(ctx, g, "a group { x1 = { type = \"range\"; ... }; ... }");
    cfg->params = calloc((size_t)n + 1, sizeof(*cfg->params));
    if (cfg->params == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *p = config_setting_get_elem(g, (unsigned)i);
        wjr_param *param = &cfg->params[cfg->n_params];
        size_t k;

        if (is_list) {
            error = need_group(ctx, p);
            if (error == 0)
                error = get_string(&param->name, ctx, p, "name");
            if (error < 0)
                return error;
            if (param->name == NULL)
                return fail_at(ctx, p, "parameters[%d] needs a name", i);
        } else {
            if (config_setting_type(p) == CONFIG_TYPE_GROUP &&
                config_setting_get_member(p, "name") != NULL)
                return fail_at(ctx, config_setting_get_member(p, "name"),
                               "parameter '%s' is named by its key: drop name",
                               config_setting_name(p));
            param->name = wjr_strdup(config_setting_name(p));
            if (param->name == NULL)
                return WJR_ENOMEM;
        }
        cfg->n_params++;
        if (!valid_name(param->name))
            return fail_at(ctx, p, "parameter name '%s' may hold only letters, digits, _ - .",
                           param->name);
        for (k = 0; k + 1 < cfg->n_params; k++)
            if (strcmp(cfg->params[k].name, param->name) == 0)
                return fail_at(ctx, p, "parameter '%s' is declared twice", param->name);
        error = parse_param(param, ctx, p);
        if (error < 0)
            return error;
    }
    return 0;
}

static int check_one_param(const wjr_param *p, json_t *v)
{
    size_t i;
    double x;

    if (p->kind == WJR_PARAM_RANGE) {
        if (!json_is_number(v))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' must be a number", p->name);
        x = json_number_value(v);
        if (p->is_int && !json_is_integer(v) && x != floor(x))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' must be an integer, not %g", p->name,
                                 x);
        if (!(x >= p->lo && x <= p->hi))
            return wjr_error_set(WJR_EINVALID, "parameter '%s' = %g is outside its bounds [%g, %g]",
                                 p->name, x, p->lo, p->hi);
        return 0;
    }
    if (p->kind == WJR_PARAM_FIXED)
        return json_equal(v, p->values)
                   ? 0
                   : wjr_error_set(WJR_EINVALID, "parameter '%s' is fixed: it cannot change",
                                   p->name);
    for (i = 0; i < json_array_size(p->values); i++)
        if (json_equal(v, json_array_get(p->values, i)))
            return 0;
    return wjr_error_set(WJR_EINVALID, "parameter '%s' is not one of its choice values", p->name);
}

int wjr_study_config_check_params(const wjr_study_config *config, json_t *params)
{
    const char *key;
    json_t *value;
    size_t i;
    int error;

    if (!json_is_object(params))
        return wjr_error_set(WJR_EINVALID, "parameters must be a JSON object");
    if (config->n_params == 0) /* any object, if the commands' templates find their values */
        return wjr__cfg_check_command_values(config, params);
    json_object_foreach(params, key, value)
    {
        for (i = 0; i < config->n_params; i++)
            if (strcmp(config->params[i].name, key) == 0)
                break;
        if (i == config->n_params)
            return wjr_error_set(WJR_EINVALID, "unknown parameter '%s'", key);
        error = check_one_param(&config->params[i], value);
        if (error < 0)
            return error;
    }
    for (i = 0; i < config->n_params; i++)
        if (json_object_get(params, config->params[i].name) == NULL)
            return wjr_error_set(WJR_EINVALID, "parameter '%s' is missing", config->params[i].name);
    return 0;
}
