"""A small stored table of simulation runs of every B-bit scheme over a grid of (B, d, rho).

The explorers of the pages ``bits-achievability`` and ``bits-regime-map`` show simulated error curves for many
parameter combinations; running them all during the book build would take minutes. They are therefore run once
by :func:`generate` (``make scheme-runs``, i.e. ``python -m lib.bits.scheme_runs``, about three minutes on two
cores) and stored through :mod:`lib.store` as one record with provenance in ``book/data/bits/scheme_runs.json``;
pages read them with :func:`lookup`. A test re-runs a few cells and checks
that they reproduce the stored numbers, so a change in the simulator that alters results is caught.

Every run is :func:`lib.bits.simulate.simulate` with ``sigma = 1``, θ from the cos² prior on [-2, 2]^d, start
at 0, T = 4000 rounds, ``max(16, 2048 // d)`` replicates (so small d, whose errors fluctuate most, get more), and
the encoders' default options.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from lib import checks, store

from .encoders import ENCODERS
from .simulate import record_grid, simulate

__all__ = ["SCHEMES", "B_GRID", "D_GRID", "RHO_GRID", "SETTINGS", "PATH", "COMMAND", "feasible", "run_cell",
           "generate", "load", "provenance", "lookup", "snap"]

#: Schemes in the table (the full-precision reference has a closed form and is not stored).
SCHEMES = ("sign", "stochastic_rounding", "qsgd", "randk")
B_GRID = (1, 4, 16, 64, 256)
D_GRID = (4, 16, 64, 256)
RHO_GRID = (0.0, 0.5, 0.9)
#: Settings shared by every run.
SETTINGS = {"sigma": 1.0, "T": 4000, "reps_budget": 2048, "min_reps": 16, "r": 2.0, "points": 20}
#: The stored record (``book/data/bits/``, written only by :func:`generate`).
PATH = store.DATA_DIR / "bits" / "scheme_runs.json"
#: The command that regenerates it.
COMMAND = "make scheme-runs"

def feasible(scheme: str, B: int) -> bool:
    """Whether ``scheme`` can run with ``B`` bits per round: the encoder's own ``min_bits`` (QSGD: 34).

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    B : int
        Bits per round.

    Returns
    -------
    bool
    """
    return checks.count(B, "B") >= ENCODERS[checks.choice(scheme, "scheme", SCHEMES)].min_bits


def snap(value, grid) -> float:
    r"""The grid value nearest to ``value`` (on a log scale when the grid is positive).

    A live slider moves continuously, but stored runs exist only on their grid.

    >>> snap(20, B_GRID), snap(0.7, RHO_GRID)
    (16.0, 0.5)

    Parameters
    ----------
    value : float
        Where the slider is.
    grid : sequence of float
        The stored values.

    Returns
    -------
    float
        :math:`\arg\min_g |\log g - \log v|` (or :math:`|g - v|` if the grid holds 0 or ``value <= 0``).
    """
    grid = np.asarray(grid, dtype=float)
    if np.all(grid > 0) and value > 0:
        return float(grid[np.argmin(np.abs(np.log(grid) - np.log(value)))])
    return float(grid[np.argmin(np.abs(grid - value))])


def _key(scheme: str, B: int, d: int, rho: float) -> str:
    return f"{scheme}|{B}|{d}|{rho:g}"


def _seed(B: int, d: int, rho: float) -> int:
    """The same seed for every scheme at one (B, d, rho): common θ draws across schemes."""
    return 100 * B_GRID.index(B) + 10 * D_GRID.index(d) + RHO_GRID.index(rho)


def _check_cell(scheme, B, d, rho) -> tuple[str, int, int, float]:
    if scheme not in SCHEMES:
        raise ValueError(f"`scheme` must be one of {SCHEMES}, got {scheme!r}.")
    B, d = checks.count(B, "B"), checks.count(d, "d")
    rho = checks.correlation(rho, "rho")
    for name, value, grid in (("B", B, B_GRID), ("d", d, D_GRID), ("rho", rho, RHO_GRID)):
        if value not in grid:
            raise ValueError(f"`{name}` must be one of the stored grid values {grid}, got {value}; "
                             "extend the grid in lib/bits/scheme_runs.py and run `python -m lib.bits.scheme_runs`.")
    return scheme, B, d, rho


def run_cell(scheme, B, d, rho) -> dict | None:
    """Run one cell of the table; ``None`` if the scheme cannot work with ``B`` bits.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    B, d : int
        Values of :data:`B_GRID` and :data:`D_GRID`.
    rho : float
        A value of :data:`RHO_GRID`.

    Returns
    -------
    dict or None
        ``reps``, ``rounds``, ``mse``, ``se`` (lists, 6 significant digits), ``max_bits`` and the encoder
        configuration.
    """
    scheme, B, d, rho = _check_cell(scheme, B, d, rho)
    if not feasible(scheme, B):
        return None
    s = SETTINGS
    reps = max(s["min_reps"], s["reps_budget"] // d)
    run = simulate(scheme, d=d, B=B, sigma=s["sigma"], T=s["T"], reps=reps, rho=rho, r=s["r"],
                   seed=_seed(B, d, rho), record=record_grid(s["T"], s["points"]))
    config = {k: (v if isinstance(v, (int, float, str)) or v is None else str(v))
              for k, v in run.options["encoder"].items()}
    return {"reps": reps, "rounds": [int(t) for t in run.rounds], "mse": [float(f"{v:.6g}") for v in run.mse],
            "se": [float(f"{v:.6g}") for v in run.se], "max_bits": int(run.max_bits), "encoder": config}


def generate(path=PATH) -> dict:
    """Run every cell and store the table with provenance at ``path`` (:func:`lib.store.write_record`).

    Parameters
    ----------
    path : path, optional
        Where to store the record (default :data:`PATH`).

    Returns
    -------
    dict
        The payload: ``settings``, ``grid`` and ``runs`` (scheme|B|d|rho -> :func:`run_cell`).
    """
    runs = {}
    for rho in RHO_GRID:
        for d in D_GRID:
            for B in B_GRID:
                for scheme in SCHEMES:
                    runs[_key(scheme, B, d, rho)] = run_cell(scheme, B, d, rho)
    table = {"settings": SETTINGS, "grid": {"schemes": SCHEMES, "B": B_GRID, "d": D_GRID, "rho": RHO_GRID},
             "runs": runs}
    store.write_record(path, table, store.provenance(command=COMMAND, what="Part I scheme runs"), compact=True)
    load.cache_clear()
    return table


@lru_cache(maxsize=1)
def load() -> dict:
    """The stored table's payload (read once per process); :func:`provenance` gives where it came from.

    Returns
    -------
    dict
        ``settings``, ``grid`` and ``runs``; a ``ValueError`` names :data:`COMMAND` if the record is missing.
    """
    if not PATH.exists():
        raise ValueError(f"{PATH} is missing; run `{COMMAND}` to create it.")
    return store.read_record(PATH)[1]


def provenance() -> dict:
    """The provenance of the stored table: date, command, versions, commit, machine.

    Returns
    -------
    dict
        As written by :func:`lib.store.provenance`.
    """
    return store.read_record(PATH)[0]


def lookup(scheme, B, d, rho=0.0) -> dict | None:
    """The stored run of ``scheme`` at ``(B, d, rho)`` as arrays, or ``None`` where the scheme cannot run.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    B, d : int
        Grid values from :data:`B_GRID` and :data:`D_GRID`.
    rho : float, optional
        A value of :data:`RHO_GRID`.

    Returns
    -------
    dict or None
        ``rounds`` (int array), ``mse`` and ``se`` (float arrays), ``max_bits`` and ``encoder``.
    """
    scheme, B, d, rho = _check_cell(scheme, B, d, rho)
    run = load()["runs"][_key(scheme, B, d, rho)]
    if run is None:
        return None
    return {**run, "rounds": np.asarray(run["rounds"]), "mse": np.asarray(run["mse"]),
            "se": np.asarray(run["se"])}


if __name__ == "__main__":
    generate()
    print(f"wrote {PATH}")
