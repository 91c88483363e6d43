#!/usr/bin/env python3
"""Turns one peer_bench.sh run into the Markdown table README shows, and checks issue 7's targets.

    Bench/table.py RUN_DIR [--rss-file FILE] [--command 'make bench …'] [--readme README.md]

RUN_DIR is the harness's output directory (raw.csv, meta.txt). Every figure is the median over the
run's rounds of one (scenario, target) pair; every ratio compares two targets measured in that same
run, never figures from different runs. Writes RUN_DIR/table.md and prints it; with --readme, also
replaces the block between the `<!-- bench:begin -->` and `<!-- bench:end -->` markers.
"""
import argparse
import csv
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
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def medians(raw: Path):
    """(scenario, target) → median rps, p50 ms, p99 ms, CPU µs/request, non-2xx count, rounds."""
    rows: dict[tuple[str, str], list[dict[str, str]]] = {}
    with raw.open() as f:
        for row in csv.DictReader(f):
            rows.setdefault((row["scenario"], row["target"]), []).append(row)
    out = {}
    for key, rs in rows.items():
        def med(field):
            vals = [float(r[field]) for r in rs if r[field] not in ("", "-", "nan")]
            return statistics.median(vals) if vals else float("nan")
        out[key] = {
            "rps": med("rps"), "p50": med("p50_us") / 1000, "p99": med("p99_us") / 1000,
            "cpu": med("tgt_cpu_us_req"),
            "errors": sum(int(float(r["err_status"] or 0)) + int(float(r["err_sock"] or 0)) for r in rs),
            "rounds": len(rs),
        }
    return out


def fmt(x, pattern):
    return "–" if x != x else pattern.format(x)  # NaN → dash


def table(data, scenarios):
    lines = ["| scenario | target | req/s | × nginx req/s | p50 ms | p99 ms | CPU µs/req | × nginx CPU | non-2xx+errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scenarios:
        ref = data.get((s, "nginx"))
        for t in TARGET_ORDER:
            d = data.get((s, t))
            if d is None:
                continue
            rr = d["rps"] / ref["rps"] if ref and ref["rps"] else float("nan")
            cr = d["cpu"] / ref["cpu"] if ref and ref["cpu"] else float("nan")
            lines.append(f"| {s} | {TARGET_LABEL.get(t, t)} | {d['rps']:,.0f} | {fmt(rr, '{:.2f}×')} | "
                         f"{d['p50']:.2f} | {d['p99']:.2f} | {fmt(d['cpu'], '{:.1f}')} | {fmt(cr, '{:.2f}×')} | {d['errors']} |")
    return lines


def targets(data, scenarios, rss_mib):
    """Issue 7's targets, each as a ratio of two targets in this run: (text, met?)."""
    checks = []
    def get(s, t, f):
        d = data.get((s, t))
        return d[f] if d else None
    for s in scenarios:
        pr, nr = get(s, "portcullis", "rps"), get(s, "nginx", "rps")
        if pr and nr:
            checks.append((f"{s}: no rules req/s ≥ 1.0× nginx — {pr / nr:.2f}×", pr / nr >= 1.0))
        pc, nc = get(s, "portcullis", "cpu"), get(s, "nginx", "cpu")
        if pc and nc:
            checks.append((f"{s}: no rules CPU/req ≤ nginx — {pc:.1f} vs {nc:.1f} µs ({pc / nc:.2f}×)", pc <= nc))
        rc = get(s, "pc-rules", "cpu")
        if rc and pc:
            checks.append((f"{s}: default rules CPU/req ≤ 1.5× no rules — {rc:.1f} vs {pc:.1f} µs ({rc / pc:.2f}×)",
                           rc <= 1.5 * pc))
        rr, mr = get(s, "pc-rules", "rps"), get(s, "modsec", "rps")
        if rr and mr:
            checks.append((f"{s}: default rules req/s ≥ 10× nginx+ModSecurity+CRS — {rr / mr:.1f}×", rr >= 10 * mr))
    if rss_mib is not None:
        checks.append((f"idle RSS ≤ 32 MiB (default rules, no traffic) — {rss_mib:.1f} MiB", rss_mib <= 32))
    return checks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--rss-file", type=Path, help="file holding the idle RSS in KiB")
    ap.add_argument("--command", default="make bench")
    ap.add_argument("--readme", type=Path)
    args = ap.parse_args()

    raw = args.run_dir / "raw.csv"
    if not raw.is_file():
        sys.exit(f"error: {raw} not found (did peer_bench.sh finish?)")
    data = medians(raw)
    if not data:
        sys.exit(f"error: {raw} holds no measured runs")
    scenarios = [s for s in SCENARIO_ORDER if any(k[0] == s for k in data)]
    rss = None
    if args.rss_file and args.rss_file.is_file():
        text = args.rss_file.read_text().strip()
        rss = int(text) / 1024 if text.isdigit() else None

    meta = {}
    meta_file = args.run_dir / "meta.txt"
    if meta_file.is_file():
        for line in meta_file.read_text().splitlines():
            k, _, v = line.partition(": ")
            meta.setdefault(k, v.replace("model name\t: ", "").replace("\t", " "))
    rounds = max(d["rounds"] for d in data.values())
    out = [f"Measured with `{args.command}` on {meta.get('date', '?')} ({meta.get('host', '?')}); "
           f"median of {rounds} round(s); {meta.get('args', '')}.", ""]
    out += table(data, scenarios)
    out += ["", "In `attack`, non-2xx answers are the firewalls' 403s (`detect` forwards instead, inspecting "
            "everything); anywhere else they are failures."]
    out += ["", "Targets (issue 7), each a ratio within this run:", ""]
    for text, ok in targets(data, scenarios, rss):
        out.append(f"- {'met' if ok else '**missed**'}: {text}")
    md = "\n".join(out) + "\n"
    (args.run_dir / "table.md").write_text(md)
    print(md)

    if args.readme:
        readme = args.readme.read_text()
        if BEGIN in readme and END in readme:
            head, rest = readme.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            args.readme.write_text(f"{head}{BEGIN}\n{md}{END}{tail}")
            print(f"updated the table in {args.readme}")
        else:
            print(f"note: {args.readme} has no {BEGIN} … {END} block; not updated", file=sys.stderr)


if __name__ == "__main__":
    main()
