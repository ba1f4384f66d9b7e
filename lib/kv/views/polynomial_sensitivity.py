"""Figures, numbers and explorer of page ``kv-polynomial-sensitivity`` (book/kv/polynomial-sensitivity.md).

Every figure and number reads the stored measurements (``{model id: lib.kv.store.Measurement}``), never a
model. Bands are 95 % percentile bootstraps over text segments.
"""
from __future__ import annotations

import numpy as np

from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

from ..analysis import local_slopes, paired_models, position_values, quantile_alpha
from ..fits import bootstrap_alpha, extrapolation_test, fit_exponential, fit_power_law
from ..measure import sqrt2_grid
from ..models import REGISTRY
from ..stats import finite_past_delta, law_comparison, loglog_curvature, tail_summary
from ..toys import ToyA
from .common import COLORS, LW, band, finish, measured_choice, model_label, panels, stored_curves

__all__ = ["protocol_numbers", "curve_numbers", "median_numbers", "law_numbers", "model_difference",
           "local_slope_range", "law_shape_numbers", "toy_numbers", "exponential_shortfall", "sensitivity_bands",
           "local_slope_profile", "fit_range"]

LAWS = ("power", "exponential", "cutoff", "stretched")


def _ci(lo, hi, sign: str = "") -> str:
    return f"[{lo:{sign}.2f}, {hi:{sign}.2f}]"


def protocol_numbers(ms: dict) -> dict:
    """The stored protocol: the cost of the √2 grid, sink, targets, eviction range, random starts, segments."""
    grid = np.array(sqrt2_grid(4, 256))
    p = ms["smollm2-135m"].meta["protocol"]
    out = {"cost-ratio": float(grid.sum() / grid.max())}
    out.update({f"proto-{key}": int(p[key]) for key in ("sink", "block_targets", "evict_from", "evict_targets")})
    out.update({"proto-evict-to": int(p["evict_from"] + p["evict_targets"]),
                "proto-random": ", ".join(str(r) for r in p["random_starts_used"])})
    out.update({f"n-{REGISTRY[name].tag}": m.meta["protocol"]["segments"] for name, m in ms.items()})
    return out


def curve_numbers(ms: dict) -> dict:
    """Δ(w) at w = 4, 64, 256, the share of the top 10 % of positions at w = 64, and the tail at w = 256."""
    out = {}
    for name, m in ms.items():
        tag, (w, mean, _) = REGISTRY[name].tag, m.curve("sliding")
        out.update({f"{tag}-d{k}": float(mean[w == k][0]) for k in (4, 64, 256)})
        out[f"{tag}-top10"] = tail_summary(position_values(m, "sliding", 64), 0.1)["top_share"]
        tails = tail_summary(position_values(m, "sliding", 256), 0.01)
        out.update({f"{tag}-t256-{key}": tails[key] for key in ("mean", "median", "top_share", "n_top", "n")})
    return out


def median_numbers(ms: dict, n_boot: int = 1000, seed: int = 0) -> dict:
    """The exponent of the median per-position KL, with its interval over articles."""
    out = {}
    for name, m in ms.items():
        alpha, lo, hi = quantile_alpha(m, "sliding", q=0.5, n_boot=n_boot, seed=seed)
        out.update({f"{REGISTRY[name].tag}-median-alpha": alpha, f"{REGISTRY[name].tag}-median-ci": _ci(lo, hi)})
    return out


def law_numbers(ms: dict, fit_max: float = 32, ranges=((4, 64), (16, 256)), n_boot: int = 1000,
                seed: int = 0) -> dict:
    """The extrapolation test (fit on w ≤ ``fit_max``), α over all windows and α over each range."""
    out = {}
    for name, m in ms.items():
        tag, (w, mean, per_segment) = REGISTRY[name].tag, m.curve("sliding")
        test = extrapolation_test(w, mean, fit_max=fit_max)
        alpha, lo, hi = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed)
        out.update({f"{tag}-dex-pow": test.power_dex, f"{tag}-dex-exp": test.exp_dex, f"{tag}-ratio": test.ratio,
                    f"{tag}-alpha": alpha, f"{tag}-lo": lo, f"{tag}-hi": hi})
        for lo_w, hi_w in ranges:
            a, a_lo, a_hi = bootstrap_alpha(w, per_segment, n_boot=n_boot, seed=seed, w_range=(lo_w, hi_w))
            out.update({f"{tag}-a{lo_w}-{hi_w}": a, f"{tag}-a{lo_w}-{hi_w}-ci": _ci(a_lo, a_hi)})
    return out


def model_difference(ms: dict, n_boot: int = 1000, seed: int = 0) -> dict:
    """α(Gemma) − α(SmolLM2) paired over the articles both read."""
    diff, lo, hi, n = paired_models(ms["gemma3-270m"], ms["smollm2-135m"], "sliding", n_boot=n_boot, seed=seed)
    return {"models-diff": diff, "models-ci": _ci(lo, hi, "+"), "models-n": n}


def local_slope_range(ms: dict) -> dict:
    """The smallest and largest local exponent over factor-2 steps, over both models."""
    slopes = np.concatenate([local_slopes(*m.curve("sliding")[::2], n_boot=10)[1] for m in ms.values()])
    return {"loc-min": float(slopes.min()), "loc-max": float(slopes.max())}


def law_shape_numbers(ms: dict, fit_max: float = 32, n_boot: int = 1000, seed: int = 0) -> dict:
    """Four laws fitted on all windows and on w ≤ ``fit_max`` (RMS of ln Δ), the cutoff scale, the
    stretched exponent and the log–log curvature κ with its interval."""
    out = {}
    for name, m in ms.items():
        tag, (w, mean, per_segment) = REGISTRY[name].tag, m.curve("sliding")
        laws, held = law_comparison(w, mean), law_comparison(w, mean, fit_max=fit_max)
        for law in LAWS:
            out.update({f"{tag}-rms-{law}": laws[law]["rms"], f"{tag}-out-{law}": held[law]["rms_out"]})
        kappa, lo, hi = loglog_curvature(w, per_segment, n_boot=n_boot, seed=seed)
        out.update({f"{tag}-cut-scale": 1 / laws["cutoff"]["params"][2],
                    f"{tag}-str-beta": laws["stretched"]["params"][2], f"{tag}-kappa": kappa,
                    f"{tag}-kappa-ci": _ci(lo, hi)})
    return out


def toy_numbers(starts, beta: float = 0.8, ranges=((4, 256), (4, 64), (16, 256))) -> dict:
    """Toy A measured with the stored protocol's starts: fitted exponents over each range with the finite
    past and with an infinite one, the true α and the share of Δ(256) the finite past keeps."""
    toy, grid = ToyA(beta=beta), np.array(sqrt2_grid(4, 256))
    finite = finite_past_delta(toy, grid, starts)
    out = {"toy-alpha": toy.alpha, "toy-frac256": float(finite[-1] / toy.delta(256))}
    for lo_w, hi_w in ranges:
        sel = (grid >= lo_w) & (grid <= hi_w)
        out.update({f"toy-a{lo_w}-{hi_w}": fit_power_law(grid[sel], finite[sel])[1],
                    f"toy-inf-a{lo_w}-{hi_w}": fit_power_law(grid[sel], toy.delta(grid[sel]))[1]})
    return out


def exponential_shortfall(ms: dict, fit_max: float = 32, w: int = 256) -> dict:
    """Decades by which the exponential fitted on w ≤ ``fit_max`` falls short of the measured Δ(``w``):
    :math:`-\\log_{10}(\\hat C e^{-\\hat\\lambda w} / \\Delta(w))`."""
    out = {}
    for name, m in ms.items():
        ws, mean, _ = m.curve("sliding")
        C, lam = fit_exponential(ws[ws <= fit_max], mean[ws <= fit_max])
        out[f"{REGISTRY[name].tag}-exp{w}"] = float(-np.log10(C * np.exp(-lam * w) / mean[ws == w][0]))
    return out


def sensitivity_bands(measurements: dict, n_boot: int = 1000, seed: int = 0):
    """Measured Δ(w) of the sliding window per model: mean, bootstrap band, segments, power-law fit."""
    fig, axes = panels(measurements, "window w (tokens)")
    for ax, m in zip(axes, measurements.values()):
        w, mean, per_segment = m.curve("sliding")
        for row in per_segment:
            ax.loglog(w, row, color="0.6", lw=0.5, alpha=0.35)
        band(ax, w, per_segment, COLORS["sliding"], n_boot, seed)
        ax.loglog(w, mean, "o-", color=COLORS["sliding"], lw=LW, ms=4, label="mean over segments")
        C, alpha = fit_power_law(w, mean)
        ax.loglog(w, C * w ** -alpha, "k--", lw=1.2, label=f"C·w^(−α), α = {alpha:.2f}")
        ax.plot([], [], color="0.6", lw=0.8, label="single segments")
        ax.set_ylim(np.nanmin(per_segment[per_segment > 0]) * 0.8, np.nanmax(per_segment) * 1.3)
    return finish(fig, axes)


def local_slope_profile(measurements: dict, fit_max: float = 32, step: int = 2, n_boot: int = 1000,
                        seed: int = 0):
    """Local exponent between windows a factor 2 apart, against what the power law and the exponential
    (fitted on w ≤ ``fit_max``) predict for the same pairs of windows."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    for k, (name, m) in enumerate(measurements.items()):
        w, mean, per_segment = m.curve("sliding")
        mid, slope, lo, hi = local_slopes(w, per_segment, step=step, n_boot=n_boot, seed=seed)
        color, label = COLORS[name], model_label(name)
        shift = 1.0 + 0.05 * (k - 0.5)  # side by side
        ax.errorbar(mid * shift, slope, yerr=[slope - lo, hi - slope], fmt="o", ms=4, color=color, capsize=2,
                    label=f"{label}: measured local exponent")
        _, alpha = fit_power_law(w, mean)
        ax.semilogx(mid, np.full(mid.shape, alpha), "--", color=color, lw=1.2, label=f"{label}: power law, all w")
        train = w <= fit_max
        _, lam = fit_exponential(w[train], mean[train])
        pred = lam * (w[step:] - w[:-step]) / np.log(w[step:] / w[:-step])
        ax.semilogx(mid, pred, ":", color=color, lw=1.4, label=f"{label}: exponential fitted on w ≤ {fit_max:g}")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_ylim(-0.5, 3.5)
    ax.set_xlabel("window w (tokens, geometric midpoint of w and 2w)")
    ax.set_ylabel("local exponent")
    return finish(fig, ax, loc="upper left", fontsize=7.5)


def fit_range() -> Explorer:
    """Power law and exponential fitted on a chosen window range, extrapolated over the whole grid
    (chapter :ref:`kv-polynomial-sensitivity`); the held-out error is :func:`lib.kv.fits.extrapolation_test`'s."""
    data = stored_curves(["sliding"])
    grid = np.geomspace(4, 256, 80)

    def compute(model, w_lo, w_hi):
        w, mean, lo, hi, per_segment = data[model]["sliding"]
        fit = (w >= w_lo) & (w <= w_hi)
        C, alpha = fit_power_law(w[fit], mean[fit])
        Ce, lam = fit_exponential(w[fit], mean[fit])
        _, a_lo, a_hi = bootstrap_alpha(w, per_segment, n_boot=300, seed=0, w_range=(w_lo, w_hi))
        if fit.all():
            held = "no window is held out"
        else:
            test = extrapolation_test(w, mean, fit_max=w_hi, fit_min=w_lo)
            held = f"error outside the range: power law {test.power_dex:.2f} dex, exponential {test.exp_dex:.2f} dex"
        return View([
            Trace("measured Δ(w)", w, mean, mode="markers", color=COLORS["measured"]),
            Trace("95% band", w, lo, dash="dot", color=COLORS["band"]),
            Trace("95% band (upper)", w, hi, dash="dot", color=COLORS["band"]),
            Trace("power law fitted on the range", grid, C * grid ** -alpha, color=COLORS["sliding"]),
            Trace("exponential fitted on the range", grid, np.maximum(Ce * np.exp(-lam * grid), 1e-4),
                  dash="dash", color=COLORS["random"]),
            Trace("windows used in the fit", w[fit], mean[fit], mode="markers", color=COLORS["sliding"]),
        ], note=f"{model}, fit on {w_lo}–{w_hi}: α = {alpha:.2f} [{a_lo:.2f}, {a_hi:.2f}]; {held}.")

    return Explorer("kv-ps-fit-range",
                    [measured_choice(),
                     Param("w_lo", 4, 16, default=4, integer=True, values=[4, 6, 8, 11, 16],
                           label="fit from w (tokens)"),
                     Param("w_hi", 23, 256, default=32, integer=True, values=[23, 32, 45, 64, 128, 256],
                           label="fit up to w (tokens)")],
                    compute, x_label="window w (tokens)", y_label="mean KL (nats)", log_x=True, log_y=True,
                    caption="The measured mean KL Δ(w) with its 95% band, and a power law and an exponential fitted on "
                            "a "
                            "chosen range of windows and extrapolated over the whole grid; the note gives α and each "
                            "fit's error "
                            "outside the range.",
                    try_this=TryThis(
                        "Is the decay a power law or an exponential?",
                        [Move({"w_hi": 128}, "fitted up to 128 tokens, the power law extrapolates to the held-out "
                                             "windows within "
                              "a fraction of a decade", note_value("power law"), "down"),
                         Move({"w_lo": 16}, "fitted from 16 tokens, the exponential still misses the held-out windows "
                                            "by more",
                              note_value("exponential"), "down")],
                        why="A power law fitted on any range predicts the rest; an exponential fitted on one range "
                            "fails "
                            "outside it: Δ(w) decays polynomially."))
