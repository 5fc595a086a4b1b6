"""Photos of digits on paper, made reproducibly: the test set `neurona predict` must read.

Each photo is one digit in dark ink on grey paper, as a phone would take it: printed in one of
matplotlib's fonts (so every machine with matplotlib has them) or handwritten (an MNIST test
digit, enlarged and inked), slightly rotated, off centre, blurred, under light that falls off
across the page, with sensor noise, saved as PNG or JPEG.

    photos = make_photos(tmp_path, handwritten=mnist_test_images_and_labels)
    for path, label in photos: ...
"""

from pathlib import Path

import numpy as np

# matplotlib's own fonts, by file name (mpl-data/fonts/ttf).
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "cmr10.ttf",
         "DejaVuSerif-Bold.ttf", "cmss10.ttf", "STIXGeneral.ttf")


def font_path(name):
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def make_photos(directory, handwritten, printed=12, seed=2026):
    """Write `printed` font photos and one photo per (image, label) of `handwritten` into
    `directory`; returns [(path, label)]."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = np.random.default_rng(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    photos = []
    for index in range(printed):
        label = index % 10
        ink = Image.new("L", (200, 200), 0)
        font = ImageFont.truetype(str(font_path(FONTS[index % len(FONTS)])), int(rng.integers(95, 130)))
        ImageDraw.Draw(ink).text((100, 100), str(label), fill=255, font=font, anchor="mm")
        photos.append((ink, label, f"printed-{index:02d}"))
    for index, (image, label) in enumerate(handwritten):
        # An MNIST digit (light on black, 28x28) drawn large: its strokes become the ink.
        size = int(rng.integers(130, 170))
        ink = Image.fromarray(np.asarray(image, dtype=np.uint8)).resize((size, size), Image.BICUBIC)
        canvas = Image.new("L", (200, 200), 0)
        canvas.paste(ink, ((200 - size) // 2, (200 - size) // 2))
        photos.append((canvas, int(label), f"handwritten-{index:02d}"))

    written = []
    for ink, label, name in photos:
        ink = ink.rotate(float(rng.uniform(-12, 12)), resample=Image.BICUBIC)
        ink = ink.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.8, 2.2))))
        width, height = int(rng.integers(240, 330)), int(rng.integers(240, 330))
        page = Image.new("L", (width, height), 0)
        page.paste(ink, (int(rng.integers(10, width - 210)), int(rng.integers(10, height - 210))))
        coverage = np.asarray(page, dtype=np.float64) / 255
        # Paper lit from one side: 150-225 grey, brighter towards a random corner.
        rows, cols = np.mgrid[0:height, 0:width]
        angle = rng.uniform(0, 2 * np.pi)
        slope = (np.cos(angle) * cols / width + np.sin(angle) * rows / height)
        paper = 190 + 35 * (slope - slope.mean()) / max(np.ptp(slope), 1e-9) * 2
        ink_tone = rng.uniform(25, 70)
        photo = paper * (1 - coverage) + ink_tone * coverage + rng.normal(0, 4, paper.shape)
        rgb = np.stack([photo * tint for tint in (1.0, rng.uniform(0.96, 1.0), rng.uniform(0.9, 0.97))], axis=-1)
        picture = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
        suffix = ".jpg" if len(written) % 2 else ".png"
        path = directory / f"{name}-{label}{suffix}"
        picture.save(path, quality=85) if suffix == ".jpg" else picture.save(path)
        written.append((path, label))
    return written
