"""Stored language-model measurements: ``book/data/<name>.csv`` plus ``book/data/<name>.json`` (provenance).

The CSV has one row per (policy variant, segment, target, window), or one row per (variant, segment,
window) where ``target`` is -1 and ``n`` targets were averaged. Columns:

``policy`` (str), ``position_preserving`` (0/1), ``segment`` (int), ``target`` (int), ``window`` (int),
``kl`` (float, nats), ``n`` (int, targets averaged in the row); optionally, appended after them (files
without them still load, with the defaults): ``removed`` (int, tokens of past removed before the window,
-1 when not recorded) and ``nll_excess`` (float nats, ``-log q(x_t) + log p(x_t)`` for the token that
really follows, NaN when not recorded).

The JSON records the model, corpus, selection, protocol, versions, date and command, and the SHA-256 of
the CSV; :func:`load` checks it, so a CSV and a JSON from different runs are never paired silently.
Both files are written to a temporary name and renamed (atomic on POSIX).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["COLUMNS", "OPTIONAL", "DATA_DIR", "Measurement", "load", "names", "write", "atomic_write"]

COLUMNS = ("policy", "position_preserving", "segment", "target", "window", "kl", "n")
#: Optional columns, appended after ``COLUMNS`` when a file has them, and their value when not recorded.
OPTIONAL = {"removed": -1, "nll_excess": float("nan")}
_TYPES = {"policy": str, "position_preserving": bool, "segment": int, "target": int, "window": int,
          "kl": float, "n": int, "removed": int, "nll_excess": float}
DATA_DIR = Path(__file__).resolve().parents[2] / "book" / "data"
REQUIRED_META = ("name", "model", "corpus", "protocol", "versions", "date", "command", "csv_sha256")


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
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


def _csv_bytes(rows: dict) -> bytes:
    n = len(rows["kl"])
    extra = [c for c in OPTIONAL if c in rows]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(COLUMNS + tuple(extra))
    for i in range(n):
        out.writerow([rows["policy"][i], int(bool(rows["position_preserving"][i])), int(rows["segment"][i]),
                      int(rows["target"][i]), int(rows["window"][i]), f"{float(rows['kl'][i]):.6g}",
                      int(rows["n"][i])]
                     + [int(rows[c][i]) if _TYPES[c] is int else f"{float(rows[c][i]):.6g}" for c in extra])
    return buf.getvalue().encode()


def write(name: str, rows: dict, meta: dict, data_dir=None) -> Path:
    """Write the data file ``<name>.csv`` and its provenance ``<name>.json`` atomically.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"smollm2-135m"``.
    rows : dict of sequences
        One entry per column in ``COLUMNS`` (and optionally per column in ``OPTIONAL``), all of the same
        length.
    meta : dict
        Provenance; ``name`` and ``csv_sha256`` are filled in here.
    """
    missing = [c for c in COLUMNS if c not in rows]
    if missing:
        raise ValueError(f"`rows` lacks the columns {missing}; expected {list(COLUMNS)}")
    if len({len(rows[c]) for c in COLUMNS + tuple(c for c in OPTIONAL if c in rows)}) != 1:
        raise ValueError("every column of `rows` must have the same length")
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    body = _csv_bytes(rows)
    meta = dict(meta, name=name, csv_sha256=hashlib.sha256(body).hexdigest(), n_rows=len(rows["kl"]))
    atomic_write(data_dir / f"{name}.csv", body)
    atomic_write(data_dir / f"{name}.json", (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
    return data_dir / f"{name}.csv"


def names(data_dir=None) -> list:
    """Names of the stored measurements (stems with both a ``.csv`` and a ``.json``)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    return sorted(p.stem for p in data_dir.glob("*.json") if (data_dir / f"{p.stem}.csv").exists())


@dataclass
class Measurement:
    """A stored measurement: ``meta`` (provenance dict) and ``rows`` (column name -> numpy array)."""

    name: str
    meta: dict
    rows: dict

    def variants(self) -> list:
        """The ``(policy, position_preserving)`` pairs present, in order of first appearance."""
        pairs = zip(self.rows["policy"], self.rows["position_preserving"])
        return list(dict.fromkeys((str(p), bool(b)) for p, b in pairs))

    def curve(self, policy: str = "sliding", position_preserving: bool = False):
        """Mean KL per window, and per-segment means for a bootstrap over segments.

        Returns
        -------
        w : ndarray, shape [n_windows]
        mean_kl : ndarray, shape [n_windows]
            Mean over segments of the per-segment mean KL (nats).
        per_segment : ndarray, shape [n_segments, n_windows]
            Target-weighted mean KL of each segment at each window (NaN where a segment lacks a window).
        """
        sel = (self.rows["policy"] == policy) & (self.rows["position_preserving"] == bool(position_preserving))
        if not sel.any():
            raise ValueError(f"no rows for `policy`={policy!r} with position_preserving={position_preserving} "
                             f"in {self.name!r}; available: {self.variants()}")
        seg, win = self.rows["segment"][sel], self.rows["window"][sel]
        kl, n = self.rows["kl"][sel], self.rows["n"][sel]
        segs, w = np.unique(seg), np.unique(win)
        si, wi = np.searchsorted(segs, seg), np.searchsorted(w, win)
        total = np.zeros((len(segs), len(w)))
        count = np.zeros((len(segs), len(w)))
        np.add.at(total, (si, wi), kl * n)
        np.add.at(count, (si, wi), n)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_segment = np.where(count > 0, total / count, np.nan)
        return w, np.nanmean(per_segment, axis=0), per_segment


def load(name: str, data_dir=None) -> Measurement:
    """Read ``<name>.csv`` and ``<name>.json``; check the columns, the provenance and the CSV checksum."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    csv_path, json_path = data_dir / f"{name}.csv", data_dir / f"{name}.json"
    if not csv_path.exists() or not json_path.exists():
        raise ValueError(f"no stored measurement `name`={name!r} in {data_dir}; available: {names(data_dir)}; "
                         "regenerate with: python -m lib.kv measure --model <model>")
    body = csv_path.read_bytes()
    meta = json.loads(json_path.read_text())
    lacking = [k for k in REQUIRED_META if k not in meta]
    if lacking:
        raise ValueError(f"{json_path} lacks the provenance fields {lacking}")
    if hashlib.sha256(body).hexdigest() != meta["csv_sha256"]:
        raise ValueError(f"{csv_path} does not match the checksum in {json_path.name}: the pair comes from "
                         "different runs; regenerate it with python -m lib.kv measure")
    reader = csv.reader(io.StringIO(body.decode()))
    header = tuple(next(reader))
    extra = header[len(COLUMNS):]
    if header[:len(COLUMNS)] != COLUMNS or extra not in {tuple(OPTIONAL)[:k] for k in range(len(OPTIONAL) + 1)}:
        raise ValueError(f"{csv_path} has columns {header}, expected {COLUMNS} optionally followed by "
                         f"{tuple(OPTIONAL)}")
    cols = list(zip(*reader)) or [()] * len(header)
    rows = {}
    for key, values in zip(header, cols):
        kind = _TYPES[key]
        if kind is bool:
            rows[key] = np.array([v == "1" for v in values], dtype=bool)
        elif kind is str:
            rows[key] = np.array(values, dtype=str)
        else:
            rows[key] = np.array(values, dtype=np.float64 if kind is float else np.int64)
    for key, default in OPTIONAL.items():
        if key not in rows:
            rows[key] = np.full(len(rows["kl"]), default, dtype=np.float64 if _TYPES[key] is float else np.int64)
    return Measurement(name, meta, rows)
