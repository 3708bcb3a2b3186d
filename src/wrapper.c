/*
 * wrapper.c - what every wrapper shares: the registry of the wrapper
 * types the library can rebuild from a saved runner ("ScriptWrapper"),
 * rebuilding one from its type and settings, and freeing any wrapper
 * through its table of functions. Wrappers of other types are the
 * caller's: a runner loads them back through the wrapper factory of its
 * options (runner_json.c). It knows no wrapper's files or hooks: each
 * type's own file does (wrapper_script.c).
 */
#include <string.h>

#include "util.h"
#include "wrapper.h"

/* A wrapper type a runner's JSON may name, and how to rebuild one. */
typedef struct wrapper_type {
    const char *name;
    int (*from_json)(wjr_wrapper **out, const char *json);
} wrapper_type;

static const wrapper_type wrapper_types[] = {
    {"ScriptWrapper", wjr__wrapper_script_from_json},
};

static const wrapper_type *find_type(const char *type)
{
    size_t i;

    for (i = 0; type && i < sizeof(wrapper_types) / sizeof(wrapper_types[0]); i++)
        if (strcmp(type, wrapper_types[i].name) == 0)
            return &wrapper_types[i];
    return NULL;
}

int wjr__wrapper_type_builtin(const char *type)
{
    return find_type(type) != NULL;
}

int wjr_wrapper_from_json(wjr_wrapper **out, const char *type, const char *json)
{
    const wrapper_type *t = find_type(type);

    *out = NULL;
    if (t == NULL)
        return wjr_error_set(WJR_EINVALID, "unknown wrapper type '%s'", type ? type : "(none)");
    return t->from_json(out, json);
}

void wjr_wrapper_free(wjr_wrapper *w)
{
    if (w && w->free)
        w->free(w);
}
