"""Screenshots of each campaign report, page by page, for a person to review: the
current publication's HTML reports rendered by headless Chromium, cut into
screen-high PNG pages.

    .venv/bin/python benchmarks/report_screenshots.py --data-dir data --output /tmp/shots

Run `make demo` (or `climate-contract run`) first: it publishes the reports.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

WIDTH = 1200
PAGE_HEIGHT = 1600
LONGEST_PAGE = 16_000


def screenshot_pages(report: Path, output: Path) -> list[Path]:
    """``report`` as PNG files of PAGE_HEIGHT pixels each, named after it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is missing: `make system-packages` installs it")
    with tempfile.TemporaryDirectory() as profile:
        whole = Path(profile) / "whole.png"
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{LONGEST_PAGE}",
                "--hide-scrollbars",
                f"--screenshot={whole}",
                report.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        image = Image.open(whole).convert("RGB")
        # The window is taller than the page: the blank bottom is cut off.
        bottom = _last_painted_row(image)
        pages = []
        for number, top in enumerate(range(0, bottom, PAGE_HEIGHT), start=1):
            page = output / f"{report.parent.name}-{report.stem}-{number:02d}.png"
            image.crop((0, top, WIDTH, min(top + PAGE_HEIGHT, bottom))).save(page)
            pages.append(page)
        return pages


def _last_painted_row(image: Image.Image) -> int:
    inverted = Image.eval(image.convert("L"), lambda value: 255 - value)
    box = inverted.getbbox()
    return box[3] if box else image.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--output", type=Path, default=Path("report-screenshots"))
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    reports = sorted((arguments.data_dir / "published" / "current").glob("*/*.html"))
    reports = [report for report in reports if report.parent.name != "docs"]
    if not reports:
        raise SystemExit(f"no campaign report under {arguments.data_dir}/published/current/")
    for report in reports:
        for page in screenshot_pages(report, arguments.output):
            print(page)


if __name__ == "__main__":
    main()
