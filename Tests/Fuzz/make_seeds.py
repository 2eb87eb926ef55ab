#!/usr/bin/env python3
"""Writes the small seed corpora under Tests/Fuzz/Targets/NAME/corpus (run from anywhere).

Seeds are tiny valid inputs of every shape each target reads (plus a few near-misses), so
libFuzzer starts from the interesting paths; they are committed, and FuzzCorpusTests replays
them in the normal suite. Needs Pillow (PIL) for the images.
"""
import io, json, os, struct, sys
from pathlib import Path

from PIL import Image

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent


def corpus(target):
    d = FUZZ / "Targets" / target / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    return d


def write(d, name, data):
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None, pad=0):
    header, blobs, offset = {}, b"", 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs += data
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode() + b" " * pad
    return struct.pack("<Q", len(h)) + h + blobs


d = corpus("safetensors")
write(d, "f32", safetensors({"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4))}, {"format": "pt"}))
write(d, "f16_bf16", safetensors({"a": ("F16", [3], b"\x00\x3c\x00\x40\x00\xc0"), "b": ("BF16", [1, 2], b"\x80\x3f\x00\x40")}, pad=5))
write(d, "scalar_and_empty", safetensors({"s": ("F32", [], struct.pack("<f", 7)), "e": ("F32", [0, 3], b"")}))
write(d, "ints", safetensors({"i": ("I64", [2], struct.pack("<2q", 1, -1)), "u": ("U8", [3], b"abc"), "b": ("BOOL", [1], b"\x01")}))
write(d, "empty_header", safetensors({}))
write(d, "bad_offsets", struct.pack("<Q", 60) + b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}    ' + b"\0" * 8)

d = corpus("config")
sources = [
    "models/shapes-tiny/config.json", "models/shapes-tiny/preprocessor_config.json", "models/shapes-tiny/tokenizer_config.json",
    "Tests/CLIPTests/Fixtures/chinese_clip/cn-tiny-gelu-f16/config.json",
    "Tests/CLIPTests/Fixtures/chinese_clip/cn-tiny-gelu-f16/tokenizer_config.json",
    "Tests/CLIPTests/Fixtures/owl/owlvit-p16-f32/config.json", "Tests/CLIPTests/Fixtures/owl/owlvit-p16-f32/preprocessor_config.json",
    "Tests/CLIPTests/Fixtures/owl/owlv2-p10-f32/config.json", "Tests/CLIPTests/Fixtures/owl/owlv2-p10-f32/preprocessor_config.json",
    "Tests/CLIPTests/Fixtures/preprocess/config_padded/preprocessor_config.json",
    "Tests/CLIPTests/Fixtures/preprocess/config_small64/preprocessor_config.json",
]
for s in sources:
    p = ROOT / s
    if p.exists():
        write(d, s.replace("/", "_"), json.dumps(json.loads(p.read_text()), separators=(",", ":")))
write(d, "detection_defaults", '{"template":"a photo of a {}.","confidence":0.3,"iou_threshold":0.5}')

texts = ["a photo of a cat", "A Red STAR, déjà vu!!  ", "猫の写真 🐈‍⬛ ﬁne", "'s 't 're don't", "x" * 300, "a\u0301 \u00e9\t\n\r\u200b"]
for target in ["bpe", "wordpiece"]:
    d = corpus(target)
    for i, t in enumerate(texts):
        write(d, f"text{i}", bytes([i % 2]) + t.encode())
    write(d, "short_context", b"\x02\x03" + "a photo of a cat".encode())
    write(d, "invalid_utf8", b"\x00a\xff\xfe\x80 cat \xc3")
if True:
    d = FUZZ / "Targets/bpe/corpus"
    vocab = {"a": 0, "b": 1, "c": 2, "ab": 3, "a</w>": 4, "<|startoftext|>": 5, "<|endoftext|>": 6, "t</w>": 7, "c</w>": 8, "ca": 9}
    write(d, "vocab_merges", b"\x03" + json.dumps(vocab).encode() + b"\x00#version: 0.2\na b\nc a\n")
    d = FUZZ / "Targets/wordpiece/corpus"
    write(d, "vocab", b"\x03" + "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n##b\ncat\n猫\n".encode())

d = corpus("image-header")
def img(mode, size, fmt, **kw):
    im = Image.new(mode, size, (10, 200, 30) if mode in ("RGB", "RGBA") else 128)
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()
exif = Image.Exif()
exif[0x0112] = 6
write(d, "rgb.png", img("RGB", (5, 3), "PNG"))
write(d, "exif.png", img("RGB", (5, 3), "PNG", exif=exif.tobytes()))
write(d, "grey_trns.png", img("L", (4, 4), "PNG", transparency=128))
write(d, "exif6.jpg", img("RGB", (8, 6), "JPEG", exif=exif.tobytes()))
write(d, "progressive.jpg", img("RGB", (9, 7), "JPEG", progressive=True))
write(d, "a.gif", img("P", (3, 2), "GIF"))
write(d, "rgb.bmp", img("RGB", (3, 2), "BMP"))
write(d, "lossless.webp", img("RGB", (3, 2), "WEBP", lossless=True))
write(d, "lossy.webp", img("RGB", (6, 4), "WEBP", quality=50))
write(d, "exif.webp", img("RGBA", (3, 2), "WEBP", exif=exif.tobytes()))
write(d, "rgb.tif", img("RGB", (3, 2), "TIFF"))
write(d, "be.tif", img("L", (2, 5), "TIFF", tiffinfo={0x0112: 8}))
e = corpus("image-decode")
for f in d.iterdir():
    (e / f.name).write_bytes(f.read_bytes())
write(e, "cmyk.jpg", img("CMYK", (4, 4), "JPEG"))
write(e, "pgm.pgm", img("L", (3, 3), "PPM"))

d = corpus("coco")
gt = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}, {"id": 2, "file_name": "b.jpg", "width": 8, "height": 6}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16, "iscrowd": 0},
                      {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 3, 2], "area": 6, "iscrowd": 1}],
      "categories": [{"id": 1, "name": "star"}, {"id": 2, "name": "circle", "supercategory": "shape"}]}
dt = [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9}, {"image_id": 2, "category_id": 2, "bbox": [0, 0, 3, 3], "score": 0.4},
      {"image_id": 1, "category_id": 7, "bbox": [0, 0, 1, 1], "score": 0.1}]
write(d, "gt_dt", json.dumps(gt).encode() + b"\x00" + json.dumps(dt).encode())
write(d, "gt_only", json.dumps(gt))
for s in ["gt_edges.json", "gt_perfect.json"]:
    dts = s.replace("gt_", "dt_")
    write(d, s, (ROOT / "Tests/EvaluationTests/Fixtures/coco" / s).read_bytes() + b"\x00" +
          (ROOT / "Tests/EvaluationTests/Fixtures/coco" / dts).read_bytes())

d = corpus("hub-response")
commit = "0123456789abcdef0123456789abcdef01234567"
sha = "a" * 64
write(d, "redirect_lfs", f"openai/clip-vit-base-patch32 0\n302 https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/model.safetensors\n"
      f"X-Repo-Commit: {commit}\nX-Linked-Etag: \"{sha}\"\nX-Linked-Size: 1234\nLocation: https://cdn-lfs.huggingface.co/repos/x/y?sig=1\n")
write(d, "ok_git", f"org/model@v1.0 0\n200\nX-Repo-Commit: {commit}\nETag: W/\"abc-123\"\nContent-Length: 99\n")
write(d, "relative_location", f"org/model 0\n307\nX-Repo-Commit: {commit}\nETag: \"e\"\nLocation: /api/resolve-cache/models/org/model/{commit}/config.json\n")
write(d, "entry_not_found", "org/model 0\n404\nX-Error-Code: EntryNotFound\n")
write(d, "gated", "org/model@main 0\n403\nX-Error-Code: GatedRepo\nX-Error-Message: Access restricted\n")
write(d, "revision", "org/model@nope 0\n404\nX-Error-Code: RevisionNotFound\n")
write(d, "resume", "org/model 100\n206\nContent-Range: bytes 100-199/200\n")
write(d, "range_bad", "org/model 100\n416\n")
write(d, "server_error", "org/model 0\n500 http://127.0.0.1:8080/x\nX-Error-Message: oops\n")
d = corpus("hub-discussions")
def discussion(num, title, pr, status):
    return {"num": num, "author": {"name": "SFconvertbot", "type": "user"}, "repo": {"name": "google/owlvit-base-patch32", "type": "model"},
            "title": title, "status": status, "createdAt": "2024-01-05T10:00:00.000Z", "isPullRequest": pr, "numComments": 1, "pinned": False}
write(d, "page", json.dumps({"discussions": [discussion(9, "Adding `safetensors` variant of this model", True, "open"),
                                            discussion(8, "Adding `safetensors` variant of this model", True, "closed"),
                                            discussion(7, "safetensors please", False, "open"),
                                            discussion(1, "Add model card", True, "merged")], "count": 12, "start": 0, "numClosedDiscussions": 2}))
write(d, "last_page", json.dumps({"discussions": [discussion(2, "Upload model.safetensors", True, "draft")], "count": 51, "start": 50}))
write(d, "empty", '{"discussions":[],"count":0,"start":0}')
write(d, "no_optionals", '{"discussions":[{"num":3}]}')

d = corpus("parquet")
for f in sorted((ROOT / "tools/ray/fixtures").glob("*.parquet")):
    write(d, f.name, f.read_bytes())


def varint(n):
    out = b""
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


# Regression (found while writing the target): the shard with 2^40 rows in the footer, its row
# group and every chunk (each a Thrift i64 field header 0x16 + zigzag varint 8) made the
# reader reserve 2^40 values before reading any page.
shard = (ROOT / "tools/ray/fixtures/index_shard.parquet").read_bytes()
footer_length = struct.unpack("<I", shard[-8:-4])[0]
footer = shard[-8 - footer_length:-8].replace(b"\x16\x08", b"\x16" + varint((1 << 40) << 1))
regressions = FUZZ / "Targets/parquet/regressions"
regressions.mkdir(exist_ok=True)
write(regressions, "rows_2p40.parquet", shard[:-8 - footer_length] + footer + struct.pack("<I", len(footer)) + b"PAR1")
print("seeds written", file=sys.stderr)
