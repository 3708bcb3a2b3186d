/*
 * fuzz_util.c - helpers of the libFuzzer targets (see fuzz_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

static char dir[192];

static void remove_dir(void)
{
    char cmd[256];

    if (dir[0] == '\0')
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: cannot remove %s\n", dir);
}

const char *fz_dir(void)
{
    if (dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR"); /* /dev/shm makes the file targets faster */
        snprintf(dir, sizeof(dir), "%s/wjr-fuzz-XXXXXX",
                 tmp != NULL && *tmp != '\0' && strlen(tmp) < 160 ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL)
            abort();
        atexit(remove_dir);
    }
    return dir;
}

const char *fz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[4][256];
    static unsigned slot;
    char *p = path[slot++ % 4];
    FILE *f;

    snprintf(p, sizeof(path[0]), "%s/%s", fz_dir(), name);
    f = fopen(p, "wb");
    if (f == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return p;
}

void fz_remove(const char *name)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", fz_dir(), name);
    unlink(p);
}

char *fz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fz_no_log(wjr_log_level level, int64_t trial, const char *message, void *payload)
{
    (void)level;
    (void)trial;
    (void)message;
    (void)payload;
}

void fz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, detail ? detail : "");
    abort();
}
