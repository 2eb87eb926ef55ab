#!/usr/bin/env python3
"""Writes label_zh_reference.png: the label "长颈鹿 1.00" as the annotator should draw it on a
640×480 image (class 0's colour, white text), rendered independently of clipdetect by Pillow's
FreeType renderer with the same font, WenQuanYi Micro Hei (Debian fonts-wqy-microhei).

The geometry is the annotator's layout for a 640×480 image, which the test pins separately:
a WIDTH × HEIGHT label, text PIXELS per em (Hershey scale 2/3 → capital H as tall as
Hershey's), pen origin at (PEN_X, BASELINE) inside the label (its ink starts 2 px in).
The values for the committed file (the test prints them when its layout changes):

    python3 Tests/ImagingTests/Fixtures/text/make_label_reference.py 106 27 20 1 19
"""
import os
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TEXT = "长颈鹿 1.00"
BACKGROUND = (230, 25, 75)   # Annotator.palette[0]
INK = (255, 255, 255)        # Annotator.textColor(on: BACKGROUND)


def main():
    width, height, pixels, pen_x, baseline = (int(a) for a in sys.argv[1:6])
    image = Image.new("RGB", (width, height), BACKGROUND)
    font = ImageFont.truetype(FONT, size=pixels, index=0)
    ImageDraw.Draw(image).text((pen_x, baseline), TEXT, font=font, fill=INK, anchor="ls")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "label_zh_reference.png")
    image.save(out, optimize=True)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
