r"""The book's results, declared once: what each part's "What to remember" table shows, and the list of results.

:data:`RESULTS` holds one :class:`Result` per theorem, proposition, lemma and conjecture of the primer and the two
parts: its label, a short statement in TeX, its constants (the numeric ones computed here with ``lib``), and the
provenance badges of its box. :func:`statements` reads the numbered statements back from the pages (the
``{prf:...}`` directives, their titles, labels and badges): ``tests/test_results.py`` checks that every result of a
part's chapters is declared, with the badges of its box, and :mod:`lib.front.views.results` renders both.

Example
-------
>>> [r.label for s, r in part_results("primer")][:2]
['thm-primer-excess-logloss', 'thm-primer-message-bound']
>>> round(constant_values(by_label("thm-primer-one-bit-fisher"))[0][1], 3)
0.637
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lib import course

__all__ = ["BADGES", "RESULT_KINDS", "NUMBERED_KINDS", "Result", "Statement", "RESULTS", "statements",
           "part_results", "by_label", "constant_values"]

ROOT = Path(__file__).resolve().parents[1]

#: Provenance key -> the badge a page writes (README, "Provenance").
BADGES = {"paper": "{bdg-primary}`stated in the paper`", "reconstructed": "{bdg-warning}`reconstructed here`",
          "finding": "{bdg-success}`this book's finding`", "literature": "{bdg-info}`from the literature`"}
#: Statement kinds a part's table must show (its results).
RESULT_KINDS = ("theorem", "proposition", "lemma", "corollary", "conjecture")
#: Statement kinds the list of results shows: the results and the definitions (remarks are numbered but not listed).
NUMBERED_KINDS = RESULT_KINDS + ("definition",)

_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{prf:(?P<kind>[a-z]+)\}[ \t]*(?P<title>[^\n]*)\n"
                        r"(?P<body>.*?)^(?P=fence)[ \t]*$", flags=re.S | re.M)
_BADGE = {markup: key for key, markup in BADGES.items()}


@dataclass(frozen=True)
class Statement:
    """A numbered statement as a page writes it: ``{prf:kind} title``, ``:label:``, the badges of its box."""

    chapter: str
    kind: str
    title: str
    label: str
    provenance: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """One result of a part's table.

    ``statement`` and ``constants`` are MyST markdown (inline TeX in ``$...$``, no ``|``: the table would split);
    ``numbers`` are ``(TeX name, function)`` pairs whose values the table prints beside the constants.
    """

    label: str
    statement: str
    provenance: tuple[str, ...]
    constants: str = "—"
    numbers: tuple[tuple[str, Callable[[], float]], ...] = field(default=())


def _ln2() -> float:
    from lib.bits import bounds
    return bounds.fisher_budget_per_round(10**6, 1, 1.0) / 2


def _two_ln2() -> float:
    from lib.bits import bounds
    return bounds.fisher_budget_per_round(10**6, 1, 1.0)


def _sign_fisher() -> float:
    from lib import infotheory as it
    return float(it.threshold_quantiser_fisher(0.0))


def _cos2_prior_fisher() -> float:
    from lib import infotheory as it
    return float(it.cos2_prior_fisher(1, 1.0))


def _kink() -> float:
    from lib.bits import bounds
    return bounds.bit_limited_threshold(1)


def _sign_excess() -> float:
    """The sign scheme's error over the product bound for B <= d/(2 ln 2): (pi/2)(2 ln 2) = pi ln 2."""
    return math.pi / 2 * _two_ln2()


def _inflation_half() -> float:
    from lib.bits import correlated
    return float(correlated.sign_inflation(0.5))


def _factor_half() -> float:
    from lib.bits import bounds
    return float(bounds.correlation_factor(0.5))


def _unit_distortion() -> float:
    from lib import infotheory as it
    return float(it.gaussian_distortion_rate(1.0, 1.0))


_LIT, _PAPER, _REC, _FIND = ("literature",), ("paper",), ("reconstructed",), ("finding",)

#: Every result of the primer and the two parts, in the order of the pages.
RESULTS: tuple[Result, ...] = (
    # Primer
    Result("thm-primer-excess-logloss", r"$\E_p[-\ln q(X)] = H(p) + \KL(p\Vert q)$, and $\KL(p\Vert q)\ge 0$", _LIT,
           "exact identity"),
    Result("thm-primer-message-bound", r"$I(X;Y\mid U)\le H(Y)\le B$ bits for a $B$-bit message $Y$", _LIT,
           "1 bit $=\\ln 2$ nats", (("\\ln 2", _ln2),)),
    Result("thm-primer-max-entropy",
           r"$\E\lVert X-\E X\rVert^2\le d\sigma^2 \Rightarrow h(X)\le\frac d2\ln(2\pi e\sigma^2)$",
           _LIT, "equality for $\\mathcal N(\\mu,\\sigma^2 I_d)$"),
    Result("thm-primer-shannon-lower-bound", r"$R(D)\ge h(X)-\frac d2\ln\frac{2\pi e D}{d}$", _LIT,
           "tight for Gaussians"),
    Result("thm-primer-cramer-rao", r"$\Var_\theta(\hat\theta)\ge 1/(n I(\theta))$ for unbiased $\hat\theta$", _LIT),
    Result("thm-primer-one-bit-fisher",
           r"$I_Y=\frac{\varphi(a)^2}{\sigma^2\Phi(a)(1-\Phi(a))}$ for $Y=\mathbf 1\{X>t\}$",
           _LIT, "largest at $a=0$, in units of $1/\\sigma^2$", (("2/\\pi", _sign_fisher),)),
    Result("thm-primer-fisher-data-processing", r"$I_Y(\theta)\le I_X(\theta)$ for $Y$ computed from $X$", _LIT),
    Result("thm-primer-van-trees", r"$\E(\hat\theta-\theta)^2\ge\frac{1}{\E_\pi I(\theta)+J(\pi)}$", _LIT,
           "$\\cos^2$ prior on $[-r,r]$: $J=\\pi^2/r^2$", (("J(\\pi_1)", _cos2_prior_fisher),)),
    Result("thm-primer-van-trees-multi",
           r"$\E\lVert\hat\theta-\theta\rVert^2\ge\frac{d^2}{\E_\pi\tr I(\theta)+J(\pi)}$",
           _LIT, "product prior: $J(\\pi)=\\sum_j J(\\pi_j)$"),
    Result("lem-primer-le-cam", r"$\max_j\E(\hat\theta-\theta_j)^2\ge\delta^2(1-\mathrm{TV})$", _LIT,
           "two points $\\pm\\delta$"),
    Result("lem-primer-assouad",
           r"$\max_v\E\lVert\hat\theta-\theta_v\rVert^2\ge\frac{d\delta^2}{2}(1-\max_{v\sim v'}\mathrm{TV})$",
           _LIT, "factor $1/2$"),
    Result("lem-primer-fano",
           r"$\max_i\E\lVert\hat\theta-\theta_i\rVert^2\ge\frac{s^2}{4}\big(1-\frac{I(V;X^n)+\ln 2}{\ln M}\big)$",
           _LIT, "factor $1/4$"),
    Result("thm-primer-gaussian-rd", r"$R(D)=\max\{0,\frac12\log_2\frac{\sigma^2}{D}\}$, $D(R)=\sigma^2 2^{-2R}$", _LIT,
           "one bit divides $D$ by 4", (("D(1)/\\sigma^2", _unit_distortion),)),
    Result("thm-primer-water-filling",
           r"$R(D)=\sum_i\frac12\log_2\frac{\sigma_i^2}{D_i}$, $D_i=\min(\lambda,\sigma_i^2)$",
           _LIT, "water level $\\lambda$: $\\sum_i D_i=D$"),
    Result("thm-primer-wyner-ziv-general",
           r"$R_{\mathrm{WZ}}(D)=\min_U I(X;U\mid Y)$, $R_{X\mid Y}\le R_{\mathrm{WZ}}\le R_X$",
           _LIT),
    Result("thm-primer-wyner-ziv",
           r"$R_{\mathrm{WZ}}(D)=R_{X\mid Y}(D)=\max\{0,\frac12\log_2\frac{\sigma^2_{X\mid Y}}{D}\}$",
           _LIT, "no rate loss"),
    Result("prop-primer-cut-cache", r"$\lVert o_S-o_t\rVert\le 2(1-A_S)\max_j\lVert v_j\rVert$", _FIND,
           "factor 2; $A_S$ the kept attention mass"),
    # Part I
    Result("lem-bits-reduction",
           r"$X_t=x_t-G_t\sim\mathcal N(\theta,\sigma^2 I_d)$ i.i.d.; $Y_t=\mathrm{enc}'_t(X_t,Y^{t-1},U)$",
           _PAPER + _REC, "exact: the queries carry no information"),
    Result("prop-bits-sgd-exact", r"$\E\lVert x_T-\theta\rVert^2=d\sigma^2/T$ for step $1/(t+1)$, every $x_0$", _LIT,
           "exact"),
    Result("thm-bits-communication", r"$TB\ge\frac d2\log_2\frac{d s^2}{\eps^2}$ bits", _PAPER + _REC,
           "$TB\\ge d$ once $\\eps^2\\le d s^2/4$"),
    Result("prop-bits-bisection", r"$\E\lVert\hat\theta-\theta\rVert^2=\sum_j\frac{r^2}{3}4^{-n_j}$", _FIND,
           "$\\pi e/6$ times the cube bound", (("\\pi e/6", lambda: math.pi * math.e / 6),)),
    Result("thm-bits-statistical",
           r"$\E\lVert\hat x_T-\theta\rVert^2\ge\frac{d}{T/\sigma^2+\pi^2/r^2}$, so $T\ge\frac{\sigma^2 d}{2\eps^2}$",
           _PAPER + _REC, "factor $1/2$ if $r\\ge\\pi\\eps\\sqrt{2/d}$"),
    Result("prop-bits-quantizer-fisher",
           r"$I_Q=\frac1{\sigma^2}\sum_i\frac{(\varphi(a_i)-\varphi(a_{i-1}))^2}{p_i}$", _LIT,
           "one threshold at the mean", (("2/\\pi", _sign_fisher),)),
    Result("thm-bits-fisher-mi", r"$\tr I_Y(\theta)\le\min\{d,2\ln 2\cdot B\}/\sigma^2$", _LIT,
           "Fisher information per bit", (("2\\ln 2", _two_ln2),)),
    Result("prop-bits-argmax", r"$\tr I_Y=\frac{M(\E\max_i Z_i)^2}{(M-1)\sigma^2}$, $M=2^k$", _LIT + _REC,
           "$2/\\pi$ at $k=1$; per bit $\\to 2\\ln 2$"),
    Result("prop-bits-tail-threshold", r"$\frac{I_Q}{h_2(\Phi(-a))}\to\frac{2\ln 2}{\sigma^2}$ as $a\to\infty$", _FIND,
           "fixed-length per coordinate: $\\le 2/\\pi$ per bit"),
    Result("lem-bits-chain-rule", r"$\tr I_{Y^T\mid U}(\theta)\le T\min\{d,2\ln 2\cdot B\}/\sigma^2$",
           _LIT + _PAPER + _REC, "$2\\ln 2$ reconstructed here"),
    Result("thm-bits-product-bound", r"$T\ge\frac{\sigma^2 d}{2\eps^2}\max\{1,\frac{d}{2\ln 2\cdot B}\}$",
           _PAPER + _LIT + _REC, "bits stop limiting at $B=d/(2\\ln 2)$", (("B/d", _kink),)),
    Result("thm-bits-assouad-sdpi",
           r"$\E\lVert\hat\theta-\theta\rVert^2\ge\frac{\sigma^2 d^2}{27\,T\min\{d/2,\kappa B\ln 2\}}$",
           _FIND, "factor $1/27$; SDPI constant $\\kappa$"),
    Result("prop-bits-localisation",
           r"$d\log_2\frac r\sigma\le$ the cube bound iff $\eps^2\le\frac{2}{\pi e}d\sigma^2$",
           _FIND, "", (("2/(\\pi e)", lambda: 2 / (math.pi * math.e)),)),
    Result("thm-bits-achievability", r"rounds within a log factor of the product bound for $\lvert G_{t,j}\rvert\le M$",
           _PAPER + _REC, "bounded range $M$"),
    Result("prop-bits-sr-error", r"$T=O\big(\frac{\sigma^2 d}{\eps^2}\max\{1,\frac dB\log_2(1+\frac M\sigma)\}\big)$",
           _REC, "needs $B\\ge\\lceil\\log_2(1+M/\\sigma)\\rceil$; rounding noise $\\bar v_q\\le\\Delta^2/4$"),
    Result("prop-bits-sign-asymptote", r"$\E\lVert x_T-\theta\rVert^2\approx\frac\pi2\frac{\sigma^2 d^2}{T\min(B,d)}$",
           _LIT + _REC, "over the product bound for $B\\le d/(2\\ln 2)$", (("\\pi\\ln 2", _sign_excess),)),
    Result("thm-bits-ar1-statistical",
           r"$\E\lVert\hat\theta-\theta\rVert^2\gtrsim\frac{1+\rho}{1-\rho}\frac{\sigma^2 d}{T}$",
           _PAPER + _LIT, "factor $\\frac{1+\\rho}{1-\\rho}$", (("\\text{factor at }\\rho=1/2", _factor_half),)),
    Result("prop-bits-sign-inflation",
           r"$\kappa(\rho)=1+\frac4\pi\sum_{k\ge1}\arcsin\rho^k<\frac{1+\rho}{1-\rho}$", _FIND,
           "ratio to $\\frac{1+\\rho}{1-\\rho}$ tends to $\\ln 2$ as $\\rho\\to 1$", (("\\kappa(1/2)", _inflation_half),)),
    Result("conj-bits-correlated-product",
           r"$T\gtrsim\frac{\sigma^2 d}{2\eps^2}\max\{\frac{1+\rho}{1-\rho},\frac{d}{2\ln 2\cdot B}\}$",
           _FIND, "first term proved"),
    Result("thm-bits-tracking-bounds",
           r"tracking error $\ge\max\{P,\frac{q^2}{2^{2B/d}-1}\}$, $P\approx q\sigma$", _LIT,
           "Kalman $P$; causal rate–distortion"),
    Result("prop-bits-sign-tracker", r"error $\approx\sqrt{\pi/2}\,\sigma q\sqrt m+\frac{q^2(m-1)}{2}$", _FIND,
           "step $c\\approx q\\sqrt m$", (("\\sqrt{\\pi/2}", lambda: math.sqrt(math.pi / 2)),)),
    Result("thm-bits-regime-bounds",
           r"$T\ge\max\{T_{\rm comm},T_{\rm stat},T_{\rm bit}\}$", _PAPER + _REC + _LIT + _FIND,
           "cube $[-2,2]^d$"),
    # Part II
    Result("lem-kv-excess-logloss", r"$\E_p[-\ln q]-\E_p[-\ln p]=\KL(p\Vert q)$", _LIT, "exact"),
    Result("prop-kv-toy-a",
           r"$\Delta(w)=\frac{V_w}{2s^2}\sim\frac{c^2\sigma_u^2}{2s^2(2\beta-1)}w^{-(2\beta-1)}$", _FIND,
           "$\\alpha=2\\beta-1$"),
    Result("thm-kv-wyner-ziv-gaussian",
           r"$R_{\mathrm{WZ}}(D)=\max\{0,\frac12\log_2\frac{\sigma^2_{X\mid Y}}{D}\}$", _LIT,
           "$\\sigma^2_{X\\mid Y}=\\frac{\\sigma_x^2\\sigma_n^2}{\\sigma_x^2+\\sigma_n^2}$"),
    Result("lem-kv-shared-start", r"one pass of length $w_{\max}$ gives $q_t$ for every window $w\le w_{\max}$", _REC),
    Result("prop-kv-rope-shift", r"$\langle R_m q,R_n k\rangle=\langle q,R_{n-m}k\rangle$", _LIT),
    Result("prop-kv-eviction-field", r"eviction reaches $n_{\mathrm{layers}}(w-s-1)$ tokens back", _REC,
           "equals truncation for one layer"),
    Result("thm-kv-window", r"$w=\Theta(\eps^{-1/\alpha})$ for suffix-only policies", _PAPER),
    Result("thm-kv-window-constants",
           r"$w(\eps)=\lceil(C/\eps)^{1/\alpha}\rceil$ suffices; $w\ge(c/\eps)^{1/\alpha}$ is needed",
           _REC, "for $w\\ge w_0$"),
    Result("prop-kv-block-markov", r"$D_{\mathrm{BM}}(L)=\frac1L\sum_{i<L}\Delta(L+i)\le C L^{-\alpha}$", _REC,
           "$\\Delta(2L)\\le D_{\\mathrm{BM}}(L)\\le\\Delta(L)$"),
    Result("prop-kv-pol-rerotation", r"StreamingLLM = sinks rotated by $\delta=i-w+1$", _REC,
           "one layer: re-encoding at $0,\\dots,w-1$"),
    Result("prop-kv-tob-split", r"$b^*(M)=\frac\alpha2\log_2 M+O(\log\log M)$ for $D=Cw^{-\alpha}+A\,2^{-2b}$", _REC,
           "$\\beta=LHd/4$, $b_0=32/G$"),
    Result("thm-kv-haris-onak", r"attention-based generation needs $\Theta(nd)$ space for $d=\Omega(\log n)$", _LIT),
    Result("prop-kv-memory-flat", r"memory $\mathrm{bytes}(w(\eps))$ independent of $n$; saving $n/w(\eps)$", _REC),
    Result("thm-kv-sharan", r"a window of $\ell$ tokens has average KL $\le I/\ell$", _LIT,
           "$I$: past–future information"),
)


def statements(chapters=None, kinds=NUMBERED_KINDS) -> list[Statement]:
    """The numbered statements of ``chapters`` (default: every chapter of ``_toc.yml``), in page order.

    Parameters
    ----------
    chapters : list of str, optional
        Pages as ``book/<part>/<name>`` without suffix.
    kinds : tuple of str
        The ``prf`` directive kinds to keep.

    Returns
    -------
    list of Statement
        Kind, title, label (``""`` if the box has none) and the provenance keys of the badges in its box.
    """
    found = []
    for chapter in course.toc_chapters() if chapters is None else chapters:
        for m in _DIRECTIVE.finditer((ROOT / f"{chapter}.md").read_text()):
            if m["kind"] not in kinds:
                continue
            label = re.search(r"^:label:\s*(\S+)", m["body"], flags=re.M)
            badges = re.findall(r"\{bdg-[a-z]+\}`[^`]*`", m["body"])
            found.append(Statement(chapter, m["kind"], m["title"].strip(), label[1] if label else "",
                                   tuple(dict.fromkeys(_BADGE.get(b, b) for b in badges))))
    return found


def by_label(label: str) -> Result:
    """The declared result ``label``; ``KeyError`` naming the fix if it is not declared."""
    for result in RESULTS:
        if result.label == label:
            return result
    raise KeyError(f"result `{label}` is not declared in lib.results.RESULTS: add it")


def part_results(part: str) -> list[tuple[Statement, Result]]:
    """The results of ``part`` (``"primer"``, ``"bits"`` or ``"kv"``) as its pages state them, each with its record.

    Parameters
    ----------
    part : str
        A key of :data:`lib.course.PARTS`.

    Returns
    -------
    list of (Statement, Result)
        In the order of the pages; ``KeyError`` if a result of the part's chapters is not declared.
    """
    if part not in course.PARTS:
        raise ValueError(f"part must be one of {list(course.PARTS)}, not {part!r}")
    chapters = [c for c in course.toc_chapters() if c.split("/")[1] == part]
    return [(s, by_label(s.label)) for s in statements(chapters, RESULT_KINDS)]


def constant_values(result: Result) -> list[tuple[str, float]]:
    """The numeric constants of ``result``, computed: ``[(TeX name, value), ...]``.

    Parameters
    ----------
    result : Result

    Returns
    -------
    list of (str, float)
    """
    return [(name, float(f())) for name, f in result.numbers]
