"""Views of the chapter :ref:`kv-tokens-or-bits`: the measured (w, b) grid, the fitted laws, the best split.

Reads ``book/data/kv/<model>-quant`` (written by ``python -m lib.kv press``); never loads a model.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from lib import store
from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value

from ..frontier import best_split, distortion, fit_bits_law, fit_window_law, iso_memory, optimal_bits
from ..models import MEASURED, REGISTRY

__all__ = ["POLICIES", "grid", "laws", "budgets", "summary", "policies", "cache_label", "split_table", "page_numbers", "iso_memory_explorer"]

_TYPES = {"policy": str, "window": int, "bits": int, "group": int, "entries": float, "bytes": int,
          "segment": int, "kl": float, "nll_excess": float, "n": int}


#: The token policies of the combined grid: StreamingLLM (in ``<model>-quant``) and TOVA (``<model>-quant-tova``).
POLICIES = {"streaming_llm": "StreamingLLM", "tova": "TOVA"}


def grid(model: str, policy: str = "streaming_llm", data_dir=None, segments=None) -> dict:
    """The measured grid of ``model`` with token ``policy``: arrays ``w``, ``b``, ``bytes``, ``kl``, ``nll``
    (means over segments). The policy's own table ``<model>-quant-<policy>`` is read if it exists
    (``python -m lib.kv press --quant-policy``), else the main run's ``<model>-quant``. ``segments``: use only
    these articles (e.g. those two grids share, to compare them paired)."""
    folder = Path(store.DATA_DIR / "kv" if data_dir is None else data_dir)
    own = folder / f"{model}-quant-{policy}"
    meta, rows = store.read_table(own if own.with_suffix(".csv").exists() else folder / f"{model}-quant", _TYPES)
    sel = rows["policy"] == policy
    if segments is not None:
        sel &= np.isin(rows["segment"], np.asarray(segments))
    if not sel.any():
        raise ValueError(f"no (w, b) grid of `policy` {policy!r} for {model!r}; measure it with: "
                         f".venv-kvpress/bin/python -m lib.kv press --model {model} --quant-policy {policy} --resume")
    keys = sorted({(int(w), int(b)) for w, b in zip(rows["window"][sel], rows["bits"][sel])})
    out = {k: [] for k in ("w", "b", "bytes", "kl", "nll")}
    for w, b in keys:
        m = sel & (rows["window"] == w) & (rows["bits"] == b)
        for k, v in (("w", w), ("b", b), ("bytes", rows["bytes"][m].mean()), ("kl", rows["kl"][m].mean()),
                     ("nll", rows["nll_excess"][m].mean())):
            out[k].append(v)
    out = {k: np.asarray(v) for k, v in out.items()}
    out["segments"] = int(len(np.unique(rows["segment"][sel])))
    out["segment_ids"] = np.unique(rows["segment"][sel])
    out["t0"] = int(meta["plan"]["t0"])
    out["group"] = int(meta["plan"]["group"])
    return out


def laws(g: dict) -> dict:
    """Fitted ``C, alpha`` (b = 16, w < t0), ``A`` and the free bits slope (w = t0, b < 16), ``beta, b0``."""
    full = g["b"] == 16
    trunc = full & (g["w"] < g["t0"])
    C, alpha = fit_window_law(g["w"][trunc], g["kl"][trunc])
    every = (g["w"] >= g["t0"]) & (g["b"] < 16)
    A, slope = fit_bits_law(g["b"][every], g["kl"][every])
    beta = float(g["bytes"][trunc][0] / (16 * g["w"][trunc][0]))  # float16: 4 L H d bytes a token = β·16
    return {"C": C, "alpha": alpha, "A": A, "slope": slope, "beta": beta, "b0": 32 / g["group"]}


def budgets(g: dict) -> tuple:
    """Two memory budgets: the bytes of float16 caches of 64 and 256 tokens."""
    full = g["b"] == 16
    return tuple(float(g["bytes"][full & (g["w"] == w)][0]) for w in (64, 256))


def _predicted(g, law, M):
    """The grid point the model ranks best at ``M`` (same feasible set as the measurement; at ``w = t0`` the
    cache drops no token, so the model's truncation term is 0 there, as the measurement's is)."""
    pred = distortion(g["w"], g["b"], law["C"], law["alpha"], law["A"], t0=g["t0"])
    return best_split(M, g["w"], g["b"], g["bytes"], pred)


def summary(model: str, M: float, policy: str = "streaming_llm", data_dir=None, segments=None) -> dict:
    """Measured and predicted best splits at ``M`` bytes with token ``policy`` (on ``segments`` only, if given),
    and the continuous optimum ``b*``."""
    g = grid(model, policy, data_dir=data_dir, segments=segments)
    law = laws(g)
    b_star = optimal_bits(M, law["C"], law["alpha"], law["A"], law["beta"], law["b0"], b_range=(1.0, 16.0))
    return {"measured": best_split(M, g["w"], g["b"], g["bytes"], g["kl"]), "predicted": _predicted(g, law, M),
            "b_star": b_star, "w_star": float(iso_memory(M, b_star, law["beta"], law["b0"])), "law": law}


def policies(model: str, data_dir=None) -> list:
    """The token policies of :data:`POLICIES` whose (w, b) grid is stored for ``model``."""
    out = []
    for p in POLICIES:
        try:
            grid(model, p, data_dir=data_dir)
        except (ValueError, FileNotFoundError):
            continue
        out.append(p)
    return out


def _label(model: str) -> str:
    return REGISTRY[model].label if model in REGISTRY else model


def split_table(models=None, data_dir=None):
    """Table (displayable HTML): per model, token policy and budget, the measured best (w, b), the predicted one
    and ``b*``."""
    rows = []
    for model in models or MEASURED:
        for policy in policies(model, data_dir=data_dir):
            g = grid(model, policy, data_dir=data_dir)
            for M in budgets(g):
                s = summary(model, M, policy, data_dir=data_dir)
                m, p = s["measured"], s["predicted"]
                rows.append([_label(model), POLICIES[policy], f"{M / 1024:.0f} KiB", f"w = {m['w']}, b = {m['b']}",
                             f"{m['kl']:.3f}", f"w = {p['w']}, b = {p['b']}", f"{s['b_star']:.1f}"])
    return show_table(["model", "tokens kept by", "memory M", "measured best", "its KL (nats)", "predicted best",
                       "continuous b*"], rows)


def _agree(s) -> str:
    same = (s["measured"]["w"], s["measured"]["b"]) == (s["predicted"]["w"], s["predicted"]["b"])
    return "the same grid point" if same else "another grid point"


def _tova_numbers(model, tag, k, M, g, data_dir) -> dict:
    """TOVA's best split at ``M`` on all its articles, and its best KL against StreamingLLM's on the articles
    both grids share (paired: the same articles and targets)."""
    t = summary(model, M, "tova", data_dir=data_dir)
    ids = grid(model, "tova", data_dir=data_dir)["segment_ids"]
    shared = np.intersect1d(g["segment_ids"], ids)
    s2, t2 = (summary(model, M, p, data_dir=data_dir, segments=shared) for p in ("streaming_llm", "tova"))
    same = (t["measured"]["w"], t["measured"]["b"]) == (s2["measured"]["w"], s2["measured"]["b"])
    return {f"{tag}_tova_M{k}_w": t["measured"]["w"], f"{tag}_tova_M{k}_b": t["measured"]["b"],
            f"{tag}_tova_M{k}_kl": t["measured"]["kl"],
            f"{tag}_tova_M{k}_gain": s2["measured"]["kl"] / t2["measured"]["kl"],
            f"{tag}_tova_M{k}_same": "the same split" if same else "another split",
            f"{tag}_tova_segments": int(len(ids)), f"{tag}_tova_shared": int(len(shared))}


def page_numbers(data_dir=None) -> dict:
    """The numbers the chapter's prose shows, keyed ``<tag>_<what>`` (tags ``smol``, ``gemma``); the TOVA grid's
    as ``<tag>_tova_M<k>_…`` where it is stored."""
    out = {"fp16_best_cases": 0}
    for model, tag in (("smollm2-135m", "smol"), ("gemma3-270m", "gemma")):
        g = grid(model, data_dir=data_dir)
        law = laws(g)
        out.update({f"{tag}_segments": g["segments"], f"{tag}_alpha": law["alpha"], f"{tag}_slope": law["slope"],
                    f"{tag}_beta": law["beta"]})
        for k, M in enumerate(budgets(g), 1):
            s = summary(model, M, data_dir=data_dir)
            out["fp16_best_cases"] += int(s["measured"]["b"] == 16)
            out.update({f"{tag}_M{k}_kib": M / 1024, f"{tag}_M{k}_w": s["measured"]["w"],
                        f"{tag}_M{k}_b": s["measured"]["b"], f"{tag}_M{k}_kl": s["measured"]["kl"],
                        f"{tag}_M{k}_pw": s["predicted"]["w"], f"{tag}_M{k}_pb": s["predicted"]["b"],
                        f"{tag}_M{k}_bstar": s["b_star"], f"{tag}_M{k}_wstar": s["w_star"],
                        f"{tag}_M{k}_agree": _agree(s)})
            if "tova" in policies(model, data_dir=data_dir):
                out.update(_tova_numbers(model, tag, k, M, g, data_dir))
        out[f"{tag}_bstar_rise"] = out[f"{tag}_M2_bstar"] - out[f"{tag}_M1_bstar"]
        out[f"{tag}_doublings"] = math.log2(out[f"{tag}_M2_kib"] / out[f"{tag}_M1_kib"])
        full = (g["b"] == 16) & (g["w"] == g["w"].max())
        two = (g["b"] == 2) & (g["w"] == g["w"].max())
        out[f"{tag}_kl_fp16"] = float(g["kl"][full][0])
        out[f"{tag}_kl_2bit"] = float(g["kl"][two][0])
    return out


def iso_memory_explorer(models=None, data_dir=None) -> Explorer:
    """Memory-budget slider: the iso-memory curve (measured and modelled), the measured and predicted optima;
    one choice over every stored grid (:func:`cache_label`: a model and the token policy of its grid)."""
    models = [m for m in (models or MEASURED)]
    data = {cache_label(m, p): grid(m, p, data_dir=data_dir) for m in models for p in policies(m, data_dir=data_dir)}
    fitted = {key: laws(g) for key, g in data.items()}
    first = next(iter(data.values()))
    scale = [float(first["bytes"][(first["b"] == 16) & (first["w"] == 16)][0]) * 2 ** (k / 2) for k in range(11)]
    bits = np.linspace(1.5, 16, 120)

    def compute(cache, memory):
        g, law = data[cache], fitted[cache]
        M = memory * float(g["bytes"][(g["b"] == 16) & (g["w"] == 16)][0]) / scale[0]
        traces = []
        for b in np.unique(g["b"]):
            m = (g["b"] == b) & (g["bytes"] <= M)
            best = np.argmax(np.where(m, g["w"], -1)) if m.any() else None
            traces.append((b, g["kl"][best] if best is not None else np.nan))
        x, y = zip(*traces)
        model_curve = distortion(np.maximum(iso_memory(M, bits, law["beta"], law["b0"]), 1.0), bits,
                                 law["C"], law["alpha"], law["A"], t0=g["t0"])
        meas = best_split(M, g["w"], g["b"], g["bytes"], g["kl"]) if (g["bytes"] <= M).any() else None
        b_star = optimal_bits(M, law["C"], law["alpha"], law["A"], law["beta"], law["b0"])
        w_star = float(iso_memory(M, b_star, law["beta"], law["b0"]))
        beyond = (f" w* exceeds the {g['t0']}-token prefill: b* is the optimum of a longer context."
                  if w_star > g["t0"] else "")
        note = (f"M = {M / 1024:.0f} KiB. Measured best: w = {meas['w']}, b = {meas['b']} (KL {meas['kl']:.3f}); "
                f"predicted b* = {b_star:.1f} bits, w* = {w_star:.0f} tokens.{beyond}"
                if meas else f"M = {M / 1024:.0f} KiB: no measured cache fits.")
        return View([
            Trace("measured: largest w that fits, per b", x, y, mode="lines+markers", color="#0072B2"),
            Trace("model C·w^(−α) + A·2^(−2b) on the iso-memory curve", bits, model_curve, dash="dash",
                  color="#D55E00"),
            Trace("measured optimum", [meas["b"]] if meas else [np.nan], [meas["kl"]] if meas else [np.nan],
                  mode="markers", color="#000000"),
            Trace("predicted optimum b*", [b_star],
                  [distortion(w_star, b_star, law["C"], law["alpha"], law["A"], t0=g["t0"])], mode="markers",
                  color="#009E73"),
        ], note=note)

    return Explorer("kv-tob-iso-memory",
                    [Choice("cache", list(data), default=next(iter(data)), label="model, tokens kept by"),
                     Param("memory", scale[0], scale[-1], default=scale[4], values=scale, log=True,
                           label="memory M (bytes)")],
                    compute, x_label="bits per value b", y_label="mean KL (nats)", log_y=True,
                    caption="At a fixed memory M, the mean KL against the bits per value b when the window is the "
                            "largest that "
                            "fits: measured, and the model C·w^(−α) + A·2^(−2b), with the measured and predicted "
                            "optima.",
                    try_this=TryThis(
                        "Tokens or bits: where should a fixed memory go?",
                        [Move({"memory": 368640.0}, "a quarter of the memory: the predicted optimum moves to fewer "
                                                    "bits per value",
                              note_value("predicted b* ="), "down"),
                         Move({"memory": 11796480.0}, "eight times the default memory: the optimum moves to more bits "
                                                      "per value",
                              note_value("predicted b* ="), "up")],
                        why="The window's error falls like w^(−α), the quantiser's like 2^(−2b): the best split "
                            "balances the two "
                            "marginal gains, and the balance shifts with the budget."))


def cache_label(model: str, policy: str) -> str:
    """The explorer's name of ``model``'s grid with token ``policy``, e.g. ``"SmolLM2-135M, StreamingLLM"``."""
    return f"{_label(model)}, {POLICIES[policy]}"
