"""Checking an ``--out`` before a command does any work: a file where a folder is
wanted (or the reverse), a path through a file, or a place nothing can be written is
refused in words (exit 2), and nothing is left behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import typer

from greenfolio.interfaces.cli.common import FILE_REASONS, ExitCode, err, escape


def _nearest_existing(path: Path) -> Path:
    """``path`` itself if it exists, else the nearest folder above it that does (or a
    file standing where a folder is needed)."""
    found = path.absolute()
    while not found.exists() and found != found.parent:
        found = found.parent
    return found


def _writable(folder: Path) -> str | None:
    """None if a file can be made in ``folder`` (tried, then removed), else why not."""
    import tempfile

    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".greenfolio-", suffix=".probe")
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT):
            return FILE_REASONS[exc.errno]
        return "it does not take new files"
    os.close(handle)
    os.unlink(name)
    return None


def _refuse_out(text: str) -> None:
    err.print(f"[bold red]error:[/] {escape(text)}", highlight=False)
    raise typer.Exit(ExitCode.INVALID)


def out_file(path: Path, example: str) -> None:
    """Refuse (exit 2, nothing written) an ``--out`` that cannot take the file a command
    is about to write, before it does any work: a folder (``example`` is the name to
    suggest in it), a path through a file, or a place no file can be made. Folders on
    the way that do not exist yet are made by the command, as before."""
    if path.is_dir():
        _refuse_out(
            f"--out {path} is a folder; give a file name such as --out {Path(path) / example}."
        )
    if path.exists() and not os.access(path, os.W_OK):
        _refuse_out(f"--out {path} is read-only: give another file name, or make it writable.")
    where = _nearest_existing(path.parent)
    if not where.is_dir():
        _refuse_out(
            f"--out {path} goes through {where}, which is a file, not a folder: give a "
            f"file in a folder, such as --out {example}."
        )
    why = _writable(where)
    if why is not None:
        _refuse_out(
            f"cannot write --out {path}: no file can be made in {where} ({why}); give a "
            f"place you can write to, such as --out {example}."
        )


def out_folder(path: Path, example: str = "out") -> None:
    """Refuse (exit 2, nothing written) an ``--out`` that cannot be the folder a command
    writes its files into, before it does any work: a file, a path through a file, or a
    place no folder can be made. A folder that does not exist yet is made by the
    command, as before."""
    if path.exists() and not path.is_dir():
        _refuse_out(
            f"--out {path} is a file; --out takes the folder to write into (made if "
            f"missing), such as --out {example}."
        )
    where = _nearest_existing(path)
    if not where.is_dir():
        _refuse_out(
            f"--out {path} goes through {where}, which is a file, not a folder: give a "
            f"folder, such as --out {example}."
        )
    why = _writable(where)
    if why is not None:
        _refuse_out(
            f"cannot write into --out {path}: nothing can be made in {where} ({why}); give "
            f"a folder you can write to, such as --out {example}."
        )
