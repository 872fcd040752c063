"""PyTorch reference of StableSnn's spiking networks, for side-by-side timing with bench/TrainerBench.

Same networks (small-cnn on 1x28x28, the paper's VGG-11 on 3x32x32; T steps, direct encoding, normalisation
inside, logits averaged over T), same LIF neuron written the usual PyTorch way (one autograd graph per step), same triangle surrogate, same losses (Raw: CE; AT: kappa CE(x) + (1-kappa) CE(x~)
+ alpha * MS-MPPD on the last spiking layer's input current, x~ by FGSM in eval mode), same PGD-7.
Prints one JSON object: median milliseconds per raw step, AT step and PGD-7 batch, and peak RSS in MB; or, with
--memory-steps N, the resident memory over N raw training steps.
"""
import argparse, json, resource, statistics, time
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


def conv_bn_lif(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), Lif()]


def small_cnn():
    """conv32-BN-LIF, avgpool, conv64-BN-LIF, avgpool, linear: StableSnn's small-cnn on 1x28x28."""
    return nn.Sequential(*conv_bn_lif(1, 32), nn.AvgPool2d(2), *conv_bn_lif(32, 64), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 10))


def vgg11():
    """The paper's VGG-11 on 3x32x32: [64, A], [128, 256, A], [512 x3, A], [512 x2], then 4096-LIF-4096-LIF-10."""
    layers, cin = [], 3
    for v in [64, "A", 128, 256, "A", 512, 512, 512, "A", 512, 512]:
        if v == "A":
            layers.append(nn.AvgPool2d(2))
        else:
            layers += conv_bn_lif(cin, v)
            cin = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 4 * 4, 4096), Lif(), nn.Linear(4096, 4096), Lif(),
                         nn.Linear(4096, 10))


ARCHS = {"small-cnn": (small_cnn, (1, 28, 28), [0.2860], [0.3530]),
         "vgg11": (vgg11, (3, 32, 32), [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616])}


class SpikingNet(nn.Module):
    """Normalisation inside, the image presented at each of T steps (time folded into the batch), logits averaged."""

    def __init__(self, body, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))
        self.body = body
        self.last = [m for m in body if isinstance(m, Lif)][-1]

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


def median_ms(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="small-cnn", choices=ARCHS)
    parser.add_argument("--steps", type=int, default=10, help="timed repetitions of each measurement (median reported)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-steps", type=int, default=0, help="instead: RSS over this many raw training steps")
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    build, shape, mean, std = ARCHS[a.arch]
    model = SpikingNet(build(), mean, std)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = torch.rand(BATCH, *shape), torch.randint(0, 10, (BATCH,))
    if a.memory_steps > 0:
        samples = {}
        for step in range(1, a.memory_steps + 1):
            raw_step(model, opt, x, y)
            if step in (1, 10) or step % 50 == 0:
                samples[step] = rss_mb()
        result = {"arch": a.arch, "parameters": sum(p.numel() for p in model.parameters()), "memory_steps": a.memory_steps, "rss_mb": samples}
    else:
        result = {
            "arch": a.arch,
            "parameters": sum(p.numel() for p in model.parameters()),
            "raw_step_ms": median_ms(lambda: raw_step(model, opt, x, y), a.steps, a.warmup),
            "at_step_ms": median_ms(lambda: at_step(model, opt, x, y), a.steps, a.warmup),
            "pgd7_batch_ms": median_ms(lambda: pgd7(model, x, y), a.steps, a.warmup),
        }
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
