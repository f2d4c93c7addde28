"""Entry point for ``python -m compendium``."""

from compendium.cli import main

raise SystemExit(main())
