/**
 * data.py of the PyTorch export: Locus's image folder convention, fit, gray conversion and
 * normalization, read from the export's locus.json, as a torch Dataset.
 */
export const DATA_PY = `"""Image folders the way Locus reads them, as a torch Dataset.

Layout: each first-level subfolder of the data folder is a class (its name must be one of the model's
classes); images at any depth inside it belong to it; images directly in the data folder are
unlabeled and skipped; hidden names (starting with '.') and __MACOSX, Thumbs.db, desktop.ini are
ignored. Each image is turned upright (EXIF), resized to the model's size with the fit it was trained
with (cover: fill the frame and crop the centre; contain: fit inside, pad with black; fill: stretch),
composited over black where transparent, made gray with BT.601 luma if the model is gray (rounded half
up, as Locus does) and normalized as locus.json records.

Locus resizes with libvips and this file with Pillow (both Lanczos): pixel values can differ by a few
levels after resizing. Give images already at the model's size for identical inputs.
"""
import json
import os

import numpy as np
import torch
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
IGNORED = {"__MACOSX", "Thumbs.db", "desktop.ini"}


def read_info(folder=HERE):
    """locus.json: the model's kind, classes, input size, normalization and training record."""
    with open(os.path.join(folder, "locus.json"), encoding="utf-8") as f:
        return json.load(f)


def ignored(name):
    return name.startswith(".") or name in IGNORED


def scan(root, classes):
    """(path, class index) of every image file under root's class folders, in code-point order."""
    if not os.path.isdir(root):
        raise ValueError(f"{root} is not a folder")
    index = {name: i for i, name in enumerate(classes)}
    items, seen = [], set()
    for name in sorted(os.listdir(root)):
        top = os.path.join(root, name)
        if ignored(name) or not os.path.isdir(top):
            continue
        if name not in index:
            raise ValueError(f"{root}: folder {name!r} is not one of the model's classes ({', '.join(classes)})")
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
            st = os.stat(dirpath)
            if (st.st_dev, st.st_ino) in seen:  # a folder reached twice through links is read once
                dirnames[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not ignored(d))
            items += [(os.path.join(dirpath, f), index[name]) for f in sorted(filenames) if not ignored(f)]
    return items


def load_pixels(path, channels, height, width, fit="cover"):
    """One image as uint8 [channels, height, width]."""
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGBA")
        if fit == "cover":
            # Scale to cover the frame (sides rounded half up), then crop the centre, an odd extra
            # pixel taken from the left/top: the closest match to libvips found (see the docs).
            scale = max(width / im.width, height / im.height)
            size = (max(width, int(im.width * scale + 0.5)), max(height, int(im.height * scale + 0.5)))
            im = im.resize(size, Image.LANCZOS)
            left, top = (size[0] - width + 1) // 2, (size[1] - height + 1) // 2
            im = im.crop((left, top, left + width, top + height))
        elif fit == "contain":
            scale = min(width / im.width, height / im.height)
            size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
            canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
            canvas.paste(im.resize(size, Image.LANCZOS), ((width - size[0]) // 2, (height - size[1]) // 2))
            im = canvas
        elif fit == "fill":
            im = im.resize((width, height), Image.LANCZOS)
        else:
            raise ValueError(f"unknown fit {fit!r} (cover, contain or fill)")
        rgba = np.asarray(im, dtype=np.float64)
    rgb = rgba[..., :3] * (rgba[..., 3:] / 255.0)  # over a black background
    if channels == 1:
        gray = (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) / 1000
        planes = gray[None]
    else:
        planes = rgb.transpose(2, 0, 1)
    return np.clip(np.floor(planes + 0.5), 0, 255).astype(np.uint8)


def normalize(pixels, normalization):
    """uint8 [..., C, H, W] -> float32 inputs, as Locus normalized them for training."""
    x = torch.as_tensor(pixels, dtype=torch.float32)
    kind = normalization["kind"]
    if kind == "unit":
        return x / 255
    if kind == "symmetric":
        return x / 127.5 - 1
    if kind == "standard":
        mean = torch.tensor(normalization["mean"], dtype=torch.float32).view(-1, 1, 1)
        std = torch.tensor(normalization["std"], dtype=torch.float32).view(-1, 1, 1)
        return (x / 255 - mean) / std
    raise ValueError(f"unknown normalization {kind!r}")


def image_settings(info):
    """(image size, normalization, fit) of the images a model was trained on."""
    model = info["model"]
    if info["kind"] == "sequence":
        return model["data"]["image"], model["data"]["normalization"], model.get("fit", "cover")
    return model["input"], model["normalization"], model.get("fit", "cover")


def scan_all(root):
    """Every file under root at any depth (a GAN's images: subfolders do not mean classes)."""
    if not os.path.isdir(root):
        raise ValueError(f"{root} is not a folder")
    items = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not ignored(d))
        items += [(os.path.join(dirpath, f), -1) for f in sorted(filenames) if not ignored(f)]
    return items


class ImageFolder(torch.utils.data.Dataset):
    """The images of a folder, decoded when asked for: (input, class index), the class index -1 when
    \`labeled\` is False (every image at any depth, as a GAN reads its folder). Files Pillow cannot
    identify are left out up front (listed in .skipped with the reason), so training never stops on one."""

    def __init__(self, root, info=None, labeled=True):
        info = info or read_info()
        image, self.normalization, self.fit = image_settings(info)
        self.classes = info["model"].get("classes", [])
        self.channels, self.height, self.width = image["channels"], image["height"], image["width"]
        self.items, self.skipped = [], []
        for path, label in scan(root, self.classes) if labeled else scan_all(root):
            try:
                with Image.open(path) as im:
                    im.verify()
                self.items.append((path, label))
            except Exception as e:  # not an image Pillow reads
                self.skipped.append((path, str(e) or type(e).__name__))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        pixels = load_pixels(path, self.channels, self.height, self.width, self.fit)
        return normalize(pixels, self.normalization), label


class ImageRows(ImageFolder):
    """A sequence model's images read row by row: [height steps, width * channels features], each
    row's pixels interleaved (r, g, b, r, g, b...), as Locus builds them."""

    def __getitem__(self, i):
        x, label = super().__getitem__(i)
        c, h, w = x.shape
        return x.permute(1, 2, 0).reshape(h, w * c), label


class SeriesFile(torch.utils.data.Dataset):
    """The generated sequences Locus wrote into this package (series.json + series.bin): inputs
    [steps, features] and class indices (classify) or targets (regress)."""

    def __init__(self, folder=HERE):
        with open(os.path.join(folder, "series.json"), encoding="utf-8") as f:
            meta = json.load(f)
        with open(os.path.join(folder, "series.bin"), "rb") as f:
            data = f.read()

        def part(p):
            count = int(np.prod(p["shape"], dtype=np.int64))
            return np.frombuffer(data, dtype="<f4", count=count, offset=p["offset"]).reshape(p["shape"]).copy()

        self.x = torch.from_numpy(part(meta["x"]))
        y = torch.from_numpy(part(meta["y"]))
        self.y = y.long() if meta["task"] == "classify" else y
        self.skipped = []

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]
`;
