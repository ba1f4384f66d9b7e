"""The figure and explorer of page ``primer-fisher-cramer-rao`` (book/primer/fisher-cramer-rao.md)."""
from __future__ import annotations

import numpy as np

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, value_at
from lib.infotheory import montecarlo

__all__ = ['one_bit_fisher', 'cramer_rao']


def one_bit_fisher():
    r"""Fisher information of the bit 1{X > t} against the standardised threshold a = (t − θ)/σ.

    Returns
    -------
    matplotlib.figure.Figure
        :func:`lib.infotheory.threshold_quantiser_fisher`, :math:`\varphi(a)^2/(\Phi(a)(1-\Phi(a)))`, peak
        :math:`2/\pi` at :math:`a = 0` (``eq-primer-one-bit-fisher``).
    """
    import matplotlib.pyplot as plt

    a = np.linspace(-4, 4, 321)
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(a, it.threshold_quantiser_fisher(a), lw=2, label="one bit, σ²I(a)")
    ax.axhline(1.0, color="k", lw=1, ls="--", label="all of X, σ²I = 1")
    ax.axhline(2 / np.pi, color="grey", lw=1, ls=":", label="2/π at a = 0")
    ax.set_xlabel("threshold offset a = (t − θ)/σ")
    ax.set_ylabel("fisher information × σ²")
    ax.set_ylim(0, 1.08)
    ax.legend(frameon=False, loc="center right")
    fig.tight_layout()
    plt.close(fig)
    return fig


def cramer_rao() -> Explorer:
    r"""n × mean squared error of three location estimators against the Cramér–Rao bounds, over n.

    Returns
    -------
    lib.explore.Explorer
        Slider a; the Monte Carlo of :mod:`lib.infotheory.montecarlo` against the bounds 1 and
        :math:`1/(\sigma^2 I(a))` (``eq-primer-cramer-rao``).
    """
    def compute(a, seed):
        loc = montecarlo.location_estimator_mse(seed=seed)
        n = loc["n"]
        bit, bit_se = montecarlo.one_bit_mle_mse(a, seed=seed)
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
                    log_y=True, seed=0,
                    caption="n times the mean squared error of the sample mean, the sample median and the one-bit "
                            "maximum-likelihood estimator (Monte Carlo) against two Cramér–Rao bounds: for all of X, "
                            "and for one bit per sample with its threshold a standard deviations from θ.",
                    try_this=TryThis(
                        "What does one bit per sample cost, and where should its threshold sit?",
                        [Move({"a": 1.0}, "the one-bit bound 1/(σ²I(a)) rises: a threshold away from θ tells less",
                              value_at("bound for one bit per sample: 1/(σ²I(a))", 1024), "up"),
                         Move({"a": 2.5}, "the one-bit estimator's error at n = 1024 climbs with its bound",
                              value_at("one-bit MLE (Monte Carlo)", 1024), "up"),
                         Move({"a": 0.0}, "at the centre the bit keeps 2/π of the information: the price is π/2",
                              value_at("bound for one bit per sample: 1/(σ²I(a))", 1024), "down")],
                        why="One bit costs a constant factor at best, if its threshold sits at θ: the Fisher "
                            "information a message carries decides the error, as for B bits in Part I."))
