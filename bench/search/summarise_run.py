"""One run of bench/search-vs-grid.sh as a JSON line, or (--compare) the search against the grid of one invocation."""
import csv, json, math, sys


def wilson(p, n, z=1.96):
    if n == 0:
        return (0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(centre - half, 4), round(centre + half, 4))


def run(out_dir, name, start, end, stamp):
    trials = list(csv.DictReader(open(f"{out_dir}/search-trials.csv")))
    attempts = list(csv.DictReader(open(f"{out_dir}/attempts.csv")))
    best = next(t for t in trials if t["best"] == "true")
    examples = next(e["examples"] for e in csv.DictReader(open(f"{out_dir}/results.csv"))
                    if e["experiment"] == best["experiment"] and e["attack"] == "worst-case")
    robust = float(best["objective_robust"])
    return {
        "run": name, "stamp": stamp, "trials": len(trials),
        "completed": sum(t["status"] == "completed" for t in trials),
        "stopped": sum(t["status"].startswith("stopped") for t in trials),
        "best_trial": best["experiment"], "best_alpha": float(best["alpha"]), "best_robust": robust,
        "best_robust_ci95": wilson(robust, int(examples)), "best_clean": float(best["objective_clean"]),
        "best_doubted": best["doubted"] == "true",
        "completed_by_alpha": {t["alpha"]: float(t["objective_robust"]) for t in trials if t["status"] == "completed"},
        "examples": int(examples),
        "trainer_seconds": round(sum(float(a["seconds"]) for a in attempts), 1), "attempts": len(attempts),
        "trainer_epochs": sum(int(t["epochs"]) for t in trials),
        "wall_seconds": round(float(end) - float(start), 1), "load_average_after": open("/proc/loadavg").read().strip(),
    }


def compare(path, stamp, grid_stamp=None):
    """The search of invocation STAMP against the grid of GRID_STAMP (default: the same invocation)."""
    rows = [json.loads(line) for line in open(path) if line.strip() and "run" in json.loads(line)]
    grid = next(r for r in rows if r["run"] == "grid" and r["stamp"] == (grid_stamp or stamp))
    search = next(r for r in rows if r["run"] == "search" and r["stamp"] == stamp)
    gap = round(100 * (grid["best_robust"] - search["best_robust"]), 1)
    ratio = round(search["trainer_seconds"] / grid["trainer_seconds"], 3)
    return {
        "compare": stamp, "grid_stamp": grid["stamp"], "best_gap_points": gap, "trainer_seconds_ratio": ratio,
        "trainer_epochs_ratio": round(search["trainer_epochs"] / grid["trainer_epochs"], 3),
        "within_one_point": gap <= 1.0, "at_most_40_percent": ratio <= 0.40, "met": gap <= 1.0 and ratio <= 0.40,
    }


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        print(json.dumps(compare(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)))
    else:
        print(json.dumps(run(*sys.argv[1:6])))
