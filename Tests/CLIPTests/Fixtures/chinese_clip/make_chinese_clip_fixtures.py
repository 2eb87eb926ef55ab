#!/usr/bin/env python3
"""Reference fixtures for the Swift Chinese-CLIP (WordPiece tokenizer + BERT text tower).

1. tokenizer_cases.json: >= 300 strings (Chinese, mixed Chinese/English, full- and half-width
   punctuation, digits, emoji, accents, control characters, literal special tokens, texts long
   enough to be truncated) with the ids `BertTokenizerFast` gives them, built from
   models/chinese-clip-vocab (the vocab.txt and tokenizer_config.json the Swift side reads),
   at max_length 52 (the released models' context) and untruncated.
2. Small random-initialised transformers `ChineseCLIPModel`s with deliberately different
   configs (quick_gelu vs gelu vision tower, text widths/depths/heads, a context shorter than
   52, layer-norm eps, F32/F16/BF16 storage, one with a Chinese-CLIP preprocessor_config.json
   and one carrying the BERT pooler weights ChineseCLIPModel ignores), each saved as an
   unchanged Hugging Face folder with what `get_image_features` / `get_text_features` return.

    python3 Tests/CLIPTests/Fixtures/chinese_clip/make_chinese_clip_fixtures.py

Deterministic (seeded). Needs torch, transformers, safetensors, pillow (PyPI); tests never run it.
"""
import json, os, pathlib, random, shutil, sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import fixture_common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import tokenizers  # noqa: E402
import transformers  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import BertTokenizerFast, ChineseCLIPConfig, ChineseCLIPModel  # noqa: E402
from transformers.models.chinese_clip.image_processing_pil_chinese_clip import ChineseCLIPImageProcessorPil  # noqa: E402

ROOT = fixture_common.ROOT
VOCAB = ROOT / "models" / "chinese-clip-vocab"
CONTEXT = 52

SMALL = {
    # quick_gelu vision tower (as the released ViTs), F32, 2-head text tower, head dim 6
    "cn-tiny-quickgelu-f32": dict(
        dtype="float32",
        text=dict(vocab_size=21128, hidden_size=12, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                  max_position_embeddings=64, hidden_act="gelu", layer_norm_eps=1e-12),
        vision=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                    image_size=32, patch_size=8, hidden_act="quick_gelu"),
        projection_dim=16),
    # exact-gelu vision, F16 storage, 40 positions (texts cut at 40, not 52), 3 heads, its own
    # preprocessor_config.json (ChineseCLIPImageProcessor resizing to an exact square)
    "cn-tiny-gelu-f16": dict(
        dtype="float16",
        text=dict(vocab_size=21128, hidden_size=24, intermediate_size=40, num_hidden_layers=3, num_attention_heads=3,
                  max_position_embeddings=40, hidden_act="gelu", layer_norm_eps=1e-6),
        vision=dict(hidden_size=48, intermediate_size=80, num_hidden_layers=2, num_attention_heads=3,
                    image_size=48, patch_size=16, hidden_act="gelu", layer_norm_eps=1e-6),
        projection_dim=20,
        preprocessor=dict(size={"height": 48, "width": 48}, crop_size={"height": 48, "width": 48})),
    # one text layer, BF16 storage, patch 14, pooler weights present in the checkpoint
    "cn-tiny-bf16-pooler": dict(
        dtype="bfloat16",
        text=dict(vocab_size=21128, hidden_size=8, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2,
                  max_position_embeddings=512, hidden_act="gelu"),
        vision=dict(hidden_size=32, intermediate_size=48, num_hidden_layers=1, num_attention_heads=2,
                    image_size=28, patch_size=14, hidden_act="quick_gelu"),
        projection_dim=12,
        pooler=True),
}

MODEL_TEXTS = [
    "长颈鹿",
    "戴帽子的人",
    "一只红色的星星 red star",
    "Person wearing a hat，旁边有一个 RED backpack！",
    "照片里有 3 只猫和 12 条狗。",
    "café naïve 🦒 表情",
    "a",
    "".join(["这是一段很长的描述文字，用来测试截断。"] * 8),
]


# ---------------------------------------------------------------- tokenizer cases

def tokenizer_strings(tok):
    rng = random.Random(20240601)
    vocab = [t for t in tok.get_vocab() if not t.startswith("[") and not t.startswith("##")]
    hanzi = [t for t in vocab if len(t) == 1 and 0x4E00 <= ord(t) <= 0x9FFF]
    words = [t for t in vocab if t.isascii() and t.isalpha() and len(t) > 2]
    fixed = [
        "", " ", "长颈鹿", "戴帽子的人", "一只猫", "红色的星星", "长颈鹿,戴帽子的人,red star",
        "你好，世界！", "你好,世界!", "“引号”和「括号」还有《书名号》", "（全角括号）(半角括号)",
        "１２３４５６７８９０", "1234567890", "2023年12月31日", "３．１４１５９", "3.14159", "第1名", "ｑｕｅｒｙ",
        "ＡＢＣ ａｂｃ", "Hello World", "HELLO world", "héllo wörld", "café", "naïve", "Ångström", "İstanbul",
        "ﬁne ﬂower", "Straße", "ΣΊΣΥΦΟΣ", "Привет мир", "こんにちは世界", "ひらがなカタカナ", "한국어 텍스트",
        "مرحبا", "שלום", "नमस्ते", "ภาษาไทย", "🦒", "😀😃😄", "👨‍👩‍👧‍👦 family", "🇨🇳 flag", "✨星星✨", "❤️爱心",
        "a\tb\nc\rd", "a\u3000b", "a\u00a0b", "zero\u200bwidth", "soft\u00adhyphen", "bom\ufeffmark", "ctrl\x01\x1fchars",
        "nul\x00char", "rep\ufffdlace", "private\ue000use", "line\u2028sep", "para\u2029sep",
        "[CLS]", "[SEP]", "[MASK] 是什么", "x[SEP]y", "[cls] lower", "[UNK][PAD]", "[ MASK ]", "[MASK", "MASK]",
        "unaffable", "supercalifragilisticexpialidocious", "a" * 99, "a" * 100, "a" * 101, "长" * 60,
        "http://example.com/路径?q=查询&x=1", "email@example.com", "C++ 和 C# 语言", "$100 ¥200 €300 £400",
        "50% 折扣", "#标签 @用户", "~波浪号～", "…省略号...", "——破折号--", "·间隔号", "、顿号", "；分号;",
        "：冒号:", "？问号?", "！叹号!", "【方括号】[方括号]", "{花括号}", "<尖括号>〈〉", "|竖线｜", "\\反斜杠＼",
        "^_^ 表情", "(╯°□°）╯︵ ┻━┻", "²³¹ superscripts", "½ ¼ ¾", "Ⅻ 罗马数字 ⅻ", "①②③", "㈠㈡", "㊣",
        "豈更車", "𠀀𠀁 extension B", "\U0002B820\U0002B91F ext-E start", "\U00030000 ext-G", "⺀⺁ radicals",
        "ㄅㄆㄇ bopomofo", "〇 零", "a-b_c.d,e", "don't can't", "U.S.A.", "e.g. i.e.", "...", "!!!", "???",
        "中文English混合text测试", "iPhone 15 Pro Max 手机", "COVID-19 疫情", "5G网络", "AI人工智能",
        "北京 Beijing 上海 Shanghai", "一只 dog 和一只 cat", "red star 红星", "the 长城 great wall",
    ]
    generated = []
    punct = list("，。！？；：、“”‘’（）【】《》…—·,.!?;:'\"()[]<>-_/\\@#$%^&*+=~`|")
    emoji = ["🦒", "😀", "🐱", "🐶", "🌟", "🎉", "👍", "🚗", "🍎", "🫠", "🥰", "🧑‍🚀"]
    for i in range(80):  # Chinese phrases
        generated.append("".join(rng.choice(hanzi) for _ in range(rng.randint(1, 12))))
    for i in range(60):  # mixed Chinese/English with spaces or not
        parts = []
        for _ in range(rng.randint(2, 6)):
            r = rng.random()
            if r < 0.4:
                parts.append("".join(rng.choice(hanzi) for _ in range(rng.randint(1, 4))))
            elif r < 0.8:
                w = rng.choice(words)
                parts.append(w.upper() if rng.random() < 0.2 else w.capitalize() if rng.random() < 0.3 else w)
            else:
                parts.append(str(rng.randint(0, 100000)))
        generated.append(("" if rng.random() < 0.4 else " ").join(parts))
    for i in range(50):  # punctuation in both widths, digits, emoji
        s = []
        for _ in range(rng.randint(3, 10)):
            r = rng.random()
            if r < 0.35:
                s.append(rng.choice(hanzi))
            elif r < 0.6:
                s.append(rng.choice(punct))
            elif r < 0.75:
                s.append(rng.choice(emoji))
            elif r < 0.9:
                s.append("".join(chr(ord("０") + int(d)) if rng.random() < 0.5 else d for d in str(rng.randint(0, 9999))))
            else:
                s.append(rng.choice(words))
        generated.append("".join(s))
    for i in range(30):  # long texts, truncated at 52
        generated.append("".join(rng.choice(hanzi + punct + [" " + w + " " for w in words[:200]])
                                 for _ in range(rng.randint(40, 120))))
    for i in range(20):  # random code points from many blocks (tables, NFD, lower-casing)
        s = []
        for _ in range(rng.randint(1, 8)):
            block = rng.choice([(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
                                (0x2000, 0x206F), (0x2E00, 0x2E7F), (0x3000, 0x303F), (0xFF00, 0xFFEF),
                                (0x1F300, 0x1FAFF), (0x1D400, 0x1D7FF)])
            s.append(chr(rng.randint(*block)))
        generated.append("".join(s))
    return fixed + generated


def tokenizer_cases(tok):
    cases = []
    for text in tokenizer_strings(tok):
        cut = tok(text, truncation=True, max_length=CONTEXT)["input_ids"]
        full = tok(text)["input_ids"]
        cases.append({"text": text, "ids": cut, "untruncated": full})
    return cases


# ---------------------------------------------------------------- models

def build(spec, seed):
    return fixture_common.build(ChineseCLIPConfig, ChineseCLIPModel, spec, seed)


def save_folder(model, spec, dtype, out, seed):
    state = fixture_common.stored_state(model, dtype)
    if spec.get("pooler"):
        g = torch.Generator().manual_seed(seed + 7)
        d = spec["text"]["hidden_size"]
        state["text_model.pooler.dense.weight"] = torch.randn((d, d), generator=g).to(dtype)
        state["text_model.pooler.dense.bias"] = torch.randn((d,), generator=g).to(dtype)
    fixture_common.save_checkpoint(model, state, out)
    for f in ("vocab.txt", "tokenizer_config.json"):
        (out / f).symlink_to(os.path.relpath(VOCAB / f, out))


def reference(model, tok, spec, out, seed):
    ctx = min(CONTEXT, model.config.text_config.max_position_embeddings)
    pixels = fixture_common.random_pixels(3, model.config.vision_config.image_size, seed)
    enc = tok(MODEL_TEXTS, padding=True, truncation=True, max_length=ctx, return_tensors="pt")
    features = fixture_common.features(model, pixels, enc, MODEL_TEXTS, token_type_ids=enc["token_type_ids"])
    tensors = {"pixel_values": pixels.contiguous()}
    ref = {"logit_scale": features["logit_scale"], "context_length": ctx,
           "image_embeds": features["image_embeds"], "texts": features["texts"]}
    if "preprocessor" in spec:
        settings = {"image_processor_type": "ChineseCLIPImageProcessor", "do_resize": True, "do_center_crop": True,
                    "do_normalize": True, "do_rescale": True, "do_convert_rgb": True, "resample": 3,
                    "rescale_factor": 1 / 255, "image_mean": [0.48145466, 0.4578275, 0.40821073],
                    "image_std": [0.26862954, 0.26130258, 0.27577711], **spec["preprocessor"]}
        (out / "preprocessor_config.json").write_text(json.dumps(settings, indent=2))
        processor = ChineseCLIPImageProcessorPil.from_pretrained(str(out))
        rng = np.random.default_rng(seed)
        photo = rng.integers(0, 256, size=(50, 80, 3), dtype=np.uint8)  # H 50, W 80: not square
        pv = processor(images=Image.fromarray(photo), return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            emb = model.get_image_features(pixel_values=pv)
            emb = getattr(emb, "pooler_output", emb)
        tensors["photo_rgb"] = torch.from_numpy(photo.astype(np.float32))
        ref["photo_embed"] = emb[0].tolist()
    save_file(tensors, str(out / "reference_inputs.safetensors"))
    return ref


def main():
    tok = BertTokenizerFast.from_pretrained(str(VOCAB))
    assert tok("戴帽子的人")["input_ids"] == [101, 2785, 2384, 2094, 4638, 782, 102], tok("戴帽子的人")["input_ids"]
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "tokenizers": tokenizers.__version__}
    cases = tokenizer_cases(tok)
    (HERE / "tokenizer_cases.json").write_text(json.dumps(
        {"versions": versions, "max_length": CONTEXT, "cases": cases}, ensure_ascii=False, indent=0))
    print(f"wrote {len(cases)} tokenizer cases")
    for i, (name, spec) in enumerate(sorted(SMALL.items())):
        out = HERE / name
        if out.exists():
            shutil.rmtree(out)
        model, dtype = build(spec, seed=300 + i)
        save_folder(model, spec, dtype, out, seed=300 + i)
        ref = reference(model, tok, spec, out, seed=300 + i)
        ref["versions"] = versions
        ref["storage_dtype"] = spec["dtype"]
        (out / "reference.json").write_text(json.dumps(ref, ensure_ascii=False, indent=0))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
