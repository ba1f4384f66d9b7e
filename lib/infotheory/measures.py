"""Entropy, cross-entropy, KL divergence and mutual information (scipy-backed).

All measures are in nats unless ``base`` is given (``base=2`` gives bits). Formulas and their equation labels
are printed on the primer page :doc:`/book/primer/entropy-kl`.
"""
from __future__ import annotations

import numpy as np
from scipy import special, stats

from lib.checks import log_base, positive, probability, real_array, scalar_or_array

__all__ = ["entropy", "binary_entropy", "cross_entropy", "kl_divergence", "mutual_information",
           "gaussian_kl", "gaussian_entropy"]


def entropy(p, base=None):
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i`.

    Parameters
    ----------
    p : array_like
        Probabilities along the last axis (non-negative, summing to 1). Extra leading axes are a batch.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, ``2`` gives bits.

    Returns
    -------
    float or ndarray
        The entropy, one value per leading index.

    Notes
    -----
    :math:`H(p) = -\sum_i p_i \log p_i` with :math:`0 \log 0 = 0`, eq. ``eq-primer-entropy``.
    Computed with :func:`scipy.stats.entropy`.

    Examples
    --------
    >>> entropy([0.5, 0.5], base=2)
    1.0
    """
    arr = probability(p, "p")
    factor = log_base(base)
    return scalar_or_array(stats.entropy(arr, axis=-1) / factor)


def binary_entropy(p, base=None):
    r"""Entropy of a Bernoulli(p) variable, :math:`h(p) = -p\log p - (1-p)\log(1-p)`.

    Parameters
    ----------
    p : float or array_like
        Success probability in [0, 1].
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray

    Notes
    -----
    The two-point case of eq. ``eq-primer-entropy``; :math:`h(1/2) = 1` bit.

    Examples
    --------
    >>> binary_entropy(0.5, base=2)
    1.0
    """
    arr = real_array(p, "p")
    if ((arr < 0) | (arr > 1)).any():
        raise ValueError(f"`p` must lie in [0, 1], got {p!r}. Pass a probability.")
    h = -(special.xlogy(arr, arr) + special.xlogy(1 - arr, 1 - arr))
    return scalar_or_array(h / log_base(base))


def cross_entropy(p, q, base=None):
    r"""Cross-entropy (expected log-loss of predicting ``q`` when the truth is ``p``), :math:`-\sum_i p_i\log q_i`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors of the same shape (last axis).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        ``inf`` where ``q`` gives zero probability to an outcome that ``p`` does not.

    Notes
    -----
    :math:`H(p, q) = H(p) + D(p\,\|\,q)`, eq. ``eq-primer-excess-logloss``.

    Examples
    --------
    >>> round(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2), 6)
    1.207519
    """
    pa, qa = _pair(p, q)
    return scalar_or_array(-special.xlogy(pa, qa).sum(axis=-1) / log_base(base))


def kl_divergence(p, q, base=None):
    r"""Kullback–Leibler divergence :math:`D(p\,\|\,q) = \sum_i p_i \log(p_i/q_i)`.

    Parameters
    ----------
    p, q : array_like
        Probability vectors of the same shape (last axis; leading axes are a batch).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        Non-negative; ``inf`` if ``p`` puts mass where ``q`` has none.

    Notes
    -----
    eq. ``eq-primer-kl``; summed with :func:`scipy.special.rel_entr`. It is the excess log-loss of coding or
    predicting with ``q`` when the data follow ``p`` (eq. ``eq-primer-excess-logloss``).

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    """
    pa, qa = _pair(p, q)
    return scalar_or_array(special.rel_entr(pa, qa).sum(axis=-1) / log_base(base))


def mutual_information(joint, base=None):
    r"""Mutual information :math:`I(X;Y) = D(p_{XY}\,\|\,p_X p_Y)` of a joint probability table.

    Parameters
    ----------
    joint : array_like, shape (m, n)
        ``joint[i, j] = P(X = i, Y = j)``; non-negative entries summing to 1.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float

    Notes
    -----
    eq. ``eq-primer-mutual-information``; :math:`0 \le I(X;Y) \le \min(H(X), H(Y))`.

    Examples
    --------
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2)
    1.0
    """
    pxy = probability(joint, "joint", ndim=2)
    product = np.outer(pxy.sum(axis=1), pxy.sum(axis=0))
    return float(special.rel_entr(pxy, product).sum() / log_base(base))


def gaussian_kl(mu0, var0, mu1, var1):
    r"""KL divergence between two univariate Gaussians, :math:`D(N(\mu_0,v_0)\,\|\,N(\mu_1,v_1))`, in nats.

    Parameters
    ----------
    mu0, mu1 : float or array_like
        Means (finite).
    var0, var1 : float or array_like
        Variances (> 0). Arguments broadcast.

    Returns
    -------
    float or ndarray

    Notes
    -----
    :math:`\tfrac12\big(\log(v_1/v_0) + (v_0 + (\mu_0-\mu_1)^2)/v_1 - 1\big)`, eq. ``eq-primer-gaussian-kl``.

    Examples
    --------
    >>> gaussian_kl(1.0, 1.0, 0.0, 1.0)
    0.5
    """
    m0 = _finite(mu0, "mu0")
    m1 = _finite(mu1, "mu1")
    v0 = positive(var0, "var0")
    v1 = positive(var1, "var1")
    kl = 0.5 * (np.log(v1 / v0) + (v0 + (m0 - m1) ** 2) / v1 - 1.0)
    return scalar_or_array(np.maximum(kl, 0.0))


def gaussian_entropy(variance, base=None):
    r"""Differential entropy of :math:`N(\mu, \sigma^2)`, :math:`\tfrac12\log(2\pi e\sigma^2)`.

    Parameters
    ----------
    variance : float or array_like
        :math:`\sigma^2 > 0`.
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray

    Notes
    -----
    Used for the Shannon lower bound on the rate–distortion page (eq. ``eq-primer-gaussian-rd``).

    Examples
    --------
    >>> round(gaussian_entropy(1.0), 6)
    1.418939
    """
    v = positive(variance, "variance")
    return scalar_or_array(0.5 * np.log(2 * np.pi * np.e * v) / log_base(base))


def _pair(p, q):
    pa = probability(p, "p")
    qa = probability(q, "q")
    if pa.shape != qa.shape:
        raise ValueError(f"`p` and `q` must have the same shape, got {pa.shape} and {qa.shape}.")
    return pa, qa


def _finite(x, name):
    arr = real_array(x, name)
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite, got {x!r}.")
    return arr

