"""Draw Keytime's cover art (episodes/cover.jpg): 1400 px square JPEG, RGB, well under 512 KB.

    python episodes/_scripts/make_cover.py

Needs Pillow and the DejaVu fonts (Debian's fonts-dejavu-core); the build does not run it.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 1400
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_LIGHT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NIGHT, DUSK = (12, 20, 46), (38, 24, 84)
GOLD, WHITE, MUTED = (247, 183, 51), (255, 255, 255), (190, 196, 230)


def main(out: Path) -> None:
    image = Image.new("RGB", (SIZE, SIZE))
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):  # vertical gradient, night to dusk
        t = y / (SIZE - 1)
        draw.line(
            [(0, y), (SIZE, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(NIGHT, DUSK, strict=True)),
        )

    # A clock face whose three golden hands point at the episode's kind of dates.
    cx, cy, radius = SIZE // 2, 560, 330
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=MUTED, width=10)
    for hour in range(12):
        angle = math.radians(hour * 30 - 90)
        inner = radius - (60 if hour % 3 == 0 else 34)
        draw.line(
            [
                (cx + inner * math.cos(angle), cy + inner * math.sin(angle)),
                (cx + (radius - 14) * math.cos(angle), cy + (radius - 14) * math.sin(angle)),
            ],
            fill=WHITE,
            width=12 if hour % 3 == 0 else 6,
        )
    for angle_deg, length in ((-60, 250), (40, 200), (160, 150)):
        angle = math.radians(angle_deg)
        end = (cx + length * math.cos(angle), cy + length * math.sin(angle))
        draw.line([(cx, cy), end], fill=GOLD, width=18)
        draw.ellipse([end[0] - 16, end[1] - 16, end[0] + 16, end[1] + 16], fill=GOLD)
    # The key's bow at the centre: Keytime.
    draw.ellipse([cx - 56, cy - 56, cx + 56, cy + 56], fill=GOLD)
    draw.ellipse([cx - 24, cy - 24, cx + 24, cy + 24], fill=NIGHT)

    title = ImageFont.truetype(FONT, 200)
    subtitle = ImageFont.truetype(FONT_LIGHT, 54)
    small = ImageFont.truetype(FONT, 60)
    draw.text((cx, 1035), "KEYTIME", font=title, fill=WHITE, anchor="mm")
    draw.text(
        (cx, 1170), "Le podcast des acteurs du numérique", font=subtitle, fill=MUTED, anchor="mm"
    )
    draw.text((cx, 1290), "Efrei", font=small, fill=GOLD, anchor="mm")
    image.save(out, "JPEG", quality=88, optimize=True, progressive=True)
    print(f"{out}: {out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(Path(__file__).parents[1] / "cover.jpg")
