"""Draw ChartReady's favicon (our own design: a chart page with a tick) and write
service/faces/candidate/static/favicon.ico at 16, 32 and 48 px. Run once after changing the design:
``python scripts/make_favicon.py``. Uses Pillow (installed with WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (21, 64, 107, 255)  # --brand in candidate.css
PAPER = (255, 255, 255, 255)
ACCENT = (255, 196, 61, 255)
OUT = (
    Path(__file__).resolve().parents[1]
    / "service"
    / "faces"
    / "candidate"
    / "static"
    / "favicon.ico"
)


def draw(size: int = 256) -> Image.Image:
    """The icon at ``size`` px: a rounded brand square, a white chart page, a gold tick."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    s = size / 256
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=int(48 * s), fill=BRAND)
    pen.rounded_rectangle((64 * s, 40 * s, 192 * s, 216 * s), radius=int(14 * s), fill=PAPER)
    for y in (84, 116, 148):  # lines of the chart
        pen.rectangle((88 * s, y * s, 168 * s, (y + 10) * s), fill=BRAND)
    pen.line(
        [(92 * s, 186 * s), (120 * s, 210 * s), (214 * s, 120 * s)],
        fill=ACCENT,
        width=max(2, int(26 * s)),
        joint="curve",
    )
    return image


def main() -> None:
    draw().save(OUT, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
