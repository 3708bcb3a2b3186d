/*
 * report_html.c - the page `wjr report` writes: one self-contained HTML
 * file (inline CSS and SVG, no script, no network) with five sections:
 * the study (summary and configuration), convergence, parameters, the
 * cluster's side (queue and run times) and failures; and a sixth after
 * the first, the Pareto front, when the study has several objectives.
 *
 * Every string that comes from the study (names, values, reasons, stderr,
 * paths) goes through report_escape(). The convergence chart's switch
 * between trial index and end time is two radio buttons and CSS, so the
 * page reads the same with scripts disabled. The charts are drawn by
 * report_svg.c and report_pareto.c; the figures come from report_data.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

#define FAILURE_ROWS  200 /* failed trials listed at most; the rest are counted */
#define STDERR_LINES  5
#define STDERR_BYTES  2048
#define REASON_BYTES  1000 /* a reason's bytes shown at most */
#define VALUE_BYTES   200  /* a parameter value's, in the best trial's card */
#define PARETO_CHARTS 6    /* pairs of objectives drawn at most */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;"
    "background:#f5f6f8;margin:0}"
    "header{background:#1f2a44;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}"
    "header p{margin:4px 0 0;color:#c9d2e6}"
    "nav{padding:8px 28px;background:#e8ebf1}nav a{margin-right:16px;color:#1f2a44}"
    "main{padding:8px 28px 28px;max-width:1200px}"
    "section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:14px 18px;"
    "margin:16px 0}"
    "h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #dde1e8;"
    "border-radius:6px;padding:8px 14px;min-width:120px}.card b{display:block;font-size:20px}"
    "table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e3e6ec;"
    "padding:4px 10px;text-align:left;vertical-align:top}th{background:#f0f2f6}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "pre{margin:0;font-size:12px;white-space:pre-wrap;max-width:460px;color:#5a2222}"
    ".grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}"
    "figcaption{font-weight:600;margin-bottom:2px}"
    ".note{color:#5d6678;font-size:13px}"
    ".legend span{margin-right:14px;white-space:nowrap}.sw{display:inline-block;width:12px;"
    "height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}"
    ".switch input{margin-left:0}.switch label{margin-right:14px}"
    ".by-time{display:none}#cx-time:checked~.by-index{display:none}"
    "#cx-time:checked~.by-time{display:block}"
    "svg{max-width:100%;height:auto;font-size:11px}"
    "svg .frame{fill:#fbfcfd;stroke:#ccd2dc}svg .axis line{stroke:#e1e5ec}"
    "svg .axis text,svg .strip{fill:#5d6678}svg .atitle{fill:#1d2330;font-size:12px}"
    "svg .bestline{fill:none;stroke:#e07b00;stroke-width:2}"
    "svg .best{fill:#ffb000;stroke:#1d2330;stroke-width:1.5}"
    "svg .failmark{stroke:#c62828;stroke-width:1.6;fill:none}"
    "svg .abandonmark{stroke:#8a8f99;stroke-width:2;fill:none}"
    "svg .wait{stroke:#f2c14e;fill:none}svg .run-ok{stroke:#2a9d8f;fill:none}"
    "svg .run-failed{stroke:#c62828;fill:none}svg .run-abandoned{stroke:#8a8f99;fill:none}"
    "svg .run-live{stroke:#3b6fb6;fill:none}"
    "svg .area-wait{fill:#f2c14e}svg .area-run{fill:#2a9d8f}"
    "svg .limit{stroke:#1d2330;stroke-dasharray:4 3;fill:none}svg .limit-label{fill:#1d2330}";

static void put(FILE *out, const char *text)
{
    fputs(text, out);
}

static void esc(FILE *out, const char *text)
{
    report_escape(out, text != NULL ? text : "-");
}

/* At most max bytes of text (whole UTF-8 characters), then an ellipsis. */
static void esc_cut(FILE *out, const char *text, size_t max)
{
    char *copy;
    size_t len;

    if (text == NULL || strlen(text) <= max) {
        esc(out, text);
        return;
    }
    len = max;
    while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
        len--;
    copy = strndup(text, len);
    esc(out, copy != NULL ? copy : "");
    put(out, "&hellip;");
    free(copy);
}

/* A JSON scalar as text (strings escaped). */
static void json_value(FILE *out, json_t *v)
{
    char *text;

    if (json_is_string(v)) {
        esc(out, json_string_value(v));
    } else if (v == NULL || json_is_null(v)) {
        put(out, "-");
    } else if (json_is_real(v)) {
        fprintf(out, "%.6g", json_real_value(v));
    } else {
        text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        esc(out, text);
        free(text);
    }
}

static void row(FILE *out, const char *key, const char *value)
{
    put(out, "<tr><th>");
    esc(out, key);
    put(out, "</th><td>");
    esc(out, value);
    put(out, "</td></tr>");
}

/* A table of an object's members with a value (nulls and zeros left out). */
static void object_table(FILE *out, json_t *obj)
{
    const char *key;
    json_t *v;

    put(out, "<table>");
    json_object_foreach(obj, key, v)
    {
        if (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0))
            continue;
        put(out, "<tr><th>");
        esc(out, key);
        put(out, "</th><td>");
        json_value(out, v);
        put(out, "</td></tr>");
    }
    put(out, "</table>");
}

static void card(FILE *out, const char *label, const char *value)
{
    put(out, "<div class=\"card\"><b>");
    esc(out, value);
    put(out, "</b>");
    esc(out, label);
    put(out, "</div>");
}

static void card_count(FILE *out, const char *label, long long n)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", n);
    card(out, label, buf);
}

static void header(FILE *out, const report *r)
{
    char when[64];
    time_t now = (time_t)r->now;
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
    put(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>wjr report: study ");
    esc(out, r->study_id);
    put(out, "</title><style>");
    put(out, css);
    put(out, "</style></head><body>\n<header><h1>Study ");
    esc(out, r->study_id);
    put(out, "</h1><p>");
    esc(out, r->dir);
    put(out, " &middot; ");
    esc(out, r->state);
    put(out, " &middot; report of ");
    esc(out, when);
    put(out, "</p></header>\n<nav><a href=\"#summary\">Study</a>");
    if (r->n_objectives > 1)
        put(out, "<a href=\"#pareto\">Pareto front</a>");
    put(out, "<a href=\"#convergence\">Convergence</a><a href=\"#parameters\">Parameters</a>"
             "<a href=\"#cluster\">Queue and run times</a><a href=\"#failures\">Failures</a>"
             "</nav>\n<main>\n");
}

static void params_text(FILE *out, json_t *params)
{
    const char *key;
    json_t *v;
    int first = 1;

    json_object_foreach(params, key, v)
    {
        if (!first)
            put(out, ", ");
        esc(out, key);
        put(out, " = ");
        if (json_is_string(v))
            esc_cut(out, json_string_value(v), VALUE_BYTES);
        else
            json_value(out, v);
        first = 0;
    }
}

static void param_row(FILE *out, const report_param *p, json_t *desc, int derived)
{
    char buf[128];

    put(out, "<tr><td>");
    esc(out, p->name);
    put(out, "</td><td>");
    if (derived && p->kind == REPORT_RANGE) {
        snprintf(buf, sizeof(buf), "not declared; values seen in [%.6g, %.6g]", p->lo, p->hi);
        esc(out, buf);
    } else if (derived) {
        put(out, "not declared; values seen: ");
        json_value(out, p->values);
    } else if (p->kind == REPORT_RANGE) {
        snprintf(buf, sizeof(buf), "range %s [%.6g, %.6g]%s", p->is_int ? "int" : "float", p->lo,
                 p->hi, p->log_scale ? ", log scale" : "");
        esc(out, buf);
    } else if (p->kind == REPORT_CHOICE) {
        put(out, "choice of ");
        json_value(out, p->values);
    } else {
        put(out, "fixed ");
        json_value(out, json_object_get(desc, "value"));
    }
    put(out, "</td></tr>");
}

static void section_summary(FILE *out, const report *r)
{
    const wjr_study_progress *p = &r->progress;
    json_t *strategy = json_object_get(r->desc, "generation_strategy"), *step;
    char buf[512];
    size_t i;

    put(out, "<section id=\"summary\"><h2>The study</h2><div class=\"cards\">");
    card_count(out, "trials", (long long)r->n);
    card_count(out, "completed", (long long)p->completed);
    card_count(out, "failed", (long long)p->failed);
    card_count(out, "abandoned", (long long)p->abandoned);
    card_count(out, "running", (long long)p->running);
    card_count(out, "pending", (long long)p->pending);
    if (r->best >= 0 && r->n_objectives < 2) { /* several: no one best trial */
        snprintf(buf, sizeof(buf), "%.6g", r->trials[r->best].value);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " (trial %lld)",
                 (long long)r->trials[r->best].index);
        put(out, "<div class=\"card\"><b>");
        esc(out, buf);
        put(out, "</b>best ");
        esc(out, r->metric);
        put(out, r->minimize ? " (minimized): " : " (maximized): ");
        params_text(out, r->trials[r->best].params);
        put(out, "</div>");
    }
    if (p->objectives > 1) { /* several objectives: the front is the result */
        size_t shown = 0;
        fprintf(out, "<div class=\"card\"><b>%lld</b>on the Pareto front",
                (long long)p->pareto_count);
        for (i = 0; i < r->n; i++)
            if (r->trials[i].pareto == 1 && shown++ < 12)
                fprintf(out, "%s%lld", shown == 1 ? ": trials " : ", ",
                        (long long)r->trials[i].index);
        put(out, shown > 12 ? ", ...</div>" : "</div>");
    }
    put(out, "</div><div class=\"grid\"><div><h3>Where it ran</h3><table>");
    row(out, "study id", r->study_id);
    row(out, "experiment directory", r->dir);
    row(out, "state", r->state);
    row(out, "cluster", r->cluster);
    row(out, "partition", r->partition);
    row(out, "Slurm version", r->slurm_version);
    snprintf(buf, sizeof(buf), "wjr %s (libwjr %s)", WJR_VERSION, wjr_version());
    row(out, "wjr version", buf);
    if (r->fallback_metric != NULL)
        snprintf(buf, sizeof(buf), "none configured; trials ranked by %s, lowest first", r->metric);
    else
        snprintf(buf, sizeof(buf), "%s (%s)", r->metric != NULL ? r->metric : "-",
                 r->minimize ? "minimize" : "maximize");
    if (r->n_objectives > 1) { /* each name in full, however long */
        put(out, "<tr><th>objectives</th><td>");
        for (i = 0; i < r->n_objectives; i++) {
            const report_objective *o = &r->objectives[i];
            put(out, i > 0 ? ", " : "");
            esc(out, o->metric);
            put(out, o->minimize ? " (minimize" : " (maximize");
            if (isfinite(o->threshold))
                fprintf(out, ", threshold %g", o->threshold);
            put(out, ")");
        }
        put(out, "</td></tr>");
    } else {
        row(out, "objective", r->metric != NULL ? buf : NULL);
    }
    row(out, "model", json_string_value(json_object_get(r->desc, "run_model")));
    put(out, "</table></div><div><h3>Parameters</h3><table>");
    for (i = 0; i < r->n_params; i++)
        param_row(out, &r->params[i], json_array_get(json_object_get(r->desc, "parameters"), i),
                  r->derived != NULL);
    put(out, "</table><h3>Generation strategy</h3><table>");
    snprintf(buf, sizeof(buf), "%lld",
             (long long)json_integer_value(json_object_get(strategy, "seed")));
    row(out, "seed", buf);
    json_array_foreach(json_object_get(strategy, "steps"), i, step)
    {
        long long nt = (long long)json_integer_value(json_object_get(step, "num_trials"));
        if (nt < 0)
            snprintf(buf, sizeof(buf), "the remaining trials");
        else
            snprintf(buf, sizeof(buf), "%lld trials", nt);
        put(out, "<tr><th>");
        esc(out, json_string_value(json_object_get(step, "model")));
        put(out, "</th><td>");
        esc(out, buf);
        put(out, "</td></tr>");
    }
    put(out, "</table></div><div><h3>Scheduler</h3>");
    object_table(out, json_object_get(r->desc, "scheduler"));
    put(out, "<h3>Slurm job options</h3>");
    object_table(out, json_object_get(r->desc, "slurm"));
    put(out, "</div></div></section>\n");
}

static void legend_item(FILE *out, const char *colour, const char *text)
{
    fprintf(out, "<span><i class=\"sw\" style=\"background:%s\"></i>", colour);
    esc(out, text);
    put(out, "</span>");
}

static void section_convergence(FILE *out, const report *r)
{
    const char *steps[8];
    size_t i, n = report_steps(r, steps, 8);

    put(out, "<section id=\"convergence\"><h2>Convergence</h2><p class=\"note\">Each completed "
             "trial's ");
    esc(out, r->metric != NULL ? r->metric : "objective");
    if (r->n_objectives > 1)
        put(out, " (the first objective; the Pareto front above weighs them all)");
    put(out, ", the best so far as a step line (orange), failed trials as red crosses and "
             "abandoned ones as grey bars below the plot.</p>"
             "<div class=\"switch\"><input type=\"radio\" name=\"cx\" id=\"cx-index\" checked>"
             "<label for=\"cx-index\">by trial index</label>"
             "<input type=\"radio\" name=\"cx\" id=\"cx-time\">"
             "<label for=\"cx-time\">by end time</label>"
             "<div class=\"by-index\">");
    report_svg_convergence(out, r, 0);
    put(out, "</div><div class=\"by-time\">");
    report_svg_convergence(out, r, 1);
    put(out, "</div></div>");
    if (r->best < 0)
        put(out, "<p>No trial has completed with a value yet.</p>");
    put(out, "<p class=\"legend\">");
    for (i = 0; i < n; i++)
        legend_item(out, report_step_colour(r, steps[i]), steps[i]);
    if (n == 0)
        legend_item(out, report_step_colour(r, NULL), "completed trial");
    legend_item(out, "#ffb000", "best trial");
    put(out, "</p></section>\n");
}

/* Several objectives: each pair of them (at most PARETO_CHARTS), the
 * front marked. */
static void section_pareto(FILE *out, const report *r)
{
    const char *steps[8];
    size_t a, b, shown = 0, pairs = r->n_objectives * (r->n_objectives - 1) / 2,
                 n = report_steps(r, steps, 8);

    put(out, "<section id=\"pareto\"><h2>Pareto front</h2><p class=\"note\">");
    fprintf(out,
            "%lld of the completed trials %s on the Pareto front: no other completed trial "
            "is as good in every objective and better in one",
            (long long)r->progress.pareto_count, r->progress.pareto_count == 1 ? "is" : "are");
    put(out, r->n_objectives > 2 ? " (of the objectives, not only the two a chart shows)" : "");
    put(out, ". They are the orange dots");
    put(out, r->n_objectives == 2 ? ", joined by the edge of what they dominate" : "");
    put(out, "; a ring breaks an outcome constraint");
    for (a = 0; a < r->n_objectives && !isfinite(r->objectives[a].threshold); a++)
        ;
    if (a < r->n_objectives)
        put(out, "; a dashed line is a threshold, beyond which a trial is not on the front");
    put(out, ".</p><div class=\"grid\">");
    for (a = 0; a < r->n_objectives; a++)
        for (b = a + 1; b < r->n_objectives && shown < PARETO_CHARTS; b++, shown++) {
            put(out, "<figure>");
            report_svg_pareto(out, r, a, b);
            put(out, "</figure>");
        }
    put(out, "</div>");
    if (pairs > shown)
        fprintf(out, "<p class=\"note\">%zu of the %zu pairs of objectives are drawn.</p>", shown,
                pairs);
    put(out, "<p class=\"legend\">");
    for (a = 0; a < n; a++)
        legend_item(out, report_step_colour(r, steps[a]), steps[a]);
    legend_item(out, "#ffb000", "on the Pareto front");
    put(out, "</p></section>\n");
}

static void section_parameters(FILE *out, const report *r)
{
    size_t i, shown = 0;

    put(out, "<section id=\"parameters\"><h2>Parameters</h2><p class=\"note\">Each parameter "
             "against the objective; the best trial is the large yellow dot");
    put(out, ", failed and abandoned trials are marked below each plot.</p><div class=\"grid\">");
    for (i = 0; i < r->n_params; i++) {
        if (r->params[i].kind == REPORT_FIXED)
            continue;
        put(out, "<figure><figcaption>");
        esc(out, r->params[i].name);
        put(out, "</figcaption>");
        report_svg_parameter(out, r, &r->params[i]);
        put(out, "</figure>");
        shown++;
    }
    put(out, "</div>");
    if (shown == 0)
        put(out, "<p>The configuration declares no parameter that varies.</p>");
    put(out, "</section>\n");
}

static void figure_row(FILE *out, const char *label, double median, double p90)
{
    char a[48], b[48];

    report_duration(a, sizeof(a), median);
    report_duration(b, sizeof(b), p90);
    fprintf(out, "<tr><th>%s</th><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>", label, a,
            b);
}

static void section_cluster(FILE *out, const report *r)
{
    const report_stats *s = &r->stats;
    char buf[64];

    put(out, "<section id=\"cluster\"><h2>Queue and run times</h2><p class=\"note\">For every "
             "submitted trial: queue wait (submit to start) and run time (start to end). "
             "Trials still queued or running are counted up to the time of the report.</p>");
    put(out, "<div class=\"cards\">");
    snprintf(buf, sizeof(buf), s->node_hours < 10 ? "%.3g" : "%.1f", s->node_hours);
    card(out, "node-hours (one node per job)", buf);
    snprintf(buf, sizeof(buf), s->cpu_hours < 10 ? "%.3g" : "%.1f", s->cpu_hours);
    card(out, "CPU-hours", buf);
    if (isfinite(s->wait_share))
        snprintf(buf, sizeof(buf), "%.0f%%", 100 * s->wait_share);
    else
        snprintf(buf, sizeof(buf), "-");
    card(out, "of job time spent waiting", buf);
    card_count(out, "jobs in flight at most", (long long)s->max_in_flight);
    report_duration(buf, sizeof(buf), (double)(s->t1 - s->t0));
    card(out, "from first submission to last end", buf);
    put(out, "</div><table><tr><th></th><th>median</th><th>90th percentile</th></tr>");
    figure_row(out, "queue wait", s->wait_median, s->wait_p90);
    figure_row(out, "run time", s->run_median, s->run_p90);
    fprintf(out, "</table><p class=\"note\">%zu jobs started, %zu ended.</p>", s->n_started,
            s->n_ended);
    put(out, "<h3>Timeline of jobs</h3>");
    report_svg_timeline(out, r);
    put(out, "<p class=\"legend\">");
    legend_item(out, "#f2c14e", "waiting in the queue");
    legend_item(out, "#2a9d8f", "ran, completed");
    legend_item(out, "#c62828", "ran, failed");
    legend_item(out, "#8a8f99", "ran, abandoned");
    legend_item(out, "#3b6fb6", "running");
    put(out, "</p><h3>Jobs in flight</h3>");
    report_svg_in_flight(out, r);
    put(out, "<p class=\"legend\">");
    legend_item(out, "#2a9d8f", "running");
    legend_item(out, "#f2c14e", "waiting");
    put(out, "</p></section>\n");
}

static void failure_row(FILE *out, const report *r, const report_trial *t)
{
    char *tail = report_stderr_tail(r, t, STDERR_LINES, STDERR_BYTES);

    fprintf(out, "<tr><td class=\"num\">%lld</td><td>%s</td><td>", (long long)t->index,
            wjr_trial_status_name(t->status));
    esc(out, t->job_id);
    put(out, "</td><td>");
    esc(out, t->slurm_state);
    put(out, "</td><td class=\"num\">");
    if (t->exit_code >= 0)
        fprintf(out, "%d", t->exit_code);
    else
        put(out, "-");
    if (t->term_signal > 0)
        fprintf(out, " (signal %d)", t->term_signal);
    put(out, "</td><td>");
    esc_cut(out, t->reason, REASON_BYTES);
    fprintf(out, "</td><td class=\"num\">%u</td><td><pre>", t->restarts + 1);
    esc(out, tail != NULL ? tail : "");
    put(out, "</pre></td></tr>");
    free(tail);
}

static void section_failures(FILE *out, const report *r)
{
    size_t i, n = 0, shown = 0;

    put(out, "<section id=\"failures\"><h2>Failures</h2>");
    for (i = 0; i < r->n; i++)
        if (r->trials[i].status == WJR_TRIAL_FAILED || r->trials[i].status == WJR_TRIAL_ABANDONED)
            n++;
    if (n == 0) {
        put(out, "<p>No trial failed or was abandoned.</p></section>\n");
        return;
    }
    fprintf(out, "<p class=\"note\">%zu failed or abandoned trials.", n);
    if (n > FAILURE_ROWS)
        fprintf(out, " The first %d are listed.", FAILURE_ROWS);
    put(out, "</p><table class=\"failures\"><tr><th>trial</th><th>status</th><th>job</th>"
             "<th>Slurm state</th><th>exit code</th><th>reason</th><th>attempt</th>"
             "<th>last lines of stderr</th></tr>");
    for (i = 0; i < r->n && shown < FAILURE_ROWS; i++) {
        const report_trial *t = &r->trials[i];
        if (t->status != WJR_TRIAL_FAILED && t->status != WJR_TRIAL_ABANDONED)
            continue;
        failure_row(out, r, t);
        shown++;
    }
    put(out, "</table></section>\n");
}

int report_write_html(FILE *out, const report *r)
{
    header(out, r);
    section_summary(out, r);
    if (r->n_objectives > 1)
        section_pareto(out, r);
    section_convergence(out, r);
    section_parameters(out, r);
    section_cluster(out, r);
    section_failures(out, r);
    fprintf(out,
            "</main><footer class=\"note\" style=\"padding:0 28px 20px\">Written by wjr %s "
            "from study.json, read without the study's lock.</footer></body></html>\n",
            WJR_VERSION);
    return ferror(out) ? -1 : 0;
}
