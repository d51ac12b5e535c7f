"""A content-keyed cache of what migspec found in an input, kept between runs.

Inputs: the file a result was computed from, the options that change the
result, and the result as plain data (JSON).  Outputs: that result on a later
run with the same inputs, or ``None``.  As mypy and Sphinx keep their work
between runs, ``migspec lint`` keeps what it found in a spec, so a run on an
unchanged spec does not load, validate and lint it again (nor import the
stages that would).

An entry is found by a *slot* (a digest of the file's path, as given and
absolute, and the options)
and is valid only for its *key*, a digest of everything the result depends on:
the slot, the file's bytes, and migspec itself (the path, size and
modification time of every file in the package).  So an edited input, other
options or another migspec never read an entry written for different ones,
and each slot holds one entry, replaced when its key changes.

Entries are small JSON files in ``$MIGSPEC_CACHE_DIR``, else
``$XDG_CACHE_HOME/migspec``, else ``~/.cache/migspec``; an empty
``MIGSPEC_CACHE_DIR`` turns the cache off.  A cache that cannot be read or
written costs only the time it would have saved.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any

_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))
_FORMAT = 1  # bumped when the layout of an entry changes


def cache_dir() -> str | None:
    """Where entries live, or ``None`` when caching is off."""
    chosen = os.environ.get("MIGSPEC_CACHE_DIR")
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "migspec")


class Entry:
    """The cache entry for one input and options, as the input's bytes are now."""

    __slots__ = ("file", "key")

    def __init__(self, file: str, key: str) -> None:
        self.file = file  # where the entry is kept
        self.key = key  # what it must have been written for


def find(path: str, options: Iterable[str]) -> Entry | None:
    """The entry for ``path`` and ``options``; ``None`` if caching is off or
    the input cannot be read (the run reports that itself)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return None
    slot = hashlib.sha256(
        "\0".join([str(_FORMAT), path, os.path.abspath(path), *options]).encode("utf-8", "replace")
    ).hexdigest()
    key = hashlib.sha256()
    key.update(slot.encode())
    key.update(hashlib.sha256(data).digest())
    key.update(_code_identity().encode())
    return Entry(os.path.join(folder, slot[:32] + ".json"), key.hexdigest())


def read(entry: Entry) -> Any | None:
    """The value kept in ``entry``, or ``None``."""
    try:
        with open(entry.file, encoding="utf-8") as fh:
            kept = json.load(fh)
    except (OSError, ValueError):  # no entry yet, or one cut short or damaged
        return None
    if not isinstance(kept, dict) or kept.get("key") != entry.key:
        return None
    return kept.get("value")


def write(entry: Entry, path: str, options: Iterable[str], value: Any) -> None:
    """Keep ``value`` in ``entry``, if the input is still as it was when the
    entry was found (else ``value`` may describe other bytes than the key)."""
    now = find(path, options)
    if now is None or now.key != entry.key:
        return
    temporary = f"{entry.file}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(entry.file), exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as fh:
            json.dump({"key": entry.key, "value": value}, fh)
        os.replace(temporary, entry.file)  # readers see the old entry or the new one
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


@functools.cache
def _code_identity() -> str:
    """migspec itself: every file of the package, by path, size and modification time.

    Computed once per process (stat of every package file costs ~1.4 ms): the
    code a process runs does not change under it, whatever happens on disk.
    """
    parts: list[str] = []
    pending = [_PACKAGE_DIR]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                    continue
                st = entry.stat()
                parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}")
    parts.sort()
    return hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()
