"""The one store of every result the book keeps: atomic writes with provenance under ``book/data``.

Two kinds of record, both written to a temporary name in the same directory and renamed (atomic on POSIX),
so a kill never leaves a half-written file:

- a **table**: ``<stem>.csv`` plus ``<stem>.json`` (provenance); the JSON holds the SHA-256 of the CSV, and
  :func:`read_table` refuses a pair that comes from different runs;
- a **record**: one JSON file holding ``provenance`` beside its payload (scheme runs, benchmark results).

:func:`provenance` assembles the fields every stored result carries (date, command, versions, commit,
machine), so that a reader can tell where a number came from.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = write_table(folder / "demo", {"w": [1, 2], "kl": [0.5, 0.25]}, {"what": "a demo"})
>>> meta, rows = read_table(folder / "demo", {"w": int, "kl": float})
>>> rows["kl"].tolist(), meta["what"], meta["n_rows"]
([0.5, 0.25], 'a demo', 2)
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["ROOT", "DATA_DIR", "atomic_write", "write_json", "read_json", "write_table", "read_table",
           "write_record", "read_record", "provenance", "versions"]

ROOT = Path(__file__).resolve().parents[1]
#: Where stored results live: ``kv/`` (LM curves), ``bits/`` (scheme runs), ``bench/`` (benchmark records).
DATA_DIR = ROOT / "book" / "data"


def atomic_write(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory, an fsync and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; data files are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {value!r} of type {type(value).__name__} as JSON")


def write_json(path, obj, compact: bool = False) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically (sorted keys; numpy scalars and arrays become lists)."""
    text = (json.dumps(obj, separators=(",", ":"), sort_keys=True, default=_jsonable) if compact
            else json.dumps(obj, indent=1, sort_keys=True, default=_jsonable) + "\n")
    return atomic_write(path, text.encode())


def read_json(path):
    """The JSON value stored at ``path`` (``ValueError`` naming the file and the fix if it is missing)."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"no stored result at {path}; regenerate it with the command its page names")
    return json.loads(path.read_text())


def versions(*packages: str) -> dict:
    """Python and the installed versions of ``packages`` (numpy and scipy always), for provenance."""
    names = dict.fromkeys(("numpy", "scipy") + packages)
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def provenance(command: str | None = None, packages: tuple = (), **fields) -> dict:
    """The fields every stored result carries, plus ``fields``.

    Parameters
    ----------
    command : str, optional
        The command that regenerates the result (default: this process's command line).
    packages : tuple of str
        Packages whose versions matter beyond numpy and scipy (e.g. ``("torch", "transformers")``).
    **fields
        Anything else worth keeping (model, corpus, protocol, parameters).

    Returns
    -------
    dict
        ``date`` (UTC, ISO 8601), ``command``, ``versions``, ``commit``, ``machine`` and ``fields``.
    """
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": command if command is not None else " ".join([Path(sys.argv[0]).name] + sys.argv[1:]),
            "versions": versions(*packages), "commit": _commit(),
            "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
            **fields}


def _stem(path) -> Path:
    path = Path(path)
    return path.with_suffix("") if path.suffix in (".csv", ".json") else path


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)


def write_table(stem, columns: dict, meta: dict) -> Path:
    """Write the table ``<stem>.csv`` and its provenance ``<stem>.json`` atomically.

    Parameters
    ----------
    stem : path
        The file path without suffix, e.g. ``book/data/kv/smollm2-135m``.
    columns : dict of sequences
        Column name -> values, all of one length, in the order the CSV shows them. Floats keep 6 significant
        digits; booleans are written 0/1.
    meta : dict
        Provenance (see :func:`provenance`); ``name``, ``columns``, ``n_rows`` and ``csv_sha256`` are filled in.

    Returns
    -------
    Path
        The CSV written.
    """
    stem = _stem(stem)
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"every column of `columns` must have the same length, got {lengths}")
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(list(columns))
    out.writerows(zip(*([_cell(v) for v in values] for values in columns.values())))
    body = buf.getvalue().encode()
    meta = dict(meta, name=stem.name, columns=list(columns), n_rows=next(iter(lengths.values()), 0),
                csv_sha256=hashlib.sha256(body).hexdigest())
    atomic_write(stem.with_suffix(".csv"), body)
    write_json(stem.with_suffix(".json"), meta)
    return stem.with_suffix(".csv")


def read_table(stem, types: dict, optional: dict | None = None, required_meta: tuple = ()):
    """Read a table written by :func:`write_table`; check its checksum, columns and provenance fields.

    Parameters
    ----------
    stem : path
        The file path without suffix.
    types : dict
        Required column -> type (``int``, ``float``, ``bool``, ``str``).
    optional : dict, optional
        Columns that later runs added -> (type, fill value for tables that predate them).
    required_meta : tuple of str
        Provenance fields that must be present.

    Returns
    -------
    meta : dict
    rows : dict of column name -> ndarray
    """
    stem = _stem(stem)
    csv_path, json_path = stem.with_suffix(".csv"), stem.with_suffix(".json")
    if not csv_path.exists() or not json_path.exists():
        raise ValueError(f"no stored table {stem.name!r} in {stem.parent}; regenerate it with the command its "
                         "page names")
    body = csv_path.read_bytes()
    meta = json.loads(json_path.read_text())
    lacking = [k for k in ("csv_sha256",) + tuple(required_meta) if k not in meta]
    if lacking:
        raise ValueError(f"{json_path} lacks the provenance fields {lacking}")
    if hashlib.sha256(body).hexdigest() != meta["csv_sha256"]:
        raise ValueError(f"{csv_path} does not match the checksum in {json_path.name}: the pair comes from "
                         "different runs; regenerate it")
    reader = csv.reader(io.StringIO(body.decode()))
    header = next(reader)
    missing = [c for c in types if c not in header]
    if missing:
        raise ValueError(f"{csv_path} lacks the columns {missing}; it has {header}")
    cols = dict(zip(header, zip(*reader))) if header else {}
    n = meta.get("n_rows", len(next(iter(cols.values()), ())))
    optional = optional or {}
    rows = {}
    for name, kind in {**types, **{k: v[0] for k, v in optional.items()}}.items():
        if name in cols:
            values = cols[name]
        elif name in optional:
            values = [optional[name][1]] * n
        else:
            continue
        if kind is bool:
            rows[name] = np.array([str(v) in ("1", "True") for v in values], dtype=bool)
        elif kind is str:
            rows[name] = np.array(values, dtype=str)
        else:
            rows[name] = np.array(values, dtype=np.float64 if kind is float else np.int64)
    return meta, rows


def write_record(path, payload: dict, meta: dict, compact: bool = False) -> Path:
    """Write one JSON record ``{"provenance": meta, **payload}`` atomically."""
    if "provenance" in payload:
        raise ValueError("`payload` must not hold a `provenance` key: pass it as `meta`")
    return write_json(path, {"provenance": meta, **payload}, compact=compact)


def read_record(path) -> tuple[dict, dict]:
    """The ``(provenance, payload)`` of a record written by :func:`write_record`."""
    record = read_json(path)
    if not isinstance(record, dict) or "provenance" not in record:
        raise ValueError(f"{path} is not a stored record (no `provenance`); regenerate it")
    payload = dict(record)
    return payload.pop("provenance"), payload
