#!/usr/bin/env python3
"""Reference fixtures for the Swift CLIP's numerical parity tests.

Builds small random-initialised transformers `CLIPModel`s with deliberately different configs
(activation, legacy vs new eos_token_id, patch/image size, context length, head counts, layer
norm eps, F32/F16/BF16 storage), saves each as an unchanged Hugging Face folder, and records
what `get_image_features` / `get_text_features` return on seeded inputs.

    python3 Tests/CLIPTests/Fixtures/models/make_model_fixtures.py            # committed fixtures
    python3 Tests/CLIPTests/Fixtures/models/make_model_fixtures.py --full vit-b-32 --out /tmp/vitb32
        # a seeded random checkpoint of full ViT-B/32 size (not committed), for a full-size check

Needs torch, transformers, safetensors (PyPI). Tests never run this script.
"""
import argparse, json, os, pathlib, shutil, sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import fixture_common  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import CLIPConfig, CLIPModel, CLIPTokenizerFast  # noqa: E402

ROOT = fixture_common.ROOT
VOCAB = ROOT / "models" / "clip-vocab"

SMALL = {
    # legacy eos_token_id 2 (pooling by argmax of ids), quick_gelu, F32
    "tiny-quickgelu-f32": dict(
        dtype="float32",
        text=dict(hidden_size=16, intermediate_size=40, num_hidden_layers=2, num_attention_heads=2,
                  max_position_embeddings=77, hidden_act="quick_gelu", eos_token_id=2, bos_token_id=0, pad_token_id=1),
        vision=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                    image_size=32, patch_size=8, hidden_act="quick_gelu"),
        projection_dim=24),
    # new-style eos_token_id, exact gelu, odd head dim, F16 storage, larger patch
    "tiny-gelu-f16": dict(
        dtype="float16",
        text=dict(hidden_size=16, intermediate_size=48, num_hidden_layers=3, num_attention_heads=4,
                  max_position_embeddings=77, hidden_act="gelu", eos_token_id=49407, bos_token_id=49406,
                  pad_token_id=1, layer_norm_eps=1e-6),
        vision=dict(hidden_size=48, intermediate_size=80, num_hidden_layers=3, num_attention_heads=3,
                    image_size=64, patch_size=16, hidden_act="gelu", layer_norm_eps=1e-6),
        projection_dim=20),
    # short context (texts truncated at 24 tokens), patch 14, BF16 storage
    "tiny-short-bf16": dict(
        dtype="bfloat16",
        text=dict(hidden_size=8, intermediate_size=24, num_hidden_layers=1, num_attention_heads=2,
                  max_position_embeddings=24, hidden_act="quick_gelu", eos_token_id=49407, bos_token_id=49406,
                  pad_token_id=1),
        vision=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                    image_size=56, patch_size=14, hidden_act="quick_gelu"),
        projection_dim=16),
}

FULL = {
    "vit-b-32": dict(text=dict(hidden_size=512, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=8,
                               max_position_embeddings=77, hidden_act="quick_gelu", eos_token_id=2, bos_token_id=0, pad_token_id=1),
                     vision=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                                 image_size=224, patch_size=32, hidden_act="quick_gelu"),
                     projection_dim=512, dtype="float32"),
}

TEXTS = [
    "a photo of a cat.",
    "a red star",
    "Person wearing a hat, next to a RED backpack!",
    "长颈鹿 and 🦒 emoji",
    "the literal <|endoftext|> is plain text here",
    " ".join(["a very long caption that goes on"] * 12),
    "x",
]


def build(spec, seed):
    return fixture_common.build(CLIPConfig, CLIPModel, spec, seed)


def save_folder(model, dtype, out):
    fixture_common.save_checkpoint(model, fixture_common.stored_state(model, dtype), out)


def reference(model, tokenizer, n_images, seed):
    ctx = model.config.text_config.max_position_embeddings
    pixels = fixture_common.random_pixels(n_images, model.config.vision_config.image_size, seed)
    enc = tokenizer(TEXTS, padding=True, truncation=True, max_length=ctx, return_tensors="pt")
    return pixels, fixture_common.features(model, pixels, enc, TEXTS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", choices=sorted(FULL))
    ap.add_argument("--out", type=pathlib.Path)
    args = ap.parse_args()
    # transformers 5.x ignores vocab_file=/merges_file= keywords; from_pretrained reads the folder.
    tokenizer = CLIPTokenizerFast.from_pretrained(str(VOCAB))
    assert tokenizer("a photo of a cat.")["input_ids"] == [49406, 320, 1125, 539, 320, 2368, 269, 49407]
    versions = {"torch": torch.__version__, "transformers": transformers.__version__}
    if args.full:
        if not args.out:
            sys.exit("--full needs --out FOLDER")
        model, dtype = build(FULL[args.full], seed=1234)
        save_folder(model, dtype, args.out)
        for f in ("vocab.json", "merges.txt"):
            shutil.copy(VOCAB / f, args.out / f)
        pixels, ref = reference(model, tokenizer, n_images=2, seed=1234)
        save_file({"pixel_values": pixels.contiguous()}, str(args.out / "reference_inputs.safetensors"))
        (args.out / "reference.json").write_text(json.dumps({**ref, "versions": versions}))
        print(f"wrote {args.out}")
        return
    for i, (name, spec) in enumerate(sorted(SMALL.items())):
        out = HERE / name
        if out.exists():
            shutil.rmtree(out)
        model, dtype = build(spec, seed=100 + i)
        save_folder(model, dtype, out)
        for f in ("vocab.json", "merges.txt"):
            (out / f).symlink_to(os.path.relpath(VOCAB / f, out))
        pixels, ref = reference(model, tokenizer, n_images=3, seed=100 + i)
        save_file({"pixel_values": pixels.contiguous()}, str(out / "reference_inputs.safetensors"))
        ref["versions"] = versions
        ref["storage_dtype"] = spec["dtype"]
        (out / "reference.json").write_text(json.dumps(ref, indent=0))
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
