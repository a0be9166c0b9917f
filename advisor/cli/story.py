"""pmo-advisor story [NAME] [--plot out.png] [--json]: a narrated, seeded single run."""

from __future__ import annotations

import argparse
import json

from advisor.cli.simulate import check_plot, write_plot
from simulation import list_stories, run_story

NAME = "story"
HELP = "tell a story for trainers: a scripted, seeded run as a narrated timeline"
ORDER = 22


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="a story (default: list the stories)")
    parser.add_argument("--json", action="store_true", help="print the story as JSON")
    parser.add_argument("--plot", metavar="PNG", help="write the story's chart to this PNG")


def run(args: argparse.Namespace) -> int:
    if args.name is None:
        stories = list_stories()
        if args.json:
            print(json.dumps(stories, indent=2))
        else:
            for story in stories:
                print(f"{story['id']:<24} {story['title']}")
            print("\npmo-advisor story NAME tells one.")
        return 0
    from simulation.reporting import render_story
    check_plot(args.plot)
    result = run_story(args.name)
    print(json.dumps(result.to_dict(), indent=2) if args.json else render_story(result))
    write_plot(result, args.plot)
    return 0
