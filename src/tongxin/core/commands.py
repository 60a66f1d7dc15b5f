"""What commands that read a JSON file share: reading it (a path, or `-` for standard input) and
refusing bad input with one translated line and exit status 2, never a traceback."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

BAD_INPUT = 2


def bad_input(message: str) -> CommandError:
    # One line whatever the input held: a name with a line break must not forge a second one.
    return CommandError(" ".join(message.split()), returncode=BAD_INPUT)


def read_json_object(path: str, stdin: Any, *, what: str) -> dict[str, Any]:
    """The JSON object in the file (or standard input for "-"); `what` names it in the error
    when the file holds something else ("The file must hold one JSON object, <what>.")."""
    name = _("standard input") if path == "-" else path
    try:
        if path == "-":
            text = stdin.read()
        else:
            with open(path, encoding="utf-8") as file:
                text = file.read()
    except OSError as error:
        raise bad_input(_("Cannot read %(file)s: %(error)s") % {"file": name, "error": error.strerror}) from None
    except UnicodeDecodeError:
        raise bad_input(_("%(file)s is not UTF-8 text.") % {"file": name}) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise bad_input(
            _("%(file)s is not valid JSON (line %(line)d, column %(column)d).")
            % {"file": name, "line": error.lineno, "column": error.colno}
        ) from None
    except RecursionError:  # a file nested thousands deep
        raise bad_input(_("%(file)s is nested too deeply.") % {"file": name}) from None
    if not isinstance(data, dict):
        raise bad_input(_("The file must hold one JSON object, %(what)s.") % {"what": what})
    return data
