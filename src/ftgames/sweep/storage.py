"""Chunked, resumable result storage: one file per finished chunk plus a JSON manifest.

A chunk file is written to a temporary name and renamed into place, so a chunk is either complete on disk or absent;
the manifest records the sweep's specification (to refuse resuming a different sweep into the same folder), the
finished chunks and the failures.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from .params import SweepError

FORMATS = ("parquet", "csv")
MANIFEST = "manifest.json"
LOCK = ".sweep.lock"

#: Descriptors of the locks this process holds; a forked child closes its copies (see ``_close_in_child``), so that
#: worker processes never keep a folder locked after the sweep that started them.
_HELD_LOCKS: set[int] = set()
_HELD_GUARD = threading.Lock()


def _close_in_child() -> None:
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def folder_lock(out: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on the sweep folder ``out`` (created if needed) for the block; raise
    :class:`SweepError` at once, naming ``--out`` and the holder's pid, if another sweep holds it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: is a file, not a folder; choose a folder path")
    try:
        import fcntl
    except ImportError:  # no flock (Windows): run unlocked
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise SweepError(f"--out {out}: cannot create or write the sweep folder ({exc.strerror or exc}"
                         f"{f': {exc.filename}' if exc.filename else ''})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise SweepError(f"--out {out}: another sweep (pid {holder}) is writing to {out}; wait for it to "
                             "finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        with _HELD_GUARD:
            _HELD_LOCKS.add(fd)
        try:
            yield
        finally:
            with _HELD_GUARD:
                _HELD_LOCKS.discard(fd)
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class ChunkStore:
    """The folder of one sweep: ``manifest.json`` and ``chunks/chunk-000012.parquet`` (or ``.csv``)."""

    def __init__(self, out: str | Path, fmt: str = "parquet") -> None:
        if fmt not in FORMATS:
            raise SweepError(f"format {fmt!r} unknown; valid: {', '.join(FORMATS)}")
        self.out = Path(out)
        self.fmt = fmt
        self.chunk_dir = self.out / "chunks"

    # ------------------------------------------------------------------------------------------------ manifest
    @property
    def manifest_path(self) -> Path:
        return self.out / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        # a unique temporary name: even two writers (the lock prevents that) would never share a half-written file
        tmp = self.out / f".{MANIFEST}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
            os.replace(tmp, self.manifest_path)
        finally:
            tmp.unlink(missing_ok=True)

    def open(self, spec: dict[str, Any], *, overwrite: bool = False) -> dict[str, Any]:
        """Start or resume: returns the manifest; refuses a folder that holds a different sweep, and a path that is
        not a writable folder (errors name ``--out``)."""
        if self.out.exists() and not self.out.is_dir():
            raise SweepError(f"--out {self.out}: is a file, not a folder; choose a folder path")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            return self._open(spec, overwrite=overwrite)
        except SweepError:
            raise
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise SweepError(f"--out {self.out}: cannot create or write the sweep folder ({reason}"
                             f"{f': {exc.filename}' if exc.filename else ''})") from None
        except ValueError as exc:  # an unreadable manifest.json
            raise SweepError(f"--out {self.out}: {MANIFEST} is not a sweep manifest ({exc}); choose another --out "
                             "or pass --overwrite") from None

    def _open(self, spec: dict[str, Any], *, overwrite: bool = False) -> dict[str, Any]:
        manifest = self.read_manifest() if not overwrite else None
        if manifest is not None and not overwrite:
            if manifest.get("spec") != spec:
                raise SweepError(
                    f"{self.out} holds a different sweep (other game file, grid, chunk size or format); "
                    "choose another --out or pass --overwrite"
                )
            manifest["failed"] = {}
            return manifest
        if overwrite and self.chunk_dir.exists():
            for path in self.chunk_dir.iterdir():
                path.unlink()
        manifest = {"spec": spec, "done": [], "failed": {}}
        self.write_manifest(manifest)
        return manifest

    # ------------------------------------------------------------------------------------------------ chunks
    def chunk_path(self, chunk: int) -> Path:
        return self.chunk_dir / f"chunk-{chunk:06d}.{self.fmt}"

    def has_chunk(self, chunk: int) -> bool:
        return self.chunk_path(chunk).exists()

    def write_chunk(self, chunk: int, rows: list[dict[str, Any]]) -> None:
        self.chunk_dir.mkdir(parents=True, exist_ok=True)
        path = self.chunk_path(chunk)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        frame = pd.DataFrame(rows)
        if self.fmt == "parquet":
            frame.to_parquet(tmp, index=False, engine="pyarrow")
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)

    def read_chunk(self, chunk: int) -> pd.DataFrame:
        path = self.chunk_path(chunk)
        return pd.read_parquet(path, engine="pyarrow") if self.fmt == "parquet" else pd.read_csv(path)

    def finished_chunks(self) -> list[int]:
        if not self.chunk_dir.exists():
            return []
        suffix = f".{self.fmt}"
        return sorted(int(p.name[len("chunk-"):-len(suffix)]) for p in self.chunk_dir.iterdir()
                      if p.name.startswith("chunk-") and p.name.endswith(suffix))


def load_results(out: str | Path) -> pd.DataFrame:
    """Every finished chunk of the sweep in ``out``, concatenated in point order."""
    out = Path(out)
    manifest_path = out / MANIFEST
    if not manifest_path.exists():
        raise SweepError(f"{out}: no {MANIFEST}; not a sweep folder")
    fmt = json.loads(manifest_path.read_text())["spec"]["format"]
    store = ChunkStore(out, fmt)
    frames = [store.read_chunk(c) for c in store.finished_chunks()]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values("point", kind="stable").reset_index(drop=True)
