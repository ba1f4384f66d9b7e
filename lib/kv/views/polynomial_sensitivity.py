"""Figures, numbers and explorer of page ``kv-polynomial-sensitivity`` (book/kv/polynomial-sensitivity.md).

Every figure and number reads the stored measurements (``{model id: lib.kv.store.Measurement}``), never a
model. Bands are 95 % percentile bootstraps over text segments.
"""
from __future__ import annotations

from dataclasses import asdict

import numpy as np

from lib.explore import Choice, Explorer, Param, Trace, View
from lib.explore.tables import show_table
from lib.explore.teach import Move, TryThis, note_value, value_at

from .. import limits
from ..analysis import local_slopes, paired_models, position_values, quantile_alpha
from ..examples import load_examples
from ..fits import bootstrap_alpha, extrapolation_test, fit_exponential, fit_power_law
from ..long import long_plan
from ..measure import sqrt2_grid
from ..models import DEFAULT_MODEL, MEASURED, REGISTRY
from ..stats import finite_past_delta, law_comparison, loglog_curvature, tail_summary
from ..toys import ToyA
from .common import (COLORS, LW, band, finish, long_measured, long_status, measured_choice, model_label, panels,
                     pending_numbers, stored_curves)

__all__ = ["protocol_numbers", "curve_numbers", "median_numbers", "law_numbers", "model_difference",
           "local_slope_range", "law_shape_numbers", "toy_numbers", "exponential_shortfall", "sensitivity_bands",
           "local_slope_profile", "fit_range", "long_protocol_numbers", "long_numbers", "long_table",
           "removed_figure", "metric_table", "metric_numbers", "disagreement_table", "removed_explorer"]

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


# --- Long contexts: Δ(w; r) with the removed length, the infinite-past limit, claim (a) --------------------------

def _long_summary(m, fit_max: float = 256, n_boot: int = 1000, seed: int = 0) -> dict:
    """Everything the long-context section reports for one model's long measurement."""
    r, w, segs, values = limits.removed_curves(m, "sliding")
    est = limits.limit_estimate(r, w, values, n_boot=n_boot, seed=seed)
    out = {"r": r, "w": w, "values": values, "est": est, "n": int(segs.size),
           "bands": limits.removed_bands(values, n_boot=n_boot, seed=seed),
           "ainf": limits.limit_alpha(w, values, n_boot=n_boot, seed=seed),
           "ar0": bootstrap_alpha(w, values[0], n_boot=n_boot, seed=seed),
           "shift": limits.removed_alpha_shift(w, values, n_boot=n_boot, seed=seed),
           "claim": limits.extrapolation_claim(w, values[-1], fit_max=fit_max, n_boot=n_boot, seed=seed)}
    for lo_w, hi_w in ((4, 256), (256, 2048)):
        out[f"ainf{lo_w}-{hi_w}"] = limits.limit_alpha(w, values, w_range=(lo_w, hi_w), n_boot=n_boot, seed=seed)
    return out


def long_protocol_numbers(long_ms: dict) -> dict:
    """The long protocol: articles, tokens per article, removed lengths, windows, random articles (as stored;
    the plan of :func:`lib.kv.long.long_plan` while no run is stored)."""
    p = next(iter(long_ms.values())).meta["protocol"] if long_ms else asdict(long_plan(DEFAULT_MODEL))
    removed = [str(r) for r in p["removed"]]
    return {"long-n": int(p["segments"]), "long-length": max(p["removed"]) + max(p["windows"]) + 1,
            "long-wmax": int(max(p["windows"])), "long-removed": ", ".join(removed[:-1]) + " and " + removed[-1],
            "long-nw": len(p["windows"]), "long-random": int(p["random_segments"]),
            "long-status": long_status(long_ms)}


#: The per-model keys of :func:`long_numbers` (``<tag>-<suffix>``).
LONG_KEYS = ("long-n", "ainf", "ar0", "shift", "settled", "overlap", "xa-ratio", "xa-verdict", "xa-dex",
             "ainf4-256", "ainf256-2048")


def _vci(value, lo, hi, sign: str = "") -> str:
    return f"{value:{sign}.2f} {_ci(lo, hi, sign)}"


def long_numbers(long_ms: dict, fit_max: float = 256, n_boot: int = 1000, seed: int = 0) -> dict:
    """Per model (by tag), as text "value [95 % interval]": α on the limit (all windows, 4–256, 256–2048), α at
    the smallest r, the paired shift, the windows whose last increment is not detectably positive, the windows
    where the bands of the smallest and largest r overlap, and claim (a); "pending" for a model without a run."""
    out = {"long-fit-max": f"{fit_max:g}", **pending_numbers(long_ms, LONG_KEYS)}
    for name, m in long_ms.items():
        tag, s = REGISTRY[name].tag, _long_summary(m, fit_max, n_boot, seed)
        claim, (_, lo, hi) = s["claim"], s["bands"]
        overlap = int(((lo[0] <= hi[-1]) & (lo[-1] <= hi[0])).sum())
        out.update({f"{tag}-ainf": _vci(*s["ainf"]), f"{tag}-ar0": _vci(*s["ar0"]), f"{tag}-shift": _vci(
            *s["shift"], "+"), f"{tag}-settled": f"{int(s['est'].settled.sum())} of {s['w'].size}",
            f"{tag}-overlap": f"{overlap} of {s['w'].size}", f"{tag}-long-n": str(s["n"]),
            f"{tag}-xa-ratio": f"{claim['ratio']:.0f} [{claim['lo']:.0f}, {claim['hi']:.0f}]",
            f"{tag}-xa-verdict": claim["verdict"],
            f"{tag}-xa-dex": f"{claim['power_dex']:.2f} and {claim['exp_dex']:.2f}"})
        for key in ("ainf4-256", "ainf256-2048"):
            out[f"{tag}-{key}"] = _vci(*s[key])
    return out


def _texts(long_ms: dict, sampled_ms: dict | None):
    """(model id, text label, measurement or None) for Wikipedia and, where planned, the model's own text."""
    out = [(name, "Wikipedia", long_ms.get(name)) for name in MEASURED]
    sampled_ms = sampled_ms or {}
    return out + [(name, "own samples", sampled_ms.get(name)) for name in MEASURED
                  if name in sampled_ms or name == DEFAULT_MODEL]


def long_table(long_ms: dict, sampled_ms: dict | None = None, fit_max: float = 256, n_boot: int = 1000,
               seed: int = 0):
    """Table: per measured model and text (Wikipedia; text sampled from the model itself), α on the
    infinite-past limit and at the smallest r, their paired difference, and claim (a); a run not stored yet
    says so."""
    rows = []
    for name, text, m in _texts(long_ms, sampled_ms):
        label = REGISTRY[name].table_label
        if m is None:
            rows.append([label, text, "run pending"] + ["—"] * 5)
            continue
        s = _long_summary(m, fit_max, n_boot, seed)
        c = s["claim"]
        rows.append([label, text, str(s["n"]), f"{s['ainf'][0]:.2f} {_ci(*s['ainf'][1:])}",
                     f"{s['ar0'][0]:.2f} {_ci(*s['ar0'][1:])}", f"{s['shift'][0]:+.2f} {_ci(*s['shift'][1:], '+')}",
                     f"{c['ratio']:.0f} [{c['lo']:.0f}, {c['hi']:.0f}]", c["verdict"]])
    r0 = next(iter(long_ms.values())).meta["protocol"]["removed"][0] if long_ms else 256
    return show_table(["model", "text", "segments", "α(∞), w = 4–2048 [95 %]", f"α at r = {r0} [95 %]",
                       f"α(∞) − α(r = {r0}), paired [95 %]",
                       f"claim (a): MSE ratio exp / power, fit on w ≤ {fit_max:g} [95 %]", "verdict (≥ 10)"], rows)


def removed_figure(long_ms: dict, n_boot: int = 1000, seed: int = 0):
    """Δ(w; r) for each removed length, with bands, and the interval of the limit Δ(w; ∞), per model."""
    fig, axes = panels(list(long_ms) or [DEFAULT_MODEL], "window w (tokens)")
    if not long_ms:
        axes[0].text(0.5, 0.5, "long-context run pending", transform=axes[0].transAxes, ha="center")
    shades = ("#9ecae1", "#4292c6", "#08306b")
    for ax, m in zip(axes, long_ms.values()):
        s = _long_summary(m, n_boot=n_boot, seed=seed)
        mean, lo, hi = s["bands"]
        w, est = s["w"], s["est"]
        ax.fill_between(w, est.lo, est.hi, color="0.5", alpha=0.25, lw=0, label="Δ(w; ∞): 95 % interval")
        for k, r in enumerate(s["r"]):
            color = shades[k % len(shades)]
            ax.fill_between(w, lo[k], hi[k], color=color, alpha=0.12, lw=0)
            ax.loglog(w, mean[k], "o-", color=color, lw=1.5, ms=3, label=f"Δ(w; r), r = {r}")
        C, alpha = fit_power_law(w, est.delta)
        ax.loglog(w, C * w ** -alpha, "k--", lw=1.2, label=f"C·w^(−α) on the limit, α = {alpha:.2f}")
    return finish(fig, axes)


def metric_table(long_ms: dict, sampled_ms: dict | None = None, windows=(16, 64, 256, 1024, 2048),
                 n_boot: int = 1000, seed: int = 0):
    """KL and the excess log-loss of the actual next token at the largest removed length, window by window, on
    Wikipedia and on the model's own text (where stored: there the two have the same expectation)."""
    rows = []
    for name, text, m in _texts(long_ms, sampled_ms):
        if m is None:
            continue
        a = limits.metric_agreement(m, n_boot=n_boot, seed=seed)
        for w in windows:
            k = int(np.flatnonzero(a["w"] == w)[0])
            rows.append([REGISTRY[name].table_label, text, str(w), f"{a['kl'][k]:.3f}", f"{a['nll'][k]:.3f}",
                         f"{a['diff'][k]:+.3f} [{a['lo'][k]:+.3f}, {a['hi'][k]:+.3f}]", f"{a['rank_corr'][k]:.2f}"])
    return show_table(["model", "text", "window w", "mean KL (nats)", "mean excess log-loss (nats)",
                       "difference [95 %]", "rank correlation over segments"], rows)


def metric_numbers(long_ms: dict, n_boot: int = 1000, seed: int = 0) -> dict:
    """Windows where the mean excess log-loss differs detectably from the mean KL, and the median rank
    correlation of the two over articles (text; "pending" for a model without a long run)."""
    out = pending_numbers(long_ms, ("nll-apart", "nll-corr"))
    for name, m in long_ms.items():
        tag, a = REGISTRY[name].tag, limits.metric_agreement(m, n_boot=n_boot, seed=seed)
        apart = (a["lo"] > 0) | (a["hi"] < 0)
        out.update({f"{tag}-nll-apart": f"{int(apart.sum())} of {a['w'].size} windows at r = {a['removed']}",
                    f"{tag}-nll-corr": f"{np.nanmedian(a['rank_corr']):.2f}"})
    return out


def disagreement_table(long_ms: dict, k: int = 6):
    """The positions where the excess log-loss of the actual token and the KL differ most, with their text
    where ``python -m lib.kv examples`` has decoded it for the stored data."""
    rows = []
    for name, m in long_ms.items():
        stored = load_examples(name, m.meta["csv_sha256"])
        for d in stored[:k] if stored else limits.disagreements(m, k=k):
            text = [d["removed_text"], d["kept"], d["token"]] if stored else ["(not decoded)"] * 3
            rows.append([REGISTRY[name].table_label, d["title"] or str(d["segment"]), str(d["target"]),
                         str(d["window"]), str(d["removed"]), f"{d['kl']:.2f}", f"{d['nll_excess']:+.2f}", *text])
    return show_table(["model", "article", "target t", "window w", "removed r", "KL (nats)",
                       "excess log-loss (nats)", "end of the removed text", "end of the window", "actual token"],
                      rows)


#: The two measures of the removed-past explorer: Choice label -> stored column.
METRICS = {"KL": "kl", "excess log-loss of the actual token": "nll_excess"}


def _metric_curves(m, column: str, n_boot: int) -> dict:
    """Bands of Δ(w; r), the limit estimate and the power law fitted to it (None where the mean is not > 0)."""
    r, w, _, values = limits.removed_curves(m, "sliding", column)
    est = limits.limit_estimate(r, w, values, n_boot=n_boot)
    law = fit_power_law(w, est.delta) if np.all(est.delta > 0) else None
    return {"r": r, "w": w, "bands": limits.removed_bands(values, n_boot=n_boot), "est": est, "law": law}


def removed_explorer() -> Explorer:
    """Δ(w; r) at a chosen removed length r with its band, the interval of the limit Δ(w; ∞) and the power law
    fitted to it, per model and measure (KL, or the excess log-loss of the actual token) (chapter
    :ref:`kv-polynomial-sensitivity`); a model whose long run is pending shows its 1024-token KL curve."""
    long_ms, short = long_measured(), stored_curves(["sliding"])
    data = {}
    for name in MEASURED:
        label = REGISTRY[name].label
        if name in long_ms:
            data[label] = {metric: _metric_curves(long_ms[name], col, 300) for metric, col in METRICS.items()}
        else:
            w, mean, lo, hi, _ = short[label]["sliding"]
            data[label] = {"short": (w, mean, lo, hi)}
    removed = sorted({int(r) for d in data.values() if "KL" in d for r in d["KL"]["r"]}) or list(
        long_plan(DEFAULT_MODEL).removed)
    grid = sqrt2_grid(4, 2048)

    def traces(ws, mean, lo, hi, est_lo, est_hi, law, w, y):
        return [Trace("Δ(w; r) at the chosen r", ws, mean, mode="lines+markers", color=COLORS["sliding"]),
                Trace("95% band", ws, lo, dash="dot", color=COLORS["band"], legend=False),
                Trace("95% band (upper)", ws, hi, dash="dot", color=COLORS["band"], fill="tonexty"),
                Trace("limit Δ(w; ∞), 95% interval", ws, est_lo, color=COLORS["bound"], legend=False),
                Trace("limit Δ(w; ∞), 95% interval (upper)", ws, est_hi, color=COLORS["bound"], fill="tonexty"),
                Trace("power law fitted to the limit", ws, law, dash="dash", color=COLORS["measured"]),
                Trace("chosen window", [w], [y], mode="markers", color=COLORS["marker"])]

    def compute(model, w, r=str(removed[-1]), metric="KL"):
        d, k = data[model], removed.index(int(r))
        if "short" in d:
            ws, mean, lo, hi = d["short"]
            nan = np.full(ws.shape, np.nan)
            y = mean[ws == w][0] if (ws == w).any() else np.nan
            return View(traces(ws, mean, lo, hi, nan, nan, nan, w, y),
                        note=f"{model}: long-context run pending; this is the KL of the 1024-token run (removed "
                             "past 512–736 tokens, windows up to 256), the same for every r and measure.")
        c = d[metric]
        ws, (mean, lo, hi), est = c["w"], c["bands"], c["est"]
        law = np.full(ws.shape, np.nan) if c["law"] is None else c["law"][0] * ws ** -c["law"][1]
        j = int(np.flatnonzero(ws == w)[0])
        state = "not detectably growing" if est.settled[j] else "still growing"
        alpha = "no power law (a mean is ≤ 0)" if c["law"] is None else f"α(∞) = {c['law'][1]:.2f}"
        return View(traces(ws, mean[k], lo[k], hi[k], est.lo, est.hi, law, w, mean[k][j]),
                    note=(f"{model}, {metric}, r = {r}: Δ({w}; {r}) = {mean[k][j]:.3g} [{lo[k][j]:.3g}, "
                          f"{hi[k][j]:.3g}] nats; Δ({w}; ∞) in [{est.lo[j]:.3g}, {est.hi[j]:.3g}] "
                          f"(from r = {est.r_prev} to {est.r_max}: {state}); {alpha}."))

    params = [measured_choice(),
              Param("w", 4, 2048, default=64, integer=True, log=True, values=grid, label="window w (tokens)")]
    if long_ms:                      # removed length and measure are sliders only once a long run is stored
        params[1:1] = [Choice("r", [str(r) for r in removed], default=str(removed[0]), label="removed past r (tokens)"),
                       Choice("metric", list(METRICS), default="KL", label="measure")]
    return Explorer("kv-ps-removed", params, compute, x_label="window w (tokens)", y_label="mean (nats)",
                    log_x=True, log_y=True,
                    caption="Δ(w; r), the mean change of the next-token law when a window of w tokens is kept and "
                            "r tokens of past are removed, with its band, the interval of the limit Δ(w; ∞) and "
                            "the power law fitted to the limit.",
                    try_this=TryThis(
                        "How fast does the change of law fall with the window?",
                        [Move({"w": 256}, "a longer window: the marked point slides down the curve",
                              value_at("chosen window", 256), "down"),
                         Move({"w": 16}, "a short window: the point climbs above where it started",
                              value_at("chosen window", 16), "up")],
                        why="On log axes a power law C·w^(−α) is a straight line of slope −α: every doubling of "
                            "the window divides the change by the same factor 2^α. With a long run stored, the r "
                            "slider shows the curve rising towards its limit as more past is removed."))
