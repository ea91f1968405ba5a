"""The ``pmkit`` console script and ``python -m pmkit``, before the CLI is imported.

Importing the CLI takes a tenth of a second; a Ctrl-C in that time raised
KeyboardInterrupt out of an import, with a traceback. ``cli.run`` handles
Ctrl-C from its first line on (exit 130, children stopped); this covers the
import before it, so a stopped command never prints a traceback.
"""

from __future__ import annotations

import sys

#: 128 + SIGINT, as a shell reports a command stopped with Ctrl-C
EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from pmkit.app.cli import run

        run()  # (which takes Ctrl-C over once its handler is set)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
