"""The `podkit` command's entry point (the console script and `python -m toolkit`).

A plain `podkit tag` is run here without importing click: starting Python and importing
click are most of what re-tagging a file in place costs. Anything else (help, another
command, an option this parser does not know, a usage error) goes to the click CLI in
`toolkit.cli`, the one source of help and usage messages."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from toolkit import logs

# logging's levels, which a re-tag that logs nothing does not import logging to read
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
_LEVELS = {"-q": ERROR, "--quiet": ERROR, "-v": DEBUG, "--verbose": DEBUG}


class TagCall(NamedTuple):
    mp3s: list[Path]
    episode_dir: Path
    id3_version: int
    level: int


def plain_tag(args: list[str]) -> TagCall | None:
    """The `tag` command these arguments make, when they are a well-formed one in the forms
    this parser knows; None for anything else, which click then parses."""
    if not args or args[0] != "tag":
        return None
    mp3s: list[Path] = []
    episode: str | None = None
    version, level = 3, INFO
    rest = iter(args[1:])
    for arg in rest:
        if arg in _LEVELS:
            level = _LEVELS[arg]  # the last of -q and -v wins, as in click
        elif arg == "--id3v2.4":
            version = 4
        elif arg == "--episode" or arg.startswith("--episode="):
            value = arg.partition("=")[2] if "=" in arg else next(rest, None)
            if episode is not None or not value or value.startswith("-"):
                return None  # given twice, or no folder after it: click says what it makes of it
            episode = value
        elif arg and not arg.startswith("-"):
            mp3s.append(Path(arg))
        else:
            return None
    if episode is None or not mp3s:
        return None
    return TagCall(mp3s, Path(episode), version, level)


def _printed(message: str, level: int) -> None:
    """A line of the library's log as `toolkit.cli` prints it: the bare message, problems
    and warnings on stderr, the rest on stdout."""
    print(message, file=sys.stderr if level >= WARNING else sys.stdout, flush=True)


def _log_to_print(level: int) -> Callable[[], None]:
    """What sets up the "toolkit" logger as `toolkit.cli` does, when it is first used."""

    def configure() -> None:
        import logging

        class Print(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                _printed(record.getMessage(), record.levelno)

        log = logging.getLogger("toolkit")
        log.addHandler(Print())
        log.propagate = False
        log.setLevel(level)

    return configure


def run_tag(call: TagCall) -> int:
    """Run `podkit tag` as the click CLI does: the same log, the same one line per problem on
    stderr and exit status 1."""
    # Importing the loader and the model makes many objects that live as long as the process
    # and no cyclic garbage: the collector would scan them again and again for nothing.
    gc.disable()
    from toolkit.errors import ToolkitError
    from toolkit.one_episode import tag_episode_files

    gc.freeze()  # what is imported stays out of every later collection
    gc.enable()
    logs.before_first_use(_log_to_print(call.level))
    try:
        summary = tag_episode_files(call.mp3s, call.episode_dir, call.id3_version).summary()
        if call.level <= INFO:
            _printed(summary, INFO)
    except ToolkitError as error:
        print(error.message, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr, flush=True)
        return 1
    except BrokenPipeError:  # the reader of stdout is gone: exit quietly, as click does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def main() -> None:
    # Python's last garbage collection, as it exits, walks what a command kept alive to the
    # end (after a build of thousands of episodes, most of a second) only to free memory the
    # process is about to give back: run last (handlers run last registered first), this
    # takes those objects out of it. Objects are still freed and files closed as usual.
    import atexit

    atexit.register(gc.freeze)
    call = plain_tag(sys.argv[1:])
    if call is None:
        from toolkit.cli import main as click_main

        click_main()
    else:
        sys.exit(run_tag(call))


if __name__ == "__main__":  # not when a spawned process imports it again
    main()
