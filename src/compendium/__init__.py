"""Research compendium of the meeting summary 'Updating the Rules and Infrastructure for Globalization'."""

from .source import Document, load_document, parse_source

__all__ = ["Document", "load_document", "parse_source"]
