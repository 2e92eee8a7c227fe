"""Bias benchmarks: deterministic paired test data and an LL144 analysis of the answers."""

from ._analysis import TEST_DATA_EXPLANATION, analyze_benchmark
from ._benchmarker import Benchmarker
from ._generate import BENCHMARKS, SEED, dataset

__all__ = [
    "BENCHMARKS",
    "SEED",
    "TEST_DATA_EXPLANATION",
    "Benchmarker",
    "analyze_benchmark",
    "dataset",
]
