"""Where the real files of other tools are: ``shared/real-world/`` beside the
checkout (or beside any folder above it), or ``CLIMATE_CONTRACT_REAL_WORLD``."""

from __future__ import annotations

import os
from pathlib import Path


def _real_world() -> Path:
    if override := os.environ.get("CLIMATE_CONTRACT_REAL_WORLD"):
        return Path(override)
    for folder in Path(__file__).resolve().parents:
        if (folder / "shared" / "real-world").is_dir():
            return folder / "shared" / "real-world"
    # The machines this project is built on keep it there; a missing file then
    # fails the tests that read it, loudly.
    return Path("/work/shared/real-world")


REAL_WORLD = _real_world()
TERRITOIRES_EN_TRANSITIONS = REAL_WORLD / "territoires-en-transitions"
