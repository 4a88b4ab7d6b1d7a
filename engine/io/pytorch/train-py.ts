/**
 * train.py of the PyTorch export: continue training with torch.distributed (DistributedDataParallel),
 * one process or many, and save a checkpoint in the export's own weight format.
 */

/** Shared by every kind: process group setup, the optimizer as Locus configured it, saving. */
const COMMON = `import argparse
import json
import math
import os
import time

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

import data
import model as locus

HERE = os.path.dirname(os.path.abspath(__file__))


def start_processes(backend=None):
    """Join the process group torchrun describes (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR/PORT in the
    environment), or run alone when started with plain python3. nccl on GPUs, gloo on CPUs."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(local_rank)
    if world > 1:
        dist.init_process_group(backend or ("nccl" if cuda else "gloo"))
    rank = dist.get_rank() if world > 1 else 0
    device = torch.device(f"cuda:{local_rank}") if cuda else torch.device("cpu")
    return world, rank, local_rank, device


def wrap(module, device, local_rank, world):
    """DistributedDataParallel over the process group (gradients averaged across processes after each
    backward pass), or the module itself when running alone."""
    if world == 1:
        return module
    return DistributedDataParallel(module, device_ids=[local_rank] if device.type == "cuda" else None)


def make_optimizer(net, spec, lr):
    """The optimizer Locus trained with (its type and options; lr may be overridden). Weight decay, as
    in Locus, applies to weights only: biases and BatchNorm's scale and shift take none. Its moments
    start afresh: Locus's optimizer state is not carried over."""
    spec = dict(spec or {"type": "adam", "lr": 0.001})
    lr = lr if lr is not None else spec.get("lr", 0.001)
    decay = spec.get("weightDecay", 0.0)
    decoupled = spec.get("decayMode", "l2") == "decoupled"
    weights = [p for p in net.parameters() if p.dim() > 1]
    others = [p for p in net.parameters() if p.dim() <= 1]
    groups = [{"params": weights, "weight_decay": decay}, {"params": others, "weight_decay": 0.0}]
    kind = spec.get("type", "adam")
    if kind == "adam":
        cls = torch.optim.AdamW if decoupled else torch.optim.Adam
        return cls(groups, lr=lr, betas=(spec.get("beta1", 0.9), spec.get("beta2", 0.999)), eps=spec.get("eps", 1e-8))
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=spec.get("momentum", 0.0), nesterov=spec.get("nesterov", False))
    if kind == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=spec.get("rho", 0.9), eps=spec.get("eps", 1e-8))
    raise ValueError(f"unknown optimizer type {kind!r}")


def sum_over_processes(values, device, world):
    """Add numbers across processes (every process gets the totals)."""
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(t)
    return t.tolist()


def common_arguments(description, settings):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", required=True, help="the image folder to train on")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=settings.get("batchSize", 32), help="batch size of each process")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the one Locus used)")
    p.add_argument("--seed", type=int, default=None, help="default: the seed Locus trained with")
    p.add_argument("--workers", type=int, default=0, help="data loader processes per training process")
    p.add_argument("--out", default=HERE, help="folder for weights.json + weights.bin (default: this package)")
    p.add_argument("--backend", default=None, help="gloo or nccl (default: nccl with GPUs, else gloo)")
    return p


def loader(dataset, batch, world, rank, seed, workers):
    """Each process reads its own share of the shuffled samples (DistributedSampler)."""
    if len(dataset) == 0:
        raise SystemExit("no images found: the data folder needs one subfolder per class")
    sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=seed) if world > 1 else None
    g = torch.Generator()
    g.manual_seed(seed)
    return sampler, DataLoader(dataset, batch_size=batch, sampler=sampler, shuffle=sampler is None, generator=g, num_workers=workers)
`;

export const TRAIN_CLASSIFIER_PY = `"""Continue training this Locus classifier in PyTorch, on one process or many.

    python3 train.py --data DIR --epochs 5                          # one process
    torchrun --nproc_per_node 4 train.py --data DIR --epochs 5      # 4 processes (GPUs or CPU cores)
    torchrun --nnodes 2 --node_rank 0 --nproc_per_node 8 --master_addr HOST --master_port 29500 \\\\
        train.py --data DIR --epochs 5                              # on each of 2 machines

Each process holds a copy of the network (DistributedDataParallel averages the gradients), reads its
own share of the images and uses --batch of them per step, so one step sees nproc * batch images.
The checkpoint (weights.json + weights.bin, the format this package came in) is written by process 0
to --out; \`locus import --format pytorch DIR\` turns it back into a Locus model file.

Debian 12's torchrun (PyTorch 1.13 on Python 3.11) stops before starting any process with
"'NoneType' object has no attribute 'get'" unless given --redirects 1 --tee 1 (its default stream
settings do not parse there); newer PyTorch needs nothing extra.
"""
${COMMON}

@record  # a failing process's traceback appears in torchrun's summary
def main():
    info = data.read_info()
    training = info["model"]["training"]
    settings = training.get("settings", {})
    args = common_arguments("Continue training a Locus classifier", settings)
    args.add_argument("--sync-batchnorm", action="store_true", help="BatchNorm statistics over all processes' batches")
    args = args.parse_args()
    seed = args.seed if args.seed is not None else training.get("seed", 1)

    world, rank, local_rank, device = start_processes(args.backend)
    torch.manual_seed(seed + rank)  # dropout masks differ between processes
    net = locus.LocusClassifier()
    manifest = locus.load_weights(net, HERE)
    if args.sync_batchnorm:
        net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
    net.to(device)
    ddp = wrap(net, device, local_rank, world)
    optimizer = make_optimizer(ddp, settings.get("optimizer"), args.lr)
    clip = settings.get("clipNorm")
    lossf = torch.nn.CrossEntropyLoss()

    dataset = data.ImageFolder(args.data, info)
    if rank == 0:
        print(f"{len(dataset)} images in {len(dataset.classes)} classes, {len(dataset.skipped)} files skipped; "
              f"{world} process(es), batch {args.batch} each, on {device.type}", flush=True)
    sampler, batches = loader(dataset, args.batch, world, rank, seed, args.workers)

    history = list(manifest.get("history", []))
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        ddp.train()
        started = time.time()
        loss_sum, correct, seen = 0.0, 0, 0
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            logits = ddp(x)
            loss = lossf(logits, y)
            optimizer.zero_grad()
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(ddp.parameters(), clip)
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
        loss_sum, correct, seen = sum_over_processes([loss_sum, correct, seen], device, world)
        entry = {"epoch": len(history) + 1, "trainLoss": loss_sum / seen if seen else None,
                 "trainAcc": correct / seen if seen else None, "seconds": round(time.time() - started, 3), "processes": world}
        history.append(entry)
        if rank == 0:
            print(json.dumps(entry), flush=True)

    if rank == 0:
        saved = net.module if hasattr(net, "module") else net
        if args.sync_batchnorm:
            saved = revert_sync_batchnorm(saved)
        locus.save_weights(saved, args.out, extra={"history": history}, locus_names=locus.LOCUS_NAMES)
        print(f"saved {os.path.join(args.out, 'weights.json')}", flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def revert_sync_batchnorm(net):
    """SyncBatchNorm layers back to the BatchNorm classes model.py uses (same tensors)."""
    fresh = locus.LocusClassifier()
    fresh.load_state_dict(net.state_dict())
    return fresh


if __name__ == "__main__":
    main()
`;

export const TRAIN_SEQUENCE_PY = `"""Continue training this Locus sequence model in PyTorch, on one process or many.

    python3 train.py --epochs 5                                     # generated series: the set in this package
    python3 train.py --data DIR --epochs 5                          # image rows: an image folder
    torchrun --nproc_per_node 4 train.py [--data DIR] --epochs 5    # 4 processes (DistributedDataParallel)

Each process reads its own share of the sequences, --batch per step. Classification uses the
cross-entropy of the logits, regression the mean squared error, and the gradient norm is clipped as
Locus clipped it. Process 0 writes the checkpoint (weights.json + weights.bin) to --out;
\`locus import --format pytorch DIR\` turns it back into a Locus model file. (Debian 12's torchrun needs
--redirects 1 --tee 1; see the classifier's train.py or docs/take-it-further.md.)
"""
${COMMON}

@record
def main():
    info = data.read_info()
    model_info = info["model"]
    training = model_info["training"]
    settings = training.get("settings", {})
    parser = common_arguments("Continue training a Locus sequence model", settings)
    rows = model_info["data"]["source"] == "rows"
    parser.set_defaults(data=None)
    for action in parser._actions:
        if action.dest == "data":
            action.required = rows
            action.help = "the image folder (image rows)" if rows else "unused: the generated set in this package is read"
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else training.get("seed", 1)

    world, rank, local_rank, device = start_processes(args.backend)
    torch.manual_seed(seed + rank)
    net = locus.LocusSequence()
    manifest = locus.load_weights(net, HERE)
    net.to(device)
    ddp = wrap(net, device, local_rank, world)
    optimizer = make_optimizer(ddp, settings.get("optimizer"), args.lr)
    clip = settings.get("clipNorm", 1)
    classify = model_info["task"] == "classify"
    lossf = torch.nn.CrossEntropyLoss() if classify else torch.nn.MSELoss()

    dataset = data.ImageRows(args.data, info) if rows else data.SeriesFile(HERE)
    if rank == 0:
        print(f"{len(dataset)} sequences, {len(dataset.skipped)} files skipped; {world} process(es), batch {args.batch} each, on {device.type}", flush=True)
    sampler, batches = loader(dataset, args.batch, world, rank, seed, args.workers)

    history = list(manifest.get("history", []))
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        ddp.train()
        started = time.time()
        loss_sum, correct, seen = 0.0, 0, 0
        for x, y in batches:
            x, y = x.to(device), y.to(device)
            out = ddp(x)
            loss = lossf(out, y if classify else y.view_as(out))
            optimizer.zero_grad()
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(ddp.parameters(), clip)
            optimizer.step()
            loss_sum += loss.item() * len(y)
            if classify:
                correct += (out.argmax(1) == y).sum().item()
            seen += len(y)
        loss_sum, correct, seen = sum_over_processes([loss_sum, correct, seen], device, world)
        entry = {"epoch": len(history) + 1, "trainLoss": loss_sum / seen if seen else None,
                 "seconds": round(time.time() - started, 3), "processes": world}
        if classify:
            entry["trainAcc"] = correct / seen if seen else None
        history.append(entry)
        if rank == 0:
            print(json.dumps(entry), flush=True)

    if rank == 0:
        locus.save_weights(net, args.out, extra={"history": history}, locus_names=locus.LOCUS_NAMES)
        print(f"saved {os.path.join(args.out, 'weights.json')}", flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;

export const TRAIN_GAN_PY = `"""Continue training this Locus GAN (generator and discriminator) in PyTorch, on one process or many.

    python3 train.py --data DIR --epochs 5
    torchrun --nproc_per_node 4 train.py --data DIR --epochs 5      # 4 processes (DistributedDataParallel)

Every image under DIR (any depth) counts as real. Each round, as in Locus: the discriminator D is
updated on a real batch and a fake batch G(z) to tell them apart (binary cross-entropy of its
logits), then the generator G is updated, through D, to make D call its fakes real (the
non-saturating loss; --saturating for the original one). Both use Adam with the learning rates and
beta1 Locus trained with. The fakes of the D update are reused for the G update.
Process 0 writes the checkpoint (weights.json + weights.bin, both networks) to --out;
\`locus import --format pytorch DIR\` turns it back into a Locus GAN file. (Debian 12's torchrun needs
--redirects 1 --tee 1; see docs/take-it-further.md.)
"""
${COMMON}

@record
def main():
    info = data.read_info()
    training = info["model"]["training"]
    settings = training.get("settings", {})
    parser = common_arguments("Continue training a Locus GAN", settings)
    parser.add_argument("--saturating", action="store_true", help="the original generator loss, log(1 - D(G(z)))")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else training.get("seed", 1)

    world, rank, local_rank, device = start_processes(args.backend)
    torch.manual_seed(seed + rank)  # each process draws its own latent codes
    gan = locus.LocusGan()
    manifest = locus.load_weights(gan, HERE)
    gan.to(device)
    g = wrap(gan.generator, device, local_rank, world)
    d = wrap(gan.discriminator, device, local_rank, world)
    def adam(net, spec):
        spec = spec or {}
        lr = args.lr if args.lr is not None else spec.get("lr", 0.0002)
        return torch.optim.Adam(net.parameters(), lr=lr, betas=(spec.get("beta1", 0.5), spec.get("beta2", 0.999)), eps=spec.get("eps", 1e-8))

    opt_g = adam(g, settings.get("optimizerG"))
    opt_d = adam(d, settings.get("optimizerD"))
    saturating = args.saturating or settings.get("nonSaturating") is False
    bce = torch.nn.BCEWithLogitsLoss()

    dataset = data.ImageFolder(args.data, info, labeled=False)
    if rank == 0:
        print(f"{len(dataset)} images, {len(dataset.skipped)} files skipped; {world} process(es), batch {args.batch} each, on {device.type}", flush=True)
    sampler, batches = loader(dataset, args.batch, world, rank, seed, args.workers)

    history = list(manifest.get("history", []))
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        g.train()
        d.train()
        started = time.time()
        sums = [0.0, 0.0, 0.0, 0.0, 0]  # D loss, G loss, D(x), D(G(z)) (times the batch size), images
        for real, _ in batches:
            real = real.to(device)
            n = len(real)
            fake = g(torch.randn(n, gan.latent, device=device))
            # D: real and fake in one pass (the DCGAN discriminator has no BatchNorm, so this is the
            # same as two passes), each half scored against its own label.
            logits = d(torch.cat([real, fake.detach()])).view(-1)
            d_loss = bce(logits[:n], torch.ones(n, device=device)) + bce(logits[n:], torch.zeros(n, device=device))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            # G: through D (each wrapped network runs one forward pass per backward pass, as
            # DistributedDataParallel expects; D's gradients from this pass are cleared before its next step).
            fake_logits = d(fake).view(-1)
            if saturating:
                g_loss = -bce(fake_logits, torch.zeros(n, device=device))
            else:
                g_loss = bce(fake_logits, torch.ones(n, device=device))
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            p = torch.sigmoid(logits.detach())
            sums = [sums[0] + d_loss.item() * n, sums[1] + g_loss.item() * n, sums[2] + p[:n].sum().item(), sums[3] + p[n:].sum().item(), sums[4] + n]
        d_sum, g_sum, real_sum, fake_sum, seen = sum_over_processes(sums, device, world)
        seen = seen or 1
        entry = {"epoch": len(history) + 1, "dLoss": d_sum / seen, "gLoss": g_sum / seen, "dReal": real_sum / seen,
                 "dFake": fake_sum / seen, "seconds": round(time.time() - started, 3), "processes": world}
        history.append(entry)
        if rank == 0:
            print(json.dumps(entry), flush=True)

    if rank == 0:
        locus.save_weights(gan, args.out, extra={"history": history}, locus_names=locus.LOCUS_NAMES)
        print(f"saved {os.path.join(args.out, 'weights.json')}", flush=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
