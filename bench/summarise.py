"""Turns bench/run-all.sh's raw outputs into one table: printed, and written to OUT/latest.md and OUT/latest.json.

Usage: summarise.py RAW_DIR OUT_DIR --machine TEXT --versions TEXT [--quick]
Every row: what was measured, ours, the reference (PyTorch, or the target itself where there is no reference), the
ratio ours/reference where that is meaningful, the target and whether it was met.
"""
import argparse, datetime, json, os, re, statistics

TIME_TARGET, MEMORY_TARGET = 0.8, 1.0


def read_sides(path):
    sides = {"csharp": [], "pytorch": []}
    if os.path.exists(path):
        for line in open(path):
            side, payload = line.split(" ", 1)
            sides[side].append(json.loads(payload))
    return sides


def trainer_rows(raw):
    rows = []
    sides = read_sides(os.path.join(raw, "trainer.txt"))
    for arch in dict.fromkeys(r["arch"] for r in sides["csharp"]):
        cs = [r for r in sides["csharp"] if r["arch"] == arch]
        py = [r for r in sides["pytorch"] if r["arch"] == arch]
        if cs[0]["parameters"] != py[0]["parameters"]:
            raise SystemExit(f"{arch}: the two networks differ ({cs[0]['parameters']} vs {py[0]['parameters']} parameters)")
        for key, label, unit, target in [("raw_step_ms", "Raw training step", "ms", TIME_TARGET),
                                         ("at_step_ms", "AT + regulariser step", "ms", TIME_TARGET),
                                         ("pgd7_batch_ms", "PGD-7 per batch", "ms", TIME_TARGET),
                                         ("peak_rss_mb", "peak RSS", "MB", MEMORY_TARGET)]:
            c = statistics.median(r[key] for r in cs)
            p = statistics.median(r[key] for r in py)
            rows.append({"group": f"trainer {arch} (T=8, batch 64, median of {len(cs)} runs)", "metric": label,
                         "ours": f"{c:.1f} {unit}", "reference": f"{p:.1f} {unit}", "ratio": c / p,
                         "target": f"<= {target}", "met": c / p <= target})
    return rows


def memory_rows(raw):
    sides = read_sides(os.path.join(raw, "memory.txt"))
    if not sides["csharp"]:
        return []
    rows = []
    for side, name in [("csharp", "C#"), ("pytorch", "PyTorch")]:
        r = sides[side][0]
        rss = {int(k): v for k, v in r["rss_mb"].items()}
        last = max(rss)
        # Steady: no more than 2% growth over the last 500 steps. Before that the process warms up (allocator pools,
        # and on the C# side the GC's first gen0 budget filling with garbage, ~20 MB, before its first collection).
        base = last - 500 if last - 500 in rss else min(rss)
        growth = rss[last] - rss[base]
        warm = f" (warm-up: step 10 {rss[10]:.0f} MB)" if 10 in rss and base > 10 else ""
        rows.append({"group": f"memory over {last} raw training steps (small-cnn)", "metric": f"{name}: RSS step {base} -> {last}{warm}",
                     "ours": f"{rss[base]:.0f} -> {rss[last]:.0f} MB", "reference": "", "ratio": None,
                     "target": "steady (<= 2% growth)", "met": growth <= 0.02 * rss[base]})
    c, p = sides["csharp"][0]["peak_rss_mb"], sides["pytorch"][0]["peak_rss_mb"]
    rows.append({"group": rows[0]["group"], "metric": "peak RSS over the run", "ours": f"{c:.0f} MB", "reference": f"{p:.0f} MB",
                 "ratio": c / p, "target": f"<= {MEMORY_TARGET}", "met": c / p <= MEMORY_TARGET})
    return rows


def job_rows(raw):
    """The whole training job (bench/training-job.sh): wall and training time, and the process's peak RSS, both sides."""
    sides = read_sides(os.path.join(raw, "job.txt"))
    if not sides["csharp"] or not sides["pytorch"]:
        return []
    group = (f"whole training job (bench/e2e-job.json: Fashion-MNIST small-cnn, 8,000 images x 2 epochs, AT alpha 1, T=4, "
             f"clean test on 10,000; median of {len(sides['csharp'])} runs)")
    rows = []
    for key, label, unit, target in [("wall_seconds", "process wall time (load, train, checkpoints, test)", "s", TIME_TARGET),
                                     ("train_seconds", "training time", "s", TIME_TARGET),
                                     ("peak_rss_mb", "process peak RSS", "MB", MEMORY_TARGET)]:
        c = statistics.median(r[key] for r in sides["csharp"])
        p = statistics.median(r[key] for r in sides["pytorch"])
        rows.append({"group": group, "metric": label, "ours": f"{c:.1f} {unit}", "reference": f"{p:.1f} {unit}", "ratio": c / p,
                     "target": f"<= {target}", "met": c / p <= target})
    return rows


def scheduler_rows(raw):
    path = os.path.join(raw, "scheduler.json")
    if not os.path.exists(path):
        return []
    s = json.load(open(path))
    rows = []
    for t in s["Throughput"]:
        group = (f"scheduler, instant fake trainer, {t['Silos']} silo(s), {t['Slots']} slots, {t['Experiments']:,} experiments "
                 f"(median of {len(t['Runs'])} runs)")
        rows.append({"group": group, "metric": "sustained lifecycles/s (end to end)",
                     "ours": f"{t['SustainedPerSecond']:.0f}/s ({t['EndToEndPerSecond']:.0f}/s)", "reference": "", "ratio": None,
                     "target": ">= 1000/s", "met": t["SustainedPerSecond"] >= 1000})
        rows.append({"group": group, "metric": "slot idle gap p50 / p99", "ours": f"{t['IdleGapP50Ms']:.1f} / {t['IdleGapP99Ms']:.1f} ms",
                     "reference": "", "ratio": None, "target": "p50 < 20 ms", "met": t["IdleGapP50Ms"] < 20})
        rows.append({"group": group, "metric": "CPU per lifecycle", "ours": f"{t['CpuMsPerLifecycle']:.2f} ms", "reference": "",
                     "ratio": None, "target": "", "met": None})
    if s.get("Acceptance"):
        g = s["Acceptance"]
        group = f"scheduler, accepting a {g['Experiments']:,}-experiment grid (median of {len(g['Runs'])} runs)"
        rows.append({"group": group, "metric": "acceptance time", "ours": f"{g['Milliseconds']:.0f} ms", "reference": "",
                     "ratio": None, "target": "< 5 s", "met": g["Milliseconds"] < 5000})
        rows.append({"group": group, "metric": "managed heap per queued experiment", "ours": f"{g['HeapBytesPerExperiment']:.1f} B",
                     "reference": "", "ratio": None, "target": "< 5 KB", "met": g["HeapBytesPerExperiment"] < 5000})
    return rows


def e2e_rows(raw):
    path = os.path.join(raw, "e2e.json")
    if not os.path.exists(path):
        return []
    wall = json.load(open(path))["wall_seconds"]
    log = re.sub(r"\s+", " ", open(os.path.join(raw, "e2e.log")).read())  # the CLI wraps long lines
    m = re.search(r"slots busy ([\d.]+)% of ([\d:]+) \((\d+) attempts on (\d+) slots?(?:; idle gap between attempts p50 ([\d.]+) s, max ([\d.]+) s)?", log)
    group = "quickstart end to end (examples/quickstart.yaml, embedded silo, real trainers)"
    rows = [{"group": group, "metric": "wall time of `stablesnn run`", "ours": f"{wall / 60:.1f} min", "reference": "", "ratio": None,
             "target": "", "met": None}]
    if m:
        busy = float(m.group(1))
        gaps = f"; idle gaps p50 {m.group(5)} s, max {m.group(6)} s" if m.group(5) else ""
        rows.append({"group": group, "metric": f"slot busy fraction ({m.group(3)} attempts on {m.group(4)} slot(s), sweep {m.group(2)}{gaps})",
                     "ours": f"{busy:.1f}%", "reference": "", "ratio": None, "target": "> 95%", "met": busy > 95})
    return rows


def main():
    a = argparse.ArgumentParser()
    a.add_argument("raw"); a.add_argument("out"); a.add_argument("--machine", default=""); a.add_argument("--versions", default="")
    a.add_argument("--quick", action="store_true")
    args = a.parse_args()
    rows = trainer_rows(args.raw) + memory_rows(args.raw) + job_rows(args.raw) + scheduler_rows(args.raw) + e2e_rows(args.raw)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = f"{stamp}; {args.machine}; {args.versions}" + ("; QUICK smoke run, not for reporting" if args.quick else "")
    lines = [header, "", "| group | metric | ours | reference | ratio | target | met |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['group']} | {r['metric']} | {r['ours']} | {r['reference']} | {ratio} | {r['target']} | {met} |")
    table = "\n".join(lines) + "\n"
    print(table)
    os.makedirs(args.out, exist_ok=True)
    open(os.path.join(args.out, "latest.md"), "w").write(table)
    json.dump({"when": stamp, "machine": args.machine, "versions": args.versions, "quick": args.quick, "rows": rows},
              open(os.path.join(args.out, "latest.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
