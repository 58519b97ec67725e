"""The `key=value` command lines of the package's tools (predict, export, widen, soup).

They take Hydra's override syntax without composing a config or making a run dir, so that `predict` can
write its readings to stdout; `--help` prints the tool's docstring, and bad input is one line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def parse_key_values(
    argv: Sequence[str], defaults: dict[str, str | None], usage: str, help_text: str
) -> dict[str, str | None]:
    """`key=value` arguments over `defaults`. `-h`/`--help` prints `help_text` and exits 0; an unknown key
    or form exits with one line naming it."""
    if any(argument in ("-h", "--help") for argument in argv):
        print(help_text.strip())
        sys.exit(0)
    values = dict(defaults)
    for argument in argv:
        key, equals, value = argument.partition("=")
        if not equals or key not in defaults:
            sys.exit(f"error: unexpected argument {argument!r}; usage: {usage}")
        values[key] = value
    return values


@contextmanager
def one_line_errors(*errors: type[BaseException]) -> Iterator[None]:
    """Exit with `error: <message>` on stderr and status 1 when one of `errors` (bad input) is raised."""
    try:
        yield
    except errors as error:
        sys.exit(f"error: {error}")
