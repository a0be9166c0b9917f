"""Answer sheets (one rater's filled questionnaire, YAML or CSV) and the shipped example
organization (``scenarios/assessments``), read into the store.

A YAML sheet is ``{rater: ..., role: ..., answers: {item id: value}}``. A CSV sheet has a header
``item,value`` (optionally ``rater,role`` columns too, the same on every row): spreadsheets give
text, so values are read by the item's kind (``3``, ``true``/``yes``, ``dont_know``, a ranking as
``14;5;12``). Either way the questionnaire checks every value before anything is stored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scenarios
from advisor.assessment import read_document
from advisor.documents import read_bytes
from advisor.errors import InputError
from advisor.questionnaire import DONT_KNOW, load_questionnaire
from api.store.records import OrganizationRecord
from api.store.store import NotFoundError, Store

__all__ = ["Sheet", "read_sheet", "read_cell", "blank_sheet", "parse_csv_sheet", "examples",
           "load_example", "EXAMPLE_ORGANIZATION"]

EXAMPLE_ORGANIZATION = "northwind-freight"
MAX_SHEET_BYTES = 1_000_000


@dataclass(frozen=True)
class Sheet:
    rater: str | None
    role: str | None
    answers: dict[str, Any]


def read_sheet(path: str | Path) -> Sheet:
    """One answer sheet from a ``.yaml``/``.yml``/``.json`` or ``.csv`` file."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        raw = read_bytes(path, "sheet", max_bytes=MAX_SHEET_BYTES)  # any file kind, capped
        try:
            return parse_csv_sheet(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise InputError(f"{path} is not valid UTF-8", "sheet") from None
    document = read_document(path, "sheet")
    if not isinstance(document, dict) or not isinstance(document.get("answers"), dict):
        raise InputError("an answer sheet is a mapping with 'answers: {item id: value}' "
                         "(and optionally 'rater' and 'role')", "sheet")
    return Sheet(rater=document.get("rater"), role=document.get("role"),
                 answers=dict(document["answers"]))


def read_cell(item_id: str, text: str) -> Any:
    """A spreadsheet cell as the value the item's kind expects (the questionnaire then checks
    it; what cannot be read stays text, so the error names the item and the value)."""
    q = load_questionnaire()
    item = q.by_id.get(item_id)
    text = text.strip()
    if item is None or text == DONT_KNOW:
        return text
    if item.kind == "yes_no":
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.lower(), text)
    if item.kind in ("scale", "number"):
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number == int(number) and item.kind == "scale" else number
    if item.kind == "ranking":
        return [int(p) if p.strip().isdigit() else p.strip() for p in text.split(";") if p.strip()]
    return text


def parse_csv_sheet(text: str) -> Sheet:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"item", "value"} <= set(rows[0]):
        raise InputError("a CSV answer sheet needs a header with 'item' and 'value' columns "
                         "(and optionally 'rater' and 'role')", "sheet")
    answers: dict[str, Any] = {}
    for number, row in enumerate(rows, start=2):
        item = (row.get("item") or "").strip()
        if not item or (row.get("value") or "").strip() == "":
            continue  # a blank row or an unanswered item
        if item in answers:
            raise InputError(f"line {number}: item {item!r} is answered twice", "sheet")
        answers[item] = read_cell(item, row["value"] or "")
    raters = {(row.get("rater") or "").strip() for row in rows} - {""}
    roles = {(row.get("role") or "").strip() for row in rows} - {""}
    if len(raters) > 1 or len(roles) > 1:
        raise InputError("a CSV answer sheet holds one rater's answers (one rater and role)",
                         "sheet")
    return Sheet(rater=next(iter(raters), None), role=next(iter(roles), None), answers=answers)


def blank_sheet(kind: str = "csv") -> str:
    """An empty answer sheet of every item, to fill in a spreadsheet or an editor and import
    with ``pmo-advisor assess ORG --sheet FILE``: CSV (``item,value,question`` rows) or YAML
    (every item commented out, its question above it)."""
    q = load_questionnaire()
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rater", "role", "item", "value", "question"])
        for item in q.items:
            writer.writerow(["", "", item.id, "", item.text])
        return out.getvalue()
    lines = [f"# pmo-advisor answer sheet, questionnaire {q.version}. Uncomment and answer the",
             "# items you can judge: 1-5 (see each scale), true/false, a number, or dont_know.",
             "rater: ''", f"role: other   # {', '.join(q.roles)}", "answers:"]
    for item in q.items:
        lines.append(f"  # {item.text}")
        if item.anchors:
            lines.append("  #   " + "; ".join(f"{n} {a.split(':')[0]}"
                                              for n, a in enumerate(item.anchors, 1)))
        lines.append(f"  # {item.id}: ")
    return "\n".join(lines) + "\n"


def examples() -> dict[str, Path]:
    """The shipped example organizations, by id."""
    return scenarios.documents("assessments")


def load_example(store: Store, example: str = EXAMPLE_ORGANIZATION) -> OrganizationRecord:
    """Put a shipped example organization, with every cycle answered and closed, into the
    store; an organization of that name already there is left as it is."""
    if example not in examples():
        raise InputError(f"no example {example!r}; allowed: {', '.join(examples())}", "example")
    document = read_document(examples()[example], "example")
    name = document["organization"]
    try:
        return store.organization(name)
    except NotFoundError:
        pass
    organization = store.create_organization(name, document.get("pmo_name"))
    for number, cycle in enumerate(document["cycles"], start=1):
        store.create_cycle(name, cycle.get("label"))
        for sheet in cycle["sheets"]:
            store.answer(name, number, sheet["rater"], sheet["answers"], role=sheet["role"])
        store.close_cycle(name, number)
    return organization
