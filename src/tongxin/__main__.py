"""The `tongxin` console command: every Django management command, under one name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxin.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `tongxin check-composition` reads better than `check_composition`; both work.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["tongxin", *args])


if __name__ == "__main__":
    main()
