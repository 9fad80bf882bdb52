"""Which folders of the repository the package needs at run time, and where the
wheel carries them.

``setup.py`` reads this file on its own (the package is not importable while it
is being built), so it imports nothing.
"""

BUNDLED_PROJECT = "project"
"""The folder of the installed package that holds the copies of ``BUNDLED_FOLDERS``."""
BUNDLED_FOLDERS = ("sql", "expectations", "reference")
"""The dbt project, the GX suites and the default reference data: top-level folders
of the repository (Dockerfile, docs and tests name them there), copied into the
wheel by the build."""
