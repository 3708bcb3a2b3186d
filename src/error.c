/*
 * error.c - the thread-local error slot behind wjr_error_last(), and the
 * process-wide interrupt request of wjr_interrupt().
 *
 * Every failing function stores a code and a message here and returns the
 * code. Nothing here allocates: the message lives in a fixed buffer of the
 * calling thread, so reporting an out-of-memory error cannot fail.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static _Thread_local char error_msg[1024];
static _Thread_local int error_code;

int wjr_error_set(int code, const char *fmt, ...)
{
    char msg[sizeof(error_msg)];
    va_list ap;

    /* through a copy: an argument may be wjr_error_last() itself */
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    memcpy(error_msg, msg, sizeof(error_msg));
    error_code = code;
    return code;
}

int wjr_error_prefix(const char *fmt, ...)
{
    char prefix[512];
    char old[sizeof(error_msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t n;

    memcpy(old, error_msg, sizeof(old));
    n = strlen(prefix);
    /* truncation is fine: the message stays NUL-terminated */
    memcpy(error_msg, prefix, n);
    if (n + 2 < sizeof(error_msg)) {
        memcpy(error_msg + n, ": ", 2);
        n += 2;
        size_t rest = strlen(old);
        if (rest > sizeof(error_msg) - n - 1)
            rest = sizeof(error_msg) - n - 1;
        memcpy(error_msg + n, old, rest);
        n += rest;
    }
    error_msg[n < sizeof(error_msg) ? n : sizeof(error_msg) - 1] = '\0';
    return error_code;
}

const char *wjr_error_last(void)
{
    return error_code == 0 && error_msg[0] == '\0' ? "no error" : error_msg;
}

int wjr_error_last_code(void)
{
    return error_code;
}

void wjr_error_clear(void)
{
    error_msg[0] = '\0';
    error_code = 0;
}

static volatile sig_atomic_t interrupt_flag;

void wjr_interrupt(int on)
{
    interrupt_flag = on ? 1 : 0;
}

int wjr_interrupted(void)
{
    return interrupt_flag != 0;
}

const char *wjr_version(void)
{
    return WJR_VERSION;
}
