#!/usr/bin/env python3
"""Tests of Bench/table.py on made-up peer_bench.sh output: `python3 Bench/test_table.py`."""
import csv
import tempfile
import unittest
from pathlib import Path

import table

FIELDS = ("scenario,round,target,rps,p50_us,p90_us,p99_us,p999_us,max_us,requests,err_status,err_sock,"
          "tgt_cpu_us_req,up_cpu_us_req,wrk_cpu_pct,cpu0_busy,cpu1_busy,steal_pct,bg_pct,foreign_pct,"
          "up_conns_per_1k_req").split(",")


def write_raw(directory: Path, runs):
    """runs: (scenario, round, target, rps, cpu) in the order they ran."""
    with (directory / "raw.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        for s, r, t, rps, cpu in runs:
            w.writerow({k: 0 for k in FIELDS} | {"scenario": s, "round": r, "target": t, "rps": rps,
                                                  "p50_us": 500, "p99_us": 1500, "tgt_cpu_us_req": cpu,
                                                  "bg_pct": 1, "foreign_pct": 2})
    return table.read_runs(directory / "raw.csv")


def drifting_rounds(factors, rules_ratio=1.4, nginx_cpu=20.0, order=("nginx", "portcullis", "pc-rules")):
    """Rounds in which the whole machine runs `factor` times slower; the true ratios stay fixed."""
    runs = []
    for r, f in enumerate(factors, start=1):
        cpu = {"nginx": nginx_cpu * f, "portcullis": 20.0 * f, "pc-rules": 20.0 * rules_ratio * f}
        for t in order:
            runs.append(("post", r, t, 1e6 / cpu[t], cpu[t]))
    return runs


class RatioTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_ratios_are_taken_within_each_round_so_drift_cancels(self):
        # A slow round for everything moves the cells but not the per-round ratios.
        runs = write_raw(self.dir, drifting_rounds([1.0, 1.3, 0.9, 1.1]))
        q = table.ratio(runs, "post", "pc-rules", "portcullis", "cpu")
        self.assertAlmostEqual(q.median, 1.4)
        self.assertAlmostEqual(q.low, 1.4)
        self.assertAlmostEqual(q.high, 1.4)
        self.assertEqual(q.rounds_where(lambda x: x <= 1.5), (4, 4))

    def test_pairing_differs_from_a_ratio_of_medians(self):
        # Round 2: no rules ran in a slow spell, the rules run did not. A ratio of the cells'
        # medians would mix rounds; the median of per-round ratios keeps each pair together.
        runs = write_raw(self.dir, [
            ("post", 1, "portcullis", 1, 20.0), ("post", 1, "pc-rules", 1, 30.0),
            ("post", 2, "portcullis", 1, 30.0), ("post", 2, "pc-rules", 1, 32.0),
            ("post", 3, "portcullis", 1, 22.0), ("post", 3, "pc-rules", 1, 33.0),
        ])
        q = table.ratio(runs, "post", "pc-rules", "portcullis", "cpu")
        self.assertAlmostEqual(q.median, 1.5)                      # 1.5, 1.067, 1.5
        self.assertAlmostEqual(q.low, 32 / 30)
        cells = table.cells(runs)
        self.assertAlmostEqual(cells[("post", "pc-rules")]["cpu"] / cells[("post", "portcullis")]["cpu"], 32 / 22)

    def test_median_of_four_is_the_mean_of_the_middle_two_and_ignores_an_outlier_round(self):
        runs = write_raw(self.dir, [
            ("get", r, t, 1, cpu) for r, (a, b) in enumerate([(20, 28), (20, 30), (20, 29), (20, 60)], 1)
            for t, cpu in (("portcullis", a), ("pc-rules", b))])
        q = table.ratio(runs, "get", "pc-rules", "portcullis", "cpu")
        self.assertAlmostEqual(q.median, (1.45 + 1.5) / 2)
        self.assertAlmostEqual(q.high, 3.0)

    def test_a_round_missing_one_target_is_left_out_of_that_ratio(self):
        runs = write_raw(self.dir, [
            ("get", 1, "portcullis", 1, 20), ("get", 1, "pc-rules", 1, 24),
            ("get", 2, "pc-rules", 1, 50),
            ("get", 3, "portcullis", 1, "NA"), ("get", 3, "pc-rules", 1, 50),
        ])
        q = table.ratio(runs, "get", "pc-rules", "portcullis", "cpu")
        self.assertEqual(q.per_round, [1.2])
        self.assertEqual(table.count("NA"), 0)
        self.assertEqual(table.count("3"), 3)
        self.assertEqual(q.text(), "1.20×")

    def test_text_shows_the_spread_and_one_more_digit_at_the_threshold(self):
        q = table.Ratio([0.97, 1.03, 0.998, 1.0])
        self.assertEqual(q.text(), "1.00× (0.97–1.03)")
        self.assertEqual(q.text(spread=False, threshold=1.0), "0.999×")
        self.assertEqual(table.Ratio([]).text(), "–")


class RenderTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_verdicts_follow_the_median_and_count_the_rounds(self):
        rows = []
        for r, (none, rules) in enumerate([(20, 30.6), (20, 31), (20, 32), (20, 28)], 1):
            for t, cpu in (("nginx", 21), ("portcullis", none), ("pc-rules", rules)):
                rows.append(("args", r, t, 1e6 / cpu, cpu))
        runs = write_raw(self.dir, rows)
        md = table.render(runs, {}, "make bench", rss=30.0)
        self.assertIn("- **missed**: args: default rules CPU/req ≤ 1.5× no rules — 1.54× "
                      "(rounds 1.40–1.60×, 1 of 4 rounds met)", md)
        self.assertIn("- met: args: no rules CPU/req ≤ nginx — 0.95×", md)
        self.assertIn("- met: idle RSS ≤ 32 MiB", md)
        self.assertIn("median over the 4 rounds", md)
        self.assertIn("nginx and Portcullis, no rules back to back in 4 of 4 rounds", md)

    def test_a_busy_machine_is_called_out(self):
        quiet = table.render(write_raw(self.dir, drifting_rounds([1.0])), {}, "make bench", rss=None)
        self.assertNotIn("not results", quiet)
        runs = write_raw(self.dir, drifting_rounds([1.0]))
        for run in runs.values():
            run["fg"] = 40.0
        self.assertIn("its figures are not results", table.render(runs, {}, "make bench", rss=None))

    def test_a_median_exactly_at_the_threshold_is_met_and_printed_with_three_digits(self):
        rows = [("args", r, t, 1, cpu) for r, (none, rules) in enumerate([(20, 29), (20, 31), (20, 32), (20, 28)], 1)
                for t, cpu in (("portcullis", none), ("pc-rules", rules))]
        md = table.render(write_raw(self.dir, rows), {}, "make bench", rss=None)
        self.assertIn("- met: args: default rules CPU/req ≤ 1.5× no rules — 1.500× (rounds 1.40–1.60×, 2 of 4", md)

    def test_the_caption_says_when_a_pair_did_not_run_back_to_back(self):
        runs = write_raw(self.dir, drifting_rounds([1.0, 1.0], order=("nginx", "pc-rules", "portcullis")))
        md = table.render(runs, {}, "make bench", rss=None)
        self.assertIn("Portcullis, no rules and Portcullis, default rules back to back in 2 of 2 rounds", md)
        runs = write_raw(self.dir, [("post", 1, t, 1, 20) for t in ("nginx", "direct", "portcullis")])
        md = table.render(runs, {}, "make bench", rss=None)
        self.assertIn("nginx and Portcullis, no rules back to back in 0 of 1 rounds", md)

    def test_readme_block_is_replaced_and_the_rest_kept(self):
        readme = self.dir / "README.md"
        readme.write_text(f"before\n{table.BEGIN}\nold\n{table.END}\nafter\n")
        self.assertTrue(table.replace_block(readme, "new\n"))
        self.assertEqual(readme.read_text(), f"before\n{table.BEGIN}\nnew\n{table.END}\nafter\n")
        other = self.dir / "OTHER.md"
        other.write_text("no markers\n")
        self.assertFalse(table.replace_block(other, "new\n"))
        self.assertEqual(other.read_text(), "no markers\n")


if __name__ == "__main__":
    unittest.main()
