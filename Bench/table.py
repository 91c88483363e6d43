#!/usr/bin/env python3
"""Turns one peer_bench.sh run into the Markdown table README shows, and checks issue 7's targets.

    Bench/table.py RUN_DIR [--rss-file FILE] [--command 'make bench …'] [--readme README.md]

RUN_DIR is the harness's output directory (raw.csv, meta.txt). raw.csv holds one row per measured
wrk run, in the order the runs happened, with its scenario, round and target.

One statistic for everything, fixed here before any result is seen (Bench/README.md, "How `make
bench` measures"):
- a cell (req/s, p50, p99, CPU µs/request of one scenario and target) is the median over the
  run's rounds;
- a ratio of two targets is the median over the rounds of the ratio *within* each round (both
  runs of a round are seconds apart, so drift of the machine hits numerator and denominator
  alike), shown with the lowest and highest per-round ratio so the reader sees its spread.
Every ratio compares two targets measured in this same run, never figures from different runs.
A target's verdict is its median ratio against the threshold; the line also says how many rounds
met it. Writes RUN_DIR/table.md and prints it; with --readme, also replaces the block between
the `<!-- bench:begin -->` and `<!-- bench:end -->` markers.
"""
import argparse
import csv
import math
import statistics
import sys
from pathlib import Path

SCENARIO_ORDER = ["get", "args", "post", "attack", "close"]
TARGET_ORDER = ["direct", "nginx", "haproxy", "modsec", "portcullis", "pc-rules", "pc-detect"]
TARGET_LABEL = {
    "direct": "upstream direct",
    "nginx": "nginx",
    "haproxy": "HAProxy",
    "modsec": "nginx + ModSecurity + CRS",
    "portcullis": "Portcullis, no rules",
    "pc-rules": "Portcullis, default rules",
    "pc-detect": "Portcullis, default rules, detect",
}
# The comparisons the targets rest on; peer.sh orders the targets so that each pair runs back to
# back in every round (the table's caption reports whether they did).
PAIRS = [("nginx", "portcullis"), ("portcullis", "pc-rules")]
# Median share of the machine (%) other processes may use during the runs before the caption says
# the run's figures are not results.
BUSY_PCT = 5
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
NAN = float("nan")


def number(text):
    """A raw.csv field as a float; NaN for the harness's placeholders (NA, empty)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return NAN


def count(text):
    """An error count from raw.csv; 0 where the harness wrote none."""
    x = number(text)
    return int(x) if x == x else 0


def read_runs(raw: Path):
    """(scenario, round, target) → that run's figures, plus each run's position in its round."""
    runs = {}
    position: dict[tuple[str, int], int] = {}
    with raw.open() as f:
        for row in csv.DictReader(f):
            s, r, t = row["scenario"], int(row["round"]), row["target"]
            position[(s, r)] = position.get((s, r), 0) + 1
            runs[(s, r, t)] = {
                "rps": number(row["rps"]),
                "p50": number(row["p50_us"]) / 1000,
                "p99": number(row["p99_us"]) / 1000,
                "cpu": number(row["tgt_cpu_us_req"]),
                "errors": count(row["err_status"]) + count(row["err_sock"]),
                "bg": number(row.get("bg_pct")),
                "fg": number(row.get("foreign_pct")),
                "pos": position[(s, r)],
            }
    return runs


def median(values):
    vals = [v for v in values if v == v]
    return statistics.median(vals) if vals else NAN


def cells(runs):
    """(scenario, target) → the median over rounds of each figure, summed errors, rounds."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for (s, _, t), run in runs.items():
        grouped.setdefault((s, t), []).append(run)
    return {key: {"rps": median(r["rps"] for r in rs), "p50": median(r["p50"] for r in rs),
                  "p99": median(r["p99"] for r in rs), "cpu": median(r["cpu"] for r in rs),
                  "errors": sum(r["errors"] for r in rs), "rounds": len(rs)}
            for key, rs in grouped.items()}


class Ratio:
    """num/den of one figure, per round (both from the same round): median, lowest, highest."""

    def __init__(self, per_round):
        self.per_round = [q for q in per_round if q == q]
        self.median = median(self.per_round)
        self.low = min(self.per_round) if self.per_round else NAN
        self.high = max(self.per_round) if self.per_round else NAN

    def text(self, digits=2, spread=True, threshold=None):
        """`1.23× (1.10–1.31)`; one more digit where two would print the threshold itself."""
        if self.median != self.median:
            return "–"
        if threshold is not None and round(self.median, digits) == threshold:
            digits += 1
        out = f"{self.median:.{digits}f}×"
        if spread and len(self.per_round) > 1:
            out += f" ({self.low:.{digits}f}–{self.high:.{digits}f})"
        return out

    def rounds_where(self, ok):
        return sum(1 for q in self.per_round if ok(q)), len(self.per_round)


def ratio(runs, scenario, num, den, field):
    rounds = sorted({r for (s, r, _) in runs if s == scenario})
    per_round = []
    for r in rounds:
        a, b = runs.get((scenario, r, num)), runs.get((scenario, r, den))
        if a and b and b[field] and b[field] == b[field]:
            per_round.append(a[field] / b[field])
    return Ratio(per_round)


def fmt(x, pattern):
    return "–" if x != x else pattern.format(x)  # NaN → dash


def table(runs, data, scenarios):
    lines = ["| scenario | target | req/s | × nginx req/s | p50 ms | p99 ms | CPU µs/req | × nginx CPU | non-2xx+errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scenarios:
        for t in TARGET_ORDER:
            d = data.get((s, t))
            if d is None:
                continue
            same = t == "nginx"
            rr = ratio(runs, s, t, "nginx", "rps").text(spread=not same)
            cr = ratio(runs, s, t, "nginx", "cpu").text(spread=not same)
            lines.append(f"| {s} | {TARGET_LABEL.get(t, t)} | {fmt(d['rps'], '{:,.0f}')} | {rr} | "
                         f"{fmt(d['p50'], '{:.2f}')} | {fmt(d['p99'], '{:.2f}')} | {fmt(d['cpu'], '{:.1f}')} | {cr} | {d['errors']} |")
    return lines


def targets(runs, data, scenarios, rss_mib):
    """Issue 7's targets, each as a ratio of two targets in this run: (text, met?)."""
    checks = []

    def check(label, q: Ratio, threshold, ok, detail=""):
        if not q.per_round:
            return
        met, n = q.rounds_where(ok)
        spread = f"rounds {q.low:.2f}–{q.high:.2f}×, " if n > 1 else ""
        checks.append((f"{label} — {q.text(spread=False, threshold=threshold)} "
                       f"({spread}{met} of {n} round{'s' if n != 1 else ''} met){detail}", ok(q.median)))

    def cpu(s, t):
        d = data.get((s, t))
        return d["cpu"] if d else NAN

    for s in scenarios:
        check(f"{s}: no rules req/s ≥ 1.0× nginx", ratio(runs, s, "portcullis", "nginx", "rps"), 1.0,
              lambda q: q >= 1.0)
        check(f"{s}: no rules CPU/req ≤ nginx", ratio(runs, s, "portcullis", "nginx", "cpu"), 1.0,
              lambda q: q <= 1.0,
              f"; medians {cpu(s, 'portcullis'):.1f} vs {cpu(s, 'nginx'):.1f} µs")
        check(f"{s}: default rules CPU/req ≤ 1.5× no rules", ratio(runs, s, "pc-rules", "portcullis", "cpu"), 1.5,
              lambda q: q <= 1.5, f"; medians {cpu(s, 'pc-rules'):.1f} vs {cpu(s, 'portcullis'):.1f} µs")
        mod = ratio(runs, s, "pc-rules", "modsec", "rps")
        if mod.per_round:
            met, n = mod.rounds_where(lambda q: q >= 10)
            checks.append((f"{s}: default rules req/s ≥ 10× nginx+ModSecurity+CRS — {mod.median:.1f}× "
                           f"(rounds {mod.low:.1f}–{mod.high:.1f}×, {met} of {n} rounds met)", mod.median >= 10))
    if rss_mib is not None:
        checks.append((f"idle RSS ≤ 32 MiB (default rules, no traffic) — {rss_mib:.1f} MiB", rss_mib <= 32))
    return checks


def adjacency(runs, scenarios):
    """For each pair in PAIRS: in how many (scenario, round)s its two runs were back to back."""
    notes = []
    for a, b in PAIRS:
        together = total = 0
        for (s, r, t), run in runs.items():
            if t != a or s not in scenarios:
                continue
            other = runs.get((s, r, b))
            if other is None:
                continue
            total += 1
            together += abs(other["pos"] - run["pos"]) == 1
        if total:
            notes.append(f"{TARGET_LABEL[a]} and {TARGET_LABEL[b]} back to back in {together} of {total} rounds")
    return notes


def load_note(runs):
    """How busy the rest of the machine was: the harness's fg% (during a run) and bg% (1 s before)."""
    fg = [r["fg"] for r in runs.values() if r["fg"] == r["fg"]]
    bg = [r["bg"] for r in runs.values() if r["bg"] == r["bg"]]
    if not fg:
        return ""
    text = f"Other processes' share of the machine during the runs: median {statistics.median(fg):.0f} %, at most {max(fg):.0f} %"
    if bg:
        text += f" (in the second before each run: median {statistics.median(bg):.0f} %, at most {max(bg):.0f} %)"
    text += "."
    if statistics.median(fg) >= BUSY_PCT:
        text += " **The machine was busy with other work during this run: its figures are not results.**"
    return text


def render(runs, meta, command, rss):
    data = cells(runs)
    scenarios = [s for s in SCENARIO_ORDER if any(k[0] == s for k in data)]
    rounds = max(d["rounds"] for d in data.values())
    checks = targets(runs, data, scenarios, rss)
    met = sum(ok for _, ok in checks)
    out = [f"Measured with `{command}` on {meta.get('date', '?')} ({meta.get('host', '?')}); "
           f"{meta.get('args', '')}.", "",
           f"Every figure is the **median over the {rounds} rounds** of its scenario and target; every ratio is the "
           "**median of the per-round ratios** (both targets from the same round), with the lowest and highest "
           "per-round ratio in parentheses. The same statistic for every cell and target, chosen before any "
           "result (Bench/README.md, \"How `make bench` measures\"). "
           + "; ".join(adjacency(runs, scenarios)) + ". " + load_note(runs), ""]
    out += table(runs, data, scenarios)
    out += ["", "In `attack`, non-2xx answers are the firewalls' 403s (`detect` forwards instead, inspecting "
            "everything); anywhere else they are failures."]
    out += ["", f"Targets (issue 7), each a ratio within this run — {met} of {len(checks)} met by the median; "
            "a range that straddles the threshold means the rounds disagree:", ""]
    for text, ok in checks:
        out.append(f"- {'met' if ok else '**missed**'}: {text}")
    return "\n".join(out) + "\n"


def read_meta(run_dir: Path):
    meta = {}
    meta_file = run_dir / "meta.txt"
    if meta_file.is_file():
        for line in meta_file.read_text().splitlines():
            k, _, v = line.partition(": ")
            meta.setdefault(k, v.replace("model name\t: ", "").replace("\t", " "))
    return meta


def replace_block(readme: Path, md: str) -> bool:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{md}{END}{tail}")
    return True


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--rss-file", type=Path, help="file holding the idle RSS in KiB")
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--readme", type=Path)
    args = ap.parse_args(argv)

    raw = args.run_dir / "raw.csv"
    if not raw.is_file():
        sys.exit(f"error: {raw} not found (did peer_bench.sh finish?)")
    runs = read_runs(raw)
    if not runs:
        sys.exit(f"error: {raw} holds no measured runs")
    rss = None
    if args.rss_file and args.rss_file.is_file():
        text = args.rss_file.read_text().strip()
        rss = int(text) / 1024 if text.isdigit() else None

    md = render(runs, read_meta(args.run_dir), args.command, rss)
    (args.run_dir / "table.md").write_text(md)
    print(md)

    if args.readme:
        if replace_block(args.readme, md):
            print(f"updated the table in {args.readme}")
        else:
            print(f"note: {args.readme} has no {BEGIN} … {END} block; not updated", file=sys.stderr)


if __name__ == "__main__":
    main()
