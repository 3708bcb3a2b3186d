/*
 * config_yaml.h - YAML (libyaml) read into the libconfig tree that the
 * configuration parser walks, and into JSON for the files a model writes.
 * Private.
 */
#ifndef WJR_CONFIG_YAML_H
#define WJR_CONFIG_YAML_H

#include <stddef.h>

#include <jansson.h>
#include <libconfig.h>

/* 1 when the path names a YAML file (.yaml or .yml, any case). */
int wjr_config_is_yaml_path(const char *path);

/*
 * Parse YAML text into lc's root group: mappings become groups, sequences
 * lists, scalars ints, floats, booleans or strings as YAML 1.1 reads them.
 * A null value in a mapping is left out (as if absent). Each setting gets
 * the line of its value, and its column (see wjr_config_column). Errors
 * (WJR_ECONFIG) name file:line:column.
 */
int wjr_config_yaml_parse(config_t *lc, const char *text, size_t len, const char *file);

/* Column (1-based) of a setting read from YAML; 0 for libconfig files. */
unsigned wjr_config_column(const config_setting_t *s);

/* Parse YAML text (the first document) into a new JSON value. */
int wjr_yaml_to_json(json_t **out, const char *text, size_t len, const char *name);

#endif
