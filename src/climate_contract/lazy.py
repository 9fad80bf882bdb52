"""A stage package names its public surface without importing it (PEP 562).

A name is imported from its module the first time it is used, so a command or a
task that needs one stage does not pay for importing the others' libraries
(pandas, SciPy, HiGHS, GX, dbt): a run with nothing new imports none of them.
Importing a module goes through the import system's per-module locks, so first
uses from several threads are safe (``importlib.util.LazyLoader`` is not, on
Python 3.11).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_surface(
    package: str, surface: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], object]]:
    """``__all__`` and the module ``__getattr__`` of ``package``, whose ``surface``
    maps each of its modules to the names it exports."""
    module_of = {name: module for module, names in surface.items() for name in names}

    def __getattr__(name: str) -> object:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module_of[name]}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return sorted(module_of), __getattr__
