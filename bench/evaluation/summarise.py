"""Tables of bench/evaluation/run.sh's results: per model, attack by attack (old reliable against new), the worst case,
the gap between the gradient attacks and Square, the flags; and how often each check fired on healthy and masked models.
Usage: summarise.py RESULTS_DIR > table.md   (RESULTS_DIR holds MODEL--VARIANT--SUITE.json files, SuiteResult JSON)"""
import base64, collections, json, math, os, sys


def mask(s, n):
    b = base64.b64decode(s)
    return [(b[i // 8] >> (i % 8)) & 1 == 1 for i in range(n)]


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, c - h), min(1.0, c + h)


def mcnemar(b, c):
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


GRADIENT = {"Fgsm", "Pgd", "Apgd", "RFgsm"}


def analyse(path):
    r = json.load(open(path))
    n = r["examples"]
    clean = mask(r["cleanMask"], n)
    attacks = [a for a in r["attacks"] if not a.get("sanity")]
    masks = {a["attack"]["name"]: [c and x for c, x in zip(clean, mask(a["mask"], n))] for a in attacks}
    grad = [a for a in attacks if a["attack"]["kind"] in GRADIENT]
    square = [a for a in attacks if a["attack"]["kind"] == "Square"]
    g_all = [all(masks[a["attack"]["name"]][i] for a in grad) and clean[i] for i in range(n)]
    worst = r["worstCases"][0] if r["worstCases"] else None
    out = {"n": n, "clean": sum(clean), "attacks": [(a["attack"]["name"], sum(masks[a["attack"]["name"]]), a["seconds"],
                                                       a.get("attempted")) for a in attacks],
           "worst": worst["correct"] if worst else None, "gradient": sum(g_all),
           "flags": [(f["code"], f.get("informative", False)) for f in r["flags"]], "suspect": any(not f.get("informative", False) for f in r["flags"]),
           "budget": (r.get("budget") or {}).get("name", "(not recorded)"), "seconds": sum(a["seconds"] for a in r["attacks"]) + r["cleanSeconds"]}
    if square:
        s = masks[square[0]["attack"]["name"]]
        b = sum(1 for i in range(n) if g_all[i] and not s[i])
        c = sum(1 for i in range(n) if s[i] and not g_all[i])
        out["square"] = (square[0]["attack"]["name"], sum(s), square[0]["attack"].get("cascade", False), b, c, mcnemar(b, c))
    return out


def pct(k, n):
    return f"{100 * k / n:.1f}"


def main(directory):
    results = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            model, variant, suite = name[:-5].split("--")
            results[(model, variant, suite)] = analyse(os.path.join(directory, name))
    print("## Per model: worst case, gradient attacks against Square\n")
    print("| model | variant | suite (budget) | images | clean | best gradient side | Square alone | worst case | Square-only images (b) | gradient-only (c) | McNemar p | suspect | findings and flags | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (model, variant, suite), r in sorted(results.items()):
        n = r["n"]
        sq = r.get("square")
        codes = ", ".join(f"{c}{'' if inf else ' (doubt)'}" for c, inf in r["flags"]) or "-"
        print(f"| {model} | {variant} | {suite} ({r['budget']}) | {n} | {pct(r['clean'], n)} | {pct(r['gradient'], n)} | "
              f"{pct(sq[1], n) + (' (cascade)' if sq[2] else '') if sq else '-'} | {pct(r['worst'], n)} | {sq[3] if sq else '-'} | "
              f"{sq[4] if sq else '-'} | {sq[5]:.3g} | {'yes' if r['suspect'] else 'no'} | {codes} | {r['seconds']:.0f} |" if sq else
              f"| {model} | {variant} | {suite} | {n} | {pct(r['clean'], n)} | {pct(r['gradient'], n)} | - | {pct(r['worst'], n)} | - | - | - | "
              f"{'yes' if r['suspect'] else 'no'} | {codes} | {r['seconds']:.0f} |")
    print("\n## Attack by attack (robust and clean-correct images, % of all)\n")
    for (model, variant, suite), r in sorted(results.items()):
        row = "; ".join(f"{a} {pct(k, r['n'])} ({s:.0f} s)" for a, k, s, _ in r["attacks"])
        print(f"- {model} {variant} {suite}: clean {pct(r['clean'], r['n'])}; {row}; worst case {pct(r['worst'], r['n'])}")
    print("\n## How often each check fired\n")
    groups = collections.defaultdict(list)
    for (model, variant, suite), r in results.items():
        kind = "healthy" if variant == "plain" else f"masked ({variant})"
        groups[(kind, suite)].append(r)
    codes = sorted({c for r in results.values() for c, _ in r["flags"]})
    print("| models | suite | count | suspect | " + " | ".join(codes) + " |")
    print("|---|---|---|---|" + "---|" * len(codes))
    for (kind, suite), rs in sorted(groups.items()):
        counts = [sum(1 for r in rs if any(c == code for c, _ in r["flags"])) for code in codes]
        print(f"| {kind} | {suite} | {len(rs)} | {sum(r['suspect'] for r in rs)} | " + " | ".join(str(k) for k in counts) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
