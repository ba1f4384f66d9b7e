"""The figure and explorer of page ``primer-van-trees`` (book/primer/van-trees.md)."""
from __future__ import annotations

import numpy as np

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, ratio_at

__all__ = ['cos2_prior', 'van_trees']


def cos2_prior(r: float = 1.0, samples: int = 40_000, seed: int = 0):
    r"""The cos² prior on [−r, r]: density, a histogram of the inverse-cdf sampler, and the squared score.

    Parameters
    ----------
    r : float, optional
        Half-width of the prior.
    samples : int, optional
        Draws of :func:`lib.infotheory.sample_cos2_prior` in the histogram.
    seed : int, optional
        Seed of the draws.

    Returns
    -------
    matplotlib.figure.Figure
        The density and the squared score, whose area is the prior's Fisher information :math:`\pi^2/r^2`
        (``eq-primer-cos2-fisher``).
    """
    import matplotlib.pyplot as plt

    theta = np.linspace(-r, r, 201)
    draws = it.sample_cos2_prior(np.random.default_rng(seed), samples, r)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.hist(draws, bins=40, range=(-r, r), density=True, alpha=0.4, label=f"{samples:,} samples")
    left.plot(theta, it.cos2_prior_pdf(theta, r), lw=2, label="density")
    left.set_xlabel("θ")
    left.set_ylabel("density")
    left.legend(frameon=False, loc="lower center")
    inner = theta[1:-1]
    score2 = (np.pi / r * np.tan(np.pi * inner / (2 * r))) ** 2 * it.cos2_prior_pdf(inner, r)
    right.plot(inner, score2, lw=2)
    right.fill_between(inner, score2, alpha=0.2)
    right.set_xlabel("θ")
    right.set_ylabel("score² × density (area = π²/r²)")
    fig.tight_layout()
    plt.close(fig)
    return fig


def van_trees() -> Explorer:
    """Bayes risk under the cos² prior on [−r, r], its van Trees bound and σ²/n, over the sample size n.

    Returns
    -------
    lib.explore.Explorer
        Sliders r and σ; :func:`lib.infotheory.gaussian_location_bayes_risk` against
        :func:`lib.infotheory.van_trees_bound` (``eq-primer-van-trees``) and :func:`lib.infotheory.cos2_prior_variance`.
    """
    n = np.unique(np.round(np.geomspace(1, 1000, 31)).astype(int))

    def compute(r, sigma):
        exact = np.array([it.gaussian_location_bayes_risk(int(k), sigma, r) for k in n])
        bound = it.van_trees_bound(1, n / sigma ** 2, it.cos2_prior_fisher(1, r))
        prior_var = it.cos2_prior_variance(r)
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
                    compute, x_label="sample size n", y_label="mean squared error", log_x=True, log_y=True,
                    caption="The exact Bayes risk under the cos² prior on [−r, r], its van Trees bound and σ²/n "
                            "against the sample size n, with a Gaussian prior of the same variance, for which the "
                            "bound is exact.",
                    try_this=TryThis(
                        "When is the van Trees bound tight?",
                        [Move({"r": 0.1}, "a narrow prior: at n = 10 the bound falls further below the Bayes risk",
                              ratio_at("van Trees bound, cos² prior", "Bayes risk, cos² prior (exact)", 10), "down"),
                         Move({"r": 10.0}, "a wide prior: the bound meets the Bayes risk, both on σ²/n",
                              ratio_at("van Trees bound, cos² prior", "Bayes risk, cos² prior (exact)", 10), "up")],
                        why="The prior's Fisher information π²/r² is what the bound adds to the data's n/σ²: it "
                            "matters only while it is not small against n/σ²."))
