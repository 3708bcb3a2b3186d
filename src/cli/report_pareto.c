/*
 * report_pareto.c - the chart of a study with several objectives: one
 * objective against another, every completed trial a dot in its generation
 * step's colour (a ring when it breaks an outcome constraint), the trials
 * on the Pareto front larger and orange, and the thresholds as dashed
 * lines. With two objectives the front is drawn as the staircase that
 * bounds what it dominates; with more, a pair shows the front's trials
 * only, since a trial may be on the front for an objective not drawn.
 *
 * Which trials are on the front is the study's word (wjr_study_trial's
 * pareto), not recomputed here. It reads the report model only and writes
 * to the FILE it is given; names go through report_escape().
 */
#include <math.h>
#include <stdlib.h>

#include "report_plot.h"

static double value_of(const report *r, size_t i, size_t k)
{
    return r->obj_values[i * r->n_objectives + k];
}

/* The domain of objective k over the completed trials and its threshold;
 * log when all positive over three decades. */
static void domain(const report *r, size_t k, double *lo, double *hi, int *log_scale)
{
    double th = r->objectives[k].threshold;
    size_t i;

    *lo = INFINITY;
    *hi = -INFINITY;
    for (i = 0; i < r->n; i++) {
        double v = value_of(r, i, k);
        if (isfinite(v)) {
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
    if (isfinite(th) && isfinite(*lo)) {
        *lo = fmin(*lo, th);
        *hi = fmax(*hi, th);
    }
    plot_fit_domain(lo, hi, log_scale);
}

static void point_title(FILE *out, const report *r, size_t i, size_t a, size_t b)
{
    const report_trial *t = &r->trials[i];

    fprintf(out, "<title>trial %lld: ", (long long)t->index);
    report_escape(out, r->objectives[a].metric);
    fprintf(out, " %.6g, ", value_of(r, i, a));
    report_escape(out, r->objectives[b].metric);
    fprintf(out, " %.6g%s", value_of(r, i, b), t->pareto == 1 ? ", on the Pareto front" : "");
    if (t->step != NULL) {
        fputs(" (", out);
        report_escape(out, t->step);
        fputs(")", out);
    }
    fputs("</title>", out);
}

/* The worse of two values of objective k. */
static double worse(const report *r, size_t k, double u, double v)
{
    return r->objectives[k].minimize ? fmax(u, v) : fmin(u, v);
}

typedef struct corner {
    double x, y;
} corner;

static int by_x(const void *p, const void *q)
{
    const corner *u = p, *v = q;

    return u->x < v->x ? -1 : u->x > v->x;
}

/* Two objectives: the staircase through the front's trials, each step at
 * the corner the two trials beside it both dominate. */
static void staircase(FILE *out, const report *r, const plot_scale *sx, const plot_scale *sy)
{
    corner *front = malloc((r->n + 1) * sizeof(*front));
    size_t n = 0, i;

    if (front == NULL)
        return;
    for (i = 0; i < r->n; i++)
        if (r->trials[i].pareto == 1 && isfinite(value_of(r, i, 0)) &&
            isfinite(value_of(r, i, 1))) {
            front[n].x = value_of(r, i, 0);
            front[n++].y = value_of(r, i, 1);
        }
    qsort(front, n, sizeof(*front), by_x);
    if (n > 0) {
        fprintf(out, "<path class=\"bestline\" d=\"M%.1f %.1f", plot_map(sx, front[0].x),
                plot_map(sy, front[0].y));
        for (i = 1; i < n; i++)
            fprintf(out, "L%.1f %.1fL%.1f %.1f",
                    plot_map(sx, worse(r, 0, front[i - 1].x, front[i].x)),
                    plot_map(sy, worse(r, 1, front[i - 1].y, front[i].y)), plot_map(sx, front[i].x),
                    plot_map(sy, front[i].y));
        fputs("\"/>", out);
    }
    free(front);
}

static void threshold_line(FILE *out, const report *r, size_t k, const plot_scale *s, int vertical,
                           double from, double to)
{
    double th = r->objectives[k].threshold, p;

    if (!isfinite(th))
        return;
    p = plot_map(s, th);
    if (vertical)
        fprintf(out, "<path class=\"limit\" d=\"M%.1f %.1fV%.1f\"><title>", p, from, to);
    else
        fprintf(out, "<path class=\"limit\" d=\"M%.1f %.1fH%.1f\"><title>", from, p, to);
    report_escape(out, r->objectives[k].metric);
    fprintf(out, " threshold %.6g</title></path>", th);
}

static void axis_name(char *buf, size_t size, const report_objective *o)
{
    snprintf(buf, size, "%s (%s)", o->metric, o->minimize ? "minimized" : "maximized");
}

void report_svg_pareto(FILE *out, const report *r, size_t a, size_t b)
{
    const int W = 420, H = 340, L = 70, R = 16, T = 14, B = 46;
    double xlo, xhi, ylo, yhi, size = r->n <= 200 ? 4 : 2.4;
    int xlog, ylog, pass;
    char label[256];
    plot_scale sx, sy;
    plot_thin th;
    size_t i;

    domain(r, a, &xlo, &xhi, &xlog);
    domain(r, b, &ylo, &yhi, &ylog);
    plot_scale_set(&sx, xlo, xhi, xlog, L, W - R);
    plot_scale_set(&sy, ylo, yhi, ylog, H - B, T);
    snprintf(label, sizeof(label), "%s against %s, the Pareto front marked",
             r->objectives[b].metric, r->objectives[a].metric);
    plot_svg_open(out, W, H, label);
    fprintf(out, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", L, T,
            W - L - R, H - T - B);
    plot_axis(out, &sx, 0, H - B, H - B - T, AXIS_NUMBER);
    plot_axis(out, &sy, 1, L, W - L - R, AXIS_NUMBER);
    axis_name(label, sizeof(label), &r->objectives[a]);
    plot_axis_title(out, (L + W - R) / 2.0, H - 8, 0, label);
    axis_name(label, sizeof(label), &r->objectives[b]);
    plot_axis_title(out, 16, (T + H - B) / 2.0, 1, label);
    threshold_line(out, r, a, &sx, 1, T, H - B);
    threshold_line(out, r, b, &sy, 0, L, W - R);
    if (r->n_objectives == 2)
        staircase(out, r, &sx, &sy);
    plot_thin_init(&th, W, H);
    for (pass = 0; pass < 2; pass++) /* the front's trials on top */
        for (i = 0; i < r->n; i++) {
            const report_trial *t = &r->trials[i];
            double x = value_of(r, i, a), y = value_of(r, i, b);
            if ((t->pareto == 1) != pass || !isfinite(x) || !isfinite(y))
                continue;
            x = plot_map(&sx, x);
            y = plot_map(&sy, y);
            if (!pass && !plot_thin_take(&th, x, y, t->series + 1))
                continue;
            if (pass)
                fprintf(out, "<circle class=\"best\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\">", x, y,
                        size + 2);
            else if (t->feasible == 0)
                fprintf(out,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\">",
                        x, y, size, report_series_colour(t->series));
            else
                fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\">", x, y, size,
                        report_series_colour(t->series));
            if (r->n <= TITLES_UP_TO || pass)
                point_title(out, r, i, a, b);
            fputs("</circle>", out);
        }
    free(th.cells);
    fputs("</svg>", out);
}
