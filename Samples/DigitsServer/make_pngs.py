"""Writes the PNG digits the DigitsServer sample and its tests send to the server (run with Debian's python3, which
has Pillow): the first 20 held-out digits of ../Digits/test-digits.bin.gz as 28x28 PNGs, encoded by Pillow so that
the server's decoder (StbImageSharp) is checked against an independent encoder. Most are 8-bit greyscale; digit 1 is
also written as RGB and digit 2 as greyscale with alpha, the forms a drawing program saves.

    /usr/bin/python3 Samples/DigitsServer/make_pngs.py
"""
import gzip
import os
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT = 20

with gzip.open(os.path.join(HERE, "..", "Digits", "test-digits.bin.gz"), "rb") as f:
    blob = f.read()
total = struct.unpack("<I", blob[:4])[0]
assert total >= COUNT
out = os.path.join(HERE, "digits")
os.makedirs(out, exist_ok=True)
for i in range(COUNT):
    record = blob[4 + i * 785:4 + (i + 1) * 785]
    image = Image.frombytes("L", (28, 28), bytes(record[1:]))
    image.save(os.path.join(out, f"{i:02d}.png"), optimize=True)
    if i == 1:
        image.convert("RGB").save(os.path.join(out, f"{i:02d}-rgb.png"))
    if i == 2:
        image.convert("LA").save(os.path.join(out, f"{i:02d}-grey-alpha.png"))
print(f"wrote {COUNT} digits to {os.path.relpath(out)}")
