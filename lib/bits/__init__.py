"""Part I: optimisation under a B-bit stochastic gradient oracle (bounds, quantisers, encoders, simulator).

Modules
-------
bounds
    The Fisher budget ``min(d, 2 ln2 B)/sigma^2``, the product bound, rounds and communication bounds.
quantisers
    Fisher information of quantised Gaussian samples (any scalar quantiser, sign, best uniform, argmax, SR).
oracles
    Gaussian / AR(1) / clipped noisy-gradient oracles and the prior on ``theta``.
encoders
    B-bit encoders with exact bit accounting (registry ``ENCODERS``) and their decoder updates.
simulate
    ``simulate(scheme, ...)``: vectorised Monte Carlo of the whole protocol; ``sgd_error``.
noiseless
    The case ``sigma = 0``: bisection against the communication bound.
routes
    Assouad + strong data processing, truncation, localisation and the entropy-coded tail-threshold scheme.
views
    One module per Part I page: its figures, tables and explorers (the only part of ``lib.bits`` that imports
    matplotlib or :mod:`lib.explore`; not imported here).
"""
from .bounds import (LN2, bit_limited_threshold, communication_lower_bound, communication_lower_bound_uniform,
                     correlation_factor, fisher_budget_per_round, fisher_route_bits, fisher_trace_bound,
                     min_rounds, mse_lower_bound, rounds_lower_bound)
from .encoders import ENCODERS, BitBudgetError, DecoderState, Encoder, Message, make_encoder, stochastic_round
from .oracles import GaussianOracle, draw_theta, gradient_range
from .quantisers import (best_uniform_quantiser, fisher_argmax, fisher_entropy_many, fisher_per_bit_families,
                         fisher_sign, fisher_stochastic_round, quantiser_entropy, quantiser_fisher,
                         random_quantisers, tail_threshold_per_bit, uniform_thresholds)
from .noiseless import bisection_error, simulate_bisection, uniform_distortion_bound
from .simulate import SimulationResult, memory_counterexample, record_grid, sgd_error, simulate

__all__ = [
    "LN2", "fisher_budget_per_round", "fisher_trace_bound", "mse_lower_bound", "rounds_lower_bound", "min_rounds",
    "bit_limited_threshold", "communication_lower_bound", "communication_lower_bound_uniform",
    "fisher_route_bits", "correlation_factor",
    "quantiser_fisher", "quantiser_entropy", "uniform_thresholds", "best_uniform_quantiser", "fisher_sign",
    "fisher_argmax", "fisher_stochastic_round", "fisher_entropy_many", "random_quantisers",
    "fisher_per_bit_families", "tail_threshold_per_bit",
    "GaussianOracle", "draw_theta", "gradient_range",
    "ENCODERS", "Encoder", "Message", "DecoderState", "BitBudgetError", "make_encoder", "stochastic_round",
    "SimulationResult", "simulate", "record_grid", "sgd_error", "memory_counterexample",
    "bisection_error", "uniform_distortion_bound", "simulate_bisection",
]
