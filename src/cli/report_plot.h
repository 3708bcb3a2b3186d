/*
 * report_plot.h - the drawing parts that the charts of `wjr report` share
 * (report_svg.c, report_pareto.c): linear and log scales from data to
 * pixels, axes with ticks, the <svg> element and axis titles, the thinning
 * that keeps a chart small whatever the number of trials, and one colour
 * per generation step. Every text drawn goes through report_escape().
 */
#ifndef WJR_CLI_REPORT_PLOT_H
#define WJR_CLI_REPORT_PLOT_H

#include <stdio.h>

#include "report.h"

typedef struct plot_scale {
    double lo, hi; /* domain (log10 of it when log) */
    int log;
    double p0, p1; /* pixels */
} plot_scale;

/* The pixel of data value v (log10 of it on a log scale; never NaN). */
double plot_map(const plot_scale *s, double v);
/* A scale from [lo, hi] (log when asked and both are positive) to the
 * pixels [p0, p1]; an empty span is padded. */
void plot_scale_set(plot_scale *s, double lo, double hi, int log_scale, double p0, double p1);

typedef enum { AXIS_NUMBER, AXIS_TIME, AXIS_INDEX } plot_axis_kind;

/* The axis of values seen in [*lo, *hi] (INFINITY and -INFINITY when
 * none: then [0, 1]): log when all positive over three decades, else
 * padded by 5% each side. */
void plot_fit_domain(double *lo, double *hi, int *log_scale);

/* Per-point tooltips only for small studies: a page's size follows them. */
#define TITLES_UP_TO 1500

/* Tick marks and labels along x (at pixel row at) or y (at pixel column
 * at), grid lines len long. */
void plot_axis(FILE *out, const plot_scale *s, int vertical, double at, double len,
               plot_axis_kind kind);
/* The <svg> element's opening tag, w by h, label for screen readers. */
void plot_svg_open(FILE *out, int w, int h, const char *label);
void plot_axis_title(FILE *out, double x, double y, int vertical, const char *text);

/* One bit per series and 2-pixel cell: a point whose cell its series has
 * already drawn is not drawn again. */
typedef struct plot_thin {
    int w, h;
    unsigned char *cells;
} plot_thin;

/* cells owned by t: free(t->cells) when done. A failed allocation draws
 * every point. */
void plot_thin_init(plot_thin *t, int w, int h);
/* 1 when the point is to be drawn (its cell was free for its series). */
int plot_thin_take(plot_thin *t, double x, double y, int series);

#endif
