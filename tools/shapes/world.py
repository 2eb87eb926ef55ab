"""The synthetic world of coloured shapes that shapes-tiny is trained and benchmarked on.

Everything is drawn from an explicit ``random.Random`` / ``numpy.random.Generator`` pair, so a
seed fully determines every image. Two entry points matter:

* ``render_scene(rng, nrng, width, height, objects, background)`` -> (image, visible masks), used by
  the benchmark and showcase scenes;
* ``make_crop(rng, nrng, kind, cls, size)`` -> (64x64-ready PIL image, group id), used by training
  and by ``eval_crops.py``: a square crop that looks like what the detector cuts out around a
  proposal (square, ~15% context, padded with CLIP's mean colour outside the image).

Usage::

    import random, numpy as np
    from world import make_crop, CLASS_NAMES, HELDOUT
    rng, nrng = random.Random(0), np.random.default_rng(0)
    image, group, info = make_crop(rng, nrng, kind="object", cls=CLASS_NAMES.index("red star"), size=64)
"""
import colorsys
import math
import os
import random
import subprocess

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

COLOURS = ["red", "green", "blue", "yellow", "purple", "orange", "pink", "brown", "white", "black"]
SHAPES = ["circle", "square", "triangle", "star", "hexagon", "cross", "diamond", "pentagon"]
# Colour-major order; category id in the benchmark is index + 1.
CLASS_NAMES = [f"{c} {s}" for c in COLOURS for s in SHAPES]

# 16 of 80 combinations (20%): every shape held out with exactly two colours, every colour with one
# or two shapes, so each colour keeps >= 6 training partners and each shape 8.
HELDOUT = [
    "red triangle", "red hexagon", "green star", "green cross", "blue square", "blue pentagon",
    "yellow circle", "yellow diamond", "purple triangle", "purple diamond", "orange star",
    "orange pentagon", "pink hexagon", "brown cross", "white square", "black circle",
]
HELDOUT_SET = frozenset(HELDOUT)
SEEN = [n for n in CLASS_NAMES if n not in HELDOUT_SET]

# The detector's default background prompts; crops of empty background and of object fragments
# are captioned with them so that, at detection time, fragments lose to "background".
BACKGROUND_PROMPTS = ["background", "texture", "wall", "floor", "empty scene", "blurry photo"]
BACKGROUND_GROUP = len(CLASS_NAMES)
CLIP_MEAN_RGB = (124, 116, 104)

PHOTO_DIR = "/usr/share/doc/opencv-doc/examples/data"
if not os.path.isdir(PHOTO_DIR):  # Debian's opencv-doc: installed by tools/install-dev-deps.sh
    subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "install-dev-deps.sh")], check=True)
# Fixed list; photos dominated by coloured round or geometric things (fruits, candy, block toys,
# logos, ellipses) are left out so that "background" never looks like a class.
PHOTOS = [
    "aero1.jpg", "aero3.jpg", "aloeL.jpg", "baboon.jpg", "board.jpg", "building.jpg",
    "butterfly.jpg", "home.jpg", "left01.jpg", "leuvenA.jpg", "messi5.jpg", "squirrel_cls.jpg",
    "starry_night.jpg", "Blender_Suzanne1.jpg", "ela_original.jpg", "licenseplate_motion.jpg",
    "text_defocus.jpg", "right07.jpg",
]

# HSV ranges (hue in degrees) inside which every colour keeps its everyday name.
_HSV = {
    "red": ((-8, 6), (0.75, 1.0), (0.62, 1.0)),
    "orange": ((22, 33), (0.85, 1.0), (0.9, 1.0)),
    "yellow": ((50, 60), (0.75, 1.0), (0.88, 1.0)),
    "green": ((100, 140), (0.6, 1.0), (0.45, 0.85)),
    "blue": ((212, 232), (0.7, 1.0), (0.6, 1.0)),
    "purple": ((268, 288), (0.55, 0.9), (0.45, 0.78)),
    "pink": ((318, 342), (0.3, 0.55), (0.92, 1.0)),
    "brown": ((18, 32), (0.55, 0.85), (0.3, 0.5)),
    "white": ((0, 360), (0.0, 0.06), (0.93, 1.0)),
    "black": ((0, 360), (0.0, 0.3), (0.0, 0.13)),
}


def colour_rgb(rng, colour):
    """A jittered RGB triple (0-255 floats) that still reads as ``colour``."""
    (h0, h1), (s0, s1), (v0, v1) = _HSV[colour]
    h = (rng.uniform(h0, h1) % 360) / 360
    r, g, b = colorsys.hsv_to_rgb(h, rng.uniform(s0, s1), rng.uniform(v0, v1))
    return np.array([r, g, b]) * 255


def _shade(rgb, colour, amount):
    """A second tone of the same colour name, for textures inside a shape."""
    if colour == "black":
        return np.clip(rgb + 45 * amount, 0, 255)
    if colour == "white":
        return np.clip(rgb - 45 * amount, 0, 255)
    if colour in ("yellow", "pink", "orange"):  # darkening these changes their name
        return np.clip(rgb * (1 - 0.12 * amount), 0, 255)
    return np.clip(rgb * (1 - 0.3 * amount), 0, 255)


# ---------------------------------------------------------------- shapes as polygons

def _regular(n, phase=0.0):
    return [(math.cos(phase + 2 * math.pi * k / n), math.sin(phase + 2 * math.pi * k / n)) for k in range(n)]


def _unit_polygon(shape, rng):
    """Vertices in [-1, 1]^2 (y down) plus the allowed rotation range in degrees."""
    if shape == "circle":
        return _regular(48), 180
    if shape == "square":
        return [(-1, -1), (1, -1), (1, 1), (-1, 1)], 15  # beyond ~20 degrees it reads as a diamond
    if shape == "triangle":
        return [(0, -1), (0.95, 0.8), (-0.95, 0.8)], 180
    if shape == "star":
        inner = rng.uniform(0.38, 0.5)
        pts = []
        for k in range(10):
            r = 1.0 if k % 2 == 0 else inner
            a = -math.pi / 2 + math.pi * k / 5
            pts.append((r * math.cos(a), r * math.sin(a)))
        return pts, 180
    if shape == "hexagon":
        return _regular(6), 180
    if shape == "pentagon":
        return _regular(5, -math.pi / 2), 180
    if shape == "cross":
        t = rng.uniform(0.3, 0.4)
        return [(-t, -1), (t, -1), (t, -t), (1, -t), (1, t), (t, t), (t, 1), (-t, 1), (-t, t),
                (-1, t), (-1, -t), (-t, -t)], 20
    if shape == "diamond":
        w = rng.uniform(0.58, 0.72)  # narrower than tall, so it never looks like a tilted square
        return [(0, -1), (w, 0), (0, 1), (-w, 0)], 15
    raise ValueError(f"unknown shape {shape}")


def object_spec(rng, colour, shape, cx, cy, extent):
    """A full description of one object; ``extent`` is its size in pixels before rotation."""
    pts, max_rot = _unit_polygon(shape, rng)
    aspect = rng.uniform(0.85, 1.0) if shape in ("circle", "square", "hexagon", "pentagon") else rng.uniform(0.9, 1.0)
    style = rng.choices(["filled", "outline", "textured"], weights=[0.55, 0.2, 0.25])[0]
    return {
        "colour": colour, "shape": shape, "cx": cx, "cy": cy, "extent": extent,
        "rotation": rng.uniform(-max_rot, max_rot), "aspect": aspect, "unit": pts,
        "style": style, "rgb": colour_rgb(rng, colour),
        "texture": rng.choice(["stripes", "checker", "noise", "dots"]),
        "texture_seed": rng.randrange(1 << 30), "outline": rng.uniform(0.09, 0.16),
        "light": (rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0.0, 0.12)),
    }


def polygon(spec, scale=1.0):
    """Vertices in canvas pixels (times ``scale``), rotated and squashed as the spec says."""
    a = math.radians(spec["rotation"])
    ca, sa = math.cos(a), math.sin(a)
    r = spec["extent"] / 2
    out = []
    for x, y in spec["unit"]:
        x, y = x * r * spec["aspect"], y * r
        out.append(((spec["cx"] + x * ca - y * sa) * scale, (spec["cy"] + x * sa + y * ca) * scale))
    return out


def _fill_texture(spec, w, h, x0, y0):
    rgb = spec["rgb"]
    out = np.empty((h, w, 3), np.float32)
    out[:] = rgb
    if spec["style"] != "textured":
        return out
    trng = np.random.default_rng(spec["texture_seed"])
    other = _shade(rgb, spec["colour"], 1.0)
    yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(np.float32)
    period = max(3.0, spec["extent"] * trng.uniform(0.12, 0.25))
    kind = spec["texture"]
    if kind == "stripes":
        ang = trng.uniform(0, math.pi)
        m = (np.floor((xx * math.cos(ang) + yy * math.sin(ang)) / period) % 2) == 1
    elif kind == "checker":
        m = ((np.floor(xx / period) + np.floor(yy / period)) % 2) == 1
    elif kind == "dots":
        m = ((xx % period - period / 2) ** 2 + (yy % period - period / 2) ** 2) < (period * 0.3) ** 2
    else:
        m = None
    if m is not None:
        out[m] = other
    else:
        t = trng.uniform(0, 1, (h, w, 1)).astype(np.float32)
        out = rgb * (1 - t) + other * t
    return out.astype(np.float32)


def draw_object(canvas, spec, scale=1.0):
    """Alpha-composites the object onto ``canvas`` (float32 HxWx3, modified in place).

    Returns (alpha HxW float32 over the whole canvas) so callers can track visibility.
    The mask is drawn 4x supersampled: edges look like a camera's, not like aliased polygons.
    """
    H, W = canvas.shape[:2]
    pts = polygon(spec, scale)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, y0 = max(0, int(math.floor(min(xs))) - 1), max(0, int(math.floor(min(ys))) - 1)
    x1, y1 = min(W, int(math.ceil(max(xs))) + 2), min(H, int(math.ceil(max(ys))) + 2)
    alpha_full = np.zeros((H, W), np.float32)
    if x1 <= x0 or y1 <= y0:
        return alpha_full
    ss = 4
    m = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    d = ImageDraw.Draw(m)
    d.polygon([((x - x0) * ss, (y - y0) * ss) for x, y in pts], fill=255)
    if spec["style"] == "outline":
        k = 1 - 2 * spec["outline"]
        cx, cy = spec["cx"] * scale, spec["cy"] * scale
        inner = [(cx + (x - cx) * k, cy + (y - cy) * k) for x, y in pts]
        d.polygon([((x - x0) * ss, (y - y0) * ss) for x, y in inner], fill=0)
    a = np.asarray(m.resize((x1 - x0, y1 - y0), Image.BOX), np.float32) / 255
    fill = _fill_texture(spec, x1 - x0, y1 - y0, x0, y0)
    lx, ly, la = spec["light"]
    if la > 0:  # soft lighting, small enough that the colour name stays true
        yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0].astype(np.float32)
        g = ((xx / max(1, x1 - x0) - 0.5) * lx + (yy / max(1, y1 - y0) - 0.5) * ly)
        fill = np.clip(fill * (1 + la * g)[..., None], 0, 255)
    region = canvas[y0:y1, x0:x1]
    region[:] = region * (1 - a[..., None]) + fill * a[..., None]
    alpha_full[y0:y1, x0:x1] = a
    return alpha_full


# ---------------------------------------------------------------- backgrounds

_photo_cache = {}


def _photo(name):
    if name not in _photo_cache:
        _photo_cache[name] = Image.open(os.path.join(PHOTO_DIR, name)).convert("RGB")
    return _photo_cache[name]


def _muted(rng):
    h, s, v = rng.random(), rng.uniform(0, 0.45), rng.uniform(0.15, 0.95)
    return np.array(colorsys.hsv_to_rgb(h, s, v)) * 255


def _any_colour(rng):
    return np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0, 1), rng.uniform(0.1, 1))) * 255


def _far_colour(rng, avoid, pick, min_dist=110):
    """A background colour at least ``min_dist`` (RGB distance) from every object colour."""
    best, best_d = None, -1
    for _ in range(30):
        c = pick(rng)
        d = min((float(np.linalg.norm(c - a)) for a in avoid), default=999)
        if d >= min_dist:
            return c
        if d > best_d:
            best, best_d = c, d
    return best


BACKGROUND_KINDS = ["plain", "gradient", "noise", "clutter", "stripes", "checker", "photo"]


def background(rng, nrng, w, h, kind, avoid=()):
    """A float32 HxWx3 background; ``avoid`` lists object colours it must not blend into."""
    if kind == "plain":
        return np.broadcast_to(_far_colour(rng, avoid, _any_colour), (h, w, 3)).astype(np.float32).copy()
    if kind == "gradient":
        c0, c1 = _far_colour(rng, avoid, _any_colour), _far_colour(rng, avoid, _any_colour)
        ang = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx * math.cos(ang) + yy * math.sin(ang))
        t = (t - t.min()) / max(1e-6, t.max() - t.min())
        return (c0 * (1 - t[..., None]) + c1 * t[..., None]).astype(np.float32)
    if kind == "noise":
        base = _far_colour(rng, avoid, _muted, 90)
        lo = nrng.normal(0, rng.uniform(10, 40), (max(2, h // 16), max(2, w // 16), 3)).astype(np.float32)
        lo_img = np.stack([np.asarray(Image.fromarray(lo[..., i]).resize((w, h), Image.BICUBIC)) for i in range(3)], -1)
        fine = nrng.normal(0, rng.uniform(3, 25), (h, w, 3)).astype(np.float32)
        return np.clip(base + lo_img + fine, 0, 255).astype(np.float32)
    if kind in ("stripes", "checker"):
        c0, c1 = _far_colour(rng, avoid, _muted, 90), _far_colour(rng, avoid, _muted, 90)
        period = rng.uniform(6, 40) * max(w, h) / 200
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        if kind == "stripes":
            ang = rng.uniform(0, math.pi)
            m = (np.floor((xx * math.cos(ang) + yy * math.sin(ang)) / period) % 2) == 1
        else:
            m = ((np.floor(xx / period) + np.floor(yy / period)) % 2) == 1
        out = np.empty((h, w, 3), np.float32)
        out[:] = c0
        out[m] = c1
        return out
    if kind == "clutter":
        base = _far_colour(rng, avoid, _muted, 90)
        img = Image.new("RGB", (w, h), tuple(int(v) for v in base))
        d = ImageDraw.Draw(img)
        s = max(w, h)
        for _ in range(rng.randint(15, 45)):
            # Clutter is strokes, slivers and specks: nothing round, polygonal or saturated
            # enough to be a fair example of any class.
            hsv = (rng.random(), rng.uniform(0, 0.35), rng.uniform(0.25, 0.85))
            c = tuple(int(v * 255) for v in colorsys.hsv_to_rgb(*hsv))
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            r = rng.random()
            if r < 0.65:
                d.line([(x, y), (x + rng.uniform(-0.4, 0.4) * s, y + rng.uniform(-0.4, 0.4) * s)],
                       fill=c, width=max(1, int(rng.uniform(0.004, 0.02) * s)))
            elif r < 0.85:
                rx = rng.uniform(0.02, 0.07) * s
                ry = rx * rng.uniform(0.1, 0.3)
                d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=c)
            else:
                r = rng.uniform(0.002, 0.008) * s
                d.ellipse([x - r, y - r, x + r, y + r], fill=c)
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5) * s / 200))
        return np.asarray(img, np.float32).copy()
    if kind == "photo":
        p = _photo(rng.choice(PHOTOS))
        pw, ph = p.size
        side_w = rng.uniform(0.3, 1.0) * pw
        side_h = min(ph, side_w * h / w)
        side_w = side_h * w / h
        x0, y0 = rng.uniform(0, pw - side_w), rng.uniform(0, ph - side_h)
        img = p.resize((w, h), Image.BILINEAR, box=(x0, y0, x0 + side_w, y0 + side_h))
        if rng.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        return np.asarray(img, np.float32).copy()
    raise ValueError(f"unknown background {kind}")


# ---------------------------------------------------------------- scenes (benchmark)

def render_scene(rng, nrng, width, height, specs, bg_kind):
    """Draws ``specs`` in order (later ones on top) over a background.

    Returns (PIL image, list of visible-alpha arrays, one per spec, after occlusion).
    """
    canvas = background(rng, nrng, width, height, bg_kind, avoid=[s["rgb"] for s in specs])
    alphas = []
    for s in specs:
        a = draw_object(canvas, s)
        for prev in alphas:
            prev *= (1 - a)
        alphas.append(a)
    img = Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8))
    return img, alphas


def tight_box(alpha, threshold=0.5):
    """[x, y, w, h] around pixels whose visible alpha exceeds ``threshold``, or None."""
    ys, xs = np.nonzero(alpha > threshold)
    if len(xs) == 0:
        return None
    return [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]


# ---------------------------------------------------------------- crops (training / eval)

def _split(cls):
    c, s = CLASS_NAMES[cls].split(" ")
    return c, s


def _random_seen(rng):
    return CLASS_NAMES.index(rng.choice(SEEN))


def _resample(canvas, size, rng, method):
    img = Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8))
    if img.size[0] == size:
        return img
    if method == "alias" and img.size[0] > 2 * size:
        # The detector's resize may not antialias: mimic it with a point-sampled pre-shrink.
        img = img.resize((2 * size, 2 * size), Image.NEAREST)
    return img.resize((size, size), Image.BILINEAR if method == "bilinear" else Image.BICUBIC)


def make_crop(rng, nrng, kind, cls=None, size=64, neighbours=True, occlusion=True, fraction=None,
              bg_kind=None, render_max=None):
    """One training/eval crop as the detector would cut it.

    kind: "object" (whole object, 40-90% of the crop side), "partial" (a fragment or an object
    lost in a too-big crop) or "background". Returns (PIL RGB image size x size, group), where
    group is the class index, or BACKGROUND_GROUP for "partial" and "background".
    Held-out classes are only drawn when ``cls`` names them: random fillers are always seen ones.
    """
    bg_kind = bg_kind or rng.choice(BACKGROUND_KINDS)
    render_max = render_max or 2 * size  # drawing at 2x the model's size keeps downscaling realistic
    # Object size in scene pixels decides how blurry/aliased the crop is after resampling.
    extent = math.exp(rng.uniform(math.log(22), math.log(220)))
    if kind == "object":
        frac = fraction if fraction is not None else rng.choice([rng.uniform(0.4, 0.9), rng.uniform(0.7, 0.88)])
        side = extent / frac
    elif kind == "partial":
        side = extent * (rng.uniform(0.35, 0.7) if rng.random() < 0.7 else 1 / rng.uniform(0.12, 0.28))
    else:
        side = extent * rng.uniform(0.8, 2.5)
    scale = min(1.0, render_max / side)
    n = max(8, int(round(side * scale)))
    ext = extent * scale  # object extent in canvas pixels
    specs = []
    if kind == "object":
        slack = (n - ext) / 2
        cx = n / 2 + rng.uniform(-0.5, 0.5) * slack * 0.6
        cy = n / 2 + rng.uniform(-0.5, 0.5) * slack * 0.6
        main_cls = cls
    elif kind == "partial":
        main_cls = cls if cls is not None else _random_seen(rng)
        if side < extent:  # a fragment: the crop centre lies on the object, the object overflows
            ang = rng.uniform(0, 2 * math.pi)
            off = rng.uniform(0.15, 0.45) * ext
            cx, cy = n / 2 + off * math.cos(ang), n / 2 + off * math.sin(ang)
        else:  # a small object adrift in a crop far too large for it
            cx, cy = rng.uniform(ext, n - ext), rng.uniform(ext, n - ext)
    else:
        main_cls = None
    if neighbours and rng.random() < (0.35 if kind == "object" else 0.5):
        for _ in range(rng.randint(1, 3)):
            ncls = _random_seen(rng)
            e2 = ext * rng.uniform(0.6, 1.4)
            ang = rng.uniform(0, 2 * math.pi)
            if main_cls is None:
                d = n * rng.uniform(0.55, 0.9)
                nx, ny = n / 2 + d * math.cos(ang), n / 2 + d * math.sin(ang)
            else:
                d = (ext + e2) / 2 * rng.uniform(1.0, 1.3)
                nx, ny = cx + d * math.cos(ang), cy + d * math.sin(ang)
            specs.append(object_spec(rng, *_split(ncls), nx, ny, e2))
    if main_cls is not None:
        specs.append(object_spec(rng, *_split(main_cls), cx, cy, ext))
        if occlusion and kind == "object" and rng.random() < 0.12:
            # An occluder covering a minority of the object, from one side.
            e2 = ext * rng.uniform(0.4, 0.8)
            ang = rng.uniform(0, 2 * math.pi)
            d = (ext / 2 + e2 / 2) * rng.uniform(0.75, 0.95)
            specs.append(object_spec(rng, *_split(_random_seen(rng)), cx + d * math.cos(ang), cy + d * math.sin(ang), e2))
    canvas = background(rng, nrng, n, n, bg_kind, avoid=[s["rgb"] for s in specs])
    for s in specs:
        draw_object(canvas, s)
    if rng.random() < 0.1:  # crop ran past the image border: the detector pads with CLIP's mean
        band = int(n * rng.uniform(0.05, 0.3))
        side_ = rng.randrange(4)
        if side_ == 0:
            canvas[:band] = CLIP_MEAN_RGB
        elif side_ == 1:
            canvas[-band:] = CLIP_MEAN_RGB
        elif side_ == 2:
            canvas[:, :band] = CLIP_MEAN_RGB
        else:
            canvas[:, -band:] = CLIP_MEAN_RGB
    if rng.random() < 0.15:
        canvas = canvas + nrng.normal(0, rng.uniform(2, 10), canvas.shape).astype(np.float32)
    img = _resample(canvas, size, rng, rng.choice(["bicubic", "bicubic", "bilinear", "alias"]))
    if rng.random() < 0.1:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    group = main_cls if kind == "object" else BACKGROUND_GROUP
    return img, group, {"background": bg_kind, "extent": extent}


# ---------------------------------------------------------------- captions

_BG_WORDS = {"plain": "plain", "gradient": "gradient", "noise": "noisy", "clutter": "cluttered",
             "stripes": "striped", "checker": "checkered", "photo": "photographic"}


def object_caption(rng, cls, info):
    """One of several phrasings; "a photo of a COLOUR SHAPE." is the most frequent."""
    c, s = _split(cls)
    name = f"{c} {s}"
    if rng.random() < 0.45:
        return f"a photo of a {name}."
    size_word = "small" if info["extent"] < 50 else "large" if info["extent"] > 130 else "medium"
    choices = [
        f"{name}", f"a {name}", f"a {name}.", f"a {size_word} {name}",
        f"a {name} on a {_BG_WORDS[info['background']]} background",
        f"a photo of the {name}.", f"a {name} shape", f"a picture of a {name}.",
        f"a drawing of a {name}.", f"the {name}",
        f"a {c} coloured {s}", f"one {name}",
    ]
    return rng.choice(choices)


def background_caption(rng):
    p = rng.choice(BACKGROUND_PROMPTS)
    return f"a photo of a {p}." if rng.random() < 0.7 else p
