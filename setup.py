"""What pyproject.toml cannot say: the wheel carries the repository's top-level
``sql/``, ``expectations/`` and ``reference/`` inside the package, where
``settings.project_root()`` finds them once installed.

Setuptools takes package data only from a package's own folder (``package-dir``
would map these folders only as packages listed one by one), so ``build_py``
copies them, file by file as the source manifest (``MANIFEST.in``) lists them:
the sdist and the wheel carry the same files.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path, PurePath

from setuptools import setup
from setuptools.command.build_py import build_py

# The package is not importable while it is built: read its layout as a plain file.
LAYOUT = runpy.run_path("src/climate_contract/layout.py")
BUNDLED_FOLDERS: tuple[str, ...] = LAYOUT["BUNDLED_FOLDERS"]


class BuildWithProjectFolders(build_py):
    """``build_py``, plus the bundled folders copied into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads them in the checkout itself
        target = Path(self.build_lib, "climate_contract", LAYOUT["BUNDLED_PROJECT"])
        # build/ outlives a build: a file deleted from the repository must not stay.
        shutil.rmtree(target, ignore_errors=True)
        for source in self._bundled_files():
            destination = target / source
            self.mkpath(str(destination.parent))
            self.copy_file(source, str(destination))

    def _bundled_files(self) -> list[str]:
        self.run_command("egg_info")
        listed = self.get_finalized_command("egg_info").filelist.files
        files = sorted(name for name in listed if PurePath(name).parts[0] in BUNDLED_FOLDERS)
        missing = set(BUNDLED_FOLDERS) - {PurePath(name).parts[0] for name in files}
        if missing:
            raise RuntimeError(f"MANIFEST.in lists no file of {sorted(missing)}")
        return files


setup(cmdclass={"build_py": BuildWithProjectFolders})
