"""The figure and explorer of page ``primer-entropy-kl`` (book/primer/entropy-kl.md)."""
from __future__ import annotations

import numpy as np
from scipy import stats

from lib import infotheory as it
from lib.explore import Explorer, Param, Trace, View
from lib.explore.teach import Move, TryThis, note_value

__all__ = ['bernoulli_kl', 'gaussian_kl']


def bernoulli_kl(p: float = 0.3):
    r"""Left: binary entropy in bits. Right: KL(Ber(p) ‖ Ber(q)) against q and the quadratic ½I(p)(q − p)².

    Parameters
    ----------
    p : float, optional
        The success probability of the reference Bernoulli law.

    Returns
    -------
    matplotlib.figure.Figure
        :func:`lib.infotheory.binary_entropy` and :func:`lib.infotheory.kl_divergence` beside
        :math:`\tfrac12 I(p)(q-p)^2`, the local quadratic of ``eq-primer-kl``.
    """
    import matplotlib.pyplot as plt

    q = np.linspace(0.005, 0.995, 199)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(q, it.binary_entropy(q, base=2), lw=2)
    left.set_xlabel("success probability p")
    left.set_ylabel("entropy h(p) (bits)")
    kl = np.array([it.kl_divergence([p, 1 - p], [b, 1 - b]) for b in q])
    right.plot(q, kl, lw=2, label="KL(Ber(p) ‖ Ber(q))")
    right.plot(q, 0.5 * it.bernoulli_fisher(p) * (q - p) ** 2, lw=2, ls="--", label="½ I(p) (q − p)²")
    right.set_ylim(0, 1.2)
    right.set_xlabel("model probability q")
    right.set_ylabel("divergence (nats)")
    right.legend(frameon=False)
    fig.tight_layout()
    plt.close(fig)
    return fig


_X = np.linspace(-6.0, 6.0, 121)


def _asymmetry(view) -> float:
    """KL(q‖p) − KL(p‖q), read from the explorer's note."""
    return note_value("KL(q‖p) =")(view) - note_value("KL(p‖q) =")(view)


def gaussian_kl() -> Explorer:
    r"""KL divergence between p = N(0, 1) and q = N(μ, σ²): the two densities and the integrand p log(p/q).

    Returns
    -------
    lib.explore.Explorer
        Sliders μ and σ; the integrand's area is :func:`lib.infotheory.gaussian_kl`,
        :math:`\log\sigma + (1 + \mu^2)/(2\sigma^2) - 1/2`.
    """

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
                    compute, x_label="outcome x", y_label="density / integrand (nats per unit x)",
                    caption="The densities p = N(0, 1) and q = N(μ, σ²) and the integrand p·log(p/q), whose area is "
                            "KL(p‖q); the note gives the divergence in both directions.",
                    try_this=TryThis(
                        "Is the KL divergence a distance?",
                        [Move({"mu": 2.0}, "with equal variances KL(p‖q) = μ²/2: doubling the shift quadruples it",
                              note_value("KL(p‖q) ="), "up"),
                         Move({"mu": 0.0, "sigma": 2.0}, "with no shift but a wider q, KL(q‖p) now exceeds KL(p‖q)",
                              _asymmetry, "up"),
                         Move({"sigma": 0.5}, "a narrower q swaps the two directions", _asymmetry, "down")],
                        why="KL is not symmetric, so it is a divergence, not a distance: it charges more for a q "
                            "that misses p's mass than for one that spreads beyond it."))
