"""`tongxin plan-rota FILE.json`: plan one-week duty turns in village teams (issue 6).

Reads (FILE, or standard input for `-`):

    {"start": "2027-01-04", "weeks": 13, "villages": ["东村", "西村"], "team_size": 3,
     "troubleshooters": 1, "avoid_home_village": true, "seed": 0,
     "volunteers": [{"id": "chen", "home": "东村", "unavailable": ["2027-01-11"],
                     "experienced": true}]}

`avoid_home_village` (false), `seed` (0: another number draws ties differently) and a volunteer's
`home`, `unavailable` and `experienced` are optional. Prints the plan as JSON:

    {"weeks": [{"start": "2027-01-04", "teams": {"东村": ["…", "…", "…"]},
                "troubleshooters": ["…"]}],
     "turns": {"chen": 4},
     "unfilled": [{"week": "2027-01-11", "role": "team", "village": "西村", "missing": 1},
                  {"week": "2027-01-11", "role": "troubleshooter", "missing": 1}]}

Exit status 0 when the rota was planned, gaps or not; 2, with one line naming the problem, when
the file is malformed or inconsistent.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.commands import bad_input, read_json_object
from tongxin.duty.rota import InputError, Plan, plan, read_input
from tongxin.duty.wording import problem_text


class Command(BaseCommand):
    help = (
        "Plan one-week duty turns for village teams and troubleshooters from a JSON file ('-' "
        "reads standard input) and print the rota as JSON. Seats nobody can take are listed "
        'under “unfilled”, each as {"week": "2027-01-11", "role": "team", "village": '
        '"…", "missing": 1} or {"week": "2027-01-11", "role": "troubleshooter", '
        '"missing": 1}. Exit status: 0 planned, 2 bad input.'
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", metavar="FILE.json", help="The rota to plan; '-' for standard input."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = read_json_object(options["file"], options.get("stdin") or sys.stdin, what=_("the rota to plan"))
        try:
            rota = plan(**read_input(data))
        except InputError as error:
            raise bad_input(problem_text(error.problem)) from None
        self.stdout.write(json.dumps(as_dict(rota), ensure_ascii=False, indent=2))


def as_dict(rota: Plan) -> dict[str, Any]:
    """The plan in the shape the command prints (issue 6)."""
    return {
        "weeks": [
            {
                "start": week.start.isoformat(),
                "teams": {village: list(team) for village, team in week.teams.items()},
                "troubleshooters": list(week.troubleshooters),
            }
            for week in rota.weeks
        ],
        "turns": dict(rota.turns),
        "unfilled": [
            {"week": gap.week.isoformat(), "role": gap.role}
            | ({} if gap.village is None else {"village": gap.village})
            | {"missing": gap.missing}
            for gap in rota.unfilled
        ],
    }


