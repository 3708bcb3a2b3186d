/*
 * report_plot.c - the drawing parts the charts of `wjr report` share
 * (report_plot.h): scales, axes, the <svg> element, thinning, and the
 * colours of generation steps (report_steps(), report_step_colour()).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_plot.h"

/* ---- scales, ticks, axes -------------------------------------------------- */

double plot_map(const plot_scale *s, double v)
{
    double p;

    if (s->log)
        v = v > 0 ? log10(v) : s->lo;
    if (s->hi <= s->lo)
        return (s->p0 + s->p1) / 2;
    p = s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
    return isfinite(p) ? p : s->p0; /* never "nan" in an attribute */
}

void plot_scale_set(plot_scale *s, double lo, double hi, int log_scale, double p0, double p1)
{
    s->log = log_scale && lo > 0 && hi > 0;
    if (s->log) {
        lo = log10(lo);
        hi = log10(hi);
    }
    if (!(hi > lo)) {
        double pad = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    s->lo = lo;
    s->hi = hi;
    s->p0 = p0;
    s->p1 = p1;
}

static double nice_step(double span, int n)
{
    double raw = span / n, mag = pow(10, floor(log10(raw))), f = raw / mag;

    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* Units for time axes, in seconds. */
static double time_unit(double span, const char **name)
{
    if (span <= 180) {
        *name = "s";
        return 1;
    }
    if (span <= 3 * 3600) {
        *name = "min";
        return 60;
    }
    if (span <= 72 * 3600) {
        *name = "h";
        return 3600;
    }
    *name = "d";
    return 86400;
}

/* Tick marks and labels along x (at pixel row y) or y (at pixel column x). */
void plot_axis(FILE *out, const plot_scale *s, int vertical, double at, double len,
               plot_axis_kind kind)
{
    double unit = 1, step, v, lo = s->lo, hi = s->hi;
    const char *uname = "";

    fprintf(out, "<g class=\"axis\">");
    if (s->log) {
        for (v = ceil(lo); v <= hi + 1e-9; v += hi - lo > 8 ? 2 : 1) {
            double p = s->p0 + (v - lo) / (hi - lo) * (s->p1 - s->p0);
            if (vertical)
                fprintf(out,
                        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>",
                        at, at + len, p, p, at - 4, p + 4, pow(10, v));
            else
                fprintf(out,
                        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>",
                        p, p, at, at - len, p, at + 14, pow(10, v));
        }
        fprintf(out, "</g>");
        return;
    }
    if (kind == AXIS_TIME)
        unit = time_unit(hi - lo, &uname);
    step = nice_step((hi - lo) / unit, vertical ? 5 : 8) * unit;
    if (kind == AXIS_INDEX && step < 1)
        step = 1; /* trial indices are whole */
    for (v = ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
        double p = plot_map(s, v), shown = fabs(v / unit) < 1e-12 ? 0 : v / unit;
        if (vertical)
            fprintf(out,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g%s</text>",
                    at, at + len, p, p, at - 4, p + 4, shown, uname);
        else
            fprintf(out,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g%s</text>",
                    p, p, at, at - len, p, at + 14, shown, uname);
    }
    fprintf(out, "</g>");
}

void plot_svg_open(FILE *out, int w, int h, const char *label)
{
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\" aria-label=\"",
            w, h, w, h);
    report_escape(out, label);
    fprintf(out, "\">");
}

void plot_axis_title(FILE *out, double x, double y, int vertical, const char *text)
{
    if (vertical)
        fprintf(out,
                "<text class=\"atitle\" transform=\"translate(%.1f %.1f) rotate(-90)\" "
                "text-anchor=\"middle\">",
                x, y);
    else
        fprintf(out, "<text class=\"atitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y);
    report_escape(out, text);
    fprintf(out, "</text>");
}

void plot_fit_domain(double *lo, double *hi, int *log_scale)
{
    if (!isfinite(*lo)) {
        *lo = 0;
        *hi = 1;
    }
    *log_scale = *lo > 0 && *hi / *lo >= 1000;
    if (!*log_scale) {
        double pad = (*hi - *lo) * 0.05;
        *lo -= pad;
        *hi += pad;
    }
}

/* ---- thinning --------------------------------------------------------------- */

void plot_thin_init(plot_thin *t, int w, int h)
{
    t->w = w / 2 + 1;
    t->h = h / 2 + 1;
    t->cells = calloc((size_t)t->w * (size_t)t->h, 1);
}

int plot_thin_take(plot_thin *t, double x, double y, int series)
{
    int cx = (int)(x / 2), cy = (int)(y / 2);
    unsigned char bit = (unsigned char)(1u << (series & 7));
    unsigned char *c;

    if (t->cells == NULL || cx < 0 || cy < 0 || cx >= t->w || cy >= t->h)
        return 1;
    c = &t->cells[(size_t)cy * (size_t)t->w + (size_t)cx];
    if (*c & bit)
        return 0;
    *c |= bit;
    return 1;
}

/* ---- generation steps --------------------------------------------------------- */

static const char *const palette[] = {"#3b6fb6", "#8e5bb5", "#2a9d8f", "#c9822b",
                                      "#5f7d2f", "#b5487a", "#4d4d4d", "#0f8fb8"};

size_t report_steps(const report *r, const char **out, size_t max)
{
    size_t i, k, n = 0;

    for (i = 0; i < r->n; i++) {
        const char *s = r->trials[i].step;
        if (s == NULL)
            continue;
        for (k = 0; k < n && strcmp(out[k], s) != 0; k++)
            ;
        if (k == n && n < max)
            out[n++] = s;
    }
    return n;
}

/* The position of label among steps[0..n) (0..7), 6 when not there, -1
 * for none. */
static int step_position(const char *const *steps, size_t n, const char *label)
{
    size_t k;

    if (label == NULL)
        return -1;
    for (k = 0; k < n; k++)
        if (strcmp(steps[k], label) == 0)
            return (int)k;
    return 6;
}

const char *report_series_colour(int series)
{
    return palette[series < 0 || series > 7 ? 0 : series];
}

const char *report_step_colour(const report *r, const char *label)
{
    const char *steps[8];
    size_t n = report_steps(r, steps, 8);

    return report_series_colour(step_position(steps, n, label));
}

void report_set_series(report *r)
{
    const char *steps[8];
    size_t n = report_steps(r, steps, 8), i;

    for (i = 0; i < r->n; i++)
        r->trials[i].series = step_position(steps, n, r->trials[i].step);
}
