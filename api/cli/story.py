"""pmo-advisor story [NAME] [--plot out.png] [--json]: a narrated, seeded single run."""

from __future__ import annotations

import argparse
import json

from api.cli.simulate import check_plot, write_plot
from api.schemas.answers import to_json
from api.service import stories, tell_story

NAME = "story"
HELP = "tell a story for trainers: a scripted, seeded run as a narrated timeline"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="a story (default: list the stories)")
    parser.add_argument("--json", action="store_true", help="print the story as JSON")
    parser.add_argument("--plot", metavar="PNG", help="write the story's chart to this PNG")


def run(args: argparse.Namespace) -> int:
    if args.name is None:
        listing = stories()
        if args.json:
            print(json.dumps([to_json(story) for story in listing], indent=2))
        else:
            for story in listing:
                print(f"{story.id:<24} {story.title}")
            print("\npmo-advisor story NAME tells one.")
        return 0
    from api.reports.simulation import render_story
    check_plot(args.plot)
    result = tell_story(args.name)
    print(json.dumps(to_json(result), indent=2) if args.json else render_story(result))
    write_plot(result, args.plot)
    return 0
