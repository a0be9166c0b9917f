"""pmo-advisor assess ORG [--pmo NAME] [--sheet FILE ...] [--rater NAME --role ROLE] [--close] ...

An assessment cycle from the terminal: answer the questionnaire item by item (or import filled
answer sheets, YAML or CSV), see the combined profile, close the cycle to keep its diagnosis and
plan. Answers are saved after every section, so an interrupted session loses nothing it saved.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from advisor.errors import InputError
from advisor.questionnaire import DONT_KNOW, Item, load_questionnaire
from api.cli.history import add_database_argument, add_pmo_argument
from api.reports.history import render_cycle
from api.schemas.answers import to_json
from api.schemas.assessments import CycleSchema
from api.store import OPEN, NotFoundError, Store, open_store
from api.store.sheets import (
    EXAMPLE_ORGANIZATION,
    blank_sheet,
    load_example,
    read_cell,
    read_sheet,
)

NAME = "assess"
HELP = "run an assessment cycle: answer the questionnaire or import answer sheets, then close it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("organization", metavar="ORG", nargs="?",
                        help="the organization (created on first use)")
    add_pmo_argument(parser)
    parser.add_argument("--sheet", metavar="FILE", action="append", default=[],
                        help="import a filled answer sheet (YAML or CSV); repeatable")
    parser.add_argument("--rater", help="who answers (a sheet may name its rater)")
    parser.add_argument("--role", choices=load_questionnaire().roles, default=None,
                        help="the rater's role (default: the sheet's, else other)")
    parser.add_argument("--label", help="label of a new cycle, e.g. '2026 Q1'")
    parser.add_argument("--close", action="store_true",
                        help="close the cycle: combine, diagnose, plan and keep them")
    parser.add_argument("--example", action="store_true",
                        help=f"load the shipped example organization ({EXAMPLE_ORGANIZATION}: "
                             "three cycles, Crisis to Resurgence)")
    parser.add_argument("--items", action="store_true",
                        help="list the questionnaire's items (id, part, text) and exit")
    parser.add_argument("--blank-sheet", metavar="FILE",
                        help="write an empty answer sheet (.csv or .yaml) to fill in, and exit")
    parser.add_argument("--json", action="store_true", help="print the cycle as JSON")
    add_database_argument(parser)


def _open_cycle(store: Store, organization: str, label: str | None, pmo: str | None) -> int:
    """The PMO's open cycle, else a new one; the organization and the PMO are created on
    first use."""
    try:
        store.organization(organization)
    except NotFoundError:
        store.create_organization(organization)
        print(f"created organization {organization!r}", file=sys.stderr)
    if pmo is not None and pmo not in {p.name for p in store.pmos(organization)}:
        store.create_pmo(organization, pmo)
        print(f"created PMO {pmo!r} of {organization!r}", file=sys.stderr)
    cycles = store.cycles(organization, pmo)
    if cycles and cycles[-1].status == OPEN:
        return int(cycles[-1].number)
    number = int(store.create_cycle(organization, label, pmo).number)
    print(f"opened cycle {number}", file=sys.stderr)
    return number


def _ask(item: Item) -> Any:
    """One item in the terminal; Enter skips, '?' is don't know. Re-asks until valid."""
    q = load_questionnaire()
    if item.anchors:
        print("    " + "  ".join(f"{n}={a.split(':')[0]}" for n, a in enumerate(item.anchors, 1)))
    hint = {"scale": "1-5", "yes_no": "y/n", "number": "number", "text": "text",
            "trend": "rising/steady/falling",
            "choice": "/".join(item.choices[:4]) + ("..." if len(item.choices) > 4 else ""),
            "ranking": "numbers, e.g. 14;5"}
    while True:
        text = input(f"  {item.text} [{hint[item.kind]}, ?=don't know, Enter=skip] ").strip()
        if not text:
            return None
        if text == "?":
            text = DONT_KNOW
        value = read_cell(item.id, {"y": "yes", "n": "no"}.get(text.lower(), text))
        try:
            return q.check(item.id, value)
        except InputError as exc:
            print(f"  {exc}")


def _interactive(store: Store, organization: str, number: int, rater: str, role: str) -> None:
    q = load_questionnaire()
    parts = ("fact", "organization", "change", "indicator", "sign", "customer", "flywheel")
    for part in parts:
        if part == "customer" and role != "customer":
            continue
        print(f"\n== {part} ==")
        answers = {}
        ended = False
        for item in q.of_part(part):
            try:
                value = _ask(item)
            except EOFError:  # the end of the input: keep what this section has, then stop
                ended = True
                break
            if value is not None:
                answers[item.id] = value
        if answers:
            store.answer(organization, number, rater, answers, role=role)
            print(f"  saved {len(answers)} answer(s)")
        if ended:
            print("\nend of input: the answers above are saved; run again to go on")
            return


def run(args: argparse.Namespace) -> int:
    if args.items:
        for item in load_questionnaire().items:
            print(f"{item.id:<48} {item.part:<10} {item.text}")
        return 0
    if args.blank_sheet:
        kind = "csv" if args.blank_sheet.lower().endswith(".csv") else "yaml"
        Path(args.blank_sheet).write_text(blank_sheet(kind), encoding="utf-8")
        print(f"wrote an empty {kind.upper()} answer sheet to {args.blank_sheet}",
              file=sys.stderr)
        return 0
    store = open_store(args.database)
    if args.example:
        organization = load_example(store)
        print(f"example organization {organization.name!r} is in {store.url}; see "
              f"`pmo-advisor history \"{organization.name}\"`")
        return 0
    if not args.organization:
        raise InputError("name the organization (or use --example or --items)", "ORG")
    number = _open_cycle(store, args.organization, args.label, args.pmo)
    for path in args.sheet:
        sheet = read_sheet(path)
        rater = args.rater or sheet.rater
        if not rater:
            raise InputError(f"{path} names no rater; give --rater", "rater")
        store.answer(args.organization, number, rater, sheet.answers,
                     role=args.role or sheet.role or "other")
        print(f"imported {len(sheet.answers)} answer(s) of {rater} from {path}", file=sys.stderr)
    if not args.sheet and not args.close:
        if not args.rater:
            raise InputError("give --rater NAME to answer in the terminal (or --sheet FILE)",
                             "rater")
        _interactive(store, args.organization, number, args.rater, args.role or "other")
    cycle = (store.close_cycle(args.organization, number) if args.close
             else store.cycle(args.organization, number))
    print(json.dumps(to_json(cycle, CycleSchema), indent=2) if args.json
          else render_cycle(cycle))
    return 0
