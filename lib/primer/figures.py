"""Static figures of the primer (matplotlib). Each function returns the figure; the page shows it once.

No titles (the page caption names the figure), lowercase axis labels with units.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from lib import infotheory as it

__all__ = ["bernoulli_kl", "one_bit_fisher", "cos2_prior"]


def bernoulli_kl(p: float = 0.3):
    """Left: binary entropy in bits. Right: KL(Ber(p) ‖ Ber(q)) against q and the quadratic ½I(p)(q − p)²."""
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


def one_bit_fisher():
    """Fisher information of the bit 1{X > t} against the standardised threshold a = (t − θ)/σ."""
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


def cos2_prior(r: float = 1.0, samples: int = 40_000, seed: int = 0):
    """The cos² prior on [−r, r]: density, a histogram of the inverse-cdf sampler, and the squared score."""
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
