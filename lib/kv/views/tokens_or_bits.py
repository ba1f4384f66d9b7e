"""Views of the chapter :ref:`kv-tokens-or-bits`: the measured (w, b) grid, the fitted laws, the best split.

Reads ``book/data/kv/<model>-quant`` (written by ``python -m lib.kv press``); never loads a model.
"""
from __future__ import annotations

import numpy as np

from lib import store
from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value

from ..frontier import best_split, distortion, fit_bits_law, fit_window_law, iso_memory, optimal_bits
from ..models import MEASURED, REGISTRY

__all__ = ["grid", "laws", "budgets", "summary", "split_table", "page_numbers", "iso_memory_explorer"]

_TYPES = {"policy": str, "window": int, "bits": int, "group": int, "entries": float, "bytes": int,
          "segment": int, "kl": float, "nll_excess": float, "n": int}


def grid(model: str, policy: str = "streaming_llm", data_dir=None) -> dict:
    """The measured grid of ``model``: arrays ``w``, ``b``, ``bytes``, ``kl``, ``nll`` (means over segments)."""
    folder = store.DATA_DIR / "kv" if data_dir is None else data_dir
    meta, rows = store.read_table(folder / f"{model}-quant", _TYPES)
    sel = rows["policy"] == policy
    keys = sorted({(int(w), int(b)) for w, b in zip(rows["window"][sel], rows["bits"][sel])})
    out = {k: [] for k in ("w", "b", "bytes", "kl", "nll")}
    for w, b in keys:
        m = sel & (rows["window"] == w) & (rows["bits"] == b)
        for k, v in (("w", w), ("b", b), ("bytes", rows["bytes"][m].mean()), ("kl", rows["kl"][m].mean()),
                     ("nll", rows["nll_excess"][m].mean())):
            out[k].append(v)
    out = {k: np.asarray(v) for k, v in out.items()}
    out["segments"] = int(len(np.unique(rows["segment"][sel])))
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
    """The grid point the model ranks best at ``M`` (same feasible set as the measurement)."""
    pred = distortion(g["w"], g["b"], law["C"], law["alpha"], law["A"])
    return best_split(M, g["w"], g["b"], g["bytes"], pred)


def summary(model: str, M: float, data_dir=None) -> dict:
    """Measured and predicted best splits at ``M`` bytes, and the continuous optimum ``b*``."""
    g = grid(model, data_dir=data_dir)
    law = laws(g)
    b_star = optimal_bits(M, law["C"], law["alpha"], law["A"], law["beta"], law["b0"], b_range=(1.0, 16.0))
    return {"measured": best_split(M, g["w"], g["b"], g["bytes"], g["kl"]), "predicted": _predicted(g, law, M),
            "b_star": b_star, "w_star": float(iso_memory(M, b_star, law["beta"], law["b0"])), "law": law}


def _label(model: str) -> str:
    return REGISTRY[model].label if model in REGISTRY else model


def split_table(models=None, data_dir=None):
    """Table (displayable HTML): per model and budget, the measured best (w, b), the predicted one and ``b*``."""
    rows = []
    for model in models or MEASURED:
        g = grid(model, data_dir=data_dir)
        for M in budgets(g):
            s = summary(model, M, data_dir=data_dir)
            m, p = s["measured"], s["predicted"]
            rows.append([_label(model), f"{M / 1024:.0f} KiB", f"w = {m['w']}, b = {m['b']}",
                         f"{m['kl']:.3f}", f"w = {p['w']}, b = {p['b']}", f"{s['b_star']:.1f}"])
    return show_table(["model", "memory M", "measured best", "its KL (nats)", "predicted best", "continuous b*"],
                      rows)


def page_numbers(data_dir=None) -> dict:
    """The numbers the chapter's prose shows, keyed ``<tag>_<what>`` (tags ``smol``, ``gemma``)."""
    out = {}
    for model, tag in (("smollm2-135m", "smol"), ("gemma3-270m", "gemma")):
        g = grid(model, data_dir=data_dir)
        law = laws(g)
        out.update({f"{tag}_segments": g["segments"], f"{tag}_alpha": law["alpha"], f"{tag}_slope": law["slope"],
                    f"{tag}_beta": law["beta"]})
        for k, M in enumerate(budgets(g), 1):
            s = summary(model, M, data_dir=data_dir)
            out.update({f"{tag}_M{k}_kib": M / 1024, f"{tag}_M{k}_w": s["measured"]["w"],
                        f"{tag}_M{k}_b": s["measured"]["b"], f"{tag}_M{k}_kl": s["measured"]["kl"],
                        f"{tag}_M{k}_pw": s["predicted"]["w"], f"{tag}_M{k}_pb": s["predicted"]["b"],
                        f"{tag}_M{k}_bstar": s["b_star"]})
        full = (g["b"] == 16) & (g["w"] == g["w"].max())
        two = (g["b"] == 2) & (g["w"] == g["w"].max())
        out[f"{tag}_kl_fp16"] = float(g["kl"][full][0])
        out[f"{tag}_kl_2bit"] = float(g["kl"][two][0])
    return out


def iso_memory_explorer(models=None, data_dir=None) -> Explorer:
    """Memory-budget slider: the iso-memory curve (measured and modelled), the measured and predicted optima."""
    models = [m for m in (models or MEASURED)]
    data = {_label(m): grid(m, data_dir=data_dir) for m in models}
    fitted = {t: laws(g) for t, g in data.items()}
    first = next(iter(data.values()))
    scale = [float(first["bytes"][(first["b"] == 16) & (first["w"] == 16)][0]) * 2 ** (k / 2) for k in range(11)]
    bits = np.linspace(1.5, 16, 120)

    def compute(model, memory):
        g, law = data[model], fitted[model]
        M = memory * float(g["bytes"][(g["b"] == 16) & (g["w"] == 16)][0]) / scale[0]
        traces = []
        for b in np.unique(g["b"]):
            m = (g["b"] == b) & (g["bytes"] <= M)
            best = np.argmax(np.where(m, g["w"], -1)) if m.any() else None
            traces.append((b, g["kl"][best] if best is not None else np.nan))
        x, y = zip(*traces)
        model_curve = distortion(np.maximum(iso_memory(M, bits, law["beta"], law["b0"]), 1.0), bits,
                                 law["C"], law["alpha"], law["A"])
        meas = best_split(M, g["w"], g["b"], g["bytes"], g["kl"]) if (g["bytes"] <= M).any() else None
        b_star = optimal_bits(M, law["C"], law["alpha"], law["A"], law["beta"], law["b0"])
        note = (f"M = {M / 1024:.0f} KiB. Measured best: w = {meas['w']}, b = {meas['b']} (KL {meas['kl']:.3f}); "
                f"predicted b* = {b_star:.1f} bits, w* = {iso_memory(M, b_star, law['beta'], law['b0']):.0f} tokens."
                if meas else f"M = {M / 1024:.0f} KiB: no measured cache fits.")
        return View([
            Trace("measured: largest w that fits, per b", x, y, mode="lines+markers", color="#0072B2"),
            Trace("model C·w^(−α) + A·2^(−2b) on the iso-memory curve", bits, model_curve, dash="dash",
                  color="#D55E00"),
            Trace("measured optimum", [meas["b"]] if meas else [np.nan], [meas["kl"]] if meas else [np.nan],
                  mode="markers", color="#000000"),
            Trace("predicted optimum b*", [b_star],
                  [distortion(iso_memory(M, b_star, law["beta"], law["b0"]), b_star, law["C"], law["alpha"],
                              law["A"])], mode="markers", color="#009E73"),
        ], note=note)

    return Explorer("kv-tob-iso-memory",
                    [Choice("model", list(data), default=next(iter(data))),
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
