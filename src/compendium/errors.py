"""Errors the compendium raises for bad input: each names the file and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class CompendiumError(Exception):
    """Base class: bad input that a user can fix; the CLI prints it without a traceback."""


class SourceError(CompendiumError):
    """The raw source text cannot be read or does not have the expected structure."""

    def __init__(self, path: Path | str, problem: str, line: int | None = None):
        self.path = Path(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Problem:
    """One problem found in a table: where it is and what is wrong."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return f"{', '.join(parts)}: {self.message}"


@dataclass
class ValidationFailed(CompendiumError):
    """Every problem found in one validation pass, reported together."""

    what: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.what}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)
