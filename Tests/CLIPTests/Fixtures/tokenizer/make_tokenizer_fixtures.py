#!/usr/bin/env python3
"""Writes tokenizer_cases.json: texts and the ids transformers' CLIPTokenizerFast gives them.

The tokenizer is loaded from the shipped models/clip-vocab folder and called as
`tokenizer(text, truncation=True, max_length=77)`, with `split_special_tokens=True` so that a
"<|endoftext|>" typed inside a text is plain text (the Swift tokenizer's documented choice).
For every text without such a literal the script checks that the default tokenizer agrees.
Deterministic: hand-written cases plus cases drawn from a seeded generator.

Usage: python3 make_tokenizer_fixtures.py
"""
import hashlib
import json
import os
import platform
import random
import sys

import tokenizers
import transformers
from transformers import CLIPTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
VOCAB_DIR = os.path.join(ROOT, "models", "clip-vocab")
MAX_LENGTH = 77
SEED = 20240613

CLASS_NAMES = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich",
    "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote",
    "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book",
    "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush", "tench", "goldfish",
    "great white shark", "tiger shark", "hammerhead shark", "electric ray", "stingray",
    "rooster", "hen", "ostrich", "brambling", "goldfinch", "house finch", "junco",
    "indigo bunting", "American robin", "bulbul", "jay", "magpie", "chickadee",
    "American dipper", "kite (bird of prey)", "bald eagle", "vulture", "great grey owl",
    "fire salamander", "smooth newt", "newt", "spotted salamander", "axolotl",
    "American bullfrog", "tree frog", "tailed frog", "loggerhead sea turtle",
    "leatherback sea turtle", "mud turtle", "terrapin", "box turtle", "banded gecko",
    "green iguana", "Carolina anole", "desert grassland whiptail lizard", "agama",
    "frilled-necked lizard", "alligator lizard", "Gila monster", "European green lizard",
    "chameleon", "Komodo dragon", "Nile crocodile", "American alligator", "triceratops",
    "worm snake", "ring-necked snake", "eastern hog-nosed snake", "smooth green snake",
    "kingsnake", "garter snake", "water snake", "vine snake", "night snake",
    "boa constrictor", "African rock python", "Indian cobra", "green mamba", "sea snake",
    "Saharan horned viper", "eastern diamondback rattlesnake", "sidewinder rattlesnake",
    "trilobite", "harvestman", "scorpion", "yellow garden spider", "barn spider",
    "European garden spider", "southern black widow", "tarantula", "wolf spider", "tick",
    "centipede", "black grouse", "ptarmigan", "ruffed grouse", "prairie grouse", "peafowl",
    "quail", "partridge", "african grey parrot", "macaw", "sulphur-crested cockatoo",
    "lorikeet", "coucal", "bee eater", "hornbill", "hummingbird", "jacamar", "toucan",
    "red-breasted merganser", "goose", "black swan", "tusker", "echidna", "platypus",
    "person wearing a hat", "red backpack", "yellow school bus", "man riding a horse",
    "St. Bernard", "Yorkshire Terrier", "jack-o'-lantern", "T-shirt", "CD player",
    "wok", "yo-yo", "Granny Smith", "potter's wheel", "carpenter's kit", "dog's toy",
]

TEMPLATES = [
    "a photo of a {}.", "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.",
    "a photo of the hard to see {}.", "a low resolution photo of the {}.", "a rendering of a {}.",
    "graffiti of a {}.", "a cropped photo of the {}.", "a tattoo of a {}.",
    "the embroidered {}.", "a bright photo of a {}.", "a photo of a clean {}.",
    "a photo of a dirty {}.", "a dark photo of the {}.", "a drawing of a {}.",
    "a photo of my {}.", "the plastic {}.", "a photo of the cool {}.",
    "a close-up photo of a {}.", "a black and white photo of the {}.", "a painting of the {}.",
    "a pixelated photo of the {}.", "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
    "a photo of a large {}.", "itap of a {}.", "art of the {}.", "a toy {}.", "{}",
]

HAND_WRITTEN = [
    "", " ", "   ", "\t", "\n", "\r\n", " \t\n\r\x0b\x0c ", "\u00a0", "\u3000", "\u2028\u2029",
    "\u0085", "\u200b", "\ufeff", "\u200d", "a\u200bb", "a\u00a0b", "a\u3000b", "a\u2009b",
    "cat", "Cat", "CAT", "cAt", " cat", "cat ", "  cat  ", "\tcat\n", "\n\ncat\n\n", "cat\tdog",
    "cat\ndog", "cat\r\ndog", "cat  dog", "cat \t \n dog", "a\x00b", "a\x7fb", "a\x01b\x1fc",
    # punctuation and symbols
    "hello, world!", "hello,world", "what?!", "wait...", "...", "!!!", "?", "-", "--", "---",
    "a-b", "a_b", "a/b", "a\\b", "(cat)", "[dog]", "{bird}", "<tag>", "a+b=c", "50%", "$100",
    "€50", "£20", "¥1000", "#hashtag", "@user", "user@example.com", "https://example.com/a?b=c&d=e",
    "C:\\Program Files\\app.exe", "\"quoted\"", "'single'", "“curly”", "‘curly’", "«guillemets»",
    "—em dash—", "–en dash–", "…", "•bullet", "© 2024", "®", "™", "°C", "±5", "×", "÷", "§1",
    "¶", "†‡", "※", "~tilde~", "`backtick`", "^caret", "a|b", "a||b", "<|", "|>", "<||>",
    "*bold*", "**bold**", "_italic_", "a;b:c", "semi;colon", "x => y", "a != b", "a == b",
    # numbers
    "0", "7", "42", "123", "2024", "1,000,000", "3.14159", "-17", "+1", "1e10", "0x1F",
    "2024-01-01", "12:30", "12:30:45", "1/2", "3/4 cup", "10km", "5kg", "100m", "4K", "1080p",
    "iPhone 15 Pro", "R2-D2", "C-3PO", "B-52", "F-16", "covid-19", "mp3", "h264", "ipv6",
    "route 66", "area 51", "007", "3D", "2D", "24/7", "9-5", "1st", "2nd", "3rd", "4th",
    "1234567890", "12345678901234567890", "٣٤٥", "१२३", "三百", "①②③", "²³", "½", "¾", "Ⅻ",
    "Ⅳ", "ⅷ", "𝟙𝟚𝟛", "１２３",
    # contractions
    "don't", "Don't", "DON'T", "it's", "It's", "IT'S", "we're", "WE'RE", "i've", "I'VE", "I'm",
    "I'M", "you'll", "YOU'LL", "he'd", "HE'D", "can't", "won't", "shouldn't've", "y'all",
    "rock'n'roll", "o'clock", "O'Neil", "dogs'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
    "'", "''", "'''", "''s", "!'s", "?'t", "'sa", "'dog", "'lla", "'rex", "'vet", "'mom",
    "'x", "'r", "'v", "'l", "'re'", "a's b's", "don’t", "it’s", "‘s", "don`t", "l'amour",
    "aujourd'hui", "c'est la vie", "qu'est-ce que c'est", "L'ÉTÉ", "'S", "'T", "'RE", "'LL",
    # upper case and mixed
    "HELLO WORLD", "Hello World", "hElLo WoRlD", "NASA", "USA", "U.S.A.", "McDonald's",
    "iPhone", "eBay", "YouTube", "PostgreSQL", "camelCaseWord", "snake_case_word",
    "kebab-case-word", "SCREAMING_SNAKE_CASE",
    # accents and European languages
    "café", "naïve", "résumé", "Zürich", "façade", "Ångström", "São Paulo", "El Niño", "Straße",
    "STRASSE", "Fußgängerübergänge", "Ärger über Öl", "ÄÖÜ äöü ß ẞ", "crème brûlée",
    "Noël", "œuvre", "Œdipe", "æther", "Ægir", "piñata", "¿Dónde está la biblioteca?",
    "¡Hola, señor!", "mañana", "Ça va?", "Où est la gare?", "les élèves", "L'été à Paris",
    "Der schnelle braune Fuchs springt über den faulen Hund.",
    "Le vif renard brun saute par-dessus le chien paresseux.",
    "El rápido zorro marrón salta sobre el perro perezoso.",
    "Ein Foto von einem Hund.", "Une photo d'un chat.", "Una foto de un perro.",
    "Łódź", "Kraków", "Dvořák", "Škoda", "Čapek", "Ørsted", "Þórr", "Íslenska", "Ελληνικά",
    "ΣΊΣΥΦΟΣ", "ΟΔΥΣΣΕΥΣ", "σίσυφος", "Москва", "МОСКВА", "Привет, мир!", "Київ", "İstanbul",
    "ISTANBUL", "ıi İI", "ǅemal", "ǈubljana", "ǋ", "ﬀ ﬁ ﬂ ﬃ ﬄ", "ﬁsh", "ﬁnal", "Ａ　Ｂ",
    "ＦＵＬＬＷＩＤＴＨ", "ｆｕｌｌｗｉｄｔｈ", "ｶﾀｶﾅ", "㌀", "㎏", "ℌ", "ℵ", "Ω", "Å", "K",
    "µ", "ÿ", "Ÿ", "ŉ", "ǰ", "ẞ", "ᾈ", "ﬓ",
    # combining marks (NFC composes some, not others)
    "cafe\u0301", "e\u0301", "E\u0301", "a\u0308", "A\u030a", "n\u0303", "q\u0303", "x\u0302",
    "a\u0308\u0301", "o\u0323\u0302", "o\u0302\u0323", "\u0301", "\u0301a", "a\u0301\u0301\u0301",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333",
    "\u1100\u1161\u11a8", "\u1112\u1161\u11ab\u1100\u1173\u11af", "\u0915\u094d\u0937",
    "i\u0307", "I\u0307", "\u212b", "\u2126", "\u0340", "\u0344", "\u0958", "\u2adc",
    # CJK and other scripts
    "猫", "一只猫的照片", "一張貓的照片。", "我爱北京天安门", "中华人民共和国", "汉字",
    "猫の写真", "ねこ", "ネコ", "東京タワー", "こんにちは世界", "カタカナとひらがな",
    "고양이 사진", "안녕하세요", "한국어", "서울특별시", "𠀋𠀍𡈽", "𪚥", "㐀㐁",
    "صورة قطة", "مرحبا بالعالم", "العربية", "שלום עולם", "עברית", "नमस्ते दुनिया",
    "हिन्दी", "বাংলা", "தமிழ்", "తెలుగు", "ಕನ್ನಡ", "മലയാളം", "ภาษาไทย", "สวัสดีครับ",
    "ພາສາລາວ", "ဗမာ", "ខ្មែរ", "ქართული", "Հայերեն", "አማርኛ", "ᠮᠣᠩᠭᠣᠯ", "ᏣᎳᎩ", "ᚠᚢᚦᚨᚱᚲ",
    "Tiếng Việt", "Türkçe", "Azərbaycan", "Қазақша", "Монгол", "ትግርኛ",
    "cat猫dog犬", "photo写真photo", "abc한국어def", "123猫456",
    # emoji
    "🐶", "🐱", "😀", "😂🤣", "❤", "❤️", "♥", "☺️", "✔️", "👍", "👍🏻", "👍🏽", "👍🏿",
    "👨‍👩‍👧‍👦", "👩‍❤️‍💋‍👨", "🧑‍💻", "👩🏽‍🚀", "🏳️‍🌈", "🏴‍☠️", "🇫🇷", "🇺🇸🇬🇧",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣", "*️⃣", "🔥🔥🔥", "a photo of a 🐶.", "dog🐶", "🐶dog",
    "I ❤️ NY", "🙂 🙃", "🤷‍♂️", "🫠", "🪿", "🧌", "🐕‍🦺", "©️", "🆗", "🈶", "🀄", "🃏",
    # special token literals: plain text for the Swift tokenizer
    "<|endoftext|>", "<|startoftext|>", "hi <|endoftext|> there", "<|endoftext|>!",
    "!<|endoftext|>", "<|endoftext|>'s", "a<|endoftext|>b", "<|ENDOFTEXT|>", "<|EndOfText|>",
    "<|startoftext|>a photo of a cat<|endoftext|>", "<|endoftext|><|endoftext|>",
    "<|endoftext|", "<|endoftext", "|endoftext|>", "< |endoftext|>", "<|end of text|>",
    "<|startoftext|>" * 30, "x <|startoftext|> y <|endoftext|> z", "<<|endoftext|>>",
    "<|<|endoftext|>|>", "1<|endoftext|>2", "<|endoftext|>猫",
    # unusual code points
    "\ue000", "\U000f0000", "\ufffd", "\uffff", "\U0010ffff", "\U000e0041", "\u0378",
    "\u088f", "\ua7ce", "\U00010940", "\U000323b0", "\U0001fae9", "\u1f8f", "\u2c2f",
]


def long_texts():
    texts = [
        " ".join(["word"] * 80),
        " ".join(["cat"] * 75),
        " ".join(["cat"] * 76),
        " ".join(["cat"] * 74),
        " ".join(["cat"] * 77),
        "a " * 100,
        "1" * 100,
        "1 " * 76,
        "!" * 500,
        "! " * 90,
        "a" * 1000,
        "ab" * 700,
        "supercalifragilisticexpialidocious" * 40,
        "Pneumonoultramicroscopicsilicovolcanoconiosis",
        "antidisestablishmentarianism " * 10,
        "猫" * 200,
        "🐶" * 100,
        "👨‍👩‍👧‍👦" * 20,
        "é" * 300,
        "e\u0301" * 300,
        "\u0301" * 300,
        "\t" * 100 + "end",
        "\n".join(["line"] * 100),
        "A photo of a " + "very " * 80 + "big dog.",
        "The quick brown fox jumps over the lazy dog. " * 10,
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure "
        "dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.",
        "1234567890" * 20,
        "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-" * 3,
        "<|endoftext|>" * 30,
        "don't " * 40,
        "x" * 5000,
    ]
    return texts


def random_texts(rng):
    words = [w for name in CLASS_NAMES for w in name.split()] + [
        "the", "of", "and", "a", "in", "on", "with", "photo", "picture", "image", "red", "blue",
        "green", "small", "large", "old", "new", "Straße", "naïve", "café", "猫", "写真", "사진",
        "صورة", "фото", "🐶", "👍🏽", "❤️", "42", "3.5", "don't", "it's", "we'll", "<|endoftext|>",
    ]
    separators = [" ", " ", " ", "  ", "\t", "\n", ", ", ". ", "-", "/", "", "\u00a0", "\u3000"]
    emoji = ["😀", "🐱", "🚀", "🎉", "👍", "🏽", "\u200d", "♀", "\ufe0f", "🇯", "🇵", "👨", "👩", "👧"]
    ascii_pool = [chr(c) for c in range(32, 127)] + ["\t", "\n"]
    planes = [(0x20, 0x7F), (0xA0, 0x250), (0x250, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF),
              (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF),
              (0x1E00, 0x1FFF), (0x2000, 0x206F), (0x2070, 0x2BFF), (0x3000, 0x30FF),
              (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
              (0xFB00, 0xFB4F), (0xFE00, 0xFE6F), (0xFF00, 0xFFEF), (0x10000, 0x1FFFF),
              (0x1F300, 0x1FAFF), (0x20000, 0x323AF), (0x323B0, 0x3347F), (0xE0000, 0xE007F)]
    texts = []
    for _ in range(150):  # prompts made of words
        n = rng.randint(1, 14)
        parts = []
        for _ in range(n):
            word = rng.choice(words)
            style = rng.random()
            if style < 0.15:
                word = word.upper()
            elif style < 0.3:
                word = word.capitalize()
            parts.append(word)
            parts.append(rng.choice(separators))
        text = "".join(parts[:-1])
        if rng.random() < 0.2:
            text = rng.choice([" ", "\t", "\n", "  "]) + text + rng.choice([" ", ".", "!", "\n"])
        texts.append(text)
    for _ in range(60):  # printable ASCII soup
        texts.append("".join(rng.choice(ascii_pool) for _ in range(rng.randint(1, 40))))
    for _ in range(120):  # code points from many blocks, surrogates excluded
        chars = []
        for _ in range(rng.randint(1, 24)):
            low, high = rng.choice(planes)
            code = rng.randint(low, high)
            if 0xD800 <= code <= 0xDFFF:
                code = 0x20
            chars.append(chr(code))
        texts.append("".join(chars))
    for _ in range(40):  # emoji sequences, possibly malformed
        texts.append("".join(rng.choice(emoji) for _ in range(rng.randint(1, 10))))
    for _ in range(30):  # long random prompts
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(60, 120))))
    return texts


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    rng = random.Random(SEED)
    texts = list(HAND_WRITTEN)
    texts += CLASS_NAMES
    texts += [template.format(name) for name in CLASS_NAMES[::3] for template in rng.sample(TEMPLATES, 2)]
    texts += long_texts()
    texts += random_texts(rng)
    unique = list(dict.fromkeys(texts))

    plain = CLIPTokenizerFast.from_pretrained(VOCAB_DIR, split_special_tokens=True)
    default = CLIPTokenizerFast.from_pretrained(VOCAB_DIR)
    cases = []
    for text in unique:
        ids = plain(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
        if "<|endoftext|>" not in text.lower() and "<|startoftext|>" not in text.lower():
            reference = default(text, truncation=True, max_length=MAX_LENGTH)["input_ids"]
            assert ids == reference, f"split_special_tokens changed ids of {text!r}"
        cases.append({"text": text, "ids": ids})

    document = {
        "description": "CLIPTokenizerFast(text, truncation=True, max_length=77) ids, "
        "loaded from models/clip-vocab with split_special_tokens=True",
        "max_length": MAX_LENGTH,
        "seed": SEED,
        "versions": {
            "python": platform.python_version(),
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
        },
        "vocab_sha256": sha256(os.path.join(VOCAB_DIR, "vocab.json")),
        "merges_sha256": sha256(os.path.join(VOCAB_DIR, "merges.txt")),
    }
    # ASCII-only JSON (every non-ASCII scalar escaped) so no tool can renormalize the texts;
    # one case per line for readable diffs.
    header = json.dumps(document, ensure_ascii=True, indent=1)[:-2]
    lines = [json.dumps(case, ensure_ascii=True, separators=(",", ":")) for case in cases]
    with open(os.path.join(HERE, "tokenizer_cases.json"), "w", encoding="ascii", newline="\n") as f:
        f.write(header + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n")
    truncated = sum(len(c["ids"]) == MAX_LENGTH for c in cases)
    print(f"{len(cases)} cases ({truncated} at max_length) written", file=sys.stderr)


if __name__ == "__main__":
    main()
