"""PyTorch reference of StableSnn's small spiking CNN, for side-by-side timing with bench/TrainerBench.

Same network (conv32-BN-LIF, avgpool, conv64-BN-LIF, avgpool, linear; T steps, direct encoding, normalisation
inside, logits averaged over T), same triangle surrogate, same losses (Raw: CE; AT: kappa CE(x) + (1-kappa) CE(x~)
+ alpha * MS-MPPD on the last spiking layer's input current, x~ by FGSM in eval mode), same PGD-7.
Prints one JSON object: median milliseconds per raw step, AT step and PGD-7 batch, and peak RSS in MB.
"""
import json, resource, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

T, BATCH, TAU, VTH, WIDTH = 8, 64, 0.99, 1.0, 1.0


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, excess):
        ctx.save_for_backward(excess)
        return (excess >= 0).to(excess.dtype)

    @staticmethod
    def backward(ctx, grad):
        excess, = ctx.saved_tensors
        return grad * (WIDTH - excess.abs()).clamp(min=0) / (WIDTH * WIDTH)


class Lif(nn.Module):
    def __init__(self):
        super().__init__()
        self.record = False
        self.recorded = None

    def forward(self, x):
        seq = x.view(T, x.shape[0] // T, *x.shape[1:])
        if self.record:
            self.recorded = seq
        u, out = None, []
        for t in range(T):
            u = seq[t] if u is None else u * TAU + seq[t]
            s = Spike.apply(u - VTH)
            u = u * (1 - s)
            out.append(s)
        return torch.stack(out).flatten(0, 1)


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.2860]).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor([0.3530]).view(1, -1, 1, 1))
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), Lif(), nn.AvgPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), Lif(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 10))
        self.last = self.body[6]

    def forward(self, x):
        b = x.shape[0]
        x = ((x - self.mean) / self.std).unsqueeze(0).expand(T, -1, -1, -1, -1).flatten(0, 1)
        return self.body(x).view(T, b, -1).mean(0)


def fgsm(model, x, y, eps=4 / 255):
    model.eval()
    x0 = (x + 0.001 * torch.randn_like(x)).detach().requires_grad_(True)
    g, = torch.autograd.grad(F.cross_entropy(model(x0), y), [x0])
    model.train()
    return (x0.detach() + eps * g.sign()).clamp(0, 1)


def mppd(clean, pert):
    delta, e, acc = clean.detach() - pert, None, []
    for t in range(T):
        e = delta[t] if e is None else e * TAU + delta[t]
        acc.append(e)
    return torch.stack(acc).square().mean()


def at_step(model, opt, x, y, alpha=1.0, kappa=0.5):
    xt = fgsm(model, x, y)
    model.last.record = True
    lc = model(x); clean_i = model.last.recorded.detach()
    lp = model(xt); pert_i = model.last.recorded
    model.last.record = False
    loss = kappa * F.cross_entropy(lc, y) + (1 - kappa) * F.cross_entropy(lp, y) + alpha * mppd(clean_i, pert_i)
    opt.zero_grad(); loss.backward(); opt.step()


def raw_step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad(); loss.backward(); opt.step()


def pgd7(model, x, y, eps=8 / 255, step=2.55 / 255):
    model.eval()
    adv = (x + torch.empty_like(x).uniform_(-eps, eps)).clamp(0, 1)
    for _ in range(7):
        adv = adv.detach().requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(model(adv), y), [adv])
        adv = torch.min(torch.max(adv.detach() + step * g.sign(), x - eps), x + eps).clamp(0, 1)
    model.train()
    return adv


def median_ms(fn, runs, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    torch.manual_seed(1)
    model = SmallCnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = torch.rand(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))
    result = {
        "raw_step_ms": median_ms(lambda: raw_step(model, opt, x, y), runs),
        "at_step_ms": median_ms(lambda: at_step(model, opt, x, y), runs),
        "pgd7_batch_ms": median_ms(lambda: pgd7(model, x, y), runs),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
