"""Explorers of the primer: one factory per page figure, e.g. ``explorers.gaussian_kl()`` (see :mod:`lib.explore`).

Each compute function is cheap (closed forms from :mod:`lib.infotheory`, cached simulations from
:mod:`lib.primer.simulate`), so a live kernel redraws on every slider move.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View

from . import simulate

__all__ = ["gaussian_kl", "cramer_rao", "van_trees", "rate_distortion", "water_filling", "wyner_ziv"]

_X = np.linspace(-6.0, 6.0, 121)
_POW2 = [2.0 ** k for k in range(-3, 3)]


def gaussian_kl() -> Explorer:
    """KL divergence between p = N(0, 1) and q = N(μ, σ²): the two densities and the integrand p log(p/q)."""

    def compute(mu, sigma):
        p, q = stats.norm.pdf(_X), stats.norm.pdf(_X, mu, sigma)
        forward, backward = it.gaussian_kl(0.0, 1.0, mu, sigma ** 2), it.gaussian_kl(mu, sigma ** 2, 0.0, 1.0)
        return View([Trace("p = N(0, 1)", _X, p), Trace("q = N(μ, σ²)", _X, q),
                     Trace("p log(p/q): its area is KL(p‖q)", _X, p * (stats.norm.logpdf(_X)
                                                                        - stats.norm.logpdf(_X, mu, sigma)),
                           dash="dash")],
                    note=f"KL(p‖q) = {forward:.3f} nats = {forward / np.log(2):.3f} bits;  "
                         f"KL(q‖p) = {backward:.3f} nats (not symmetric)")

    return Explorer("primer-gaussian-kl", [Param("mu", -2.0, 2.0, 1.0, steps=9, label="mean μ of q"),
                                           Param("sigma", 0.5, 2.0, 1.0, steps=5, log=True, label="sd σ of q")],
                    compute, x_label="outcome x", y_label="density / integrand (nats per unit x)")


def cramer_rao() -> Explorer:
    """n × mean squared error of three location estimators against the Cramér–Rao bounds, over n."""
    def compute(a, seed):
        loc = simulate.location_estimator_mse(seed=seed)
        n = loc["n"]
        bit, bit_se = simulate.one_bit_mle_mse(a, seed=seed)
        info = it.threshold_quantiser_fisher(a)
        return View([Trace("Cramér–Rao bound, all of X: 1", n, np.ones(n.size), dash="dash"),
                     Trace("sample mean (Monte Carlo)", n, n * loc["mean"][0], mode="markers",
                           error=2 * n * loc["mean"][1]),
                     Trace("sample median (Monte Carlo)", n, n * loc["median"][0], mode="markers",
                           error=2 * n * loc["median"][1]),
                     Trace("bound for one bit per sample: 1/(σ²I(a))", n, np.full(n.size, 1 / info), dash="dot"),
                     Trace("one-bit MLE (Monte Carlo)", n, n * bit, mode="lines+markers", error=2 * n * bit_se)],
                    note=f"threshold a = {a:.2f}σ from θ: one bit carries σ²I(a) = {info:.3f} of the Fisher "
                         f"information of X; one-bit MLE at n = {n[-1]}: n·MSE/σ² = {n[-1] * bit[-1]:.2f}")

    return Explorer("primer-cramer-rao", [Param("a", 0.0, 2.5, 0.0, steps=11, label="threshold offset a")],
                    compute, x_label="sample size n", y_label="n × mean squared error / σ²", log_x=True,
                    log_y=True, seed=0)


def van_trees() -> Explorer:
    """Bayes risk under the cos² prior on [−r, r], its van Trees bound and σ²/n, over the sample size n."""
    n = np.unique(np.round(np.geomspace(1, 1000, 31)).astype(int))

    def compute(r, sigma):
        exact = np.array([it.gaussian_location_bayes_risk(int(k), sigma, r) for k in n])
        bound = it.van_trees_bound(1, n / sigma ** 2, it.cos2_prior_fisher(1, r))
        prior_var = r ** 2 * (1 / 3 - 2 / np.pi ** 2)
        gauss = np.array([it.gaussian_posterior_variance(int(k), sigma, prior_var) for k in n])
        i = int(np.searchsorted(n, 10))
        return View([Trace("σ²/n: sample mean, minimax over all θ", n, sigma ** 2 / n, dash="dash"),
                     Trace("Bayes risk, cos² prior (exact)", n, exact),
                     Trace("van Trees bound, cos² prior", n, bound, dash="dot"),
                     Trace("Gaussian prior, same variance: Bayes risk = van Trees", n, gauss, dash="dashdot"),
                     Trace("prior variance (no data)", n, np.full(n.size, prior_var), dash="longdash")],
                    note=f"n = {n[i]}: Bayes risk {exact[i]:.3g}, van Trees {bound[i]:.3g} "
                         f"({100 * bound[i] / exact[i]:.0f} % of it), σ²/n = {sigma ** 2 / n[i]:.3g}")

    return Explorer("primer-van-trees", [Param("r", 0.1, 10.0, 1.0, steps=9, log=True, label="prior half-width r"),
                                         Param("sigma", 0.5, 2.0, 1.0, steps=3, log=True, label="noise sd σ")],
                    compute, x_label="sample size n", y_label="mean squared error", log_x=True, log_y=True)


def rate_distortion() -> Explorer:
    """D(R) of a Gaussian against the best uniform scalar quantiser (exact and simulated) and its entropy-coded
    high-rate limit."""
    rate = np.linspace(0.0, 8.0, 81)
    bits, mc, mc_se = simulate.uniform_quantiser_mc()
    exact = np.array([it.uniform_quantiser_mse(int(b)) for b in bits])

    def compute(sigma, R):
        v = sigma ** 2
        d_r = it.gaussian_distortion_rate(R, v)
        k = int(np.clip(round(R), 1, bits[-1])) - 1
        gap = 10 * np.log10(exact[k] / it.gaussian_distortion_rate(bits[k], 1.0))
        return View([Trace("D(R) = σ²·2^(−2R)", rate, it.gaussian_distortion_rate(rate, v)),
                     Trace("best uniform quantiser, 2^R levels (exact)", bits, v * exact, mode="markers"),
                     Trace("same, Monte Carlo ± 2 SE", bits, v * mc, mode="markers", error=2 * v * mc_se),
                     Trace("entropy-coded uniform, high rate: (πe/6)·D(R)", rate,
                           np.where(rate >= 2, np.pi * np.e / 6 * it.gaussian_distortion_rate(rate, v), np.nan),
                           dash="dash"),
                     Trace("chosen rate", [R], [d_r], mode="markers")],
                    note=f"D({R:g}) = {d_r:.3g}; the {bits[k]}-bit uniform quantiser sits {gap:.2f} dB above "
                         f"D(R); every extra bit lowers D(R) by 6.02 dB")

    return Explorer("primer-rate-distortion", [Param("sigma", 0.5, 2.0, 1.0, steps=3, log=True, label="σ"),
                                               Param("R", 0.0, 8.0, 2.0, steps=9, label="rate R (bits)")],
                    compute, x_label="rate R (bits per sample)", y_label="mean squared error", log_y=True)


def water_filling(d: int = 16) -> Explorer:
    """Reverse water-filling over d independent Gaussian components with variances decay^i."""
    idx = np.arange(d)

    def compute(decay, D):
        v = decay ** idx
        res = it.reverse_water_filling(v, D * v.sum())
        kept = int(np.sum(res.rates > 0))
        return View([Trace("variance σᵢ²", idx, v, mode="markers"),
                     Trace("distortion Dᵢ = min(λ, σᵢ²)", idx, res.distortions, mode="lines+markers"),
                     Trace("water level λ", idx, np.full(d, res.level), dash="dash")],
                    note=f"total rate {res.total_rate:.1f} bits for {d} components; {kept} of {d} get bits; "
                         f"D = {D:g} of the total variance")

    return Explorer("primer-water-filling",
                    [Param("decay", 0.5, 1.0, 0.65, values=[0.5, 0.65, 0.8, 0.9, 1.0], label="variance decay"),
                     Param("D", 0.001, 1.0, 0.1, steps=7, log=True, label="D / Σσᵢ²")],
                    compute, x_label="component i", y_label="variance or distortion", log_y=True)


def wyner_ziv() -> Explorer:
    """Rates with and without decoder side information, and a nested scalar quantiser, against distortion D."""
    dist = np.geomspace(1e-4, 4.0, 61)
    rates = (1, 2, 3, 4)
    uniform = np.array([it.uniform_quantiser_mse(b) for b in rates])

    def compute(sigma_x, sigma_n, D):
        vx, vn = sigma_x ** 2, sigma_n ** 2
        _, nested = simulate.nested_quantiser_curve(sigma_n / sigma_x, rates)
        r_x, r_wz = it.gaussian_rate_distortion(D, vx), it.wyner_ziv_gaussian(D, vx, vn)
        return View([Trace("R_X(D): no side information", dist, it.gaussian_rate_distortion(dist, vx)),
                     Trace("R_WZ(D) = R_X|Y(D): Y at the decoder", dist, it.wyner_ziv_gaussian(dist, vx, vn)),
                     Trace("uniform quantiser, ignores Y", vx * uniform, rates, mode="markers"),
                     Trace("nested (coset) quantiser, uses Y", vx * nested, rates, mode="markers"),
                     Trace("chosen D", [D], [r_wz], mode="markers")],
                    note=f"D = {D:.3g}: R_X = {r_x:.2f} bits, R_WZ = {r_wz:.2f} bits; σ²(X|Y) = "
                         f"{it.conditional_variance_gaussian(vx, vn):.3g}")

    return Explorer("primer-wyner-ziv",
                    [Param("sigma_x", 0.5, 2.0, 1.0, values=[0.5, 1.0, 2.0], label="σx"),
                     Param("sigma_n", 0.125, 4.0, 0.25, values=_POW2 + [4.0], label="σn (side-information noise)"),
                     Param("D", 1e-3, 1.0, 0.01, steps=4, log=True, label="distortion D")],
                    compute, x_label="distortion D (mean squared error)", y_label="rate (bits per sample)",
                    log_x=True)
