/**
 * model.py of the PyTorch export: a small library of modules with Locus's exact semantics (padding on
 * the bottom/right for 'same', pooling that ignores padding, the gate and residual blocks, recurrent
 * layers that return the last state), the generated network classes, and the weight file reader and
 * writer (little-endian float32 + a JSON manifest; no pickle anywhere).
 */

/** The part of model.py that is the same for every export. */
export const MODEL_PY_LIBRARY = `import hashlib
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

WEIGHTS_FORMAT = "locus-pytorch-weights"


# ----------------------------------------------------------------------------------------------------
# Modules with Locus's semantics. Images are NCHW, as in Locus; sequences are [batch, time, features].
# ----------------------------------------------------------------------------------------------------


class Conv2d(nn.Conv2d):
    """Locus's conv2d. \`pad\` is (left, right, top, bottom): Locus's 'same' padding puts an odd extra
    row or column at the bottom/right (as TensorFlow), which nn.Conv2d's own padding cannot express."""

    def __init__(self, in_channels, filters, kernel, stride, dilation, pad, bias=True):
        super().__init__(in_channels, filters, kernel, stride=stride, dilation=dilation, bias=bias)
        self.pad = tuple(pad)

    def forward(self, x):
        if any(self.pad):
            x = F.pad(x, self.pad)
        return super().forward(x)


class ConvTranspose2d(nn.ConvTranspose2d):
    """Locus's convTranspose2d: the full transposed convolution ((in - 1) * stride + kernel rows), then
    \`crop\` (left, right, top, bottom; negative amounts remove rows, positive ones add zero rows), then
    the bias, so rows added by outputPadding hold the bias alone, as in Locus."""

    def __init__(self, in_channels, filters, kernel, stride, crop, bias=True):
        super().__init__(in_channels, filters, kernel, stride=stride, bias=bias)
        self.crop = tuple(crop)

    def forward(self, x):
        y = F.conv_transpose2d(x, self.weight, None, self.stride)
        if any(self.crop):
            y = F.pad(y, self.crop)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return y


class MaxPool2d(nn.Module):
    """Max pooling; padding (left, right, top, bottom) never wins a window."""

    def __init__(self, size, stride, pad):
        super().__init__()
        self.size, self.stride, self.pad = size, stride, tuple(pad)

    def forward(self, x):
        if any(self.pad):
            x = F.pad(x, self.pad, value=float("-inf"))
        return F.max_pool2d(x, self.size, self.stride)

    def extra_repr(self):
        return f"size={self.size}, stride={self.stride}, pad={self.pad}"


class AvgPool2d(nn.Module):
    """Average pooling; padding (left, right, top, bottom) is not counted in the mean."""

    def __init__(self, size, stride, pad):
        super().__init__()
        self.size, self.stride, self.pad = size, stride, tuple(pad)

    def forward(self, x):
        if not any(self.pad):
            return F.avg_pool2d(x, self.size, self.stride)
        total = F.avg_pool2d(F.pad(x, self.pad), self.size, self.stride)
        inside = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), self.pad), self.size, self.stride)
        return total / inside

    def extra_repr(self):
        return f"size={self.size}, stride={self.stride}, pad={self.pad}"


class Reshape(nn.Module):
    """Reshape each sample (row-major, as Locus)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self):
        return f"shape={self.shape}"


def run_chain(modules, x):
    for m in modules:
        x = m(x)
    return x


class Residual(nn.ModuleList):
    """y = body(x) + shortcut(x); an empty shortcut is the identity. Children are numbered body first,
    then shortcut, as Locus numbers them (module "3.0" is the first body layer of block 3)."""

    def __init__(self, body, shortcut):
        super().__init__(list(body) + list(shortcut))
        self.n_body = len(body)

    def forward(self, x):
        layers = list(self)
        return run_chain(layers[: self.n_body], x) + run_chain(layers[self.n_body :], x)


class Gate(nn.ModuleList):
    """A highway gate: y = g * a(x) + (1 - g) * b(x), g = sigmoid(projection(gate(x))); an empty b is
    the identity. Children are numbered a, b, gate, projection, as Locus numbers them."""

    def __init__(self, a, b, gate, projection):
        super().__init__(list(a) + list(b) + list(gate) + list(projection))
        self.n_a, self.n_b = len(a), len(b)

    def forward(self, x):
        layers = list(self)
        a = run_chain(layers[: self.n_a], x)
        b = run_chain(layers[self.n_a : self.n_a + self.n_b], x)
        g = torch.sigmoid(run_chain(layers[self.n_a + self.n_b :], x))
        return b + g * (a - b)


class TimeDelay(nn.Conv1d):
    """Locus's conv1d (a time-delay layer) on [batch, time, features]; \`pad\` is (before, after) in
    steps. Without return_sequences it outputs the mean over the output steps."""

    def __init__(self, features, units, kernel, stride, dilation, pad, return_sequences, bias=True):
        super().__init__(features, units, kernel, stride=stride, dilation=dilation, bias=bias)
        self.pad = tuple(pad)
        self.return_sequences = return_sequences

    def forward(self, x):
        x = x.transpose(1, 2)
        if any(self.pad):
            x = F.pad(x, self.pad)
        y = super().forward(x)
        return y.transpose(1, 2) if self.return_sequences else y.mean(dim=2)


class RNN(nn.RNN):
    """Locus's simpleRnn (tanh): every state [batch, time, units] or the last one [batch, units]."""

    def __init__(self, features, units, return_sequences):
        super().__init__(features, units, batch_first=True)
        self.return_sequences = return_sequences

    def forward(self, x):
        y, _ = super().forward(x)
        return y if self.return_sequences else y[:, -1]


class LSTM(nn.LSTM):
    """Locus's lstm (gates in PyTorch's order: input, forget, cell, output)."""

    def __init__(self, features, units, return_sequences):
        super().__init__(features, units, batch_first=True)
        self.return_sequences = return_sequences

    def forward(self, x):
        y, _ = super().forward(x)
        return y if self.return_sequences else y[:, -1]


class GRU(nn.GRU):
    """Locus's gru, which is PyTorch's form (the reset gate applied after the recurrent projection)."""

    def __init__(self, features, units, return_sequences):
        super().__init__(features, units, batch_first=True)
        self.return_sequences = return_sequences

    def forward(self, x):
        y, _ = super().forward(x)
        return y if self.return_sequences else y[:, -1]


# ----------------------------------------------------------------------------------------------------
# Weights: weights.bin holds every tensor as little-endian float32, end to end; weights.json lists
# them (state_dict name, Locus name, shape, byte offset) with the file's length and SHA-256, so a
# weights.json never reads a weights.bin it was not written with.
# ----------------------------------------------------------------------------------------------------


def float_tensors(module):
    """The tensors the weight file holds: every parameter and floating-point buffer, by state_dict
    name (BatchNorm's integer batch counter is PyTorch's own and is left out)."""
    return {k: v for k, v in module.state_dict().items() if v.is_floating_point()}


def load_weights(module, folder, manifest_name="weights.json"):
    """Copy the tensors of folder/weights.json (+ its .bin) into module; every tensor must be there."""
    with open(os.path.join(folder, manifest_name), encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format") != WEIGHTS_FORMAT:
        raise ValueError(f"{manifest_name}: not a Locus weight manifest")
    with open(os.path.join(folder, manifest["file"]), "rb") as f:
        data = f.read()
    if len(data) != manifest["bytes"] or hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        raise ValueError(f"{manifest['file']} does not match {manifest_name} (length or SHA-256 differ)")
    want = float_tensors(module)
    seen = set()
    for t in manifest["tensors"]:
        name = t["name"]
        if name not in want:
            raise ValueError(f"{manifest_name}: the model has no tensor {name!r}")
        count = int(np.prod(t["shape"], dtype=np.int64))
        values = np.frombuffer(data, dtype="<f4", count=count, offset=t["offset"]).reshape(t["shape"])
        if tuple(want[name].shape) != tuple(values.shape):
            raise ValueError(f"{name}: shape {list(values.shape)} in the file, {list(want[name].shape)} in the model")
        with torch.no_grad():
            want[name].copy_(torch.from_numpy(values.astype(np.float32)))
        seen.add(name)
    missing = sorted(set(want) - seen)
    if missing:
        raise ValueError(f"{manifest_name} lacks {', '.join(missing)}")
    return manifest


def save_weights(module, folder, extra=None, manifest_name="weights.json", bin_name="weights.bin", locus_names=None):
    """Write module's tensors to folder/weights.bin + weights.json, each through a temporary file that
    is flushed and then renamed into place (the .bin first), so an interrupted save leaves the previous
    pair readable or is refused for a SHA-256 mismatch, never read wrong."""
    tensors, chunks, offset = [], [], 0
    for name, value in float_tensors(module).items():
        array = value.detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4")
        entry = {"name": name, "shape": list(array.shape), "offset": offset}
        if locus_names and name in locus_names:
            entry["locus"] = locus_names[name]
        tensors.append(entry)
        chunks.append(array.tobytes())
        offset += array.nbytes
    data = b"".join(chunks)
    manifest = {"format": WEIGHTS_FORMAT, "version": 1, "dtype": "float32", "byteOrder": "little",
                "file": bin_name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                "tensors": tensors}
    manifest.update(extra or {})
    os.makedirs(folder, exist_ok=True)
    _write_atomic(os.path.join(folder, bin_name), data)
    _write_atomic(os.path.join(folder, manifest_name), (json.dumps(manifest, indent=1) + "\\n").encode("utf-8"))
    return manifest


def _write_atomic(path, data):
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
`;

export interface NetworkClass {
  /** Python class name, e.g. LocusClassifier. */
  name: string;
  /** One line describing it (the docstring). */
  doc: string;
  /** Per-sample input shape (without the batch axis). */
  input: readonly number[];
  output: readonly number[];
  /** The first layer's input when it differs from `input` (a network on flat vectors fed images). */
  network?: readonly number[];
  /** Python expressions of the modules, in order. */
  modules: string[];
}

/** A network as an nn.Sequential subclass whose module names are Locus's layer positions. */
export function networkClass(n: NetworkClass): string {
  const mods = n.modules.map((m, i) => `            ${m},  # ${i}`).join('\n');
  const reshape =
    n.network && n.network.join() !== n.input.join()
      ? `

    def forward(self, x):
        # The first layer takes ${pyShape(n.network)}: the input is reshaped in row-major order, as Locus does.
        return super().forward(x.reshape(x.shape[0], *${pyShape(n.network)}))
`
      : '';
  return `class ${n.name}(nn.Sequential):
    """${n.doc}
    Input: [batch, ${n.input.join(', ')}]; output: [batch, ${n.output.join(', ')}]."""

    input_shape = ${pyShape(n.input)}
    output_shape = ${pyShape(n.output)}

    def __init__(self):
        super().__init__(
${mods}
        )
${reshape}`;
}

const pyShape = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
