"""B-bit gradient encoders with exact bit accounting, and the decoder-side update each one pairs with.

Every encoder is a small dataclass with one job: turn a batch of gradients ``g`` (shape (reps, d)) into a
:class:`Message` of at most ``B`` bits per replicate, using public-coin randomness ``rng`` shared with the
decoder. :meth:`Encoder.encode` counts the bits of what it actually sends and raises :class:`BitBudgetError` if a
round would exceed ``B`` (the full-precision reference is the one exemption, flagged by ``exempt = True``).
:meth:`Encoder.update` is the decoder: per-coordinate Robbins-Monro averaging
``x_j <- x_j - gain * decoded_j / n_j`` over the coordinates described so far (``n_j`` counts them), optionally
projected onto ``[-box, box]``.

Registry: :data:`ENCODERS` maps ``"full"``, ``"sign"``, ``"stochastic_rounding"``, ``"qsgd"``, ``"randk"`` and
``"memory_bisection"`` to the classes; :func:`make_encoder` builds one by name.

Memory. Every encoder except :class:`MemoryBisection` is *memoryless* (``memory = False``): its round-t message is a
function of the current gradient, the transcript so far and the public coin only, the model of the product bound
(page ``bits-bit-oracle-reduction``). :class:`MemoryBisection` (``memory = True``) also uses earlier gradients, the
counterexample that shows the assumption is essential.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np

from lib import checks


__all__ = [
    "BitBudgetError",
    "Message",
    "DecoderState",
    "Encoder",
    "FullPrecision",
    "AdaptiveSign",
    "StochasticRounding",
    "QSGD",
    "RandK",
    "MemoryBisection",
    "MemoryState",
    "ENCODERS",
    "make_encoder",
    "stochastic_round",
]

_SCHEDULES = ("random", "cyclic")


class BitBudgetError(RuntimeError):
    """A round's message would use more than ``B`` bits."""


@dataclass
class Message:
    """What crosses the channel in one round, for a batch of replicates.

    Attributes
    ----------
    decoded : ndarray, shape (reps, d)
        The decoder's reconstruction of the described coordinates (0 elsewhere).
    mask : ndarray of bool, shape (reps, d)
        Which coordinates the message describes.
    n_bits : int
        Bits of the longest message in the batch (every field counted).
    codes : ndarray, optional
        The transmitted symbols (e.g. level indices), for inspection and tests.
    """

    decoded: np.ndarray
    mask: np.ndarray
    n_bits: int
    codes: np.ndarray | None = None


@dataclass
class DecoderState:
    """Per-coordinate sample counters ``n_j`` and the round index ``t`` (shared by encoder and decoder)."""

    counts: np.ndarray
    t: int = 0


def _check_schedule(schedule: str) -> str:
    if schedule not in _SCHEDULES:
        raise ValueError(f"`schedule` must be one of {_SCHEDULES}, got {schedule!r}.")
    return schedule


def _check_value_bits(b, B: int) -> int:
    """Bits per transmitted value: an integer in ``[1, min(B, 30)]``."""
    b = checks.count(b, "b")
    if b > min(B, 30):
        raise ValueError(f"`b` must lie in [1, min(B, 30)] = [1, {min(B, 30)}], got {b}.")
    return b


def _select(rng: np.random.Generator, reps: int, d: int, k: int, schedule: str, t: int) -> np.ndarray:
    """Public-coin choice of ``k`` of ``d`` coordinates per replicate, as a (reps, d) boolean mask."""
    if k >= d:
        return np.ones((reps, d), dtype=bool)
    mask = np.zeros((reps, d), dtype=bool)
    if schedule == "cyclic":
        mask[:, (t * k + np.arange(k)) % d] = True
        return mask
    idx = np.argpartition(rng.random((reps, d)), k - 1, axis=1)[:, :k]
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


def stochastic_round(x: np.ndarray, rng: np.random.Generator, b: int, M: float) -> np.ndarray:
    """Unbiased stochastic rounding of ``x`` (clipped to ``[-M, M]``) onto ``2^b`` equally spaced levels.

    Parameters
    ----------
    x : ndarray
        Values.
    rng : numpy.random.Generator
        Source of the rounding coins.
    b : int
        Bits per value.
    M : float
        Range; the levels are ``-M + i Delta``, ``Delta = 2M/(2^b - 1)``, ``i = 0..2^b - 1``.

    Returns
    -------
    ndarray of int
        Level indices in ``[0, 2^b - 1]``; ``E[-M + i Delta] = clip(x)`` and the variance is at most
        ``Delta^2/4`` (equation ``eq-bits-sr-variance``).
    """
    top = 2**b - 1
    u = (np.clip(x, -M, M) + M) * (top / (2 * M))
    low = np.minimum(np.floor(u), top - 1)
    return (low + (rng.random(np.shape(x)) < (u - low))).astype(np.int64)


@dataclass
class Encoder:
    """Common interface: ``encode(g, rng, state) -> Message`` and the decoder's ``update(x, message, state)``.

    Parameters
    ----------
    B : int
        Bit budget per round, ``>= 1``.
    d : int
        Dimension, ``>= 1``.
    sigma : float, optional
        Noise level known to both sides (used by gains), ``> 0``.
    """

    B: int
    d: int
    sigma: float = 1.0
    name: ClassVar[str] = ""
    #: True only for the full-precision reference, which is not held to ``B``.
    exempt: ClassVar[bool] = False
    #: True if the encoder needs ``|g_j| <= M`` (the simulator then clips the noise and projects iterates).
    bounded: ClassVar[bool] = False
    #: True if a round's message may depend on earlier gradients (not only on the current one, the transcript and
    #: the public coin); the product bound ``eq-bits-product-bound`` is proved only for ``memory = False``.
    memory: ClassVar[bool] = False
    #: The fewest bits per round with which the encoder can send anything (QSGD: a 32-bit norm and one level).
    min_bits: ClassVar[int] = 1

    def __post_init__(self):
        self.B = checks.count(self.B, "B")
        self.d = checks.count(self.d, "d")
        self.sigma = checks.positive(self.sigma, "sigma")

    @property
    def gain(self) -> float:
        """Multiplier of the Robbins-Monro step ``gain / n_j``."""
        return 1.0

    @property
    def box(self) -> float | None:
        """Half-width of the box the decoder projects onto (``None``: no projection)."""
        return None

    def config(self) -> dict:
        """The encoder's parameters, including those it derived (k, b, s, M, ...)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def init_state(self, reps: int) -> DecoderState:
        """Fresh counters for ``reps`` replicates."""
        return DecoderState(counts=np.zeros((checks.count(reps, "reps"), self.d), dtype=np.int64))

    def encode(self, g: np.ndarray, rng: np.random.Generator, state: DecoderState) -> Message:
        """Describe the gradients ``g`` (shape (reps, d)) in at most ``B`` bits per replicate."""
        g = np.asarray(g, dtype=float)
        if g.ndim != 2 or g.shape[1] != self.d:
            raise ValueError(f"`g` must have shape (reps, {self.d}), got {g.shape}.")
        message = self._encode(g, rng, state)
        if not self.exempt and message.n_bits > self.B:
            raise BitBudgetError(
                f"{type(self).__name__} would send {message.n_bits} bits in round {state.t}, above B = {self.B}."
            )
        return message

    def _encode(self, g, rng, state) -> Message:
        raise NotImplementedError

    def update(self, x: np.ndarray, message: Message, state: DecoderState) -> np.ndarray:
        """Decoder: ``n_j += 1`` on described coordinates, then ``x_j <- x_j - gain * decoded_j / n_j``."""
        state.counts += message.mask
        state.t += 1
        step = np.where(message.mask, self.gain / np.maximum(state.counts, 1), 0.0)
        x = x - step * message.decoded
        if self.box is not None:
            np.clip(x, -self.box, self.box, out=x)
        return x


@dataclass
class FullPrecision(Encoder):
    """Unconstrained reference: sends ``g`` in full (counted as ``32 d`` bits, exempt from ``B``).

    With ``gain = 1`` the update is SGD with step ``1/(t+1)``, whose error is exactly ``d sigma^2/T`` from any
    start (equation ``eq-bits-sgd-exact``).
    """

    step_gain: float = 1.0
    name: ClassVar[str] = "full"
    exempt: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        self.step_gain = checks.positive(self.step_gain, "step_gain")

    @property
    def gain(self) -> float:
        return self.step_gain

    def _encode(self, g, rng, state) -> Message:
        return Message(decoded=g, mask=np.ones(g.shape, dtype=bool), n_bits=32 * self.d)


@dataclass
class AdaptiveSign(Encoder):
    """Signs of ``k = min(B, d)`` public-coin coordinates; decoder gain ``sigma sqrt(pi/2)``.

    Since ``G_j = x_j - theta_j + sigma Z_j``, the sign tests the sample ``X_j = x_j - G_j`` against the
    current iterate: the threshold follows the estimate. The gain ``1/h'(0)`` with ``h(u) = 2 Phi(u/sigma) - 1``
    is Robbins-Monro's optimal one (equation ``eq-bits-sign-gain``).
    """

    schedule: str = "random"
    k: int = field(default=0, init=False)
    name: ClassVar[str] = "sign"

    def __post_init__(self):
        super().__post_init__()
        _check_schedule(self.schedule)
        self.k = min(self.B, self.d)

    @property
    def gain(self) -> float:
        return self.sigma * math.sqrt(math.pi / 2)

    def _encode(self, g, rng, state) -> Message:
        mask = _select(rng, g.shape[0], self.d, self.k, self.schedule, state.t)
        bits = (g >= 0) & mask
        decoded = np.where(mask, np.where(bits, 1.0, -1.0), 0.0)
        return Message(decoded=decoded, mask=mask, n_bits=int(mask.sum(axis=1).max()), codes=bits)


@dataclass
class _BoundedEncoder(Encoder):
    """Shared fields of the encoders that need a known range ``|g_j| <= M``."""

    M: float = 10.0
    r: float | None = None
    bounded: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        self.M = checks.positive(self.M, "M")
        if self.r is not None:
            self.r = checks.positive(self.r, "r")

    @property
    def box(self) -> float | None:
        return self.r


@dataclass
class StochasticRounding(_BoundedEncoder):
    """SR(b): unbiased ``b``-bit stochastic rounding on ``[-M, M]`` of ``k = min(d, floor(B/b))`` coordinates.

    Parameters
    ----------
    b : int, optional
        Bits per coordinate, ``1 <= b <= B``; default ``ceil(log2(1 + M/sigma))`` capped at ``B`` (the choice
        that makes the rounding variance of order ``sigma^2``).
    M : float
        Range of the gradients (``2 r + kappa sigma`` in the simulator).
    r : float, optional
        Decoder projects iterates onto ``[-r, r]``.
    schedule : {"random", "cyclic"}
        Public-coin coordinate choice.

    Notes
    -----
    Bits per round: ``k b <= B``, exactly (the coordinate set is public coin, so it costs nothing).
    """

    b: int | None = None
    schedule: str = "random"
    k: int = field(default=0, init=False)
    name: ClassVar[str] = "stochastic_rounding"

    def __post_init__(self):
        super().__post_init__()
        _check_schedule(self.schedule)
        if self.b is None:
            self.b = min(self.B, max(1, math.ceil(math.log2(1 + self.M / self.sigma))))
        self.b = _check_value_bits(self.b, self.B)
        self.k = min(self.d, self.B // self.b)

    @property
    def step(self) -> float:
        """Grid spacing ``Delta = 2M/(2^b - 1)``."""
        return 2 * self.M / (2**self.b - 1)

    def _encode(self, g, rng, state) -> Message:
        mask = _select(rng, g.shape[0], self.d, self.k, self.schedule, state.t)
        codes = stochastic_round(g, rng, self.b, self.M)
        decoded = np.where(mask, -self.M + codes * self.step, 0.0)
        return Message(decoded=decoded, mask=mask, n_bits=int(mask.sum(axis=1).max()) * self.b,
                       codes=np.where(mask, codes, -1))


@dataclass
class RandK(_BoundedEncoder):
    """Rand-k with ``b``-bit fixed point: ``k = min(d, floor(B/b))`` random coordinates, rounded to the nearest of
    ``2^b`` levels on ``[-M, M]`` (deterministic, hence biased; the common int8 baseline).

    Parameters
    ----------
    b : int, optional
        Bits per value, default ``min(8, B)``.
    """

    b: int | None = None
    k: int = field(default=0, init=False)
    name: ClassVar[str] = "randk"

    def __post_init__(self):
        super().__post_init__()
        self.b = _check_value_bits(min(8, self.B) if self.b is None else self.b, self.B)
        self.k = min(self.d, self.B // self.b)

    def _encode(self, g, rng, state) -> Message:
        mask = _select(rng, g.shape[0], self.d, self.k, "random", state.t)
        top = 2**self.b - 1
        step = 2 * self.M / top
        codes = np.rint((np.clip(g, -self.M, self.M) + self.M) / step).astype(np.int64)
        decoded = np.where(mask, -self.M + codes * step, 0.0)
        return Message(decoded=decoded, mask=mask, n_bits=int(mask.sum(axis=1).max()) * self.b,
                       codes=np.where(mask, codes, -1))


def _level_bits(s: int) -> int:
    return math.ceil(math.log2(s + 1))


@dataclass
class QSGD(Encoder):
    """QSGD (Alistarh et al. 2017) on a public-coin subset of ``m`` coordinates, fixed-length coding.

    The message is the float32 norm of the described sub-vector (32 bits) plus, per coordinate, a sign bit and a
    level in ``{0, ..., s}`` (``ceil(log2(s + 1))`` bits, no Elias coding): ``32 + m (1 + ceil(log2(s+1)))``
    bits. Levels are rounded stochastically, so the decoded sub-vector is unbiased.

    Parameters
    ----------
    s : int, optional
        Quantisation levels. Default: if ``B >= 32 + 2d`` the whole vector with the largest ``s = 2^l - 1`` that
        fits (``l <= 16``); otherwise ``s = 1`` on ``m = floor((B - 32)/2)`` coordinates.
    schedule : {"random", "cyclic"}
        Public-coin choice of the sub-vector.

    Notes
    -----
    Needs ``B >= 32 + 1 + ceil(log2(s + 1))`` (34 bits with ``s = 1``); smaller budgets raise ``ValueError``.
    """

    s: int | None = None
    schedule: str = "random"
    m: int = field(default=0, init=False)
    name: ClassVar[str] = "qsgd"
    min_bits: ClassVar[int] = 34  # 32-bit norm, a sign and one level bit (s = 1)

    def __post_init__(self):
        super().__post_init__()
        _check_schedule(self.schedule)
        if self.s is None:
            if self.B >= 32 + 2 * self.d:
                self.s = 2 ** min(16, (self.B - 32) // self.d - 1) - 1
            else:
                self.s = 1
        self.s = checks.count(self.s, "s")
        self.m = min(self.d, (self.B - 32) // (1 + _level_bits(self.s)))
        if self.m < 1 or self.B < self.min_bits:
            raise ValueError(
                f"`B` = {self.B} is too small for QSGD with s = {self.s}: it needs at least "
                f"{33 + _level_bits(self.s)} bits (a 32-bit norm plus one coordinate)."
            )

    def _encode(self, g, rng, state) -> Message:
        mask = _select(rng, g.shape[0], self.d, self.m, self.schedule, state.t)
        sub = np.where(mask, g, 0.0)
        norm = np.linalg.norm(sub, axis=1, keepdims=True).astype(np.float32).astype(float)
        ratio = np.abs(sub) / np.where(norm > 0, norm, 1.0) * self.s
        low = np.minimum(np.floor(ratio), self.s)
        levels = (low + (rng.random(g.shape) < (ratio - low))).astype(np.int64)
        decoded = np.where(mask, norm * np.sign(sub) * levels / self.s, 0.0)
        n = int(mask.sum(axis=1).max())
        return Message(decoded=decoded, mask=mask, n_bits=32 + n * (1 + _level_bits(self.s)),
                       codes=np.where(mask, levels, -1))


def _bisect(lo: np.ndarray, hi: np.ndarray, columns: np.ndarray, value=None, bits=None) -> np.ndarray:
    """Halve the intervals ``[lo, hi]`` of ``columns`` in turn, in place; returns the bits (``value >= midpoint``).

    The encoder passes ``value`` (what it describes) and gets the bits; the decoder passes the received ``bits``.
    """
    codes = np.empty((lo.shape[0], len(columns)), dtype=bool)
    for i, j in enumerate(columns):  # sequential: a coordinate may get several bits in one round when B > d
        mid = (lo[:, j] + hi[:, j]) / 2
        codes[:, i] = value[:, j] >= mid if bits is None else bits[:, i]
        lo[:, j] = np.where(codes[:, i], mid, lo[:, j])
        hi[:, j] = np.where(codes[:, i], hi[:, j], mid)
    return codes


@dataclass
class MemoryState(DecoderState):
    """State of :class:`MemoryBisection`: the encoder's private memory and the decoder's bisection intervals.

    Attributes
    ----------
    sums : ndarray, shape (reps, d)
        Encoder side only: the sum of the gradients stored so far (all taken at the start ``x0``).
    stored : int
        Encoder side only: how many gradients are stored.
    lo, hi : ndarray, shape (reps, d)
        Transcript side: the interval of the mean gradient left after the bits sent so far (both sides know it).
    x0 : ndarray or None
        The decoder's start, recorded at its first update.
    """

    sums: np.ndarray | None = None
    stored: int = 0
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    x0: np.ndarray | None = None


@dataclass
class MemoryBisection(_BoundedEncoder):
    """An encoder WITH memory: store the gradients silently, then send their mean by bisection.

    For the first ``horizon - T'`` rounds the decoder keeps its query at the start ``x0`` and the encoder sends
    nothing (0 bits) but adds each gradient ``G_t = x0 - theta + sigma Z_t`` to its memory. In the last
    ``T' = ceil(d n/B)`` rounds it sends the mean gradient ``m`` to ``n`` bits per coordinate by bisection of
    ``[-M, M]``, ``B`` bits a round, bit-plane by bit-plane (one bit of every coordinate before the next). The decoder
    outputs ``x0 - m_hat`` with ``m_hat`` the midpoint of what is left of each interval.

    Parameters
    ----------
    horizon : int
        The number of rounds ``T`` of the run (required; the simulator passes it).
    n : int, optional
        Bits per coordinate; default: the ``n`` that minimises :meth:`planned_mse`.
    M : float
        Range of the gradients (``2 r + kappa sigma`` in the simulator).
    r : float, optional
        Decoder projects its output onto ``[-r, r]``.

    Notes
    -----
    Error (equation ``eq-bits-memory-error``): ``d sigma^2/(horizon - T') + d (2M 2^{-n})^2/12``, the variance of
    the stored mean plus the bisection error of a value spread evenly over its last interval. It beats the product
    bound because one message describes many samples at once: the per-round Fisher cap ``2 ln2 B/sigma^2`` is a
    cap for messages about ONE fresh sample.
    """

    horizon: int | None = None
    n: int | None = None
    rounds_sending: int = field(default=0, init=False)
    name: ClassVar[str] = "memory_bisection"
    memory: ClassVar[bool] = True

    def __post_init__(self):
        super().__post_init__()
        if self.horizon is None:
            raise ValueError("`horizon` (the number of rounds T) is required: the encoder plans when to stop "
                             "storing gradients and start sending; `simulate` passes it.")
        self.horizon = checks.count(self.horizon, "horizon")
        if self.n is None:
            self.n = min(range(1, 31), key=self.planned_mse)
        self.n = checks.count(self.n, "n")
        self.rounds_sending = math.ceil(self.d * self.n / self.B)
        if self.rounds_sending >= self.horizon:
            raise ValueError(f"`horizon` = {self.horizon} is too short to store any gradient and then send "
                             f"{self.n} bits of each of {self.d} coordinates at B = {self.B}; raise `horizon` "
                             f"above {self.rounds_sending} or lower `n`.")

    def planned_mse(self, n: int) -> float:
        """Predicted error with ``n`` bits per coordinate: ``d sigma^2/(T - T') + d (2M 2^{-n})^2/12``.

        Parameters
        ----------
        n : int
            Bits per coordinate, ``>= 1``.

        Returns
        -------
        float
            Equation ``eq-bits-memory-error`` (``inf`` if the ``T' = ceil(d n/B)`` rounds leave none to store).
        """
        n = checks.count(n, "n")
        stored = self.horizon - math.ceil(self.d * n / self.B)
        if stored < 1:
            return math.inf
        return self.d * self.sigma**2 / stored + self.d * (2 * self.M * 2.0**-n) ** 2 / 12

    def init_state(self, reps: int) -> MemoryState:
        reps = checks.count(reps, "reps")
        zeros = np.zeros((reps, self.d))
        return MemoryState(counts=np.zeros((reps, self.d), dtype=np.int64), sums=zeros.copy(),
                           lo=np.full((reps, self.d), -self.M), hi=np.full((reps, self.d), self.M))

    def _bit_slots(self, t: int) -> np.ndarray:
        """Global bit numbers sent in round ``t`` (0-based): bit ``q`` is level ``q // d`` of coordinate ``q % d``."""
        first = t - (self.horizon - self.rounds_sending)
        if first < 0:
            return np.arange(0)
        return np.arange(first * self.B, min((first + 1) * self.B, self.d * self.n))

    def _encode(self, g, rng, state) -> Message:
        slots = self._bit_slots(state.t)
        if slots.size == 0:
            state.sums += g
            state.stored += 1
            return Message(decoded=np.zeros_like(g), mask=np.zeros(g.shape, dtype=bool), n_bits=0,
                           codes=np.zeros((g.shape[0], 0), dtype=bool))
        codes = _bisect(state.lo.copy(), state.hi.copy(), slots % self.d, value=state.sums / state.stored)
        mask = np.zeros(g.shape, dtype=bool)
        mask[:, np.unique(slots % self.d)] = True
        return Message(decoded=np.zeros_like(g), mask=mask, n_bits=int(slots.size), codes=codes)

    def update(self, x: np.ndarray, message: Message, state: MemoryState) -> np.ndarray:
        """Decoder: keep ``x0`` while silent; else halve the intervals by the bits and output ``x0 - midpoint``."""
        if state.x0 is None:
            state.x0 = np.array(x, dtype=float)
        slots = self._bit_slots(state.t)
        state.t += 1
        if slots.size == 0:
            return x
        _bisect(state.lo, state.hi, slots % self.d, bits=message.codes)
        state.counts += message.mask
        x = state.x0 - (state.lo + state.hi) / 2
        if self.box is not None:
            np.clip(x, -self.box, self.box, out=x)
        return x


#: Name -> encoder class; build a fresh instance per run with :func:`make_encoder`.
ENCODERS: dict[str, type[Encoder]] = {
    cls.name: cls for cls in (FullPrecision, AdaptiveSign, StochasticRounding, QSGD, RandK, MemoryBisection)
}


def make_encoder(name: str, **options) -> Encoder:
    """A fresh encoder from the registry, e.g. ``make_encoder("sign", B=16, d=64, sigma=1.0)``.

    Parameters
    ----------
    name : str
        One of ``ENCODERS``.
    **options
        Constructor arguments (``B``, ``d``, ``sigma`` and the scheme's own, e.g. ``b``, ``M``, ``s``).

    Returns
    -------
    Encoder
        An encoder of the B-bit oracle ``eq-bits-quantised-oracle``.
    """
    if name not in ENCODERS:
        raise ValueError(f"`scheme` must be one of {sorted(ENCODERS)}, got {name!r}.")
    return ENCODERS[name](**options)
