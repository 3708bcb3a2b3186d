#!/usr/bin/env python3
"""Check a page written by `wjr report` against the study it shows.

    check_report.py REPORT.html STATUS.json [--expected EXPECTED.json]

STATUS.json is `wjr status --json` of the same study: the figures the page
must show (counts, best trial, failed and abandoned trials in order, queue
wait and run time quantiles) are computed here from it, independently of
the report's code. EXPECTED.json (gen_study.py) adds figures computed from
the generator's own data. Also checked: the five sections exist in order
and are not empty, the page is self-contained (no script, no external
reference) and study strings appear as text, never as markup, and the
"Jobs in flight" chart shows, in each of its buckets, counts of jobs running
and waiting that held during it (the most in flight), as the trials' times
in STATUS.json give them.
Prints one line per failed check and exits 1 if any failed.
"""
import calendar
import html.parser
import json
import math
import re
import sys
import time

SECTIONS = ["summary", "convergence", "parameters", "cluster", "failures"]
FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
FAILURE_ROWS = 200
FLIGHT_BUCKETS, FLIGHT_Y0, FLIGHT_Y1 = 400, 180.0, 10.0  # report_svg.c: H - B, T
REASON_BYTES = 1000

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def duration(s):
    if s is None:
        return "-"
    if s < 120:
        return "%.0f s" % s
    if s < 7200:
        return "%.0fm %02.0fs" % (math.floor(s / 60), math.fmod(s, 60))
    if s < 172800:
        return "%.0fh %02.0fm" % (math.floor(s / 3600), math.floor(math.fmod(s, 3600) / 60))
    return "%.1f days" % (s / 86400)


def quantile(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[max(math.ceil(q * len(v)), 1) - 1]


class Page(html.parser.HTMLParser):
    """Sections with their text and tags; forbidden markup; failure rows."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.sections = []  # [id, text, tags]
        self.current = None
        self.bad = []
        self.style = ""
        self.in_style = False
        self.svg_stack = []  # class of the enclosing div of each svg
        self.div_classes = []
        self.circles = {}  # div class -> circles drawn in it
        self.failure_rows = []  # first cell text of each failure row
        self.row = None
        self.cell = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.bad.append("<%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append("attribute %s" % k)
            if k in ("src", "srcset", "action", "formaction"):
                self.bad.append("attribute %s=%s" % (k, v))
            if k in ("href", "xlink:href") and v is not None and not v.startswith("#"):
                self.bad.append("link to %s" % v)
        if tag == "style":
            self.in_style = True
        if tag == "section":
            self.current = [a.get("id"), [], []]
            self.sections.append(self.current)
        if self.current is not None:
            self.current[2].append(tag)
        if tag == "div":
            self.div_classes.append(a.get("class"))
        if tag == "circle" and self.div_classes:
            key = self.div_classes[-1]
            self.circles[key] = self.circles.get(key, 0) + 1
        if self.current is not None and self.current[0] == "failures":
            if tag == "tr":
                self.row = []
            if tag == "td" and self.row is not None:
                self.cell = []
        if tag not in ("br", "input", "meta", "line", "circle", "path", "rect"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag == "section":
            self.current = None
        if tag == "div" and self.div_classes:
            self.div_classes.pop()
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        if tag == "tr" and self.row is not None:
            if self.row:
                self.failure_rows.append(self.row)
            self.row = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        if self.current is not None:
            self.current[1].append(data)
        if self.cell is not None:
            self.cell.append(data)
        self.text.append(data)


def flight_series(page_text):
    """A function of the chart's top count giving its (running, waiting) per
    bucket, read back from its two areas (running + waiting, then running):
    the y scale reaches 1.08 times that top. Also max_pending_trials."""
    svg = page_text[page_text.index("<h3>Jobs in flight</h3>"):]
    svg = svg[: svg.index("</svg>")]
    limit = re.search(r"max_pending_trials = (\d+)", svg)
    areas = {}
    for cls in ("area-wait", "area-run"):
        d = re.search(r'<path class="%s" d="([^"]*)"' % cls, svg).group(1)
        ys = [float(y) for y in re.findall(r"L[-\d.]+ ([-\d.]+)", d)][:-1]
        areas[cls] = ys[::2]  # two points per bucket, at the same height

    def series(top):
        def count(y):
            return (FLIGHT_Y0 - y) / (FLIGHT_Y0 - FLIGHT_Y1) * top * 1.08
        total = [count(y) for y in areas["area-wait"]]
        run = [count(y) for y in areas["area-run"]]
        return [(r, t - r) for r, t in zip(run, total)]

    return series, int(limit.group(1)) if limit else 0


def flight_expected(status, now):
    """From the trials' times: the counts in force after each second with an
    event, then per bucket the (running, waiting) with the most in flight
    among those that held during it (the earliest of equals); and the top."""
    events = {}
    for t in status:
        submit, start, end = t.get("submit_time") or 0, t.get("start_time") or 0, t.get("end_time") or 0
        if submit <= 0:
            continue
        events.setdefault(submit, []).append((1, 0))
        if start:
            events.setdefault(max(start, submit), []).append((-1, 1))
        if end:
            events.setdefault(max(end, start, submit), []).append((0, -1) if start else (-1, 0))
    if not events:
        return None, 1
    times = sorted(events)
    t0, t1 = times[0], max(times[-1], now if any(not (t.get("end_time") or 0) for t in status
                                                    if (t.get("submit_time") or 0) > 0) else 0)
    span = float(t1 - t0) if t1 > t0 else 1.0
    buckets = [None] * FLIGHT_BUCKETS
    wait = run = 0
    top = 1

    def bucket(t, open_end):
        x = (t - t0) / span * FLIGHT_BUCKETS
        b = math.ceil(x) - 1 if open_end else math.floor(x)
        return min(max(b, 0), FLIGHT_BUCKETS - 1)

    for k, t in enumerate(times):
        for dw, dr in events[t]:
            wait, run = wait + dw, run + dr
        top = max(top, wait + run)
        last = bucket(times[k + 1], True) if k + 1 < len(times) else FLIGHT_BUCKETS - 1
        for b in range(bucket(t, False), last + 1):
            if buckets[b] is None or wait + run > sum(buckets[b]):
                buckets[b] = (run, wait)
    return buckets, top


def main():
    args = sys.argv[1:]
    expected = None
    if "--expected" in args:
        i = args.index("--expected")
        expected = json.load(open(args[i + 1]))
        del args[i : i + 2]
    page_text = open(args[0], encoding="utf-8").read()
    status = json.load(open(args[1]))["trials"]
    page = Page()
    page.feed(page_text)
    text = " ".join(page.text)

    # the five sections, in order, each with content
    ids = [s[0] for s in page.sections]
    check(ids == SECTIONS, "sections are %s, expected %s" % (ids, SECTIONS))
    for sid, parts, tags in page.sections:
        body = "".join(parts).strip()
        check(len(body) > 20, "section %s has no text" % sid)
        if sid in ("convergence", "parameters", "cluster"):
            # parameters: unless no trial has any and none is declared
            if sid != "parameters" or "declares no parameter" not in body:
                check("svg" in tags, "section %s has no chart" % sid)
        if sid == "summary":
            check("table" in tags, "section summary has no table")

    # self-contained, study strings as text
    check(not page.bad, "not self-contained or markup from the study: %s" % page.bad[:5])
    check("url(" not in page.style and "@import" not in page.style, "the style loads something")
    check(page_text.startswith("<!DOCTYPE html>"), "no doctype")

    counts = {}
    for t in status:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    cards = dict((m.group(2), int(m.group(1))) for m in re.finditer(
        r'<div class="card"><b>(\d+)</b>(trials|completed|failed|abandoned)</div>', page_text))
    check(cards.get("trials") == len(status), "trials card %s, expected %d" % (cards.get("trials"), len(status)))
    for name in ("completed", "failed", "abandoned"):
        want = counts.get(name.upper(), 0)
        check(cards.get(name) == want, "%s card %s, expected %d" % (name, cards.get(name), want))

    # best trial: the smallest objective among completed trials
    done = [t for t in status if t["status"] == "COMPLETED" and t["metrics"]]
    if done:
        metric = next(iter(done[0]["metrics"]))
        best = min(done, key=lambda t: (t["metrics"][metric]["mean"], t["index"]))
        check("(trial %d)" % best["index"] in text, "best trial %d not shown" % best["index"])
        if expected is not None:
            check(best["index"] == expected["best_index"], "status's best is not the generator's")
        # every completed trial is a dot (plus the best one drawn again), thinned
        # only where dots would overlap
        dots = page.circles.get("by-index", 0)
        if len(done) <= 50:
            check(dots == len(done) + 1, "%d dots by index for %d completed" % (dots, len(done)))
        else:
            check(0 < dots <= len(done) + 1, "%d dots by index for %d completed" % (dots, len(done)))

    # failed and abandoned trials, in index order, the first FAILURE_ROWS of them
    bad = [t for t in status if t["status"] in ("FAILED", "ABANDONED")]
    rows = [r for r in page.failure_rows if len(r) == 8]
    want = [str(t["index"]) for t in bad[:FAILURE_ROWS]]
    check([r[0] for r in rows] == want, "failure rows %s..., expected %s..." % ([r[0] for r in rows][:5], want[:5]))
    for r, t in zip(rows, bad):
        check(r[1] == t["status"], "trial %s: status %s" % (r[0], r[1]))
        if t["reason"]:
            want = t["reason"]
            if len(want.encode()) > REASON_BYTES:  # cut at a character, then an ellipsis
                want = want.encode()[:REASON_BYTES].decode(errors="ignore") + "\u2026"
            check(r[5] == want, "trial %s: reason %r, expected %r" % (r[0], r[5][:80], want[:80]))
    if not bad:
        check("No trial failed" in text, "no failures, and the page does not say so")

    # queue wait and run time quantiles
    waits = [t["start_time"] - t["submit_time"] for t in status if t["start_time"] and t["submit_time"]]
    runs = [t["end_time"] - t["start_time"] for t in status if t["start_time"] and t["end_time"]]
    for label, values in (("queue wait", waits), ("run time", runs)):
        cells = re.search(r"<tr><th>%s</th><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>" % label, page_text)
        got = cells.groups() if cells else None
        want = (duration(quantile(values, 0.5)), duration(quantile(values, 0.9)))
        check(got == want, "%s median, p90: %s, expected %s" % (label, got, want))
    if expected is not None:
        check(duration(quantile(waits, 0.5)) == expected["wait_median"], "status wait median differs from the generator's")
        check(duration(quantile(runs, 0.9)) == expected["run_p90"], "status run p90 differs from the generator's")

    # jobs in flight: bucket by bucket, from the trials' times
    when = re.search(r"report of (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", page_text)
    now = calendar.timegm(time.strptime(when.group(1), "%Y-%m-%d %H:%M:%S")) if when else 0
    series, limit = flight_series(page_text)
    want, top = flight_expected(status, now)
    if want is not None:
        top = max(top, limit)
        got = series(top)
        # y is written to 0.1 pixel: a count is read back within that (exact when small)
        tol = 0.1 / (FLIGHT_Y0 - FLIGHT_Y1) * top * 1.08 + 1e-6
        bad = [(b, tuple(round(v, 1) for v in got[b]), want[b]) for b in range(FLIGHT_BUCKETS)
               if abs(got[b][0] - want[b][0]) > tol or abs(got[b][1] - want[b][1]) > 2 * tol]
        check(not bad, "in flight, %d bucket(s) wrong; (bucket, shown (running, waiting), "
              "expected): %s" % (len(bad), bad[:4]))

    for f in failures:
        print("FAIL check_report: " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
