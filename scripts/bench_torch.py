"""PyTorch side of `npm run bench -- --compare`: the same workloads and shapes as engine/bench/bench.ts.

Run with Debian's interpreter (/usr/bin/python3, which has torch). Prints one JSON object per workload:
{"name", "lib", "threads", "img_per_s" (median wall clock), "cpu_img_per_s" (median, process CPU time)}
(k-means and SOM: samples per second), or {"name", "lib", "fails"} when a twin cannot run.
Twins: torch for the networks; scikit-learn's KMeans (Lloyd, one start from given centroids, the same
iterations) and a vectorized numpy SOM on Debian's Fashion-MNIST; torchvision's ImageFolder for folder
loading (only with --folder DIR, the folder engine/bench/folder.ts made).
Options: --threads N (torch.set_num_threads), --runs N, --seconds S, --only NAME, --folder DIR.
--serve: measure on request instead, for `--compare`'s alternation (engine/bench/compare.ts): one JSON
request a line on stdin, {"name", "runs"} ("folder": DIR for folder-cold), answered with that workload's
line, or {"name", "none": true} when it has no twin (a workload is built on its first request and kept);
{"name": "ready"} is answered {"ready": true} once the libraries are imported; the process ends when
stdin closes.
Set OMP_NUM_THREADS and MKL_NUM_THREADS to the same N (bench.ts does): with set_num_threads alone,
OpenMP's pool still spins on the other core, doubling the CPU time and slowing the run.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet5():
    # conv 5x5x6 same, pool 2, conv 5x5x16 valid, pool 2, dense 120, 84, 10 (engine/models/presets.ts)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def train_workload(make, batch, shape=(1, 28, 28)):
    torch.manual_seed(1)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, *shape)
    y = torch.randint(0, 10, (batch,))

    def run():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return run


def infer_workload(make, batch, shape=(1, 28, 28)):
    torch.manual_seed(1)
    model = make().eval()
    x = torch.rand(batch, *shape)

    def run():
        with torch.no_grad():
            model(x)

    return run


def dcgan_workload(batch, latent=64, width=16):
    # engine/models/gan-presets.ts dcganSpecs({channels: 1, size: 28, latent: 64, width: 16}),
    # one round as engine/models/gan-step.ts: D on real and fake, then G through D (fake reused).
    torch.manual_seed(1)
    top = width * 4
    gen = nn.Sequential(
        nn.Linear(latent, top * 7 * 7, bias=False), nn.Unflatten(1, (top, 7, 7)),
        nn.BatchNorm2d(top, momentum=0.1), nn.ReLU(),
        nn.ConvTranspose2d(top, top // 2, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(top // 2, momentum=0.1), nn.ReLU(),
        nn.ConvTranspose2d(top // 2, 1, 4, stride=2, padding=1), nn.Tanh(),
    )
    dis = nn.Sequential(
        nn.Conv2d(1, width * 2, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(width * 2, width * 4, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(width * 4 * 7 * 7, 1),
    )
    opt_d = torch.optim.Adam(dis.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 1, 28, 28) * 2 - 1
    ones = torch.ones(batch, 1)
    zeros = torch.zeros(batch, 1)
    bce = nn.BCEWithLogitsLoss()

    def run():
        opt_d.zero_grad(set_to_none=False)
        loss_r = bce(dis(real), ones)
        loss_r.backward()
        fake = gen(torch.randn(batch, latent))
        loss_f = bce(dis(fake.detach()), zeros)
        loss_f.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=False)
        loss_g = bce(dis(fake), ones)
        loss_g.backward()
        opt_g.step()

    return run


class LstmNet(nn.Module):
    # engine/models/sequence.ts sequenceSpec({cell: 'lstm', steps: 28, features: 28, units: 64}): one LSTM
    # layer returning its last state, dense read-out to 10 classes.
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 64, batch_first=True)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1])


class GruNet(nn.Module):
    # sequenceSpec({cell: 'gru', steps: 28, features: 28, units: 64}): one GRU layer (PyTorch's form, as
    # Locus's: the reset gate scales the recurrent projection) returning its last state, dense to 10.
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(28, 64, batch_first=True)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])


def vgg64():
    # presetSpec('vgg', [3, 64, 64], 10, {depth: 3}): (conv 3x3 same, ReLU) x 2, max pool 2, for 16, 32, 64
    # filters; flatten, dense 128, ReLU, dense 10.
    layers, c = [], 3
    for f in (16, 32, 64):
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.Conv2d(f, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c = f
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))


def fashion():
    """Debian's Fashion-MNIST training images as float32 [60000, 784] in [0, 1]."""
    import gzip
    import numpy as np
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        buf = f.read()
    return (np.frombuffer(buf, dtype=np.uint8, offset=16).reshape(-1, 784) / np.float32(255)).astype(np.float32)


_FASHION = []


def fashion_cached():
    if not _FASHION:
        _FASHION.append(fashion())
    return _FASHION[0]


def kmeans_lloyd_workload(iterations=2):
    # engine/bench/local.ts kmeans-lloyd: k=64 from 64 random samples, `iterations` Lloyd iterations over
    # all 60,000 (one call = iterations * 60,000 samples).
    import numpy as np
    from sklearn.cluster import KMeans
    x = fashion_cached()
    start = x[np.random.default_rng(1).choice(len(x), 64, replace=False)]

    def run():
        KMeans(n_clusters=64, init=start, n_init=1, max_iter=iterations, tol=0, algorithm="lloyd").fit(x)

    return run


def kmeans_online_workload(steps=2000):
    # Online (MacQueen) k-means, rate 1/count, one sample at a time, vectorized over the 64 centroids:
    # numpy has no online k-means, so this is the same algorithm as engine/local/kmeans.ts in numpy.
    import numpy as np
    x = fashion_cached()
    rng = np.random.default_rng(1)
    c = x[rng.choice(len(x), 64, replace=False)].copy()
    counts = np.zeros(64)

    def run():
        order = rng.integers(0, len(x), steps)
        for i in order:
            v = x[i]
            j = int(np.argmin(((c - v) ** 2).sum(axis=1)))
            counts[j] += 1
            c[j] += (v - c[j]) / counts[j]

    return run


def som_workload(steps=200, side=20):
    # A vectorized numpy SOM (MiniSom's online update): the BMU by distances to all units, then every unit
    # moves by eta * gaussian(dx) * gaussian(dy) * (x - w); eta and sigma asymptotic from 0.5 and 1 over
    # a long schedule, as engine/bench/local.ts.
    import numpy as np
    x = fashion_cached()
    rng = np.random.default_rng(1)
    w = x[rng.integers(0, len(x), side * side)].copy().reshape(side, side, 784)
    ax = np.arange(side, dtype=np.float64)
    total = 1e7
    t = [0]

    def run():
        for i in rng.integers(0, len(x), steps):
            v = x[i]
            d = ((w - v) ** 2).sum(axis=2)
            bi, bj = np.unravel_index(np.argmin(d), d.shape)
            decay = 1 / (1 + t[0] / (total / 2))
            eta, sigma = 0.5 * decay, 1.0 * decay
            gx = np.exp(-((ax - bi) ** 2) / (2 * sigma * sigma))
            gy = np.exp(-((ax - bj) ** 2) / (2 * sigma * sigma))
            h = (eta * np.outer(gx, gy)).astype(np.float32)
            w[...] += h[:, :, None] * (v - w)
            t[0] += 1

    return run


def folder_workload(folder, threads):
    # torchvision's usual pipeline for a folder of photos to 64x64: ImageFolder (PIL decode), Resize(64)
    # on the short side, CenterCrop(64), ToTensor, through a DataLoader (batch 64; N worker processes on N > 1 threads, else none).
    from torchvision import datasets, transforms
    tf = transforms.Compose([transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor()])
    ds = datasets.ImageFolder(folder, transform=tf)
    workers = threads if threads > 1 else 0

    def run():
        for _ in torch.utils.data.DataLoader(ds, batch_size=64, num_workers=workers):
            pass

    return run, len(ds)


WORKLOADS = [
    ("lenet5-train", "torch", 64, lambda: train_workload(lenet5, 64)),
    ("mlp-train", "torch", 64, lambda: train_workload(mlp, 64)),
    ("lenet5-infer", "torch", 256, lambda: infer_workload(lenet5, 256)),
    ("dcgan-step", "torch", 64, lambda: dcgan_workload(64)),
    ("lstm-train", "torch", 64, lambda: train_workload(LstmNet, 64, (28, 28))),
    ("gru-train", "torch", 64, lambda: train_workload(GruNet, 64, (28, 28))),
    ("vgg64-train", "torch", 32, lambda: train_workload(vgg64, 32, (3, 64, 64))),
    ("vgg64-infer", "torch", 32, lambda: infer_workload(vgg64, 32, (3, 64, 64))),
    ("kmeans-online", "numpy", 2000, lambda: kmeans_online_workload(2000)),
    ("kmeans-lloyd", "sklearn", 2 * 60000, lambda: kmeans_lloyd_workload(2)),
    ("som-online", "numpy", 200, lambda: som_workload(200)),
]


def cpu_time():
    # This process's CPU time and that of its finished children (the DataLoader's worker processes).
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(run, batch, runs, seconds):
    run()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        images = 0
        t0, c0 = time.perf_counter(), cpu_time()
        while True:
            run()
            images += batch
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        c = cpu_time()
        wall.append(images / (t - t0))
        cpu.append(images / max(c - c0, 1e-9))
    return statistics.median(wall), statistics.median(cpu)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--only", default="")
    p.add_argument("--folder", default="")
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    def emit(name, lib, rates=None, fails=None):
        out = {"name": name, "lib": lib, "threads": a.threads}
        if fails:
            out["fails"] = fails
        else:
            out.update({"img_per_s": round(rates[0], 1), "cpu_img_per_s": round(rates[1], 1)})
        print(json.dumps(out), flush=True)

    made = {}

    def made_run(name, batch, make):
        # (run, batch) for a workload, or a string saying why it cannot run; built once.
        if name not in made:
            try:
                made[name] = (make(), batch)
            except (ImportError, OSError) as e:
                made[name] = f"{type(e).__name__}: {e}"
        return made[name]

    def one(name, runs, folder=""):
        for wname, lib, batch, make in WORKLOADS:
            if wname == name:
                got = made_run(name, batch, make)
                if isinstance(got, str):
                    emit(name, lib, fails=got)
                else:
                    emit(name, lib, measure(got[0], got[1], runs, a.seconds))
                return
        folder = folder or a.folder
        if name == "folder-cold" and folder:
            if (name, folder) not in made:
                made[(name, folder)] = folder_workload(folder, a.threads)
            run, n = made[(name, folder)]
            emit(name, "torchvision", measure(run, n, runs, a.seconds))
            return
        print(json.dumps({"name": name, "none": True}), flush=True)  # no twin for this workload

    if a.serve:
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            if req.get("name") == "ready":
                print(json.dumps({"ready": True}), flush=True)
                continue
            try:
                one(str(req["name"]), max(1, int(req.get("runs", a.runs))), str(req.get("folder", "")))
            except Exception as e:  # one workload's failure is its own answer; the next request still runs
                emit(str(req.get("name")), "torch", fails=f"{type(e).__name__}: {e}")
        return

    for name, lib, batch, make in WORKLOADS:
        if a.only and a.only not in name:
            continue
        one(name, a.runs)
    if a.folder and (not a.only or a.only in "folder-cold"):
        one("folder-cold", a.runs)


if __name__ == "__main__":
    main()
