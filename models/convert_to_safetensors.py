#!/usr/bin/env python3
"""Convert a CLIP checkpoint stored as pytorch_model.bin into model.safetensors for clipdetect.

clipdetect never unpickles anything: it reads weights only from safetensors. Some Hugging Face
repositories (mostly older ones) ship only `pytorch_model.bin`, which is a Python pickle. This
script is the deliberate, one-off step that opens such a pickle with torch and writes a plain
model folder that clipdetect and transformers both load:

    python3 models/convert_to_safetensors.py ORG/NAME[@REVISION] OUT_FOLDER
    python3 models/convert_to_safetensors.py FOLDER_WITH_BIN OUT_FOLDER
    clipdetect photo.jpg --classes "cat,dog" --model OUT_FOLDER

SECURITY: unpickling can execute code. The script calls `torch.load(weights_only=True)`, which
refuses anything but tensors and plain containers; `--trust-pickle` lifts that restriction and
must only be used for checkpoints whose origin you trust.

SOURCE is a folder holding `pytorch_model.bin` (or a sharded `pytorch_model.bin.index.json`), or
a hub id, fetched with huggingface_hub into the usual cache (HF_ENDPOINT, HF_TOKEN, HF_HOME are
honoured). OUT_FOLDER receives `model.safetensors` (tensor names and dtypes unchanged; tensors
that shared storage are copied, since safetensors forbids aliasing) plus config, tokenizer and
preprocessor files copied from SOURCE. The result is checked by reading it back and comparing
every tensor. Needs torch and safetensors (and huggingface_hub for hub ids).
"""
import argparse
import json
import os
import shutil
import sys

COPIED = ["config.json", "vocab.json", "merges.txt", "vocab.txt", "preprocessor_config.json",
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def fetch_from_hub(repo_id, revision):
    """Downloads the checkpoint and side files of a hub repository; returns their local paths."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    def get(name):
        try:
            return hf_hub_download(repo_id, name, revision=revision)
        except EntryNotFoundError:
            return None

    paths = {name: get(name) for name in COPIED}
    index = get("pytorch_model.bin.index.json")
    if index:
        shards = sorted(set(json.load(open(index))["weight_map"].values()))
        paths["shards"] = [hf_hub_download(repo_id, s, revision=revision) for s in shards]
    else:
        single = get("pytorch_model.bin")
        if single is None:
            sys.exit(f"error: {repo_id}: has neither pytorch_model.bin nor pytorch_model.bin.index.json")
        paths["shards"] = [single]
    return paths


def collect_from_folder(folder):
    """Finds the checkpoint and side files in a local folder."""
    paths = {name: os.path.join(folder, name) for name in COPIED if os.path.exists(os.path.join(folder, name))}
    index = os.path.join(folder, "pytorch_model.bin.index.json")
    single = os.path.join(folder, "pytorch_model.bin")
    if os.path.exists(index):
        shards = sorted(set(json.load(open(index))["weight_map"].values()))
        paths["shards"] = [os.path.join(folder, s) for s in shards]
    elif os.path.exists(single):
        paths["shards"] = [single]
    else:
        sys.exit(f"error: {folder}: no pytorch_model.bin or pytorch_model.bin.index.json in this folder")
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="folder with pytorch_model.bin, or hub id ORG/NAME[@REVISION]")
    parser.add_argument("out", help="folder to write (created if missing)")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="allow arbitrary pickled objects (torch.load weights_only=False); trusted files only")
    args = parser.parse_args()

    import torch
    from safetensors.torch import load_file, save_file

    if os.path.isdir(args.source):
        paths = collect_from_folder(args.source)
    else:
        repo_id, _, revision = args.source.partition("@")
        paths = fetch_from_hub(repo_id, revision or None)

    tensors = {}
    for shard in paths["shards"]:
        state = torch.load(shard, map_location="cpu", weights_only=not args.trust_pickle)
        if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
            state = state["state_dict"]
        for name, value in state.items():
            if not torch.is_tensor(value):
                print(f"warning: {shard}: skipping non-tensor entry {name!r}", file=sys.stderr)
                continue
            # clone() gives each tensor its own storage: tied weights would otherwise be refused.
            tensors[name] = value.detach().contiguous().clone()

    os.makedirs(args.out, exist_ok=True)
    target = os.path.join(args.out, "model.safetensors")
    temp = target + ".tmp"
    save_file(tensors, temp, metadata={"format": "pt"})
    written = load_file(temp)
    bad = [n for n in tensors if n not in written or written[n].dtype != tensors[n].dtype or not torch.equal(written[n], tensors[n])]
    if bad or len(written) != len(tensors):
        os.remove(temp)
        sys.exit(f"error: {target}: read-back differs from the checkpoint ({bad[:3]}); nothing written")
    os.replace(temp, target)
    for name in COPIED:
        if paths.get(name):
            shutil.copyfile(paths[name], os.path.join(args.out, name))
    print(f"{target}: {len(tensors)} tensors written; use --model {args.out}")


if __name__ == "__main__":
    main()
