"""The CLI's one error boundary: every failure leaves ``ilab`` as one line and an exit code.

- An :class:`~instructlab.errors.InstructLabError` prints its message and exits with its code; a
  :class:`~instructlab.errors.UsageError` about an SDK argument names the option that sets it.
- An ``OSError`` naming a file becomes a :class:`~instructlab.errors.FileError` (exit 1).
- Ctrl-C exits 130; SIGTERM/SIGHUP exit 128 + the signal, after the same clean-up.
- Anything else is a bug: one line says so and names the log file holding the traceback (``-v``
  prints it too), so a user never has to read one to know what happened.
"""

from __future__ import annotations

import datetime
import signal
import sys
import tempfile
import traceback
from pathlib import Path

import click

from instructlab.errors import FileError, InstructLabError, UsageError, file_error
from instructlab.system.jobs.children import Terminated, stopped_by

__all__ = ["REPORT_URL", "exit_code_for"]

#: Where bugs are reported.
REPORT_URL = "https://github.com/instructlab/instructlab/issues"
#: The exit code of a bug (the failure exit code: nothing was done as asked).
BUG_EXIT = 1


def _option_for(command: click.Command | None, param: str) -> str | None:
    """How the command's user sets the SDK argument ``param`` (``--num-perm``), if it does."""
    if command is None:
        return None
    for candidate in command.params:
        if candidate.name == param:
            if isinstance(candidate, click.Option):
                longest = max(candidate.opts, key=len)
                return longest
            return candidate.human_readable_name
    return None


def leaf_command(root: click.Command, args: list[str]) -> click.Command | None:
    """The subcommand ``args`` (the words after the root's options) runs."""
    command: click.Command | None = root
    for word in args:
        if not isinstance(command, click.Group):
            break
        found = command.commands.get(word)
        if found is None:
            break
        command = found
    return None if command is root else command


def _usage_message(exc: UsageError, command: click.Command | None) -> str:
    if exc.param is None:
        return exc.message
    option = _option_for(command, exc.param)
    if option is None:
        return exc.message
    detail = exc.message
    prefix = f"{exc.param}: "
    if detail.startswith(prefix):
        detail = detail[len(prefix) :]
    return f"{option}: {detail}"


def _bug_log(error: BaseException) -> Path | None:
    """Writes the traceback to a log file (the data folder's ``logs``, else the temp folder)."""
    from instructlab.config import paths

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "".join(traceback.format_exception(error))
    argv = " ".join(sys.argv)
    for folder in (paths.data_dir() / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"ilab-bug-{stamp}.log"
            log.write_text(f"command: {argv}\n\n{text}", encoding="utf-8")
        except OSError:
            continue
        return log
    return None


def _say(message: str) -> None:
    click.secho(f"Error: {message}", fg="red", err=True)


def exit_code_for(error: BaseException, command: click.Command | None, verbose: int) -> int:
    """Prints what ``error`` means for the user (one line) and returns the exit code."""
    signum = error.signum if isinstance(error, Terminated) else stopped_by()
    if isinstance(error, KeyboardInterrupt) and signum is not None:
        click.echo(f"Stopped ({signal.Signals(signum).name}).", err=True)
        return 128 + signum
    if isinstance(error, KeyboardInterrupt):
        click.echo("Interrupted.", err=True)
        return 130
    if isinstance(error, BrokenPipeError):
        return 141  # the reader went away (`ilab ... | head`): nothing left to say to it
    if isinstance(error, UsageError):
        _say(_usage_message(error, command))
        return error.exit_code
    if isinstance(error, InstructLabError):
        _say(error.message)
        return error.exit_code
    if isinstance(error, OSError) and error.filename is not None:
        mapped: FileError = file_error(error.filename, error)
        _say(mapped.message)
        return mapped.exit_code
    if isinstance(error, MemoryError):
        _say("out of memory; try smaller inputs or settings")
        return 1
    log = _bug_log(error)
    if verbose:
        traceback.print_exception(error, file=sys.stderr)
    where = f"the traceback is in {log}" if log else "the traceback could not be saved"
    said = (str(error).splitlines() or [""])[0][:200]
    _say(
        f"this is a bug in ilab ({type(error).__name__}: {said}); {where}. Please report it at "
        f"{REPORT_URL} with that file (run again with -v to see it here)."
    )
    return BUG_EXIT
