"""Research compendium of the meeting summary 'Updating the Rules and Infrastructure for Globalization'.

The package follows the data: ``source`` (the source model) → ``data`` (validated tables) →
``analysis`` and ``charts`` (frames and charts, one ``theme``) → the chapters' modules.
"""
