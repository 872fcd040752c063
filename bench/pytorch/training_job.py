"""A whole training job in PyTorch, the reference for the trainer process's end-to-end row in bench/README.md.

The same job the C# trainer runs for an experiment spec (`StableSnn.Trainer train --spec bench/e2e-job.json`):
load Fashion-MNIST from the Debian idx files, take a seeded 8,000-image subset, split off 10% for validation, train
small-cnn (T = 4) in AT mode (FGSM in eval mode, kappa 0.5, alpha 1 stability regulariser; SGD 0.1, momentum 0.9,
weight decay 5e-4, cosine schedule per epoch) for 2 epochs, evaluate the validation set after each epoch, save a
checkpoint (model + optimiser) per epoch and the best model, then evaluate clean accuracy on the 10,000 test images.
Images stay uint8 until a batch needs them, as a careful PyTorch user would write it (torchvision would decode the
same files into a uint8 tensor too). The networks, neuron, surrogate and losses are spiking_reference.py's.
Prints one JSON object: seconds per phase, accuracies, and the process's peak RSS.
"""
import argparse, gzip, json, math, os, resource, struct, time
import torch
import torch.nn.functional as F
import spiking_reference as ref


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(count, 1, rows, cols)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def batches(images, labels, size, generator=None):
    order = torch.randperm(len(images), generator=generator) if generator is not None else torch.arange(len(images))
    for start in range(0, len(images), size):
        index = order[start:start + size]
        yield images[index].float().div_(255), labels[index]


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in batches(images, labels, 256):
            correct += (model(x).argmax(1) == y).sum().item()
    return correct / max(1, len(images))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--out", required=True, help="checkpoint folder")
    p.add_argument("--train-subset", type=int, default=8000)
    p.add_argument("--validation-fraction", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--time-steps", type=int, default=4)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ref.T = a.time_steps  # the reference's neuron and regulariser read the module-level T
    start = time.perf_counter()

    train_x = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))
    test_y = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"))
    g = torch.Generator().manual_seed(a.seed)
    pool = torch.randperm(len(train_x), generator=g)[:a.train_subset].sort().values
    n_val = round(len(pool) * a.validation_fraction)
    split = torch.randperm(len(pool), generator=g)
    val_idx, fit_idx = pool[split[:n_val]].sort().values, pool[split[n_val:]].sort().values
    fit_x, fit_y, val_x, val_y = train_x[fit_idx], train_y[fit_idx], train_x[val_idx], train_y[val_idx]
    del train_x, train_y  # the full training set is not needed once the subsets are copied
    load_s = time.perf_counter() - start

    torch.manual_seed(a.seed)
    build, _, mean, std = ref.ARCHS["small-cnn"]
    model = ref.SpikingNet(build(), mean, std)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    os.makedirs(a.out, exist_ok=True)
    best, history, train_s = -1.0, [], 0.0
    for epoch in range(a.epochs):
        for group in opt.param_groups:
            group["lr"] = 0.5 * 0.1 * (1 + math.cos(math.pi * epoch / a.epochs))
        t0 = time.perf_counter()
        model.train()
        for x, y in batches(fit_x, fit_y, 64, torch.Generator().manual_seed(a.seed * 1000003 + epoch)):
            ref.at_step(model, opt, x, y, alpha=a.alpha)
            model.train()
        train_s += time.perf_counter() - t0
        val = accuracy(model, val_x, val_y)
        history.append(val)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch + 1},
                   os.path.join(a.out, f"epoch-{epoch + 1}.pt"))
        if val > best:
            best = val
            torch.save(model.state_dict(), os.path.join(a.out, "best.pt"))

    t0 = time.perf_counter()
    model.load_state_dict(torch.load(os.path.join(a.out, "best.pt")))
    test = accuracy(model, test_x, test_y)
    evaluate_s = time.perf_counter() - t0
    print(json.dumps({
        "load_seconds": load_s, "train_seconds": train_s, "evaluate_seconds": evaluate_s,
        "total_seconds": time.perf_counter() - start, "validation_accuracy": history, "test_accuracy": test,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
