"""What each explorer draws, computed again from the library: explorer name -> trace name -> ``f(state, x)``.

``tests/test_explorers.py`` evaluates every explorer of every part at a spread of its states and checks that each
registered trace's ``y`` (or heat-map ``z``) equals ``f(state, trace.x)`` where both are finite, so an explorer
cannot re-derive a formula the library already has and drift from it. A part adds its explorers to ``CURVES``
(Part II adds a ``KV`` dict the same way); every explorer of a covered part must have an entry.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate, stats

from lib import attention as at
from lib import infotheory as it
from lib.infotheory import differential as de
from lib.infotheory import minimax as mm
from lib.bits import bounds, correlated, drift, literature, routes, scheme_runs, scheme_theory
from lib.bits.simulate import sgd_error

_vec = np.vectorize


def _grid_ints(x):
    return np.asarray(x, dtype=float).round().astype(int)


BITS = {
    "bits-sgd-gain": {
        "SGD, step a/(t+1)": lambda s, x: sgd_error(10_000, 16, s["sigma"], gain=s["gain"],
                                                    start_sq=s["start"] ** 2)[_grid_ints(x) - 1],
    },
    "bits-communication": {
        "rate–distortion bound (Theorem 1)": lambda s, x: _masked(
            [bounds.communication_lower_bound(int(s["d"]), e, s["s"]) for e in x], 1.0),
        "Fisher route (needs noise)": lambda s, x: _masked(
            [bounds.fisher_route_bits(int(s["d"]), e, s["sigma"], s["s"]) for e in x], 1.0),
    },
    "bits-statistical": {
        "van Trees bound": lambda s, x: bounds.mse_lower_bound(_grid_ints(x), int(s["d"]), 10**9, s["sigma"], s["r"]),
        "Bayes risk (posterior mean)": lambda s, x: int(s["d"]) * it.bayes_risk_cos2(_grid_ints(x), s["sigma"], s["r"]),
    },
    "bits-product-bound": {
        "product bound T(ε)": lambda s, x: bounds.rounds_lower_bound(s["eps"], int(s["d"]), _grid_ints(x), s["sigma"]),
        "adaptive sign scheme (asymptotic)": lambda s, x: scheme_theory.sign_asymptote(
            1, int(s["d"]), _grid_ints(x), s["sigma"]) / s["eps"] ** 2,
        "chosen B": lambda s, x: [bounds.rounds_lower_bound(s["eps"], int(s["d"]), int(s["B"]), s["sigma"])],
    },
    "bits-quantizer-fisher": {
        "fisher information σ²I_Q": lambda s, x: [
            _quantiser_fisher(int(s["b"]), step, s["offset"]) for step in x],
    },
    "bits-achievability-curves": {
        "product lower bound": lambda s, x: bounds.mse_lower_bound(_grid_ints(x), _snapped(s, "d"), _snapped(s, "B"),
                                                                   1.0, scheme_runs.SETTINGS["r"]),
        "adaptive sign": lambda s, x: scheme_runs.lookup("sign", _snapped(s, "B"), _snapped(s, "d"))["mse"],
    },
    "bits-correlation-bits": {
        "statistical bound (proved)": lambda s, x: np.full(len(x), bounds.correlation_factor(s["rho"])),
        "sign, cyclic schedule (theory)": lambda s, x: [
            math.pi / 2 * _d(s) / b * correlated.schedule_inflation(s["rho"], _d(s), int(b), "cyclic") for b in x],
        "sign, random schedule (theory)": lambda s, x: [
            math.pi / 2 * _d(s) / b * correlated.schedule_inflation(s["rho"], _d(s), int(b), "random") for b in x],
    },
    "bits-drift-tracking": {
        "Kalman bound (no quantisation)": lambda s, x: [drift.kalman_steady_state(q, 1.0) for q in x],
        "causal rate–distortion bound (no noise)": lambda s, x: [
            drift.causal_rd_bound(q, int(s["B"]), 16) for q in x],
        "product-form guess (unproved)": lambda s, x: [
            drift.product_tracking_heuristic(q, 1.0, int(s["B"]), 16) for q in x],
    },
    "bits-discrete-vs-gaussian": {
        "k-ary distribution, ℓ-bit messages: k/2^ℓ": lambda s, x: [
            literature.discrete_bit_factor(int(s["k"]), int(b)) for b in x],
        "Gaussian mean in d = k dimensions: d/(2 ln2 B)": lambda s, x: [
            literature.gaussian_bit_factor(int(s["k"]), int(b)) for b in x],
    },
    "bits-routes": {
        "van Trees product bound": lambda s, x: bounds.mse_lower_bound(_grid_ints(x), int(s["d"]), int(s["B"]), 1.0),
        "Assouad + SDPI, local constant κ = 1": lambda s, x: routes.assouad_sdpi_bound(
            _grid_ints(x), int(s["d"]), int(s["B"]), 1.0)[0],
    },
}

#: Heat maps: explorer -> trace -> ``f(state, x, y) -> z``.
BITS_HEATMAPS = {
    "bits-regime-heatmap": {
        "log10 rounds needed": lambda s, x, y: np.round(np.log10(np.maximum(_regime_rounds(s, x, y), 1.0)), 2),
    },
    "bits-scheme-distance": {
        "log10(measured / bound)": lambda s, x, y: np.round(np.log10(_distance(s)), 3),
    },
}

PRIMER = {
    "primer-gaussian-kl": {
        "q = N(μ, σ²)": lambda s, x: stats.norm.pdf(x, s["mu"], s["sigma"]),
        # the integrand's area is the closed-form KL (checked by quadrature of the drawn curve)
        "p log(p/q): its area is KL(p‖q)": lambda s, x: _area_check(
            x, stats.norm.pdf(x) * (stats.norm.logpdf(x) - stats.norm.logpdf(x, s["mu"], s["sigma"])),
            it.gaussian_kl(0.0, 1.0, s["mu"], s["sigma"] ** 2)),
    },
    "primer-cramer-rao": {
        "bound for one bit per sample: 1/(σ²I(a))": lambda s, x: np.full(len(x), 1 / it.threshold_quantiser_fisher(
            s["a"])),
    },
    "primer-van-trees": {
        "Bayes risk, cos² prior (exact)": lambda s, x: [it.gaussian_location_bayes_risk(int(n), s["sigma"], s["r"])
                                                        for n in x],
        "van Trees bound, cos² prior": lambda s, x: it.van_trees_bound(1, np.asarray(x) / s["sigma"] ** 2,
                                                                        it.cos2_prior_fisher(1, s["r"])),
        "prior variance (no data)": lambda s, x: np.full(len(x), it.cos2_prior_variance(s["r"])),
    },
    "primer-rate-distortion": {
        "D(R) = σ²·2^(−2R)": lambda s, x: it.gaussian_distortion_rate(np.asarray(x), s["sigma"] ** 2),
        "best uniform quantiser, 2^R levels (exact)": lambda s, x: s["sigma"] ** 2 * np.array(
            [it.uniform_quantiser_mse(int(b)) for b in x]),
    },
    "primer-water-filling": {
        "distortion Dᵢ = min(λ, σᵢ²)": lambda s, x: _water(s).distortions,
        "water level λ": lambda s, x: np.full(len(x), _water(s).level),
    },
    "primer-wyner-ziv": {
        "R_X(D): no side information": lambda s, x: it.gaussian_rate_distortion(np.asarray(x), s["sigma_x"] ** 2),
        "R_WZ(D) = R_X|Y(D): Y at the decoder": lambda s, x: it.wyner_ziv_gaussian(
            np.asarray(x), s["sigma_x"] ** 2, s["sigma_n"] ** 2),
    },
    "primer-attention-window": {
        "full cache": lambda s, x: _attention(s)[0],
        "cut cache (renormalised)": lambda s, x: _attention(s)[1],
    },
    "primer-shannon-lower-bound": {
        "Gaussian R(D) = ½ log₂(σ²/D): upper bound": lambda s, x: de.gaussian_upper_bound(
            1.0, np.asarray(x), base=2),
        "Shannon lower bound h(X) − ½ log₂(2πeD)": lambda s, x: de.shannon_lower_bound(
            de.source_entropy(s["source"], 1.0, base=2), np.asarray(x), base=2),
        "entropy-coded uniform quantiser": lambda s, x: _quantiser_rates(s["source"]),
        "chosen D": lambda s, x: [
            de.shannon_lower_bound(de.source_entropy(s["source"], 1.0, base=2), s["D"],
                                                base=2),
            de.gaussian_upper_bound(1.0, s["D"], base=2)],
    },
    "primer-lower-bound-methods": {
        "upper: min{sample mean, estimate 0}": lambda s, x: np.minimum(1.0, np.asarray(x) ** 2),
        "van Trees": lambda s, x: [mm.van_trees_cube(int(s["d"]), 1, 1.0, r) / int(s["d"]) for r in x],
        "Le Cam": lambda s, x: [mm.le_cam_bound(1, 1.0, r) / int(s["d"]) for r in x],
        "Assouad": lambda s, x: [mm.assouad_bound(int(s["d"]), 1, 1.0, r) / int(s["d"]) for r in x],
        "Fano": lambda s, x: [mm.fano_bound(int(s["d"]), 1, 1.0, r) / int(s["d"]) for r in x],
    },
}

def _kv():
    """Part II: the toys, the window rule and the memory formula, and the stored curves the explorers read."""
    from lib.kv import store
    from lib.kv.analysis import VARIANT_LABELS, parse_variant
    from lib.kv.block_markov import block_markov_distortion
    from lib.kv.fits import fit_power_law, window_for_distortion
    from lib.kv.limits import removed_curves
    from lib.kv.memory import kv_bytes
    from lib.kv.models import by_label
    from lib.kv.toys import ToyA
    from lib.kv.press_compare import press_measurement
    from lib.kv.presses import PRESSES

    mib = 2.0 ** 20
    C0, A0 = fit_power_law(*store.load("smollm2-135m").curve("sliding")[:2])     # the explorers' defaults

    def curve(s, variant):
        return store.load(by_label(s["model"]).name).curve(*parse_variant(variant))

    def fitted(s, x, lo, hi):
        w, mean, _ = curve(s, "sliding")
        C, alpha = fit_power_law(w[(w >= lo) & (w <= hi)], mean[(w >= lo) & (w <= hi)])
        return C * np.asarray(x, dtype=float) ** -alpha

    def removed(s):
        """Per-article sliding values [r, article, w] of the model's long run, or None while it is pending."""
        name = by_label(s["model"]).name
        if f"{name}-long" not in store.names():
            return None
        column = "nll_excess" if s.get("metric", "KL") != "KL" else "kl"
        r, w, _, values = removed_curves(store.load(f"{name}-long"), "sliding", column)
        return r, w, values

    def at_removed(s, x):
        got = removed(s)
        if got is None:
            return curve(s, "sliding")[1]
        r, _, values = got
        return np.nanmean(values[list(r).index(int(s.get("r", r[-1])))], axis=0)

    def limit_law(s, x):
        got = removed(s)
        if got is None:
            return np.full(len(x), np.nan)
        _, w, values = got
        limit = np.nanmean(values[-1], axis=0)
        if not np.all(limit > 0):
            return np.full(len(x), np.nan)
        C, alpha = fit_power_law(w, limit)
        return C * np.asarray(x, dtype=float) ** -alpha

    def random_retention(s, x):
        toy, x = ToyA(beta=s["beta"], s=s["s"]), np.asarray(x, dtype=float)
        return np.where(x <= s["t"], toy.random_retention(np.minimum(x, s["t"]), int(s["t"])), np.nan)

    def windows(s, x):
        return kv_bytes(np.minimum(x, window_for_distortion(s["eps"], C0, A0)), by_label(s["model"])) / mib

    return {
        "kv-toy-a-policies": {
            "model run on the last m tokens": lambda s, x: ToyA(beta=s["beta"], s=s["s"]).delta(x),
            "best suffix-only predictor": lambda s, x: ToyA(beta=s["beta"], s=s["s"]).bayes_gap(x),
            "random m of the last t tokens": random_retention,
            "C·m^(−α)": lambda s, x: (ToyA(beta=s["beta"], s=s["s"]).power_law_bounds()[1]
                                      * np.asarray(x, dtype=float) ** -(2 * s["beta"] - 1)),
        },
        "kv-window-theorem": {
            "window memory, w(ε) tokens": lambda s, x: kv_bytes(
                np.array([window_for_distortion(e, C0, s["alpha"]) for e in x]), by_label(s["model"])) / mib,
            "chosen ε": lambda s, x: [kv_bytes(window_for_distortion(s["eps"], C0, s["alpha"]),
                                               by_label(s["model"])) / mib],
        },
        "kv-block-markov": {
            "sliding window, memory w": lambda s, x: ToyA(beta=s["beta"]).delta(x),
            "block-Markov at peak memory 2L": lambda s, x: [
                block_markov_distortion(ToyA(beta=s["beta"]).delta, int(round(v / 2))) for v in x],
        },
        "kv-memory-versus-context": {
            "full cache (all n tokens)": lambda s, x: kv_bytes(x, by_label(s["model"])) / mib,
            "sliding window w(ε)": windows,
        },
        "kv-ps-fit-range": {
            "measured Δ(w)": lambda s, x: curve(s, "sliding")[1],
            "power law fitted on the range": lambda s, x: fitted(s, x, s["w_lo"], s["w_hi"]),
        },
        "kv-ps-removed": {
            "Δ(w; r) at the chosen r": lambda s, x: at_removed(s, x),
            "power law fitted to the limit": lambda s, x: limit_law(s, x),
        },
        "kv-sp-variants": {
            "sliding window": lambda s, x: curve(s, "sliding")[1],
            "fit, sliding window": lambda s, x: fitted(s, x, s["w_lo"], 256),
        },
        "kv-pol-equal-budget": {
            VARIANT_LABELS[v]: (lambda v: lambda s, x: curve(s, v)[1])(v)
            for v in ("sliding", "sink", "block_markov", "random", "evict_sink:pres")
        },
        "kv-pol-presses": {
            PRESSES[p].label: (lambda p: lambda s, x: press_measurement(by_label(s["model"]).name).curve(
                p, False)[1])(p)
            for p in PRESSES
        },
        "kv-tob-iso-memory": {
            "measured: largest w that fits, per b": lambda s, x: _iso(s)["measured"](x),
            "model C·w^(−α) + A·2^(−2b) on the iso-memory curve": lambda s, x: _iso(s)["model"](x),
            "measured optimum": lambda s, x: _iso(s)["measured_optimum"],
            "predicted optimum b*": lambda s, x: _iso(s)["predicted_optimum"],
        },
    }


KV = _kv()

#: Every part's line curves and heat maps; a part's coverage is checked only if it is listed in ``COVERED``.
CURVES = {**BITS, **PRIMER, **KV}
HEATMAPS = {**BITS_HEATMAPS}
COVERED = ("bits", "primer", "kv")


def _masked(values, floor):
    values = np.asarray(values, dtype=float)
    return np.where(values >= floor, values, np.nan)


def _d(state):
    return int(scheme_runs.snap(state["d"], (16, 64, 256)))


def _snapped(state, key):
    grid = scheme_runs.B_GRID if key == "B" else scheme_runs.D_GRID
    return int(scheme_runs.snap(state[key], grid))


def _quantiser_fisher(b, step, offset):
    from lib.bits import quantiser_fisher
    m = 2**b - 1
    return quantiser_fisher(step * (np.arange(m) - (m - 1) / 2.0) - offset)


def _area_check(x, integrand, kl):
    area = integrate.trapezoid(integrand, x)
    assert abs(area - kl) < 1e-3 * max(1.0, kl), f"the integrand's area {area} is not KL = {kl}"
    return integrand


def _water(state):
    v = state["decay"] ** np.arange(16)
    return it.reverse_water_filling(v, state["D"] * v.sum())


def _regime_rounds(state, x, y):
    from lib.bits.regime import regime_map
    B, d = np.rint(2.0 ** np.asarray(x)).astype(int), np.rint(2.0 ** np.asarray(y)).astype(int)
    return regime_map(state["sigma"], state["eps"], state["rho"], B=B, d=d).rounds


def _distance(state):
    from lib.bits.regime import distance_map
    from lib.bits.scheme_theory import SCHEME_LABELS
    name = {label: key for key, label in SCHEME_LABELS.items()}[state["scheme"]]
    return distance_map(name, scheme_runs.snap(state["rho"], scheme_runs.RHO_GRID))[0]


def _attention(state):
    """Full weights of the toy head (sink logit on token 0) and the cut, renormalised weights (NaN where cut)."""
    head = at.toy_head(t=64, m=16, seed=0)
    logits = at.rope_logits(head["q"], head["K"], head["query_position"], head["positions"])
    bias = np.zeros(logits.size)
    bias[0] = state["sink_logit"]
    weights = at.softmax(logits + bias)
    w = int(state["w"])
    kept = np.arange(logits.size - w, logits.size)
    if state["policy"] == "window + sink":
        kept = np.union1d([0], kept)
    _, mass = at.kept_output(weights, head["V"], kept)
    after = np.full(logits.size, np.nan)
    after[kept] = weights[kept] / mass
    return weights, after


def _quantiser_rates(source):
    """Exact entropy in bits of the uniform quantiser at the view's steps, where its error is at most σ² = 1."""
    from lib.primer.views.differential_entropy import _STEPS
    mse = de.quantiser_mse(source, 1.0, _STEPS)
    return de.quantised_entropy(source, 1.0, _STEPS, base=2)[mse <= 1.0]


def _iso(state):
    """The iso-memory explorer's curves at ``state``, from the stored grid (:func:`lib.kv.views.tokens_or_bits.grid`),
    its fitted laws (:func:`~lib.kv.views.tokens_or_bits.laws`) and :mod:`lib.kv.frontier`."""
    from lib.kv import frontier as fr
    from lib.kv.models import MEASURED
    from lib.kv.views import tokens_or_bits as tob

    def bytes16(g):                          # a float16 cache of 16 tokens: the memory slider's unit
        return float(g["bytes"][(g["b"] == 16) & (g["w"] == 16)][0])

    model, policy = next((m, p) for m in MEASURED for p in tob.POLICIES if tob.cache_label(m, p) == state["cache"])
    g = tob.grid(model, policy)
    law = tob.laws(g)
    M = state["memory"] * bytes16(g) / bytes16(tob.grid(MEASURED[0]))

    def measured(bits):
        out = []
        for b in bits:
            fits = (g["b"] == b) & (g["bytes"] <= M)
            out.append(g["kl"][fits][np.argmax(g["w"][fits])] if fits.any() else np.nan)
        return np.asarray(out)

    def model(bits):
        w = np.maximum(fr.iso_memory(M, bits, law["beta"], law["b0"]), 1.0)
        return fr.distortion(w, bits, law["C"], law["alpha"], law["A"], t0=g["t0"])

    b_star = fr.optimal_bits(M, law["C"], law["alpha"], law["A"], law["beta"], law["b0"])
    best = fr.best_split(M, g["w"], g["b"], g["bytes"], g["kl"]) if (g["bytes"] <= M).any() else None
    return {"measured": measured, "model": model,
            "measured_optimum": [best["kl"] if best else np.nan],
            "predicted_optimum": [fr.distortion(fr.iso_memory(M, b_star, law["beta"], law["b0"]), b_star,
                                                law["C"], law["alpha"], law["A"], t0=g["t0"])]}
