#!/usr/bin/env python3
"""Rebuilds vocab.json and merges.txt of Hugging Face's openai/clip-vit-base-patch32 from
OpenAI's `bpe_simple_vocab_16e6.txt.gz` as shipped by the PyPI package open_clip_torch.

The construction is the one of OpenAI's `clip/simple_tokenizer.py`: the first 48,894 merges
of the file, a vocabulary of the 256 byte characters, the same with "</w>", every merge
joined, then the two special tokens (49,408 entries). Deterministic: same input, same bytes.

Usage: python3 make_vocab.py [path/to/bpe_simple_vocab_16e6.txt.gz]
"""
import gzip
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MERGE_COUNT = 49152 - 256 - 2  # OpenAI's `lines[1 : 49152 - 256 - 2 + 1]`


def bytes_to_unicode():
    """GPT-2's reversible byte → printable character table (same as OpenAI CLIP's)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def default_source():
    import open_clip  # only to locate the data file shipped with the package

    return os.path.join(os.path.dirname(open_clip.__file__), "bpe_simple_vocab_16e6.txt.gz")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else default_source()
    lines = gzip.open(source).read().decode("utf-8").split("\n")
    merge_lines = lines[1 : MERGE_COUNT + 1]
    merges = [tuple(line.split()) for line in merge_lines]
    assert len(merges) == MERGE_COUNT and all(len(m) == 2 for m in merges)

    byte_chars = list(bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars]
    tokens += ["".join(m) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {token: index for index, token in enumerate(tokens)}
    assert len(vocab) == len(tokens) == 49408, len(vocab)

    with open(os.path.join(HERE, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
        # Compact, UTF-8 as in the Hugging Face repository (862,327 bytes).
        f.write(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")))
    with open(os.path.join(HERE, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        f.write("\n".join(" ".join(m) for m in merges))
        f.write("\n")

    for name in ("vocab.json", "merges.txt"):
        with open(os.path.join(HERE, name), "rb") as f:
            print(name, hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    main()
