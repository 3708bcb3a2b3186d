/*
 * config_boa.h - BOA's configuration vocabulary that the parser refuses by
 * name, and free-form settings as JSON. Private.
 */
#ifndef WJR_CONFIG_BOA_H
#define WJR_CONFIG_BOA_H

#include <stddef.h>

#include <jansson.h>
#include <libconfig.h>

/* What to do instead of a BOA key wjr does not support, or NULL when the
 * key is not one of BOA's. section: "" (top level), "objective",
 * "objective.metrics", "parameters", "scheduler", ... */
const char *wjr_config_refused(const char *section, const char *key);

/* The section name of a setting path ("objective.metrics[1]" ->
 * "objective.metrics"; any parameter's group -> "parameters"). */
void wjr_config_section_of(char *buf, size_t size, const char *path);

/* A setting and everything below it as a new JSON value (NULL: no memory). */
json_t *wjr_config_setting_json(const config_setting_t *s);

#endif
