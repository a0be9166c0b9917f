"""A cycle as a spreadsheet: CSV (every answer, one per row) and XLSX (answers, the combined
profile with spreads and disagreements, the flywheel self-check), for PMO leads who report in
Excel. Built from the store's cycle dict, so the export shows what the API shows."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from advisor.questionnaire import load_questionnaire
from api.store.records import CycleRecord

__all__ = ["ANSWER_COLUMNS", "answer_rows", "cycle_csv", "cycle_xlsx"]

ANSWER_COLUMNS = ("rater", "role", "item", "part", "target", "value")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def answer_rows(cycle: CycleRecord) -> list[tuple[str, ...]]:
    """One row per answer; the value as a CSV answer sheet writes it (reads back the same)."""
    items = load_questionnaire().by_id
    rows: list[tuple[str, ...]] = []
    for rater in cycle.raters:
        for item_id, value in rater["answers"].items():
            item = items.get(item_id)
            rows.append((rater["name"], rater["role"], item_id, item.part if item else "",
                         item.target if item else "", _text(value)))
    return rows


def cycle_csv(cycle: CycleRecord) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ANSWER_COLUMNS)
    writer.writerows(answer_rows(cycle))
    return out.getvalue()


def cycle_xlsx(cycle: CycleRecord, organization: str) -> bytes:
    book = Workbook()
    profile = book.active
    profile.title = "Profile"
    combined = cycle.combined or {"indicators": {}, "flywheel": {}, "trends": {}}
    profile.append([f"{organization}, cycle {cycle.number}", cycle.label or "",
                    cycle.status, cycle.scenario or ""])
    header = ["indicator", "mean", "spread", "raters", "answers", "dont_know", "coverage",
              "disagreement", "trend"]
    profile.append(header)
    for indicator, s in combined["indicators"].items():
        profile.append([indicator, s["mean"], s["spread"], s["raters"], s["answers"],
                        s["dont_know"], s["coverage"], "yes" if s["disagreement"] else "no",
                        combined.get("trends", {}).get(indicator, "")])
    answers = book.create_sheet("Answers")
    answers.append(list(ANSWER_COLUMNS))
    for row in answer_rows(cycle):
        answers.append(list(row))
    flywheel = book.create_sheet("Flywheel")
    flywheel.append(["step", "score", "band", "raters"])
    for step, s in combined.get("flywheel", {}).items():
        flywheel.append([step, s["score"], s["band"] or "", s["raters"]])
    for sheet, header_row in ((profile, 2), (answers, 1), (flywheel, 1)):
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
