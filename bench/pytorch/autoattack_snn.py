"""PyTorch reference of StableSnn's `reliable` attack suite at AutoAttack budgets, for side-by-side timing with the
trainer's `attack` command (bench/attack-autoattack.sh).

Reads what `AttackBench export` wrote: the folded attack copy of a trained spiking network (BN folded into the
convolutions, the layers before the first spiking layer run once per image), the evaluation subset, the suite as
the trainer resolves it (its budgets come from there) with the sanity attack last, each attack's per-example seeds
and the attack batch size. Then, written the usual PyTorch way (LIF/DLIF as a Python loop over T with one autograd
graph per step, the spike a torch.autograd.Function whose backward takes a width per element):

- the clean pass (forward + input gradient through the training surrogate: the zero-gradient count),
- FGSM, PGD (uniform start), APGD (AutoAttack's checkpoints, halving, momentum 0.75, start scaled to max |delta| = eps,
  untargeted CE or targeted DLR down the clean ranking, each example leaving the batch once fooled), Square (margin
  loss, per-example squares, a proposal that changes nothing flips its signs, only unfooled examples queried),
- the adaptive backward for attacks that name it: arctan g / (g^2 + pi^2 v^2) with g = max(MinWidth, Scale sqrt(r2)),
  r2 a running mean per element (time step x example x neuron) of (u - Vth)^2 over the run's gradient forwards,
  reset at each APGD run and target class, fooled examples' statistics dropped with them,
- cascade attacks only on the images still robust (clean-correct and unbroken by every earlier attack at that eps),
  batches of the trainer's sizes (larger for query-only attacks), one torch.Generator per example seeded as the
  trainer seeds it,

timing every phase and splitting it into the model's forward, its backward (torch.autograd.grad) and the rest.
Prints (or writes) one JSON object.
"""
import argparse, base64, json, math, os, resource, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PI2 = math.pi * math.pi
SQUARE_HALVINGS = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000]
APGD_ALPHA = 0.75
STANDARD_TARGETS = 9


def f32(v):
    """A float as the trainer holds it (float32 fields), widened exactly."""
    return float(np.float32(v))


# ---------------------------------------------------------------- surrogate and neuron

class Spike(torch.autograd.Function):
    """H(v) (H(0) = 1) forward; backward the triangle max(0, g - |v|) / g^2 or the arctan g / (g^2 + pi^2 v^2), g a
    number or a tensor shaped like v."""

    @staticmethod
    def forward(ctx, v, width, arctan):
        ctx.arctan = arctan
        if torch.is_tensor(width):
            ctx.save_for_backward(v, width)
            ctx.width = None
        else:
            ctx.save_for_backward(v)
            ctx.width = width
        return (v >= 0).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.width is None:
            v, g = ctx.saved_tensors
        else:
            (v,), g = ctx.saved_tensors, ctx.width
        if ctx.arctan:
            sg = g / (g * g + PI2 * v.square())
        else:
            sg = (g - v.abs()).clamp(min=0) / (g * g)
        return grad * sg, None, None


class Surrogate:
    """The backward in force (thread-free global, like the trainer's thread-static override) and its tracker."""
    current = None   # dict from the attack config's 'surrogate', or None: the training surrogate
    tracker = None


class Tracker:
    """Running mean of (u - Vth)^2 per layer and time step, [B, ...] per entry, and the widths it gives."""

    def __init__(self, cfg):
        self.momentum, self.scale, self.min_width = cfg["momentum"], cfg["scale"], cfg["minWidth"]
        self.layers = {}

    def widths(self, layer, t, steps, v):
        state = self.layers.get(layer)
        if state is not None and state["examples"] != v.shape[0]:
            state = None
        if state is None:
            state = self.layers[layer] = {"examples": v.shape[0], "r2": [None] * steps}
        sq = v.detach().square()
        prev = state["r2"][t]
        nxt = sq if prev is None else prev.mul(self.momentum).add_(sq, alpha=1 - self.momentum)
        state["r2"][t] = nxt
        return nxt.sqrt().mul_(self.scale).clamp_min_(self.min_width)

    def keep(self, rows):
        for state in self.layers.values():
            state["r2"] = [None if r is None else r.index_select(0, rows) for r in state["r2"]]
            state["examples"] = rows.shape[0]

    def restart(self):
        self.layers = {}


class SpikingNeuron(nn.Module):
    """LIF/DLIF on [T*B, ...]: u = tau m + p[t] I[t]; s = H(u - Vth); m = u (1 - s) (hard reset), one graph per step."""

    def __init__(self, entry, gains):
        super().__init__()
        self.steps, self.tau, self.vth = entry["timeSteps"], entry["tau"], entry["threshold"]
        self.train_width = entry["surrogateWidth"]
        self.register_buffer("gains", gains)  # DLIF's p[T] (fixed during attacks), or None for LIF

    def forward(self, x):
        seq = x.view(self.steps, x.shape[0] // self.steps, *x.shape[1:])
        sur = Surrogate.current
        arctan = sur is not None and sur["shape"] == "Arctan"
        needs_grad = torch.is_grad_enabled() and x.requires_grad
        tracker = Surrogate.tracker if sur is not None and sur.get("adaptive") and needs_grad else None
        width = sur["width"] if sur is not None and sur.get("width") is not None else self.train_width
        m, out = None, []
        for t in range(self.steps):
            cur = seq[t] if self.gains is None else seq[t] * self.gains[t]
            u = cur if m is None else m * self.tau + cur
            v = u - self.vth
            g = tracker.widths(self, t, self.steps, v) if tracker is not None else width
            s = Spike.apply(v, g, arctan)
            m = u * (1 - s)
            out.append(s)
        return torch.stack(out).flatten(0, 1)


class SpikingNet(nn.Module):
    """(x - mean) / std, the stem once per image, repeated over T (time folded into the batch), the body, logits averaged."""

    def __init__(self, manifest, params):
        super().__init__()

        def tensor(entry):
            n = int(np.prod(entry["shape"]))
            return torch.from_numpy(params[entry["offset"] // 4: entry["offset"] // 4 + n].copy()).view(*entry["shape"])

        parts = {"stem": [], "body": []}
        for entry in manifest["layers"]:
            kind, ts = entry["type"], entry["tensors"]
            if kind == "Conv2d":
                w = tensor(ts["weight"])
                layer = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=tuple(entry["stride"]),
                                  padding=tuple(entry["padding"]), bias="bias" in ts)
                layer.weight.data.copy_(w)
                if "bias" in ts:
                    layer.bias.data.copy_(tensor(ts["bias"]))
            elif kind == "Linear":
                w = tensor(ts["weight"])
                layer = nn.Linear(w.shape[1], w.shape[0], bias="bias" in ts)
                layer.weight.data.copy_(w)
                if "bias" in ts:
                    layer.bias.data.copy_(tensor(ts["bias"]))
            elif kind == "AvgPool2d":
                layer = nn.AvgPool2d(tuple(entry["kernel"]))
            elif kind == "Flatten":
                layer = nn.Flatten()
            elif kind == "SpikingNeuron":
                layer = SpikingNeuron(entry, tensor(ts["gains"]) if "gains" in ts else None)
            else:
                raise ValueError(f"layer type {kind} is not supported by this reference")
            parts[entry["part"]].append((int(entry["name"].split(".")[1]), layer))
        self.stem = nn.Sequential(*[l for _, l in sorted(parts["stem"], key=lambda p: p[0])])
        self.body = nn.Sequential(*[l for _, l in sorted(parts["body"], key=lambda p: p[0])])
        self.steps = manifest["timeSteps"]
        self.register_buffer("mean", tensor(manifest["buffers"]["mean"]))
        self.register_buffer("std", tensor(manifest["buffers"]["std"]))
        for p in self.parameters():
            p.requires_grad_(False)  # attacks differentiate with respect to the input only
        self.eval()

    def forward(self, x):
        b = x.shape[0]
        h = self.stem((x - self.mean) / self.std)
        h = h.unsqueeze(0).expand(self.steps, *h.shape).flatten(0, 1)
        return self.body(h).view(self.steps, b, -1).mean(0)


# ---------------------------------------------------------------- instrumentation

class Phase:
    """What the current phase spent: model calls, image forwards and backwards, seconds in forward and backward."""

    def __init__(self):
        self.calls = self.fwd_images = self.bwd_images = 0
        self.fwd_s = self.bwd_s = 0.0


class Counted:
    """Calls the model, counting and timing each forward; grad() times the backward to the input."""

    def __init__(self, model):
        self.model = model
        self.phase = Phase()

    def __call__(self, x):
        self.phase.calls += 1
        self.phase.fwd_images += x.shape[0]
        if torch.is_grad_enabled() and x.requires_grad:
            self.phase.bwd_images += x.shape[0]
        start = time.perf_counter()
        out = self.model(x)
        self.phase.fwd_s += time.perf_counter() - start
        return out

    def grad(self, loss, x):
        start = time.perf_counter()
        g, = torch.autograd.grad(loss, [x])
        self.phase.bwd_s += time.perf_counter() - start
        return g


# ---------------------------------------------------------------- attack helpers

class ExampleRandom:
    """One CPU torch.Generator per example of a batch, seeded with that example's seed, created when first used."""

    def __init__(self, seeds):
        self.seeds = list(seeds)
        self.gens = [None] * len(self.seeds)

    def gen(self, row):
        if self.gens[row] is None:
            self.gens[row] = torch.Generator().manual_seed(int(self.seeds[row]))
        return self.gens[row]

    @property
    def all_rows(self):
        return range(len(self.seeds))

    def uniform_symmetric(self, rows, shape):
        return torch.stack([torch.rand(shape, generator=self.gen(r)) for r in rows]) * 2 - 1

    def signs(self, rows, shape):
        return (torch.stack([torch.randint(2, shape, generator=self.gen(r)) for r in rows]) * 2 - 1).float()

    def uniform64(self, rows, shape):
        return torch.stack([torch.rand(shape, dtype=torch.float64, generator=self.gen(r)) for r in rows])


def project(x, clean, eps):
    return torch.clamp(torch.max(torch.min(x, clean + eps), clean - eps), 0.0, 1.0)


def per_example(v, like):
    return v.view(-1, *([1] * (like.dim() - 1)))


def dlr_targeted(logits, labels, targets):
    zy = logits.gather(1, labels[:, None]).squeeze(1)
    zt = logits.gather(1, targets[:, None]).squeeze(1)
    s = logits.sort(1, descending=True).values
    return -(zy - zt) / (s[:, 0] - (s[:, 2] + s[:, 3]) * 0.5 + 1e-12)


def dlr(logits, labels):
    zy = logits.gather(1, labels[:, None]).squeeze(1)
    other = logits.masked_fill(F.one_hot(labels, logits.shape[1]).bool(), float("-inf")).amax(1)
    s = logits.sort(1, descending=True).values
    return -(zy - other) / (s[:, 0] - s[:, 2] + 1e-12)


def per_example_loss(kind, logits, labels, targets=None):
    if kind == "CE":
        return F.cross_entropy(logits, labels, reduction="none")
    if kind == "DLR":
        return dlr(logits, labels)
    if kind == "DlrTargeted":
        return dlr_targeted(logits, labels, targets)
    raise ValueError(kind)


def loss_and_grad(model, x, labels, kind, targets=None):
    """Per-example loss, its input gradient (of the sum: examples do not interact) and the logits, all detached."""
    with torch.enable_grad():
        xg = x.detach().requires_grad_(True)
        logits = model(xg)
        loss = per_example_loss(kind, logits, labels, targets)
        g = model.grad(loss.sum(), xg)
    return loss.detach(), g, logits.detach()


def margin_and_fooled(model, x, labels):
    logits = model(x)
    zy = logits.gather(1, labels[:, None]).squeeze(1)
    other = logits.masked_fill(F.one_hot(labels, logits.shape[1]).bool(), float("-inf")).amax(1)
    return zy - other, logits.argmax(1) != labels


# ---------------------------------------------------------------- attacks

def fgsm(model, cfg, x, y, seeds):
    eps = f32(cfg["epsilon"])
    _, g, _ = loss_and_grad(model, x, y, "CE")
    return project(x + eps * g.sign(), x, eps)


def pgd(model, cfg, x, y, seeds):
    eps, step = f32(cfg["epsilon"]), f32(cfg["stepSize"])
    adv = x.clone()
    if cfg["randomStart"]:
        adv = project(x + eps * ExampleRandom(seeds).uniform_symmetric(range(x.shape[0]), x.shape[1:]), x, eps)
    for _ in range(cfg["steps"]):
        _, g, _ = loss_and_grad(model, adv, y, cfg["loss"])
        adv = project(adv + step * g.sign(), x, eps)
    return adv


def apgd_checkpoints(n):
    window, shrink, shortest = max(int(0.22 * n), 1), max(int(0.03 * n), 1), max(int(0.06 * n), 1)
    out, at = [], window
    while at <= n:
        out.append(at)
        window = max(window - shrink, shortest)
        at += window
    return out


def apgd(model, cfg, clean, labels, seeds):
    random = ExampleRandom(seeds)
    with torch.no_grad():
        clean_logits = model(clean)
    robust = (clean_logits.argmax(1) == labels).tolist()
    adv = clean.clone()
    targeted = cfg["loss"] == "DlrTargeted"
    wanted = cfg["targetClasses"] if cfg["targetClasses"] > 0 else STANDARD_TARGETS
    ranks = min(wanted, clean_logits.shape[1] - 1) if targeted else 1
    for rank in range(1, ranks + 1):
        for _ in range(cfg["restarts"]):
            rows = [i for i, r in enumerate(robust) if r]
            if not rows:
                return adv
            index = torch.tensor(rows)
            target = clean_logits[index].sort(dim=1, descending=True, stable=True).indices[:, rank] if targeted else None
            if Surrogate.tracker is not None:
                Surrogate.tracker.restart()  # each run fits its own statistics
            run_adv, fooled = apgd_run(model, cfg, clean[index], labels[index], target, random, rows)
            adv.index_copy_(0, index, run_adv)
            for k, f in enumerate(fooled.tolist()):
                if f:
                    robust[rows[k]] = False
    return adv


def apgd_run(model, cfg, clean, labels, targets, random, rows):
    """One APGD run on correctly classified images: per example its first fooling iterate, or its best-loss one."""
    eps, n_steps, rho, kind = f32(cfg["epsilon"]), cfg["steps"], f32(cfg["rho"]), cfg["loss"]
    stable = cfg.get("step", "Sign") == "Stable"
    checkpoints = apgd_checkpoints(n_steps)
    batch = clean.shape[0]
    result = torch.empty_like(clean)
    fooled_all = torch.zeros(batch, dtype=torch.bool)

    draw = random.uniform_symmetric(rows, clean.shape[1:])
    largest = per_example(draw.abs().flatten(1).amax(1), clean)
    x = (clean + eps * draw / (largest + 1e-12)).clamp(0.0, 1.0)
    loss, grad, logits = loss_and_grad(model, x, labels, kind, targets)
    live = torch.arange(batch)
    s = dict(clean=clean, labels=labels, targets=targets, x=x, old=x, grad=grad, best_x=x, best_grad=grad,
             best_loss=loss, best_loss_at_last=loss, prev_loss=torch.zeros_like(loss),
             step=torch.full((batch,), 2.0 * eps), successes=torch.zeros(batch, dtype=torch.int32),
             reduced_at_last=torch.ones(batch, dtype=torch.bool),
             m1=torch.zeros_like(clean) if stable else None, m2=torch.zeros_like(clean) if stable else None)

    def retire(fooled, x_eval, live, s):
        if not fooled.any():
            return live, s
        done = fooled.nonzero().squeeze(1)
        positions = live[done]
        result[positions] = x_eval[done]
        fooled_all[positions] = True
        keep = (~fooled).nonzero().squeeze(1)
        if Surrogate.tracker is not None:
            Surrogate.tracker.keep(keep)
        return live[keep], {k: (None if v is None else v[keep]) for k, v in s.items()}

    live, s = retire(logits.argmax(1) != labels, x, live, s)
    window = checkpoints[0] if checkpoints else n_steps + 1
    since, next_cp = 0, 0
    for k in range(n_steps):
        if live.shape[0] == 0:
            break
        momentum = s["x"] - s["old"]
        old = s["x"]
        a = 1.0 if k == 0 else APGD_ALPHA
        if stable:
            g = s["grad"] / (per_example(s["grad"].abs().flatten(1).mean(1), s["grad"]) + 1e-12)
            s["m1"] = s["m1"] * 0.9 + g * (1 - 0.9)
            s["m2"] = s["m2"] * 0.99 + g.square() * (1 - 0.99)
            direction = ((s["m1"] / (1 - 0.9 ** (k + 1))) / ((s["m2"] / (1 - 0.99 ** (k + 1))).sqrt() + 1e-8)).clamp(-1, 1)
        else:
            direction = s["grad"].sign()
        z = project(s["x"] + per_example(s["step"], s["x"]) * direction, s["clean"], eps)
        nxt = project(s["x"] + (z - s["x"]) * a + momentum * (1 - a), s["clean"], eps)
        nloss, ngrad, nlogits = loss_and_grad(model, nxt, s["labels"], kind, s["targets"])
        s["successes"] = s["successes"] + (nloss > s["prev_loss"]).int()
        improved = nloss > s["best_loss"]
        ix = per_example(improved, nxt)
        s.update(x=nxt, old=old, grad=ngrad, prev_loss=nloss, best_x=torch.where(ix, nxt, s["best_x"]),
                 best_grad=torch.where(ix, ngrad, s["best_grad"]), best_loss=torch.where(improved, nloss, s["best_loss"]))
        since += 1
        if since == window:
            oscillating = s["successes"].float() <= rho * window
            no_progress = ~s["reduced_at_last"] & (s["best_loss_at_last"] >= s["best_loss"])
            reduce = oscillating | no_progress
            rx = per_example(reduce, s["x"])
            s.update(step=torch.where(reduce, s["step"] / 2, s["step"]), x=torch.where(rx, s["best_x"], s["x"]),
                     grad=torch.where(rx, s["best_grad"], s["grad"]), reduced_at_last=reduce,
                     best_loss_at_last=s["best_loss"], successes=torch.zeros_like(s["successes"]))
            next_cp += 1
            window = checkpoints[next_cp] - checkpoints[next_cp - 1] if next_cp < len(checkpoints) else n_steps + 1
            since = 0
        live, s = retire(nlogits.argmax(1) != s["labels"], nxt, live, s)
    if live.shape[0] > 0:
        result[live] = s["best_x"]
    return result, fooled_all


def square_side(p, h, w):
    # C#'s Math.Round is round-half-to-even, as Python's round.
    return int(min(max(round(math.sqrt(p * h * w)), 1), max(1, min(h, w) - 1)))


def square_fraction(p_init, it, queries, rescale):
    scaled = it * 10000 // queries if rescale else it
    return p_init / (1 << sum(1 for h in SQUARE_HALVINGS if scaled > h))


def square(model, cfg, clean, labels, seeds):
    eps, queries, p_init, rescale = f32(cfg["epsilon"]), cfg["steps"], f32(cfg["pInit"]), cfg["rescaleSchedule"]
    random = ExampleRandom(seeds)
    b, c, h, w = clean.shape
    with torch.no_grad():
        margin, fooled = margin_and_fooled(model, clean, labels)
        start = project(clean + eps * random.signs(random.all_rows, (c, 1, w)), clean, eps)
        start_margin, start_fooled = margin_and_fooled(model, start, labels)
        x = torch.where(per_example(fooled, clean), clean, start)
        margin = torch.where(fooled, margin, start_margin)
        fooled = fooled | start_fooled
        corners = random.uniform64(random.all_rows, (queries, 2))
        signs = random.signs(random.all_rows, (queries, c))
        rows_grid = torch.arange(h).view(1, 1, h, 1)
        cols_grid = torch.arange(w).view(1, 1, 1, w)
        for i in range(queries):
            active = (~fooled).nonzero().squeeze(1)
            n = active.shape[0]
            if n == 0:
                break
            side = square_side(square_fraction(p_init, i, queries, rescale), h, w)
            current, cl = x[active], clean[active]
            corner = corners[active, i]
            top = (corner[:, 0] * (h - side + 1)).floor().clamp_max(h - side).long().view(n, 1, 1, 1)
            left = (corner[:, 1] * (w - side + 1)).floor().clamp_max(w - side).long().view(n, 1, 1, 1)
            window = (rows_grid >= top) & (rows_grid < top + side) & (cols_grid >= left) & (cols_grid < left + side)
            sg = signs[active, i].view(n, c, 1, 1)
            cand = torch.where(window, project(cl + eps * sg, cl, eps), current)
            unchanged = per_example((cand == current).flatten(1).all(1), sg)
            cand = torch.where(unchanged, torch.where(window, project(cl - eps * sg, cl, eps), current), cand)
            new_margin, new_fooled = margin_and_fooled(model, cand, labels[active])
            old_margin = margin[active]
            accept = (new_margin < old_margin) | new_fooled
            x[active] = torch.where(per_example(accept, current), cand, current)
            margin[active] = torch.where(accept, new_margin, old_margin)
            fooled[active] = new_fooled
    return x


ATTACKS = {"Fgsm": fgsm, "Pgd": pgd, "Apgd": apgd, "Square": square}


def perturb(model, cfg, x, y, seeds):
    """Runs one attack on one batch under the attack's backward (a new tracker per batch for an adaptive one)."""
    gradient = cfg["kind"] in ("Fgsm", "Pgd", "Apgd")
    sur = cfg.get("surrogate") if gradient else None
    Surrogate.current = sur
    Surrogate.tracker = Tracker(sur) if sur is not None and sur.get("adaptive") else None
    try:
        return ATTACKS[cfg["kind"]](model, cfg, x, y, seeds)
    finally:
        Surrogate.current = Surrogate.tracker = None


# ---------------------------------------------------------------- evaluator

def pack(mask):
    bits = np.zeros((len(mask) + 7) // 8, dtype=np.uint8)
    for i, m in enumerate(mask):
        if m:
            bits[i // 8] |= 1 << (i % 8)
    return base64.b64encode(bits.tobytes()).decode()


def unpack(packed, count):
    bits = np.frombuffer(base64.b64decode(packed), dtype=np.uint8)
    return [bool(bits[i // 8] & (1 << (i % 8))) for i in range(count)]


def load_export(directory):
    m = json.load(open(os.path.join(directory, "manifest.json")))
    files = m["files"]
    params = np.fromfile(os.path.join(directory, files["params"]), dtype="<f4")
    n, shape = m["examples"], m["imageShape"]
    images = torch.from_numpy(np.fromfile(os.path.join(directory, files["images"]), dtype="<f4").reshape(n, *shape).copy())
    labels = torch.from_numpy(np.fromfile(os.path.join(directory, files["labels"]), dtype="<i8").copy())
    logits = torch.from_numpy(np.fromfile(os.path.join(directory, files["logits"]), dtype="<f4").reshape(n, m["classes"]).copy())
    seeds = np.fromfile(os.path.join(directory, files["seeds"]), dtype="<i8").reshape(len(m["suite"]), n)
    return m, params, images, labels, logits, seeds


def run(directory, threads, csharp_result=None, only=None):
    wall = time.perf_counter()
    torch.set_num_threads(threads)
    m, params, images, labels, ref_logits, seeds = load_export(directory)
    model = Counted(SpikingNet(m, params))
    n, bs = m["examples"], m["batchSize"]
    suite = m["suite"]  # the last entry is the sanity attack
    phases = []

    def phase_entry(name, seconds, correct, attempted, extra=None):
        p = model.phase
        e = {"attack": name, "seconds": seconds, "accuracy": correct / n if n else 0.0, "correct": correct,
             "attempted": attempted, "modelCalls": p.calls, "imageForwards": p.fwd_images, "imageBackwards": p.bwd_images,
             "forwardSeconds": p.fwd_s, "backwardSeconds": p.bwd_s, "otherSeconds": seconds - p.fwd_s - p.bwd_s}
        e.update(extra or {})
        phases.append(e)
        model.phase = Phase()

    # Clean pass: forward + input gradient through the training surrogate (the trainer's zero-gradient check).
    clean = [False] * n
    zero_grad, max_diff = 0, 0.0
    model.phase = Phase()
    start = time.perf_counter()
    for b0 in range(0, n, bs):
        x, y = images[b0:b0 + bs], labels[b0:b0 + bs]
        _, g, logits = loss_and_grad(model, x, y, "CE")
        clean[b0:b0 + len(y)] = (logits.argmax(1) == y).tolist()
        zero_grad += int((g.abs().flatten(1).amax(1) == 0).sum())
        max_diff = max(max_diff, float((logits - ref_logits[b0:b0 + bs]).abs().max()))
    phase_entry("clean", time.perf_counter() - start, sum(clean), n,
                {"zeroGradient": zero_grad, "maxLogitDiffToExport": max_diff})

    masks, results = [], []
    for ai, cfg in enumerate(suite):
        sanity = ai == len(suite) - 1
        if only and cfg["name"] not in only and not sanity:
            continue
        correct = [False] * n
        start = time.perf_counter()
        if cfg.get("cascade") and not sanity:
            still = list(clean)
            for r, mk in zip(results, masks):
                if r["counts"] and r["epsilon"] == cfg["epsilon"]:
                    still = [a and b for a, b in zip(still, mk)]
            chosen = [i for i in range(n) if still[i]]
        else:
            chosen = list(range(n))
        # Query-only attacks run in larger batches (the trainer's EvaluatorOptions.QueryBatchSize).
        size = max(m.get("queryBatchSize") or bs, bs) if cfg["kind"] in ("Square", "Gaussian") else bs
        for b0 in range(0, len(chosen), size):
            part = chosen[b0:b0 + size]
            rows = torch.tensor(part)
            x, y = images[rows], labels[rows]
            adv = perturb(model, cfg, x, y, seeds[ai, part])
            with torch.no_grad():
                right = (model(adv).argmax(1) == y).tolist()
            for k, i in enumerate(part):
                correct[i] = right[k]
        seconds = time.perf_counter() - start
        masks.append(correct)
        results.append({"epsilon": cfg["epsilon"], "counts": not sanity and cfg["kind"] != "Gaussian", "name": cfg["name"]})
        phase_entry(cfg["name"], seconds, sum(correct), len(chosen), {"sanity": sanity, "mask": pack(correct)})

    worst = []
    for eps in sorted({r["epsilon"] for r in results if r["counts"]}):
        mask = list(clean)
        names = []
        for r, mk in zip(results, masks):
            if r["counts"] and r["epsilon"] == eps:
                mask = [a and b for a, b in zip(mask, mk)]
                names.append(r["name"])
        worst.append({"epsilon": eps, "accuracy": sum(mask) / n, "correct": sum(mask), "attacks": names, "mask": pack(mask)})

    out = {"examples": n, "batchSize": bs, "threads": threads, "torch": torch.__version__,
           "cleanAccuracy": sum(clean) / n, "cleanCorrect": sum(clean), "cleanMask": pack(clean),
           "phases": phases, "worstCases": worst, "wallSeconds": time.perf_counter() - wall,
           "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if csharp_result:
        cs = json.load(open(csharp_result))
        theirs = unpack(cs["cleanMask"], cs["examples"])
        out["cleanAgreement"] = sum(a == b for a, b in zip(clean, theirs)) / n
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export", help="directory written by `AttackBench export`")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--csharp-result", help="the trainer's result.json on the same images: report clean agreement")
    parser.add_argument("--only", help="comma-separated attack names to run (development; the sanity attack always runs)")
    parser.add_argument("--out", help="write the JSON here instead of stdout")
    a = parser.parse_args()
    result = run(a.export, a.threads, a.csharp_result, set(a.only.split(",")) if a.only else None)
    text = json.dumps(result, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
