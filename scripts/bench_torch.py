"""PyTorch side of `npm run bench -- --compare`: the same workloads and shapes as engine/bench/bench.ts.

Run with Debian's interpreter (/usr/bin/python3, which has torch). Prints one JSON object per workload:
{"name", "threads", "img_per_s" (median wall clock), "cpu_img_per_s" (median, process CPU time)}.
Options: --threads N (torch.set_num_threads), --runs N, --seconds S, --only NAME.
Set OMP_NUM_THREADS and MKL_NUM_THREADS to the same N (bench.ts does): with set_num_threads alone,
OpenMP's pool still spins on the other core, doubling the CPU time and slowing the run.
"""
import argparse
import json
import statistics
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


def train_workload(make, batch):
    torch.manual_seed(1)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def run():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return run


def infer_workload(make, batch):
    torch.manual_seed(1)
    model = make().eval()
    x = torch.rand(batch, 1, 28, 28)

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


WORKLOADS = [
    ("lenet5-train", 64, lambda: train_workload(lenet5, 64)),
    ("mlp-train", 64, lambda: train_workload(mlp, 64)),
    ("lenet5-infer", 256, lambda: infer_workload(lenet5, 256)),
    ("dcgan-step", 64, lambda: dcgan_workload(64)),
]


def measure(run, batch, runs, seconds):
    run()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        images = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while True:
            run()
            images += batch
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        c = time.process_time()
        wall.append(images / (t - t0))
        cpu.append(images / max(c - c0, 1e-9))
    return statistics.median(wall), statistics.median(cpu)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--only", default="")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for name, batch, make in WORKLOADS:
        if a.only and a.only not in name:
            continue
        wall, cpu = measure(make(), batch, a.runs, a.seconds)
        print(json.dumps({"name": name, "threads": a.threads, "img_per_s": round(wall, 1), "cpu_img_per_s": round(cpu, 1)}), flush=True)


if __name__ == "__main__":
    main()
