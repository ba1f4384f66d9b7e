"""Benchmark 2: the vectorised quantised-SGD simulator against per-replicate Python loops, and how it scales.

Usage: ``.venv/bin/python -m bench.simulate`` (about 5 minutes on a 2-core machine; ``--quick``: about 1).
Goal: at d = 256, B = 16, T = 2000, 64 replicates, :func:`lib.bits.simulate` at least 50x faster than a plain
per-replicate Python loop that implements the same scheme and gives the same numbers.

Three references run one replicate at a time, round by round:

* ``python``: plain Python floats, the literal translation of the library (gradient and code for all d coordinates,
  the chosen ones update the iterate); the goal is judged against it;
* ``python_chosen``: plain Python touching only the k coordinates the public coin chose (the cheapest plain loop);
* ``numpy``: numpy on the replicate's chosen coordinates (the loop a reader would write with numpy).

All three read random numbers drawn exactly as the library draws them (the same generator, the same arrays in the
same order: per round the coordinate coin, then the noise and the rounding coins of the chosen coordinates only),
sliced per replicate, so
the MSE curves must agree to 1e-12 (asserted). The draws are timed alone (generated and discarded, as in the
library) and counted in the references' time: a loop that reproduces the library's numbers cannot avoid them;
storing all T rounds for the replay is not counted. The scaling part times the library alone
over d, T and replicates (log-log slopes), and over array sizes reps * d to find where the time per element stops
falling (per-round overhead) and whether it ever reaches the machine's memory bandwidth.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from lib.bits.encoders import make_encoder
from lib.bits.oracles import draw_theta, gradient_range
from lib.bits.simulate import DEFAULT_CLIP_KAPPA, record_grid, simulate

from .record import best, print_table, profile, record

GOAL_RATIO = 50.0
GOAL_SETTING = (256, 16, 2000, 64)  # d, B, T, replicates
SCHEMES = ("sign", "stochastic_rounding")
SIGMA, R = 1.0, 2.0
RTOL = 1e-12


def _setup(scheme: str, d: int, B: int):
    """The encoder the library builds and the noise clipping it uses (bounded encoders clip at 6 sigma)."""
    options = {}
    kappa = None
    if scheme != "sign":
        kappa = DEFAULT_CLIP_KAPPA
        options = {"M": gradient_range(R, SIGMA, kappa), "r": R}
    return make_encoder(scheme, B=B, d=d, sigma=SIGMA, **options), kappa


def draw(scheme: str, *, d: int, B: int, T: int, reps: int, seed: int, keep: bool = True) -> dict:
    """Every random number the library draws, in its order: theta, then per round the coordinate coin, the noise
    of the chosen coordinates and their rounding coins (row-major over the chosen entries; 0 elsewhere).

    ``keep=False`` draws the same numbers and discards them, as the library does: the time of the draws alone,
    without the cost of storing T rounds (which only the replay by the loops needs) or of locating the chosen
    entries (every replicate chooses exactly k, so the counts are known).
    """
    enc, _ = _setup(scheme, d, B)
    k = min(enc.k, d)
    select_too, coins_too = k < d, scheme == "stochastic_rounding"
    rng = np.random.default_rng(seed)
    theta = draw_theta(rng, reps, d, R)
    shape = (T if keep else 1, reps, d)
    noise = np.zeros(shape)
    select = np.empty(shape) if select_too else None
    coins = np.zeros(shape) if coins_too else None
    mask = np.ones((reps, d), dtype=bool)
    for t in range(T):
        s = t if keep else 0
        if select_too:
            select[s] = rng.random((reps, d))
            if keep:
                mask = np.zeros((reps, d), dtype=bool)
                np.put_along_axis(mask, np.argpartition(select[s], k - 1, axis=1)[:, :k], True, axis=1)
        z = rng.standard_normal(reps * k)
        if keep:
            noise[s][mask] = z
        if coins_too:
            c = rng.random(reps * k)
            if keep:
                coins[s][mask] = c
    return {"theta": theta, "noise": noise, "select": select, "coins": coins}


def loop_python(scheme: str, draws: dict, *, B: int, rounds: np.ndarray,
                every_coordinate: bool = False) -> tuple[np.ndarray, float]:
    """The scheme in plain Python, one replicate at a time: the MSE at ``rounds``, and the seconds spent turning
    the stored draws into Python floats (a cost of the replay, subtracted from the loop's time).

    ``every_coordinate=True`` is the literal translation of the library: the gradient and its code are computed
    for all d coordinates and only the chosen ones update the iterate; False touches the chosen ones only.
    """
    theta = draws["theta"]
    reps, d = theta.shape
    T = draws["noise"].shape[0]
    enc, kappa = _setup(scheme, d, B)
    k, gain, box = enc.k, enc.gain, enc.box
    bound = None if kappa is None else kappa * SIGMA
    sr = scheme == "stochastic_rounding"
    if sr:
        M, top, step = enc.M, 2**enc.b - 1, enc.step
        scale = top / (2 * M)
    slot_of = {int(t): s for s, t in enumerate(rounds)}
    errors = np.empty((len(rounds), reps))
    every = list(range(d))
    convert = 0.0
    for i in range(reps):
        start = time.perf_counter()
        th = theta[i].tolist()
        z_rows = draws["noise"][:, i, :].tolist()
        u_rows = draws["select"][:, i, :].tolist() if draws["select"] is not None else None
        c_rows = draws["coins"][:, i, :].tolist() if sr else None
        convert += time.perf_counter() - start
        x = [min(max(0.0, -box), box) if box is not None else 0.0] * d
        n = [0] * d
        for t in range(T):
            z = z_rows[t]
            chosen = every if u_rows is None else sorted(every, key=u_rows[t].__getitem__)[:k]
            picked = set(chosen) if every_coordinate else None
            for j in every if every_coordinate else chosen:
                noise = SIGMA * z[j]
                if bound is not None:
                    noise = min(max(noise, -bound), bound)
                g = x[j] - th[j] + noise
                if sr:
                    u = (min(max(g, -M), M) + M) * scale
                    low = min(math.floor(u), top - 1)
                    code = low + (1 if c_rows[t][j] < u - low else 0)
                    decoded = -M + code * step
                else:
                    decoded = 1.0 if g >= 0 else -1.0
                if picked is not None and j not in picked:
                    continue
                n[j] += 1
                xj = x[j] - (gain / n[j]) * decoded
                x[j] = min(max(xj, -box), box) if box is not None else xj
            if t + 1 in slot_of:
                errors[slot_of[t + 1], i] = sum((a - b) ** 2 for a, b in zip(x, th))
    return errors.mean(axis=1), convert


def loop_numpy(scheme: str, draws: dict, *, B: int, rounds: np.ndarray) -> np.ndarray:
    """The scheme with numpy on one replicate's d-vector at a time; returns the MSE at ``rounds``."""
    theta = draws["theta"]
    reps, d = theta.shape
    T = draws["noise"].shape[0]
    enc, kappa = _setup(scheme, d, B)
    k, gain, box = enc.k, enc.gain, enc.box
    sr = scheme == "stochastic_rounding"
    slot_of = {int(t): s for s, t in enumerate(rounds)}
    errors = np.empty((len(rounds), reps))
    for i in range(reps):
        th = theta[i]
        x = np.zeros(d) if box is None else np.clip(np.zeros(d), -box, box)
        n = np.zeros(d, dtype=np.int64)
        for t in range(T):
            noise = SIGMA * draws["noise"][t, i]
            if kappa is not None:
                noise = np.clip(noise, -kappa * SIGMA, kappa * SIGMA)
            idx = np.arange(d) if draws["select"] is None else np.argpartition(draws["select"][t, i], k - 1)[:k]
            g = x[idx] - th[idx] + noise[idx]
            if sr:
                u = (np.clip(g, -enc.M, enc.M) + enc.M) * ((2**enc.b - 1) / (2 * enc.M))
                low = np.minimum(np.floor(u), 2**enc.b - 2)
                decoded = -enc.M + (low + (draws["coins"][t, i, idx] < u - low)).astype(np.int64) * enc.step
            else:
                decoded = np.where(g >= 0, 1.0, -1.0)
            n[idx] += 1
            x[idx] = x[idx] - (gain / n[idx]) * decoded
            if box is not None:
                np.clip(x, -box, box, out=x)
            if t + 1 in slot_of:
                errors[slot_of[t + 1], i] = np.sum((x - th) ** 2)
    return errors.mean(axis=1)


def compare(scheme: str, *, d: int, B: int, T: int, reps: int, seed: int, repeats: int) -> dict:
    """Library against the three loops on one setting: times, ratios, and the largest relative MSE difference."""
    rounds = record_grid(T)
    lib_s, res = best(lambda: simulate(scheme, d=d, B=B, sigma=SIGMA, T=T, reps=reps, seed=seed, r=R), repeats)
    draw_s, _ = best(lambda: draw(scheme, d=d, B=B, T=T, reps=reps, seed=seed, keep=False), repeats)
    draws = draw(scheme, d=d, B=B, T=T, reps=reps, seed=seed)
    all_s, (mse_all, convert) = best(lambda: loop_python(scheme, draws, B=B, rounds=rounds,
                                                         every_coordinate=True), 1)
    all_s -= convert
    py_s, (mse_py, convert) = best(lambda: loop_python(scheme, draws, B=B, rounds=rounds), 1)
    py_s -= convert
    np_s, mse_np = best(lambda: loop_numpy(scheme, draws, B=B, rounds=rounds), 1)
    del draws
    diff = max(float(np.max(np.abs(m - res.mse) / res.mse)) for m in (mse_all, mse_py, mse_np))
    if diff > RTOL:
        raise AssertionError(f"{scheme}: the loops disagree with the library (max relative MSE difference {diff:.3g})")
    all_total, py_total, np_total = all_s + draw_s, py_s + draw_s, np_s + draw_s
    return {"table": "comparison", "scheme": scheme, "library_s": lib_s, "draws_s": draw_s,
            "python_loop_s": all_total, "python_chosen_s": py_total, "numpy_loop_s": np_total,
            "ratio_python": all_total / lib_s, "ratio_python_chosen": py_total / lib_s,
            "ratio_numpy": np_total / lib_s, "draw_share": draw_s / lib_s, "max_rel_mse_diff": diff,
            "goal_met": all_total / lib_s >= GOAL_RATIO}


def _lib_time(d: int, T: int, reps: int, B: int, repeats: int, scheme: str = "sign", theta=None) -> float:
    return best(lambda: simulate(scheme, d=d, B=B, sigma=SIGMA, T=T, reps=reps, seed=0, r=R, theta=theta,
                                 record=[T]), repeats)[0]


def scaling(base: dict, grid: dict, B: int, repeats: int) -> tuple[list[dict], dict]:
    """Library time as each of d, T, reps varies around ``base``; the log-log slope of each sweep."""
    rows, slopes = [], {}
    for name, values in grid.items():
        times = []
        for value in values:
            setting = {**base, name: value}
            seconds = _lib_time(setting["d"], setting["T"], setting["reps"], B, repeats)
            times.append(seconds)
            rows.append({"table": "scaling", "vary": name, **setting, "seconds": seconds,
                         "ns_per_element_round": 1e9 * seconds / (setting["d"] * setting["T"] * setting["reps"])})
        slopes[name] = float(np.polyfit(np.log(values), np.log(times), 1)[0])
    return rows, slopes


def copy_bandwidth(n: int) -> float:
    """GB/s of a numpy add over arrays of ``n`` doubles (two reads, one write), best of several."""
    a, b, out = np.ones(n), np.ones(n), np.empty(n)
    passes = max(3, int(2e7 // n))
    seconds, _ = best(lambda: [np.add(a, b, out=out) for _ in range(passes)], 3)
    return 24 * n * passes / seconds / 1e9


def size_sweep(sizes: list[int], B: int, element_rounds: float, repeats: int) -> list[dict]:
    """Time per element-round as the batch reps * d grows (d = 256), next to numpy's own add bandwidth.

    ``theta`` is fixed at 0 so that the one-off prior draw (a 45-step bisection per coordinate) does not count:
    at the largest sizes T is small and the set-up would otherwise dominate.
    """
    rows = []
    for n in sizes:
        reps = max(1, n // 256)
        T = max(10, int(element_rounds // (reps * 256)))
        seconds = _lib_time(256, T, reps, B, repeats, theta=0.0)
        per_round = seconds / T
        rows.append({"table": "size", "reps": reps, "elements": reps * 256, "MiB_per_array": reps * 256 * 8 / 2**20,
                     "T": T, "us_per_round": 1e6 * per_round, "ns_per_element_round": 1e9 * per_round / (reps * 256),
                     "numpy_add_GBps": copy_bandwidth(reps * 256)})
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="T = 400 and smaller sweeps (under a minute)")
    parser.add_argument("--d", type=int, default=256)
    parser.add_argument("--B", type=int, default=16)
    parser.add_argument("--T", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="timings are the minimum over this many runs")
    parser.add_argument("--no-record", action="store_true", help="print the tables only")
    args = parser.parse_args(argv)
    T = 400 if args.quick else args.T
    load_before = os.getloadavg()
    comparison = [compare(s, d=args.d, B=args.B, T=T, reps=args.reps, seed=0, repeats=args.repeats)
                  for s in SCHEMES]
    print_table(comparison, [c for c in comparison[0] if c != "table"])
    print(f"load average {os.getloadavg()}")
    prof_rows = [r for s in SCHEMES for r in profile(
        lambda: simulate(s, d=args.d, B=args.B, sigma=SIGMA, T=T, reps=args.reps, seed=0, r=R), 6, scheme=s)]
    print("\nprofile of the library (own time):")
    print_table(prof_rows, ["scheme", "function", "calls", "own_s", "share"])
    base = {"d": args.d, "T": T, "reps": args.reps}
    grid = ({"d": [64, 256, 1024], "T": [100, 400, 1600], "reps": [16, 64, 256]} if args.quick else
            {"d": [64, 256, 1024, 4096], "T": [500, 2000, 8000], "reps": [16, 64, 256, 1024]})
    scale_rows, slopes = scaling(base, grid, args.B, 1 if args.quick else 2)
    print("\nscaling (sign):")
    print_table(scale_rows, ["vary", "d", "T", "reps", "seconds", "ns_per_element_round"])
    print("log-log slopes:", {k: round(v, 2) for k, v in slopes.items()})
    sizes = [256 * 2**i for i in range(0, 15, 2 if args.quick else 1)]
    size_rows = size_sweep(sizes, args.B, 5e6 if args.quick else 2e7, 1 if args.quick else 2)
    print("\ntime per element-round against batch size (sign, d = 256):")
    print_table(size_rows, [c for c in size_rows[0] if c != "table"])
    per_el = [r["ns_per_element_round"] for r in size_rows]
    floor_at = next(r["elements"] for r in size_rows if r["ns_per_element_round"] <= 1.25 * min(per_el))
    at_goal = (args.d, args.B, T, args.reps) == GOAL_SETTING
    summary = {"ratio_python_sign": comparison[0]["ratio_python"],
               "ratio_python_sr": comparison[1]["ratio_python"],
               "ratio_python_chosen_sign": comparison[0]["ratio_python_chosen"],
               "ratio_python_chosen_sr": comparison[1]["ratio_python_chosen"],
               "ratio_numpy_sign": comparison[0]["ratio_numpy"], "ratio_numpy_sr": comparison[1]["ratio_numpy"],
               "draw_share_sign": comparison[0]["draw_share"], "draw_share_sr": comparison[1]["draw_share"],
               "max_rel_mse_diff": max(r["max_rel_mse_diff"] for r in comparison),
               **{f"slope_{k}": v for k, v in slopes.items()},
               "throughput_floor_elements": floor_at, "best_ns_per_element_round": min(per_el),
               "load_before": [round(x, 2) for x in load_before],
               "load_after": [round(x, 2) for x in os.getloadavg()],
               "goal_ratio": GOAL_RATIO, "at_goal_setting": at_goal,
               "goal_met": at_goal and all(r["goal_met"] for r in comparison)}
    print()
    print_table([summary])
    if not args.no_record:
        record("simulate", {"d": args.d, "B": args.B, "T": T, "reps": args.reps, **({"quick": 1} if args.quick
                                                                                    else {})},
               comparison + prof_rows + scale_rows + size_rows, summary)


if __name__ == "__main__":
    main()
