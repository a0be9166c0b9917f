"""``simulate`` and ``compare`` from an organization's memory: ``--org NAME`` (with ``--pmo`` and
``--cycle``) starts from a closed cycle's profile instead of ``--profile`` (and ``plan`` means the
plan kept with that cycle when it closed, not one recomputed by today's rules), and the runs are
kept with that cycle in ``simulation_runs``, as ``POST .../assessments/{n}/simulations`` keeps
them; ``pmo-advisor history ORG`` lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from advisor.assessment import parse_profile
from advisor.errors import InputError
from advisor.sections import services_of
from api.cli.arguments import whole
from api.cli.history import add_database_argument
from api.store import Store, open_store, run_record
from simulation.plan import strategy_document_from_plan
from simulation.spec import PLAN

__all__ = ["add_memory_options", "Source", "source_of", "remember"]


@dataclass(frozen=True)
class Source:
    """Where a simulation's profile comes from: a file or preset, or a stored cycle."""

    profile: Any  # a path or preset name (str), or a stored cycle's profile document
    store: Store | None = None
    organization: str | None = None
    cycle: int | None = None
    plan: Any = None  # the advice kept with the cycle (its JSON, with ``plan.waves``)

    def strategy(self, name: str) -> Any:
        """A strategy as given, except ``plan`` from a stored cycle: the plan kept with it."""
        if name != PLAN or self.plan is None:
            return name
        return strategy_document_from_plan(
            self.plan, name=f"the plan kept with cycle {self.cycle}",
            current=services_of(parse_profile(self.profile)))


def add_memory_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", metavar="ORG",
                        help="start from this organization's latest closed cycle (instead of "
                             "--profile) and keep the run with it")
    parser.add_argument("--pmo", metavar="NAME",
                        help="with --org: the PMO (default: the organization's default PMO)")
    parser.add_argument("--cycle", type=whole, metavar="N",
                        help="with --org: this closed cycle instead of the latest")
    add_database_argument(parser)


def source_of(args: argparse.Namespace) -> Source:
    """``--profile`` or ``--org`` (exactly one); a cycle must be closed to be simulated."""
    if (args.profile is None) == (args.org is None):
        raise InputError("give --profile FILE_OR_PRESET or --org ORG (one of them)", "profile")
    if args.org is None:
        if args.pmo is not None or args.cycle is not None:
            raise InputError("--pmo and --cycle go with --org", "org")
        return Source(args.profile)
    store = open_store(args.database)
    if args.cycle is None:
        number = store.latest_closed(args.org, args.pmo)
    else:
        number = args.cycle
        if args.pmo is not None:
            store.cycle(args.org, number, pmo=args.pmo)  # not found unless it is that PMO's
    profile = store.closed_profile(args.org, number)
    print(f"from {args.org!r}, cycle {number}", file=sys.stderr)
    return Source(profile, store, args.org, number, store.cycle(args.org, number).plan)


def remember(source: Source, results: Iterable[Any]) -> None:
    """Keep each experiment with the cycle it started from (nothing for a file or preset)."""
    if source.store is None or source.organization is None or source.cycle is None:
        return
    for result in results:
        seed, summary = run_record(result)
        source.store.add_simulation_run(source.organization, source.cycle,
                                        result.spec.strategy.id, seed, summary)
        print(f"kept the {result.spec.strategy.id} run with cycle {source.cycle}",
              file=sys.stderr)
