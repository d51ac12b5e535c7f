"""Command-line front end: ``migspec COMMAND ...``.

Each command lives in its own module here with ``add_parser(subparsers)`` and
``run(args) -> int``.  Modules are imported only when their command runs, so
``migspec lint`` never pays for Sphinx, Jinja2, tree-sitter or Graphviz.  The
commands that read a spec run it through :mod:`migspec.pipeline` and only
present what it returns.  The exit statuses, one contract for every command,
are :data:`EXIT_STATUSES` (``migspec --help`` prints them).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__

# (command, module, one-line help): the help is here so that building the
# parser does not import every command module.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("lint", "lint", "check a spec (or trace-events files) and report diagnostics"),
    ("show", "show", "print a summary of the machine a spec describes"),
    ("table", "table", "print the next-step table of combination transitions"),
    ("path", "path", "print the states a requested transition passes through"),
    ("render", "render", "print one generated artefact (rst flow, C, trace-events, DOT, SVG)"),
    ("generate", "generate", "write every generated artefact and an index.html into a directory"),
    ("check", "check", "check a source tree (QEMU, kernel) against the spec"),
    ("diff", "compare", "compare two versions of a spec: flows, next steps, C (text, JSON, HTML)"),
    ("update", "update", "rewrite a source tree's generated regions (--check, --diff, --write)"),
    ("import", "import_spec", "bootstrap a spec from a source tree (enum, C, trace, rst)"),
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command Ctrl-C stopped

EXIT_STATUSES = f"""\
exit status (every command):
  {EXIT_OK}    clean: nothing at or above --fail-on
  {EXIT_FINDINGS}    findings at or above --fail-on; a spec that lint rejects; for
       'update --check', files would change; for 'diff', the specs differ
  {EXIT_USAGE}    usage error, input that cannot be read, output that cannot be written
  {EXIT_INTERNAL}    internal error (a bug in migspec: the traceback is printed; please report it)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
A closed standard output (migspec ... | head) ends migspec quietly, status 2.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, str | None]:
    parser = _Parser(
        prog="migspec",
        description="Documentation-as-code for device state machines.",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"migspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    # A known command needs only its own parser; the others are listed (as
    # stubs) only for the top-level help and the "invalid choice" message.
    known = any(name == chosen for name, _, _ in COMMANDS)
    for name, module, help_text in COMMANDS:
        if name == chosen:
            mod = importlib.import_module(f"{__name__}.{module}")
            mod.add_parser(sub, name, help_text)
        elif not known:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser, chosen


def entry() -> NoReturn:
    """The ``migspec`` command: :func:`main`, then leave at once.

    What a command built (a model, thousands of parsed events) is about to
    be thrown away; freeing it object by object at interpreter exit takes
    longer than some commands' work.  So, once the output is flushed, the
    process ends without that clean-up, as mypy's does.  migspec registers no
    exit handlers, and every file it writes is closed before ``main`` returns.

    This is the process's boundary, so every way out of ``main`` ends here
    with its status from the contract: Ctrl-C, and any exception a command
    did not expect (a migspec bug: bad input is a diagnostic, never an
    exception).
    """
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # as the interpreter would: the message, and status 1
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    except KeyboardInterrupt:
        sys.stderr.write("migspec: interrupted\n")
        code = EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the boundary: whatever a command did not expect
        code = _internal_error(exc)
    os._exit(_flushed(code))


def _internal_error(exc: Exception) -> int:
    """Say that migspec failed, with the traceback a report needs."""
    import traceback

    sys.stderr.write("migspec: internal error, please report it\n")
    traceback.print_exception(exc, file=sys.stderr)
    return EXIT_INTERNAL


def _flushed(code: int) -> int:
    """Flush standard output and error; the exit status if that fails.

    A reader that went away (``migspec ... | head``) means the output was
    not all delivered: status 2, quietly (no message, no traceback).  Any
    other failure to write (a full disk) is status 2 with one line.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            _silence(stream)
            code = EXIT_USAGE if code in (EXIT_OK, EXIT_FINDINGS) else code
            continue
        except OSError as exc:
            try:
                sys.stderr.write(f"migspec: cannot write the output: {exc.strerror or exc}\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            code = code or EXIT_USAGE
    return code


def _silence(stream: object) -> None:
    """Point a stream whose reader went away at /dev/null: whatever is still
    buffered in it is dropped there instead of failing again at exit."""
    fileno = getattr(stream, "fileno", None)
    if fileno is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    # A command is short-lived and what it allocates (parsed files, models,
    # diagnostics) lives until it ends, so the cycle collector, which walks
    # every new container again and again as it ages, finds nothing to free:
    # it is off while a command runs.  The little cyclic garbage a command
    # leaves (docutils trees, Jinja2 frames) goes with the process; peak
    # memory is measured in docs/performance.rst.  (Restored after, for
    # callers that run commands in-process.)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        if enabled:
            gc.enable()


def _main(args_list: list[str]) -> int:
    parser, chosen = build_parser(args_list)
    if not args_list or chosen is None:
        args = parser.parse_args(args_list)
        parser.print_help()
        return EXIT_USAGE
    args = parser.parse_args(args_list)
    module = next(m for n, m, _ in COMMANDS if n == args.command)
    mod = importlib.import_module(f"{__name__}.{module}")
    try:
        code: int = mod.run(args)
    except BrokenPipeError:
        # `migspec ... | head`: the output was not all delivered, which is
        # status 2 (as any output that cannot be written), but the reader
        # went away on purpose, so nothing is said about it.
        _silence(sys.stdout)
        return EXIT_USAGE
    except OSError as exc:
        # Readers report unreadable input as diagnostics; what is left is the
        # system refusing to take the output (a full disk, a closed terminal).
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"migspec: error: {exc.strerror or exc}{where}\n")
        return EXIT_USAGE
    return code
