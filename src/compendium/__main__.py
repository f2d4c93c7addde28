"""Entry point for ``python -m compendium``."""

from .cli import main

raise SystemExit(main())
