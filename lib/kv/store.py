"""The LM-curve table format: ``book/data/kv/<name>.csv`` plus ``<name>.json`` (provenance), on :mod:`lib.store`.

The CSV has one row per (policy variant, segment, target, window), or one row per (variant, segment,
window) where ``target`` is -1 and ``n`` targets were averaged. Columns, in this order:

``policy`` (str), ``position_preserving`` (0/1), ``segment`` (int), ``target`` (int), ``window`` (int),
``kl`` (float, nats), ``n`` (int, targets averaged in the row);

then two optional columns that newer runs write and older files lack (:data:`OPTIONAL_COLUMNS`; loading an
older file fills them):

``removed`` (int, tokens of the past removed before the window; -1 when not recorded) and ``nll_excess``
(float, nats, :math:`-\\log p_{\\mathrm{trunc}}(x_{\\mathrm{next}}) + \\log p_{\\mathrm{full}}(x_{\\mathrm{next}})`;
NaN when not recorded).

The JSON records the model, corpus, selection, protocol, versions, date and command, and the SHA-256 of the
CSV; :func:`load` checks it, so a CSV and a JSON from different runs are never paired silently. Writing and
checking are :func:`lib.store.write_table` and :func:`lib.store.read_table` (atomic, with provenance).

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> rows = {"policy": ["sliding"] * 2, "position_preserving": [0, 0], "segment": [0, 0], "target": [9, 9],
...         "window": [4, 8], "kl": [0.5, 0.25], "n": [1, 1]}
>>> meta = {k: "demo" for k in ("model", "corpus", "protocol", "versions", "date", "command")}
>>> _ = write("demo", rows, meta, data_dir=folder)
>>> m = load("demo", data_dir=folder)
>>> m.curve("sliding")[1].tolist(), m.rows["removed"].tolist()
([0.5, 0.25], [-1, -1])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib import store as _store
from lib.store import atomic_write  # the one atomic writer; re-exported for the measurement's part files

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "DATA_DIR", "Measurement", "load", "names", "write", "atomic_write"]

COLUMNS = ("policy", "position_preserving", "segment", "target", "window", "kl", "n")
_TYPES = {"policy": str, "position_preserving": bool, "segment": int, "target": int, "window": int,
          "kl": float, "n": int}
#: Columns appended by newer runs -> (type, value meaning "not recorded").
OPTIONAL_COLUMNS = {"removed": (int, -1), "nll_excess": (float, math.nan)}
DATA_DIR = _store.DATA_DIR / "kv"
REQUIRED_META = ("name", "model", "corpus", "protocol", "versions", "date", "command", "csv_sha256")
_DTYPES = {str: str, bool: bool, int: np.int64, float: np.float64}


def _data_dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else DATA_DIR


def write(name: str, rows: dict, meta: dict, data_dir=None) -> Path:
    """Write the data file ``<name>.csv`` and its provenance ``<name>.json`` atomically.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"smollm2-135m"``.
    rows : dict of sequences
        One entry per column in :data:`COLUMNS`, all of the same length; the columns of
        :data:`OPTIONAL_COLUMNS` may be given too (otherwise they are written as "not recorded").
    meta : dict
        Provenance; ``name``, ``columns``, ``n_rows`` and ``csv_sha256`` are filled in.
    data_dir : path, optional
        Folder of the data file (default :data:`DATA_DIR`).

    Returns
    -------
    Path
        The CSV written.
    """
    missing = [c for c in COLUMNS if c not in rows]
    if missing:
        raise ValueError(f"`rows` lacks the columns {missing}; expected {list(COLUMNS)}")
    unknown = [c for c in rows if c not in _TYPES and c not in OPTIONAL_COLUMNS]
    if unknown:
        raise ValueError(f"`rows` has unknown columns {unknown}; allowed: {list(COLUMNS) + list(OPTIONAL_COLUMNS)}")
    if len({len(rows[c]) for c in rows}) != 1:
        raise ValueError("every column of `rows` must have the same length")
    n = len(rows["kl"])
    kinds = {**_TYPES, **{c: kind for c, (kind, _) in OPTIONAL_COLUMNS.items()}}
    fill = {c: [empty] * n for c, (_, empty) in OPTIONAL_COLUMNS.items()}
    columns = {c: np.asarray(rows.get(c, fill.get(c)), dtype=_DTYPES[kinds[c]]) for c in kinds}
    return _store.write_table(_data_dir(data_dir) / name, columns, meta)


def names(data_dir=None) -> list:
    """Names of the stored measurements (stems with both a ``.csv`` and a ``.json``)."""
    data_dir = _data_dir(data_dir)
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

        The mean of segment :math:`s` at window :math:`w` weights each row by its target count:
        :math:`\\bar D_s(w) = \\sum_r n_r \\mathrm{kl}_r / \\sum_r n_r`, and the curve is
        :math:`\\Delta(w) = \\frac{1}{S} \\sum_s \\bar D_s(w)`.

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
    """Read ``<name>.csv`` and ``<name>.json``; check the columns, the provenance and the CSV checksum.

    Parameters
    ----------
    name : str
        File stem (see :func:`names`).
    data_dir : path, optional
        Folder of the data file (default :data:`DATA_DIR`).

    Returns
    -------
    Measurement
        Rows hold every column of :data:`COLUMNS` and :data:`OPTIONAL_COLUMNS` (filled for older files).
    """
    data_dir = _data_dir(data_dir)
    if not (data_dir / f"{name}.csv").exists() or not (data_dir / f"{name}.json").exists():
        raise ValueError(f"no stored measurement `name`={name!r} in {data_dir}; available: {names(data_dir)}; "
                         "regenerate with: python -m lib.kv measure --model <model>")
    meta, rows = _store.read_table(data_dir / name, _TYPES, optional=OPTIONAL_COLUMNS,
                                   required_meta=REQUIRED_META)
    return Measurement(name, meta, rows)
