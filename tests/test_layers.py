"""The package's layers import downwards only: data -> analysis -> charts -> book."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

# Lowest first; the base modules (paths, errors, io) sit below them all.
LAYERS = ["compendium.data", "compendium.analysis", "compendium.charts", "compendium.book"]


def modules_of(layer: str) -> list[str]:
    """Return the dotted names of a layer's package and every module in it."""
    package = __import__(layer, fromlist=["_"])
    return [layer] + [f"{layer}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def imported_after(modules: list[str], prefixes: list[str]) -> list[str]:
    """Return the modules under ``prefixes`` that a fresh interpreter has loaded after importing ``modules``."""
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.startswith(tuple({prefixes!r})))))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_pulls_in_no_higher_layer(layer):
    higher = LAYERS[LAYERS.index(layer) + 1 :]
    found = imported_after(modules_of(layer), higher) if higher else []
    assert found == [], f"{layer} imports {found}"


def test_the_probe_sees_what_a_layer_imports():
    # the book layer builds on the data layer, so the same probe finds it there
    assert "compendium.data.tables" in imported_after(modules_of("compendium.book"), ["compendium.data"])
