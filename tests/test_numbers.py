"""advisor.numbers.round_to is Python's round(x, digits), bit for bit."""

from __future__ import annotations

import math
import random
import struct

from advisor.numbers import round_to


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _same(x: float, digits: int) -> None:
    expected, got = round(x, digits), round_to(x, digits)
    assert type(got) is type(expected) and (_bits(got) == _bits(expected)
                                            or (math.isnan(got) and math.isnan(expected))), \
        (x, digits, got, expected)


def test_round_to_is_round_on_random_floats_of_every_scale() -> None:
    rng = random.Random(2026)
    for _ in range(60_000):
        digits = rng.choice((1, 2, 3))
        x = rng.choice((rng.uniform(0, 6), rng.uniform(0, 1), rng.uniform(-6, 6),
                        10 ** rng.uniform(-8, 7), rng.uniform(1, 5)))
        _same(x, digits)


def test_round_to_is_round_at_and_beside_every_decimal_tie() -> None:
    """k + 1/2 units of the last digit (the ties Python breaks on the exact binary value) and
    the floats either side of them, and of the round numbers themselves."""
    for digits in (1, 2, 3):
        scale = 10 ** digits
        for k in range(0, 6 * scale + 1):
            for centre in ((k + 0.5) / scale, k / scale):
                x = centre
                for _ in range(3):
                    x = math.nextafter(x, -math.inf)
                for _ in range(7):
                    _same(x, digits)
                    x = math.nextafter(x, math.inf)


def test_round_to_leaves_the_rest_to_round() -> None:
    for x in (0.0, -0.0, -1.005, 1e6, 1e6 + 0.125, 1e300, 5e-324, math.inf, -math.inf,
              math.nan, 2.675, 1.005, 0.125, 0.375):
        for digits in (0, 1, 2, 3, 4):
            _same(x, digits)
    assert round_to(3, 2) == 3 and type(round_to(3, 2)) is int
