"""Makes the README's pictures from the page tests' screenshots: one small PNG per page.

Run the page tests first (they write build/screenshots/), then
``.venv/bin/python docs/img/make_pictures.py``. Each picture is the top of the page as a
1366x900 (desk) or 1920x1080 (room) screen shows it, 640 px wide, in 64 colours: a few tens of KB.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
HERE = Path(__file__).resolve().parent
#: the picture of each page: (screenshot, picture)
PICTURES = (("home", "home"), ("diagnose-advice", "diagnose"), ("simulate-result", "simulate"),
            ("story", "story"), ("present-month", "present"), ("docs", "docs"),
            ("cycle", "cycle"), ("history", "history"))
WIDTH = 640


def main() -> None:
    for shot, picture in PICTURES:
        with Image.open(SHOTS / f"{shot}.png") as image:
            top = image.crop((0, 0, image.width, min(image.height, round(image.width * 0.66))))
            small = top.resize((WIDTH, round(top.height * WIDTH / top.width)), Image.LANCZOS)
            # octree keeps each chart colour (median cut merged the history's blue and teal)
            small.convert("RGB").quantize(64, method=Image.Quantize.FASTOCTREE).save(
                HERE / f"{picture}.png", optimize=True)


if __name__ == "__main__":
    main()
