"""The Vega, Vega-Lite and vega-embed JavaScript, bundled once from the installed packages into the
book's ``_static/`` folder, so that charts load nothing from another host.

Kept apart from the renderer so that a build which finds the bundle current imports neither
Altair nor vl-convert.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

BUNDLE_NAME = "vega-bundle.js"


def bundle_key() -> str:
    """Return the package versions the bundle is made from (they fix every version inside it)."""
    return f"altair {version('altair')}, vl-convert-python {version('vl-convert-python')}"


def write_vega_bundle(static_dir: Path | str) -> Path:
    """Write the Vega, Vega-Lite and vega-embed bundle into ``static_dir`` unless it is current; return its path."""
    static_dir = Path(static_dir)
    static_dir.mkdir(parents=True, exist_ok=True)
    path = static_dir / BUNDLE_NAME
    key = bundle_key()
    # Making the bundle takes over a second; a file made from the same packages is the same
    # bundle, and leaving it alone keeps its mtime, so Sphinx does not recopy it.
    if path.exists():
        with path.open(encoding="utf-8") as existing:
            if existing.readline().endswith(f"from {key} */\n"):
                return path
    import vl_convert as vlc

    from compendium.book.render import VL_VERSION

    header = (
        f"/* vega {vlc.get_vega_version()}, vega-lite {VL_VERSION}, "
        f"vega-embed {vlc.get_vega_embed_version()}; bundled by vl-convert from {key} */\n"
    )
    # The bundle is a flattened ES module whose top-level names (`_`, `t`, `n`, ...)
    # would land in the page's global scope and clash with Sphinx's own scripts
    # ("Identifier '_' has already been declared"); a function scope keeps them in,
    # and the bundle still publishes window.vegaEmbed, window.vega and window.vegaLite.
    text = header + "(function () {\n" + vlc.javascript_bundle(vl_version=VL_VERSION) + "\n})();\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
