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
    ddp = DistributedDataParallel(net, device_ids=[local_rank] if device.type == "cuda" else None)
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
