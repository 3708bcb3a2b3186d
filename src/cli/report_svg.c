/*
 * report_svg.c - the charts of `wjr report` as inline SVG: convergence (by
 * trial index or by end time, best so far as a step line), one scatter per
 * parameter against the objective, the jobs' timeline (queue wait, then run
 * time) and the number of jobs in flight over time.
 *
 * Charts stay readable and small whatever the number of trials: points
 * that would land on an occupied 2-pixel cell of their series are not drawn
 * again, the timeline shows at most TIMELINE_ROWS jobs (every k-th, said
 * under the chart) and the in-flight curve is sampled into FLIGHT_BUCKETS.
 * Every study-provided string goes through report_escape(). It reads the
 * report model only (report_data.c) and writes to the FILE it is given.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_plot.h"

#define TIMELINE_ROWS  600
#define FLIGHT_BUCKETS 400

/* ---- the objective's axis ------------------------------------------------------ */

static void y_domain(const report *r, double *lo, double *hi, int *log_scale)
{
    size_t i;

    *lo = INFINITY;
    *hi = -INFINITY;
    for (i = 0; i < r->n; i++) {
        double v = r->trials[i].value;
        if (!isfinite(v))
            continue;
        if (v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
    plot_fit_domain(lo, hi, log_scale);
}

static void point_title(FILE *out, const report_trial *t)
{
    fprintf(out, "<title>trial %lld", (long long)t->index);
    if (isfinite(t->value))
        fprintf(out, ": %.6g", t->value);
    else
        fprintf(out, ": %s", wjr_trial_status_name(t->status));
    if (t->step != NULL) {
        fputs(" (", out);
        report_escape(out, t->step);
        fputs(")", out);
    }
    fprintf(out, "</title>");
}

/* One completed trial's dot; a ring when infeasible, a larger dot for the best. */
static void dot(FILE *out, const report *r, const report_trial *t, double x, double y, int best)
{
    const char *colour = report_series_colour(t->series);
    double size = r->n <= 200 ? 4 : 2.4; /* larger dots while few */

    if (best)
        fprintf(out, "<circle class=\"best\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\">", x, y, size + 3);
    else if (t->feasible == 0)
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\">", x,
                y, size, colour);
    else
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\">", x, y, size, colour);
    if (r->n <= TITLES_UP_TO || best)
        point_title(out, t);
    fprintf(out, "</circle>");
}

/* A failed (red cross) or abandoned (grey bar) trial in the strip below a plot. */
static void strip_mark(FILE *out, const report *r, const report_trial *t, double x, double y)
{
    if (t->status == WJR_TRIAL_FAILED)
        fprintf(out, "<path class=\"failmark\" d=\"M%.1f %.1fl5 5m0 -5l-5 5\">", x - 2.5, y - 2.5);
    else
        fprintf(out, "<path class=\"abandonmark\" d=\"M%.1f %.1fv6\">", x, y - 3);
    if (r->n <= TITLES_UP_TO)
        point_title(out, t);
    fprintf(out, "</path>");
}

static int in_strip(const report_trial *t)
{
    return t->status == WJR_TRIAL_FAILED || t->status == WJR_TRIAL_ABANDONED ||
           t->status == WJR_TRIAL_EARLY_STOPPED;
}

/* ---- convergence ------------------------------------------------------------------ */

static int cmp_by_end(const void *a, const void *b)
{
    const report_trial *x = *(const report_trial *const *)a, *y = *(const report_trial *const *)b;

    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

void report_svg_convergence(FILE *out, const report *r, int by_time)
{
    const int W = 860, H = 340, L = 70, R = 16, T = 14, B = 66;
    const report_trial **order = malloc((r->n + 1) * sizeof(*order));
    plot_scale sx, sy;
    plot_thin th;
    double ylo, yhi, xlo = INFINITY, xhi = -INFINITY, best = NAN, strip_y = H - B + 30;
    size_t i, n = 0;
    int ylog, started = 0;

    y_domain(r, &ylo, &yhi, &ylog);
    for (i = 0; order != NULL && i < r->n; i++) {
        const report_trial *t = &r->trials[i];
        double x = by_time ? (double)(t->end - r->stats.t0) : (double)t->index;
        if ((isfinite(t->value) || in_strip(t)) && (!by_time || t->end > 0)) {
            order[n++] = t;
            xlo = x < xlo ? x : xlo;
            xhi = x > xhi ? x : xhi;
        }
    }
    if (by_time && order != NULL)
        qsort(order, n, sizeof(*order), cmp_by_end);
    if (!isfinite(xlo)) {
        xlo = 0;
        xhi = 1;
    }
    plot_scale_set(&sx, xlo, xhi, 0, L + 6, W - R - 6);
    plot_scale_set(&sy, ylo, yhi, ylog, H - B, T);
    plot_svg_open(out, W, H,
                  by_time ? "objective of each trial by end time"
                          : "objective of each trial by index");
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", L, T,
            W - L - R, H - B - T);
    plot_axis(out, &sy, 1, L, W - L - R, AXIS_NUMBER);
    plot_axis(out, &sx, 0, H - B, 4, by_time ? AXIS_TIME : AXIS_INDEX);
    plot_axis_title(out, (L + W - R) / 2.0, H - 4, 0,
                    by_time ? "time since the first submission" : "trial index");
    plot_axis_title(out, 16, (T + H - B) / 2.0, 1, r->metric != NULL ? r->metric : "objective");
    fprintf(out, "<text class=\"strip\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">failed</text>",
            L - 4, strip_y + 4);
    plot_thin_init(&th, W, H);
    /* best so far: a step line through every improvement */
    fprintf(out, "<path class=\"bestline\" d=\"");
    for (i = 0; i < n; i++) {
        const report_trial *t = order[i];
        double x = plot_map(&sx, by_time ? (double)(t->end - r->stats.t0) : (double)t->index);
        if (!isfinite(t->value))
            continue;
        if (!started || (r->minimize ? t->value < best : t->value > best)) {
            if (!started)
                fprintf(out, "M%.1f %.1f", x, plot_map(&sy, t->value));
            else
                fprintf(out, "H%.1fV%.1f", x, plot_map(&sy, t->value));
            best = t->value;
            started = 1;
        }
    }
    if (started)
        fprintf(out, "H%.1f", sx.p1);
    fprintf(out, "\"/>");
    for (i = 0; i < n; i++) {
        const report_trial *t = order[i];
        double x = plot_map(&sx, by_time ? (double)(t->end - r->stats.t0) : (double)t->index);
        int series = 1 + t->series;
        if (isfinite(t->value)) {
            double y = plot_map(&sy, t->value);
            if (plot_thin_take(&th, x, y, series % 6))
                dot(out, r, t, x, y, 0);
        } else if (plot_thin_take(&th, x, strip_y, t->status == WJR_TRIAL_FAILED ? 6 : 7)) {
            strip_mark(out, r, t, x, strip_y);
        }
    }
    if (r->best >= 0) {
        const report_trial *t = &r->trials[r->best];
        if (!by_time || t->end > 0)
            dot(out, r, t,
                plot_map(&sx, by_time ? (double)(t->end - r->stats.t0) : (double)t->index),
                plot_map(&sy, t->value), 1);
    }
    fprintf(out, "</svg>");
    free(th.cells);
    free(order);
}

/* ---- one parameter against the objective ---------------------------------------------- */

/* Position of a choice value among the declared values, -1 if none. */
static long choice_pos(const report_param *p, json_t *v)
{
    size_t i;

    for (i = 0; i < json_array_size(p->values); i++)
        if (json_equal(json_array_get(p->values, i), v))
            return (long)i;
    return -1;
}

/* A deterministic spread within a category band, -0.5..0.5. */
static double jitter(int64_t index)
{
    return (double)(((uint64_t)index * 2654435761u) % 1000) / 1000.0 - 0.5;
}

/* A choice value as a short label (at most 14 characters, whole UTF-8 ones). */
static void choice_label(FILE *out, json_t *v)
{
    char buf[64];
    size_t len;

    if (json_is_string(v))
        snprintf(buf, sizeof(buf), "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, sizeof(buf), "%g", json_real_value(v));
    else
        snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
    len = strlen(buf);
    if (len > 14) {
        len = 13;
        while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
            len--;
        memcpy(buf + len, "\xe2\x80\xa6", 4); /* an ellipsis */
    }
    report_escape(out, buf);
}

void report_svg_parameter(FILE *out, const report *r, const report_param *p)
{
    const int W = 280, H = 220, L = 52, R = 10, T = 10, B = 54;
    size_t i, ncat = p->kind == REPORT_CHOICE ? json_array_size(p->values) : 0;
    double ylo, yhi, strip_y = H - B + 24, band = 0;
    plot_scale sx, sy;
    plot_thin th;
    int ylog;

    y_domain(r, &ylo, &yhi, &ylog);
    plot_scale_set(&sy, ylo, yhi, ylog, H - B, T);
    if (p->kind == REPORT_CHOICE)
        plot_scale_set(&sx, 0, ncat > 0 ? (double)ncat : 1, 0, L, W - R);
    else
        plot_scale_set(&sx, p->lo, p->hi, p->log_scale, L + 4, W - R - 4);
    band = ncat > 0 ? (sx.p1 - sx.p0) / (double)ncat : 0;
    plot_svg_open(out, W, H, p->name);
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", L, T,
            W - L - R, H - B - T);
    plot_axis(out, &sy, 1, L, W - L - R, AXIS_NUMBER);
    if (p->kind == REPORT_CHOICE) {
        size_t every = ncat > 6 ? (ncat + 5) / 6 : 1;
        fprintf(out, "<g class=\"axis\">");
        for (i = 0; i < ncat; i += every) {
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                    sx.p0 + band * ((double)i + 0.5), H - B + 12);
            choice_label(out, json_array_get(p->values, i));
            fprintf(out, "</text>");
        }
        fprintf(out, "</g>");
    } else {
        plot_axis(out, &sx, 0, H - B, 4, AXIS_NUMBER);
    }
    plot_axis_title(out, (L + W - R) / 2.0, H - 4, 0,
                    p->log_scale && p->kind == REPORT_RANGE ? "log scale" : "");
    plot_thin_init(&th, W, H);
    for (i = 0; i < r->n; i++) {
        const report_trial *t = &r->trials[i];
        json_t *v = json_object_get(t->params, p->name);
        double x, y;
        if (v == NULL || (!isfinite(t->value) && !in_strip(t)) || (long)i == r->best)
            continue;
        if (p->kind == REPORT_CHOICE) {
            long pos = choice_pos(p, v);
            if (pos < 0)
                continue;
            x = sx.p0 + band * ((double)pos + 0.5 + 0.6 * jitter(t->index));
        } else if (json_is_number(v)) {
            x = plot_map(&sx, json_number_value(v));
        } else {
            continue;
        }
        if (isfinite(t->value)) {
            y = plot_map(&sy, t->value);
            if (plot_thin_take(&th, x, y, 0))
                dot(out, r, t, x, y, 0);
        } else if (plot_thin_take(&th, x, strip_y, t->status == WJR_TRIAL_FAILED ? 1 : 2)) {
            strip_mark(out, r, t, x, strip_y);
        }
    }
    if (r->best >= 0) {
        const report_trial *t = &r->trials[r->best];
        json_t *v = json_object_get(t->params, p->name);
        long pos = p->kind == REPORT_CHOICE && v != NULL ? choice_pos(p, v) : -1;
        if (pos >= 0)
            dot(out, r, t, sx.p0 + band * ((double)pos + 0.5 + 0.6 * jitter(t->index)),
                plot_map(&sy, t->value), 1);
        else if (p->kind != REPORT_CHOICE && json_is_number(v))
            dot(out, r, t, plot_map(&sx, json_number_value(v)), plot_map(&sy, t->value), 1);
    }
    fprintf(out, "</svg>");
    free(th.cells);
}

/* ---- the cluster's side ------------------------------------------------------------- */

static int cmp_by_submit(const void *a, const void *b)
{
    const report_trial *x = *(const report_trial *const *)a, *y = *(const report_trial *const *)b;

    if (x->submit != y->submit)
        return x->submit < y->submit ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static const char *run_class(wjr_trial_status s)
{
    switch (s) {
    case WJR_TRIAL_COMPLETED:
        return "run-ok";
    case WJR_TRIAL_FAILED:
        return "run-failed";
    case WJR_TRIAL_ABANDONED:
    case WJR_TRIAL_EARLY_STOPPED:
        return "run-abandoned";
    default:
        return "run-live";
    }
}

void report_svg_timeline(FILE *out, const report *r)
{
    static const char *const classes[] = {"wait", "run-ok", "run-failed", "run-abandoned",
                                          "run-live"};
    const int W = 860, H = 360, L = 70, R = 16, T = 10, B = 40;
    const report_trial **jobs = malloc((r->n + 1) * sizeof(*jobs));
    size_t i, c, n = 0, every, rows;
    double span = (double)(r->stats.t1 - r->stats.t0), rowh;
    char title[64];
    plot_scale sx, sy;

    for (i = 0; jobs != NULL && i < r->n; i++)
        if (r->trials[i].submit > 0)
            jobs[n++] = &r->trials[i];
    if (jobs != NULL)
        qsort(jobs, n, sizeof(*jobs), cmp_by_submit);
    every = n > TIMELINE_ROWS ? (n + TIMELINE_ROWS - 1) / TIMELINE_ROWS : 1;
    rows = n > 0 ? (n + every - 1) / every : 1;
    plot_scale_set(&sx, 0, span > 0 ? span : 1, 0, L, W - R);
    plot_scale_set(&sy, 0, (double)rows, 0, T, H - B);
    rowh = (sy.p1 - sy.p0) / (double)rows;
    plot_svg_open(out, W, H, "each job's queue wait and run time");
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", L, T,
            W - L - R, H - B - T);
    plot_axis(out, &sx, 0, H - B, 4, AXIS_TIME);
    plot_axis_title(out, (L + W - R) / 2.0, H - 4, 0, "time since the first submission");
    snprintf(title, sizeof(title),
             every > 1 ? "jobs by submission (1 in %zu shown)" : "jobs by submission", every);
    plot_axis_title(out, 16, (T + H - B) / 2.0, 1, title);
    /* one path per class: every segment is a horizontal stroke */
    for (c = 0; c < sizeof(classes) / sizeof(*classes); c++) {
        fprintf(out, "<path class=\"%s\" stroke-width=\"%.2f\" d=\"", classes[c],
                rowh > 1.2   ? rowh * 0.75
                : rowh > 0.4 ? rowh
                             : 0.4);
        for (i = 0; i < n; i += every) {
            const report_trial *t = jobs[i];
            int64_t end = t->end > 0 ? t->end : r->now;
            int64_t from = c == 0 ? t->submit : t->start, to = c == 0 ? t->start : end;
            double y = sy.p0 + rowh * ((double)(i / every) + 0.5);
            if (c == 0 && t->start <= 0)
                to = end;
            if (c > 0 && (t->start <= 0 || strcmp(run_class(t->status), classes[c]) != 0))
                continue;
            fprintf(out, "M%.1f %.1fH%.1f", plot_map(&sx, (double)(from - r->stats.t0)), y,
                    fmax(plot_map(&sx, (double)(to - r->stats.t0)),
                         plot_map(&sx, (double)(from - r->stats.t0)) + 0.6));
        }
        fprintf(out, "\"/>");
    }
    fprintf(out, "</svg>");
    free(jobs);
}

/* Jobs waiting (submitted, not started) and running (started, not ended).
 * The events are applied one second at a time: the counts after all the
 * events of second t hold from t to the next event's second (and, after
 * the last one, at t1 itself). A bucket shows, of the counts that held
 * during it, those with the most jobs in flight (the earliest of equals);
 * a bucket without an event shows the counts in force since the last one.
 * A trial not ended has no end event: it is in flight at r->now. */
typedef struct flight_event {
    int64_t t;
    int dwait, drun;
} flight_event;

static int cmp_flight(const void *a, const void *b)
{
    const flight_event *x = a, *y = b;

    return x->t < y->t ? -1 : x->t > y->t ? 1 : 0;
}

/* The bucket of time @p t; with @p open_end, of the moment just before t. */
static int flight_bucket(const report *r, double span, int64_t t, int open_end)
{
    double x = (double)(t - r->stats.t0) / span * FLIGHT_BUCKETS;
    int b = open_end ? (int)ceil(x) - 1 : (int)floor(x);

    return b < 0 ? 0 : b >= FLIGHT_BUCKETS ? FLIGHT_BUCKETS - 1 : b;
}

void report_svg_in_flight(FILE *out, const report *r)
{
    const int W = 860, H = 220, L = 70, R = 16, T = 10, B = 40;
    flight_event *ev = malloc((3 * r->n + 1) * sizeof(*ev));
    long run_at[FLIGHT_BUCKETS], wait_at[FLIGHT_BUCKETS];
    int has[FLIGHT_BUCKETS];
    double span = (double)(r->stats.t1 - r->stats.t0), limit;
    long wait = 0, run = 0, top = 1;
    size_t i, j, n = 0;
    plot_scale sx, sy;
    int b, first, last;

    memset(has, 0, sizeof(has));
    for (i = 0; ev != NULL && i < r->n; i++) {
        const report_trial *t = &r->trials[i];
        int64_t start = t->start > t->submit ? t->start : t->submit;
        if (t->submit <= 0)
            continue;
        ev[n++] = (flight_event){t->submit, 1, 0};
        if (t->start > 0)
            ev[n++] = (flight_event){start, -1, 1};
        if (t->end > 0) /* ends its wait, or its run */
            ev[n++] = (flight_event){t->end > start ? t->end : start, t->start > 0 ? 0 : -1,
                                     t->start > 0 ? -1 : 0};
    }
    if (ev != NULL)
        qsort(ev, n, sizeof(*ev), cmp_flight);
    if (span <= 0)
        span = 1;
    for (i = 0; i < n; i = j) {
        for (j = i; j < n && ev[j].t == ev[i].t; j++) {
            wait += ev[j].dwait;
            run += ev[j].drun;
        }
        /* these counts hold from ev[i].t until ev[j].t (at t1 after the last) */
        first = flight_bucket(r, span, ev[i].t, 0);
        last = j < n ? flight_bucket(r, span, ev[j].t, 1) : FLIGHT_BUCKETS - 1;
        for (b = first; b <= last; b++) {
            if (!has[b] || wait + run > run_at[b] + wait_at[b]) {
                run_at[b] = run;
                wait_at[b] = wait;
            }
            has[b] = 1;
        }
        top = wait + run > top ? wait + run : top;
    }
    limit = (double)json_integer_value(
        json_object_get(json_object_get(r->desc, "scheduler"), "max_pending_trials"));
    if (limit > top)
        top = (long)limit;
    plot_scale_set(&sx, 0, span, 0, L, W - R);
    plot_scale_set(&sy, 0, (double)top * 1.08, 0, H - B, T);
    plot_svg_open(out, W, H, "jobs waiting and running over time");
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", L, T,
            W - L - R, H - B - T);
    plot_axis(out, &sy, 1, L, W - L - R, AXIS_NUMBER);
    plot_axis(out, &sx, 0, H - B, 4, AXIS_TIME);
    plot_axis_title(out, (L + W - R) / 2.0, H - 4, 0, "time since the first submission");
    plot_axis_title(out, 16, (T + H - B) / 2.0, 1, "jobs");
    for (b = 0; b < FLIGHT_BUCKETS; b++)
        if (!has[b]) /* before the first submission: none */
            run_at[b] = wait_at[b] = 0;
    for (i = 0; i < 2; i++) {
        fprintf(out, "<path class=\"%s\" d=\"M%.1f %.1f", i == 0 ? "area-wait" : "area-run", sx.p0,
                sy.p0);
        for (b = 0; b < FLIGHT_BUCKETS; b++) {
            double v = (double)run_at[b] + (i == 0 ? (double)wait_at[b] : 0);
            double x0 = sx.p0 + (sx.p1 - sx.p0) * b / FLIGHT_BUCKETS;
            double x1 = sx.p0 + (sx.p1 - sx.p0) * (b + 1) / FLIGHT_BUCKETS;
            fprintf(out, "L%.1f %.1fL%.1f %.1f", x0, plot_map(&sy, v), x1, plot_map(&sy, v));
        }
        fprintf(out, "L%.1f %.1fZ\"/>", sx.p1, sy.p0);
    }
    if (limit > 0)
        fprintf(out,
                "<path class=\"limit\" d=\"M%.1f %.1fH%.1f\"/>"
                "<text class=\"limit-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
                "max_pending_trials = %.0f</text>",
                sx.p0, plot_map(&sy, limit), sx.p1, sx.p1 - 4, plot_map(&sy, limit) - 4, limit);
    fprintf(out, "</svg>");
    free(ev);
}
