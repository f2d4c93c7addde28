"""The source model: the meeting summary parsed into sections and blocks with stable ids.

Every block keeps character offsets into the raw text, so ``raw[block.start:block.end]``
is exactly ``block.text``; quotes elsewhere in the compendium are verified against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from compendium.errors import SourceError
from compendium.paths import RAW_SOURCE

# (section id, heading as printed in the source, short name used in the book)
SECTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("opening", None, "Opening"),
    ("key-findings", "Key Findings", "Key findings"),
    ("summary", "Summary of Issues Raised", "Summary of issues raised"),
    ("cluster-1", "Cluster 1: R2P and human rights", "R2P and human rights"),
    (
        "cluster-2",
        "Cluster 2: Common peace and security threats and challenges - the use of drones, "
        "cyber security/information privacy, violent extremism, and nuclear proliferation",
        "Peace and security",
    ),
    (
        "cluster-3",
        "Cluster 3: Illicit globalization - illicit flows, migration, maritime security, drug control",
        "Illicit globalization",
    ),
    (
        "cluster-4",
        "Cluster 4: Universal sustainable development - climate change, resource scarcity, "
        "pandemics and public health, energy sustainability",
        "Sustainable development",
    ),
    ("final-remarks", "Final remarks", "Final remarks"),
    ("annex-a", "Annex A", "Annex A: survey"),
)
SECTION_IDS = tuple(s[0] for s in SECTIONS)

# Captions in Annex A. The four charts were images; only their captions survive.
LOST_CHART_CAPTIONS = (
    "Best issue for the UN to address",
    "Feasibility of progress by issue",
    "Respondents' Locations",
    "Respondents' Affiliations",
)
TABLE_CAPTION = "Best placed actors by issue"
TABLE_HEADER = ("Issue", "Best Placed Organization / Actor")

# Block kinds and the letter used in their ids.
KIND_CODES = {"paragraph": "p", "bullet": "b", "caption": "c", "header": "h", "row": "r"}

# Actor names as written in the annex table -> canonical actor id (see data/actors.csv).
SURVEY_ACTORS = {
    "Think tanks": "think-tanks",
    "CSOs": "civil-society",
    "Regional organizations": "regional-organizations",
    "UN/UN agencies": "un-system",
    "IFIs": "ifis",
    "United States": "united-states",
}
# "A, B, and C" / "A and B": split a compound cell into its actors.
_ACTOR_SPLIT = re.compile(r",\s*and\s+|,\s*|\s+and\s+")


@dataclass(frozen=True)
class Block:
    """One paragraph, bullet item, caption or table line, located in the raw text."""

    id: str
    section: str
    kind: str
    start: int
    end: int
    line: int
    text: str

    @property
    def plain(self) -> str:
        """The block's text with runs of whitespace (line breaks too) collapsed to one space."""
        return " ".join(self.text.split())


@dataclass(frozen=True)
class Section:
    """A section of the document: its id, heading (None for the opening) and blocks."""

    id: str
    heading: str | None
    name: str
    blocks: tuple[Block, ...]
    heading_start: int | None = None

    def kind_count(self, kind: str) -> int:
        """Return how many blocks of ``kind`` the section holds."""
        return sum(b.kind == kind for b in self.blocks)


@dataclass(frozen=True)
class Document:
    """The parsed meeting summary: title, sections in order, and the raw text they index."""

    path: Path
    raw: str
    title: str
    sections: tuple[Section, ...]
    _by_id: dict[str, Block] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({b.id: b for s in self.sections for b in s.blocks})

    @property
    def blocks(self) -> tuple[Block, ...]:
        """Return every block of every section, in document order."""
        return tuple(b for s in self.sections for b in s.blocks)

    def section(self, section_id: str) -> Section:
        """Return the section with ``section_id``; raise KeyError naming the valid ids."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"unknown section {section_id!r}; valid: {', '.join(SECTION_IDS)}")

    def block(self, block_id: str) -> Block:
        """Return the block with ``block_id`` (e.g. ``cluster-3/p4``)."""
        try:
            return self._by_id[block_id]
        except KeyError:
            raise KeyError(f"unknown passage id {block_id!r}") from None


# -- reading ------------------------------------------------------------------------


def read_text(path: Path | str) -> str:
    """Return the file's text, or raise SourceError if it is missing, empty or not UTF-8."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(path, "file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, f"not valid UTF-8 (byte {exc.start})", line) from None
    if not text.strip():
        raise SourceError(path, "file is empty")
    return text


def _lines(raw: str):
    """Yield (line number, start offset, line text without its newline)."""
    pos = 0
    for number, line in enumerate(raw.split("\n"), start=1):
        yield number, pos, line
        pos += len(line) + 1


def _find_headings(path: Path, raw: str) -> dict[str, tuple[int, int]]:
    """Return {section id: (line index, offset)} for each heading, in order, or raise."""
    lines = raw.split("\n")
    stripped = [ln.strip() for ln in lines]
    found: dict[str, tuple[int, int]] = {}
    after = -1
    offsets = [start for _, start, _ in _lines(raw)]
    for sid, heading, _ in SECTIONS[1:]:
        hits = [i for i, s in enumerate(stripped) if s == heading]
        if not hits:
            expected = "; ".join(f"'{h}'" for _, h, _ in SECTIONS[1:])
            raise SourceError(
                path,
                f"section heading '{heading}' is missing or renamed "
                f"(expected these headings, in order: {expected})",
            )
        later = [i for i in hits if i > after]
        if not later:
            raise SourceError(path, f"section heading '{heading}' is out of order", hits[0] + 1)
        after = later[0]
        found[sid] = (after, offsets[after] + lines[after].index(heading))
    return found


def _span(line: str, line_start: int, skip: int = 0, strip_star: bool = False) -> tuple[int, int]:
    """Offsets of the meaningful text in a line, skipping a marker and trailing blanks."""
    body = line[skip:]
    lead = len(body) - len(body.lstrip())
    text = body.strip()
    if strip_star:
        text = text.rstrip("*").rstrip()
    start = line_start + skip + lead
    return start, start + len(text)


def _section_blocks(path: Path, raw: str, sid: str, first: int, last: int) -> list[Block]:
    """Split the lines [first, last) of one section into blocks."""
    counters = {k: 0 for k in KIND_CODES}
    blocks: list[Block] = []

    def add(kind: str, start: int, end: int, line_no: int) -> None:
        counters[kind] += 1
        bid = f"{sid}/{KIND_CODES[kind]}{counters[kind]}"
        blocks.append(Block(bid, sid, kind, start, end, line_no, raw[start:end]))

    all_lines = list(_lines(raw))[first:last]
    group: list[tuple[int, int, str]] = []
    in_table = False

    def flush_group() -> None:
        nonlocal in_table
        if not group:
            return
        para: list[tuple[int, int, int]] = []  # (line no, start, end) of plain lines

        def flush_para() -> None:
            if para:
                kind = "paragraph"
                text = " ".join(raw[s:e] for _, s, e in para)
                if sid == "annex-a" and " ".join(text.split()) in (*LOST_CHART_CAPTIONS, TABLE_CAPTION):
                    kind = "caption"
                add(kind, para[0][1], para[-1][2], para[0][0])
                para.clear()

        for number, start, line in group:
            if sid == "annex-a" and "\t" in line.strip():
                flush_para()
                cells = [c.strip() for c in line.strip().split("\t")]
                s, e = _span(line, start)
                if tuple(cells) == TABLE_HEADER:
                    in_table = True
                    add("header", s, e, number)
                elif not in_table:
                    raise SourceError(path, "table row before the table header", number)
                elif len(cells) != 2 or not all(cells):
                    raise SourceError(
                        path, f"annex table row must have two tab-separated cells, found {len(cells)}", number
                    )
                else:
                    add("row", s, e, number)
            elif in_table:
                raise SourceError(
                    path,
                    f"annex table row without its tab between issue and actor: {line.strip()!r}",
                    number,
                )
            elif line.lstrip().startswith("- "):
                flush_para()
                skip = len(line) - len(line.lstrip()) + 2
                s, e = _span(line, start, skip=skip, strip_star=True)
                add("bullet", s, e, number)
            else:
                para.append((number, *_span(line, start)))
        flush_para()
        group.clear()
        in_table = False

    for number, start, line in all_lines:
        if line.strip():
            group.append((number, start, line))
        else:
            flush_group()
    flush_group()
    return blocks


def parse_text(raw: str, path: Path | str = "<text>") -> Document:
    """Return the Document model of the meeting-summary text ``raw``."""
    path = Path(path)
    lines = raw.split("\n")
    title_index = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if title_index is None:
        raise SourceError(path, "file is empty")
    title = lines[title_index].strip()
    headings = _find_headings(path, raw)
    bounds = [title_index + 1] + [i for i, _ in headings.values()] + [len(lines)]
    sections = []
    for n, (sid, heading, name) in enumerate(SECTIONS):
        first = bounds[n] + (0 if n == 0 else 1)
        blocks = _section_blocks(path, raw, sid, first, bounds[n + 1])
        if not blocks:
            raise SourceError(path, f"section '{heading or 'opening'}' has no text", bounds[n] + 1)
        start = headings[sid][1] if sid in headings else None
        sections.append(Section(sid, heading, name, tuple(blocks), start))
    doc = Document(path, raw, title, tuple(sections))
    survey_table(doc)  # fail early if the annex table is missing or malformed
    return doc


def parse_source(path: Path | str = RAW_SOURCE) -> Document:
    """Read and parse the meeting summary at ``path``; raise SourceError on bad input."""
    return parse_text(read_text(path), path)


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Document:
    return parse_source(path)


def load_document(path: Path | str = RAW_SOURCE) -> Document:
    """Return the parsed Document for ``path``, cached while the file is unchanged."""
    p = Path(path)
    return _cached(str(p.resolve()), p.stat().st_mtime if p.exists() else 0.0)


# -- frames ---------------------------------------------------------------------------


def passages_frame(doc: Document) -> pd.DataFrame:
    """Return one row per block: id, section, kind, line, start, end, text."""
    return pd.DataFrame(
        [
            {
                "passage_id": b.id,
                "section": b.section,
                "kind": b.kind,
                "line": b.line,
                "start": b.start,
                "end": b.end,
                "text": b.plain,
            }
            for b in doc.blocks
        ]
    )


def split_actors(cell: str) -> list[str]:
    """Split a compound actor cell ("CSOs, IFIs, and UN/UN agencies") into its names."""
    return [part.strip() for part in _ACTOR_SPLIT.split(cell.strip()) if part.strip()]


def survey_table(doc: Document) -> pd.DataFrame:
    """Return the annex table "Best placed actors by issue": one row per (issue, actor)."""
    annex = doc.section("annex-a")
    rows = [b for b in annex.blocks if b.kind == "row"]
    if not any(b.kind == "header" for b in annex.blocks) or not rows:
        raise SourceError(
            doc.path, f"Annex A has no '{TABLE_CAPTION}' table (header: {' <tab> '.join(TABLE_HEADER)})"
        )
    records = []
    for b in rows:
        issue, cell = (c.strip() for c in b.text.split("\t"))
        for rank, name in enumerate(split_actors(cell), start=1):
            if name not in SURVEY_ACTORS:
                raise SourceError(
                    doc.path,
                    f"unknown actor {name!r} in the annex table; known: {', '.join(SURVEY_ACTORS)}",
                    b.line,
                )
            records.append(
                {
                    "passage_id": b.id,
                    "issue_label": issue,
                    "actor_id": SURVEY_ACTORS[name],
                    "actor_label": name,
                    "position": rank,
                    "actors_in_cell": len(split_actors(cell)),
                }
            )
    return pd.DataFrame(records)


# The two lists of cluster-2/p2: "the rule takers, the rule breakers and the rule shapers";
# "…: 1) …; 2) …; 3) …." The text states no pairing between them.
TYPOLOGY_GROUPS = "Group of countries"
TYPOLOGY_OUTLOOKS = "Outlook on norms and institutions"
_GROUPS = re.compile(r"\bthe (rule \w+)")
_OUTLOOKS = re.compile(r"\d\)\s*(.+?)\s*(?=;\s*\d\)|\.?$)")


def parse_typology(text: str, passage_id: str) -> pd.DataFrame:
    """Return the groups ("the rule …") and the numbered outlooks ("…: 1) …; 2) …") a passage lists.

    Columns: list, position, item, quote (the sentence that gives the list), passage_id.
    Raises ValueError when the text has no sentence giving either list."""
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", text)]
    group_sentence = next((s for s in sentences if _GROUPS.search(s)), None)
    outlook_sentence = next((s for s in sentences if ":" in s and _OUTLOOKS.search(s.split(":", 1)[1])), None)
    if group_sentence is None:
        raise ValueError(f"{passage_id}: no sentence lists the groups ('the rule …')")
    if outlook_sentence is None:
        raise ValueError(f"{passage_id}: no sentence lists the outlooks ('…: 1) …')")
    after_colon = outlook_sentence.split(":", 1)[1]
    rows = [(TYPOLOGY_GROUPS, n, g, group_sentence) for n, g in enumerate(_GROUPS.findall(group_sentence), 1)]
    rows += [(TYPOLOGY_OUTLOOKS, n, o, outlook_sentence)
             for n, o in enumerate(_OUTLOOKS.findall(after_colon.strip()), 1)]
    return pd.DataFrame(rows, columns=["list", "position", "item", "quote"]).assign(passage_id=passage_id)


def lost_charts(doc: Document) -> list[Block]:
    """Return the caption blocks of Annex A's charts whose data the text extraction lost."""
    return [b for b in doc.section("annex-a").blocks if b.kind == "caption" and b.plain in LOST_CHART_CAPTIONS]


# The opening's lists: "… in the fields of diplomacy, security, development and law." and
# "… three key questions: in what areas …?; what form …?; and does the UNSG …?"
_FIELDS = re.compile(r"in the fields of (?P<fields>[^.]+)\.")
_QUESTIONS = re.compile(r"questions:\s*(?P<questions>.*\?)")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_QUESTION_SPLIT = re.compile(r"(?<=\?);?\s*(?:and\s+)?")


def participant_fields(text: str, passage_id: str) -> list[str]:
    """Return the fields a passage lists after "in the fields of" ('diplomacy', 'security', ...).

    Raises ValueError naming the passage when it lists none."""
    found = _FIELDS.search(text)
    if found is None:
        raise ValueError(f"passage {passage_id!r} names no 'fields of ...'")
    return [f.strip() for f in _LIST_SPLIT.split(found["fields"]) if f.strip()]


def key_questions(text: str, passage_id: str) -> pd.DataFrame:
    """Return the questions a passage lists after "questions:", verbatim: number, question, passage_id.

    Raises ValueError naming the passage when it lists none."""
    found = _QUESTIONS.search(text)
    if found is None:
        raise ValueError(f"passage {passage_id!r} lists no 'questions: ...?'")
    # each question is a slice of ``text``, so it is verbatim by construction
    questions = [q.strip() for q in _QUESTION_SPLIT.split(found["questions"]) if q.strip()]
    return pd.DataFrame({"number": range(1, len(questions) + 1), "question": questions, "passage_id": passage_id})
