#!/usr/bin/env python3
"""Generates the image fixtures of CLIPTests (preprocessing) and ImagingTests (decoding).

Deterministic (seeded numpy, fixed PIL settings). Run from anywhere:
    python3 Tests/CLIPTests/Fixtures/preprocess/make_preprocess_fixtures.py

For every image it writes, next to the image:
  <name>.rgb            PIL's RGB8 pixels after ImageOps.exif_transpose + transformers'
                        convert_to_rgb (alpha composited over white), rows top first.
  <name>.<config>.f16   transformers' pixel_values[0] ([3, H, W], little-endian float16)
                        from CLIPImageProcessorPil (the PIL backend) for that config.
and index.json describing all of it plus library versions. ImagingTests/Fixtures/decode
gets the images + .rgb files (and extra decode-only images).
"""
import io
import json
import os
import shutil
import struct
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps
import transformers
from transformers.image_transforms import convert_to_rgb
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DECODE_DIR = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "decode")
SOURCE = "/usr/share/doc/opencv-doc/examples/data"
rng = np.random.default_rng(20240607)


def photo(name, size=None, box=None):
    im = Image.open(os.path.join(SOURCE, name)).convert("RGB")
    if box:
        im = im.crop(box)
    if size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    return im


def exif_bytes(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def write_png16(path, array, color_type):
    """PIL cannot write 16-bit RGB: write the PNG by hand (big-endian samples, filter 0)."""
    h, w = array.shape[:2]
    raw = b"".join(b"\x00" + array[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_images(out):
    """Writes every input image; returns {file name: role} for CLIP and decode-only images."""
    clip, decode_only = [], []

    def save(im, name, role, **kw):
        im.save(os.path.join(out, name), **kw)
        role.append(name)

    save(photo("messi5.jpg", (384, 240)), "messi.jpg", clip, quality=88)  # downscaled to 224
    save(photo("fruits.jpg", (160, 150)), "fruits.jpg", clip, quality=88)
    save(photo("baboon.jpg", (160, 160)), "baboon.jpg", clip, quality=88)
    save(photo("building.jpg", (120, 212), box=(300, 0, 640, 600)), "tall.jpg", clip, quality=88)
    save(photo("HappyFish.jpg", (100, 75)), "small.jpg", clip, quality=90)  # upsampled to 224
    # Stored sideways / upside down with EXIF orientation 6 and 3.
    save(photo("butterfly.jpg", (160, 116)).transpose(Image.Transpose.ROTATE_90), "exif6.jpg", clip,
         quality=88, exif=exif_bytes(6))
    save(photo("orange.jpg", (130, 130)).transpose(Image.Transpose.ROTATE_180), "exif3.jpg", clip,
         quality=88, exif=exif_bytes(3))
    save(photo("baboon.jpg", (96, 80)).convert("L"), "grey.png", clip)

    rgba = np.array(photo("fruits.jpg", (96, 72)).convert("RGBA"))
    alpha = np.tile(np.linspace(0, 255, 96).astype(np.uint8), (72, 1))
    alpha[::7] = 0
    alpha[3::11] = 255
    alpha = np.where(rng.random((72, 96)) < 0.2, rng.integers(0, 256, (72, 96)), alpha)
    rgba[..., 3] = alpha.astype(np.uint8)
    save(Image.fromarray(rgba, "RGBA"), "rgba.png", clip)

    y, x = np.mgrid[0:60, 0:80]
    grey16 = (x * 9 + y * 3 + rng.integers(0, 40, (60, 80))).astype(np.uint16)  # 0..~800: PIL clips > 255
    grey16[:, :10] = rng.integers(0, 65536, (60, 10))
    write_png16(os.path.join(out, "grey16.png"), grey16, 0)
    clip.append("grey16.png")

    rgb16 = rng.integers(0, 65536, (60, 80, 3)).astype(np.uint16)
    rgb16[20:40] = (np.array(photo("messi5.jpg", (80, 20))).astype(np.uint16) * 257)
    write_png16(os.path.join(out, "rgb16.png"), rgb16, 2)
    clip.append("rgb16.png")

    save(photo("messi5.jpg", (96, 60)).quantize(colors=48), "palette.png", clip)

    # Decode-only: every EXIF orientation, transparency variants, CMYK, other containers.
    base = photo("fruits.jpg", (48, 30))
    for o in range(1, 9):
        save(base, f"orientation{o}.jpg", decode_only, quality=92, exif=exif_bytes(o))
    pal = photo("fruits.jpg", (64, 40)).quantize(colors=16)
    pal.info["transparency"] = bytes([0, 64, 128, 200] + [255] * 12)
    save(pal, "palette_trns.png", decode_only, transparency=bytes([0, 64, 128, 200] + [255] * 12))
    grey = photo("baboon.jpg", (64, 40)).convert("L")
    level = int(np.array(grey)[5, 5])
    save(grey, "grey_trns.png", decode_only, transparency=level)
    la = Image.merge("LA", (grey, Image.fromarray(rng.integers(0, 256, (40, 64)).astype(np.uint8), "L")))
    save(la, "grey_alpha.png", decode_only)
    save(photo("orange.jpg", (64, 48)).convert("CMYK"), "cmyk.jpg", decode_only, quality=90)
    save(photo("baboon.jpg", (64, 48)).convert("L"), "grey.jpg", decode_only, quality=90)
    save(photo("messi5.jpg", (120, 80)), "progressive.jpg", decode_only, quality=85, progressive=True)
    save(photo("messi5.jpg", (64, 40)), "rgb.bmp", decode_only)
    save(photo("messi5.jpg", (64, 40)), "rgb.tif", decode_only)
    save(photo("messi5.jpg", (64, 40)), "lossless.webp", decode_only, lossless=True)
    save(photo("messi5.jpg", (64, 40)), "lossy.webp", decode_only, quality=80)
    # Every (colour, alpha) pair: row = alpha, column = colour.
    table = np.zeros((256, 256, 4), np.uint8)
    table[..., 0] = table[..., 1] = table[..., 2] = np.arange(256)[None, :]
    table[..., 3] = np.arange(256)[:, None]
    save(Image.fromarray(table, "RGBA"), "alpha_table.png", decode_only)
    return clip, decode_only


def pil_rgb(path):
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        return convert_to_rgb(im, return_numpy=True)


CONFIGS = {
    # CLIPImageProcessor() defaults: shortest edge 224, crop 224, bicubic.
    "default": {},
    # Old-form JSON (plain integers) with bilinear resampling.
    "small64": {"size": 64, "crop_size": 64, "resample": 2},
    # Crop larger than the resized image on one side (zero padding) and non-square.
    "padded": {"size": {"shortest_edge": 48}, "crop_size": {"height": 56, "width": 72}, "resample": 3},
}
# The 224 default output is 300 KB per image in float16: keep it (and padding) to a few geometries.
DEFAULT_CONFIG_IMAGES = {"messi.jpg", "tall.jpg", "small.jpg"}
PADDED_CONFIG_IMAGES = {"messi.jpg", "tall.jpg", "exif6.jpg", "rgba.png"}


def main():
    for folder in (HERE, DECODE_DIR):
        os.makedirs(folder, exist_ok=True)
        for f in os.listdir(folder):
            if os.path.isfile(os.path.join(folder, f)) and not f.endswith(".py"):
                os.remove(os.path.join(folder, f))

    clip, decode_only = make_images(HERE)
    processors = {}
    for name, settings in CONFIGS.items():
        folder = os.path.join(HERE, f"config_{name}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "preprocessor_config.json"), "w") as f:
            json.dump({"image_processor_type": "CLIPImageProcessor", **settings}, f, indent=2)
        processors[name] = CLIPImageProcessorPil.from_pretrained(folder)
        assert processors[name].backend == "pil"
    assert processors["small64"].size.shortest_edge == 64 and processors["small64"].crop_size.height == 64
    torchvision_default = None
    try:
        from transformers import CLIPImageProcessor
        torchvision_default = CLIPImageProcessor()
    except Exception:  # torchvision missing: nothing to compare with
        pass

    index = {
        "generator": "make_preprocess_fixtures.py",
        "versions": {"transformers": transformers.__version__, "Pillow": PIL.__version__, "numpy": np.__version__},
        "processor_class": "CLIPImageProcessorPil",
        "processor_backend": "pil",
        "pixel_values_format": "float16 little-endian, [3, H, W]",
        "rgb_format": "uint8 RGB interleaved, rows top first, after ImageOps.exif_transpose + convert_to_rgb",
        "configs": {k: f"config_{k}/preprocessor_config.json" for k in CONFIGS},
        "images": [],
        "decode_only_images": [],
    }
    for name in clip + decode_only:
        rgb = pil_rgb(os.path.join(HERE, name))
        entry = {"file": name, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]), "rgb": name + ".rgb"}
        with Image.open(os.path.join(HERE, name)) as im:
            entry["pil_mode"] = im.mode
        if name in decode_only:
            shutil.move(os.path.join(HERE, name), os.path.join(DECODE_DIR, name))
            with open(os.path.join(DECODE_DIR, name + ".rgb"), "wb") as f:
                f.write(rgb.tobytes())
            index["decode_only_images"].append(entry)
            continue
        shutil.copy(os.path.join(HERE, name), os.path.join(DECODE_DIR, name))
        for folder in (HERE, DECODE_DIR):
            with open(os.path.join(folder, name + ".rgb"), "wb") as f:
                f.write(rgb.tobytes())
        entry["pixel_values"] = {}
        for config, processor in processors.items():
            if config == "default" and name not in DEFAULT_CONFIG_IMAGES:
                continue
            if config == "padded" and name not in PADDED_CONFIG_IMAGES:
                continue
            with Image.open(os.path.join(HERE, name)) as im:
                values = processor(images=ImageOps.exif_transpose(im), return_tensors="np")["pixel_values"][0]
            file = f"{name}.{config}.f16"
            values.astype("<f2").tofile(os.path.join(HERE, file))
            entry["pixel_values"][config] = {"file": file, "shape": list(values.shape),
                                             "float16_max_abs_error": float(np.abs(values - values.astype(np.float16)).max())}
            if config == "default" and torchvision_default is not None:
                with Image.open(os.path.join(HERE, name)) as im:
                    tv = torchvision_default(images=ImageOps.exif_transpose(im), return_tensors="np")["pixel_values"][0]
                entry["pixel_values"][config]["torchvision_backend_max_abs_diff"] = float(np.abs(tv - values).max())
        index["images"].append(entry)

    for folder in (HERE, DECODE_DIR):
        with open(os.path.join(folder, "index.json"), "w") as f:
            json.dump(index, f, indent=1)
            f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, f)) for d in (HERE, DECODE_DIR) for f in os.listdir(d)
                if os.path.isfile(os.path.join(d, f)))
    print(f"wrote {len(clip)} preprocessing and {len(decode_only)} decode-only images, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
