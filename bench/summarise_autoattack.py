"""Summarises a bench/attack-autoattack.sh run: per-attack seconds and accuracy of the trainer's `reliable` suite (C#)
and of bench/pytorch/autoattack_snn.py on the same images, the ratio, per-example agreement, where the time goes
(image-forwards and -backwards, seconds in the model's forward, backward and the rest), the old trainer if it ran,
and the machine's load. Usage: summarise_autoattack.py WORK REPS SUBSET THREADS MODEL_DIR OLD_TRAINER OUT_MD OUT_JSON"""
import base64, datetime, json, os, platform, statistics, subprocess, sys

work, reps, subset, threads, model_dir, old, out_md, out_json = sys.argv[1:9]
reps = int(reps)


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def unpack(packed, count):
    bits = base64.b64decode(packed)
    return [bool(bits[i // 8] & (1 << (i % 8))) for i in range(count)]


runs = []
for line in open(os.path.join(work, "runs.txt")):
    f = line.split()
    runs.append({"name": f[0], "rep": int(f[1]), "wall": float(f[2]), "loadBefore": [float(x) for x in f[3:6]],
                 "loadAfter": [float(x) for x in f[6:9]]})
manifest = load(os.path.join(work, "export", "manifest.json"))
cs = [load(os.path.join(work, f"csharp-{r}.json")) for r in range(1, reps + 1)]
py = [load(os.path.join(work, f"pytorch-{r}.json")) for r in range(1, reps + 1)]
olds = [load(os.path.join(work, f"old-{r}.json")) for r in range(1, reps + 1)] if old else []
profile = load(os.path.join(work, "profile-1.json"))
n = cs[0]["examples"]


def wall(name):
    return statistics.median(r["wall"] for r in runs if r["name"] == name)


def cs_phases(result):
    """C# SuiteResult -> {name: (seconds, accuracy, attempted, mask)}, clean first."""
    out = {"clean": (result["cleanSeconds"], result["cleanAccuracy"], result["examples"], result["cleanMask"], None)}
    for a in result["attacks"]:
        out[a["attack"]["name"]] = (a["seconds"], a["accuracy"], a.get("attempted", result["examples"]), a.get("mask"),
                                    a.get("imageForwards"))
    return out


def py_phases(result):
    out = {}
    for p in result["phases"]:
        out[p["attack"]] = (p["seconds"], p["accuracy"], p["attempted"], result["cleanMask"] if p["attack"] == "clean" else p.get("mask"),
                            p["imageForwards"])
    return out


def median_phases(results, conv):
    per = [conv(r) for r in results]
    names = list(per[0])
    return {k: (statistics.median(p[k][0] for p in per), *per[0][k][1:]) for k in names}


C = median_phases(cs, cs_phases)
P = median_phases(py, py_phases)
names = list(C)


def agreement(a, b):
    if a is None or b is None:
        return None
    ma, mb = unpack(a, n), unpack(b, n)
    return sum(x == y for x, y in zip(ma, mb))


def pct(x):
    return f"{100 * x:.1f}%"


lines = []
w = lines.append
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
spec = manifest["spec"]
w(f"# Attack phase at AutoAttack budgets: StableSnn `reliable` vs PyTorch ({n} images, {threads} threads, "
  f"{'median of ' + str(reps) + ' runs' if reps > 1 else 'one run each'})\n")
w(f"{when}; model `{model_dir}` ({spec['dataset']}, {spec['architecture']}, {spec['neuron']}, T = {spec['timeSteps']}, "
  f"`{spec['mode']}` alpha {spec['alpha']}); attack batch {manifest['batchSize']}; C#: `StableSnn.Trainer attack --suite reliable` "
  f"(TorchSharp / libtorch, tcmalloc); PyTorch: `bench/pytorch/autoattack_snn.py` (torch {py[0]['torch']}, tcmalloc); "
  f"{platform.node()}, {os.cpu_count()} cores.\n")
w(f"Clean predictions: PyTorch agrees with the C# clean mask on {pct(py[0]['cleanAgreement'])} of the images; its logits "
  f"differ from the exported C# logits by at most {py[0]['phases'][0]['maxLogitDiffToExport']:.2e}.\n")
w("| phase | images attacked (C# / PyTorch) | image-forwards (C# / PyTorch) | C# s | PyTorch s | C# / PyTorch | C# accuracy | PyTorch accuracy | same outcome per image |")
w("|---|---|---|---|---|---|---|---|---|")
cs_sum = py_sum = 0.0
for k in names:
    c, p = C[k], P.get(k)
    if p is None:
        continue
    cs_sum += c[0]
    py_sum += p[0]
    agree = agreement(c[3], p[3])
    fw = f"{c[4] if c[4] is not None else '-'} / {p[4]}"
    w(f"| {k} | {c[2]} / {p[2]} | {fw} | {c[0]:.1f} | {p[0]:.1f} | {c[0] / p[0]:.2f} | {pct(c[1])} | {pct(p[1])} | "
      f"{'-' if agree is None else f'{agree}/{n}'} |")
w(f"| **sum of phases** | | | **{cs_sum:.1f}** | **{py_sum:.1f}** | **{cs_sum / py_sum:.2f}** | | | |")
cw, pw = wall("csharp"), wall("pytorch")
w(f"| **process wall time** | | | **{cw:.1f}** | **{pw:.1f}** | **{cw / pw:.2f}** | | | |")
cwc = min(cs[0]["worstCases"], key=lambda x: abs(x["epsilon"] - 8 / 255))
pwc = min(py[0]["worstCases"], key=lambda x: abs(x["epsilon"] - 8 / 255))
w(f"| worst case at 8/255 | | | | | | {pct(cwc['accuracy'])} | {pct(pwc['accuracy'])} | {agreement(cwc['mask'], pwc['mask'])}/{n} |")
target = cw / pw <= 0.8
w(f"\nTarget (issue 25, item 5): C# at most 0.8x PyTorch's time: **{'met' if target else 'not met'}** "
  f"({cw / pw:.2f} on the process wall time, {cs_sum / py_sum:.2f} on the sum of phases).\n")

w("## Where the time goes\n")
w("Per phase: model calls (batches through the model), image-forwards (images through the model, with or without a "
  "backward), image-backwards (of those, the ones differentiated to the input), seconds in the model's forward, in its "
  "backward (logits to input), and the rest (the attack's own tensor work, random draws, bookkeeping, Python or .NET); "
  "ms per image-query = phase seconds / image-forwards. C#: `AttackBench profile` (the same evaluator in-process with the "
  "model wrapped; a separate run, so its seconds differ from the table above"
  + (f", on {profile['examples']} images" if profile else ", not run") + "); PyTorch: timers in the same run.\n")
w("| phase | side | s | calls | image-fwd | image-bwd | forward s | backward s | other s | ms / image-query | other ms / call |")
w("|---|---|---|---|---|---|---|---|---|---|---|")
pyp = {p["attack"]: p for p in py[0]["phases"]}
csp = {p["attack"]: p for p in profile["phases"]} if profile else {}
for k in names:
    for side, p in (("C#", csp.get(k)), ("PyTorch", pyp.get(k))):
        if not p:
            continue
        per_q = 1000 * p["seconds"] / p["imageForwards"] if p["imageForwards"] else 0
        per_call = 1000 * p["otherSeconds"] / p["modelCalls"] if p["modelCalls"] else 0
        w(f"| {k} | {side} | {p['seconds']:.1f} | {p['modelCalls']} | {p['imageForwards']} | {p['imageBackwards']} | "
          f"{p['forwardSeconds']:.1f} | {p['backwardSeconds']:.1f} | {p['otherSeconds']:.1f} | {per_q:.2f} | {per_call:.2f} |")
for side, ps in (("C#", csp), ("PyTorch", pyp)):
    if not ps:
        continue
    tot = {key: sum(p[key] for p in ps.values()) for key in ("seconds", "imageForwards", "imageBackwards", "forwardSeconds",
                                                               "backwardSeconds", "otherSeconds", "modelCalls")}
    w(f"| all | {side} | {tot['seconds']:.1f} | {tot['modelCalls']} | {tot['imageForwards']} | {tot['imageBackwards']} | "
      f"{tot['forwardSeconds']:.1f} | {tot['backwardSeconds']:.1f} | {tot['otherSeconds']:.1f} | "
      f"{1000 * tot['seconds'] / tot['imageForwards']:.2f} | {1000 * tot['otherSeconds'] / tot['modelCalls']:.2f} |")
w("")
# Per image: forward-only queries (Square) and gradient queries (forward + backward).
for side, ps in (("C#", csp), ("PyTorch", pyp)):
    if not ps:
        continue
    fo = [p for k, p in ps.items() if k.startswith("Square")]
    gr = [p for k, p in ps.items() if p["imageBackwards"] > 0 and not k.startswith("Square") and k != "clean"]
    if fo and gr:
        f_ms = 1000 * sum(p["forwardSeconds"] for p in fo) / sum(p["imageForwards"] for p in fo)
        g_ms = 1000 * sum(p["forwardSeconds"] + p["backwardSeconds"] for p in gr) / sum(p["imageBackwards"] for p in gr)
        o_sq = 1000 * sum(p["otherSeconds"] for p in fo) / sum(p["modelCalls"] for p in fo)
        w(f"- {side}: a Square query costs {f_ms:.3f} ms of model forward per image plus {o_sq:.2f} ms of attack work per "
          f"iteration (batch); a gradient step {g_ms:.3f} ms of forward + backward per image.")
w("")

if old:
    O = median_phases(olds, cs_phases)
    w(f"## Old trainer (`{old}`) on the same model and images\n")
    w("Its `reliable` suite is the older one (20-step APGD, Square-1000), so only the totals and the headline compare.\n")
    w("| phase | images attacked | old s | old accuracy |")
    w("|---|---|---|---|")
    for k, o in O.items():
        w(f"| {k} | {o[2]} | {o[0]:.1f} | {pct(o[1])} |")
    ow = wall("old")
    owc = min(olds[0]["worstCases"], key=lambda x: abs(x["epsilon"] - 8 / 255))
    w(f"| **process wall time** | | **{ow:.1f}** | |")
    w(f"\nWorst case at 8/255: old {pct(owc['accuracy'])} ({', '.join(owc['attacks'])}), new {pct(cwc['accuracy'])}; "
      f"new / old wall time {cw / ow:.2f}; budgets: old `{(olds[0].get('budget') or {}).get('description', 'not recorded by that trainer')}`, "
      f"new `{cs[0].get('budget', {}).get('description', '?')}`.\n")

w("## Runs (in order) and the machine's load\n")
w("| run | rep | wall s | load average before (1/5/15 min) | after |")
w("|---|---|---|---|---|")
for r in runs:
    w(f"| {r['name']} | {r['rep']} | {r['wall']:.1f} | {' / '.join(map(str, r['loadBefore']))} | {' / '.join(map(str, r['loadAfter']))} |")
w(f"\n{os.cpu_count()} cores; a load average above {os.cpu_count()} means other processes shared them, so seconds from runs "
  "at different loads compare poorly; the runs alternate C# / PyTorch so that each pair sees similar load.")

text = "\n".join(lines) + "\n"
open(out_md, "w").write(text)
json.dump({"when": when, "runs": runs, "csharp": cs, "pytorch": py, "old": olds, "profile": profile,
           "manifest": {k: manifest[k] for k in ("examples", "batchSize", "spec", "suite", "checksums")}},
          open(out_json, "w"), indent=1)
