"""``round(x, digits)`` as Python rounds a float, without its decimal conversion where it can.

Why: the simulation rounds a few hundred numbers per replication (the observed indicators at
each review, the customers' maturity each month, scores and features), and Python's
``round(x, n)`` writes the number as a correctly rounded decimal and reads it back (about 1 us a
call). ``x * 10**n`` rounded to the nearest integer and divided by ``10**n`` gives the same
float whenever the scaled value is not within reach of a tie: the product's rounding error
(half a unit in its last place, below 1e-7 here) cannot move it across a half, and a division
is correctly rounded, as is reading the decimal back. Near a tie, and outside the range the
argument holds for, Python's own ``round`` answers (``tests/test_numbers.py`` pins both).
"""

from __future__ import annotations

__all__ = ["round_to", "ROUND_TIE"]

_SCALES = {1: 10.0, 2: 100.0, 3: 1000.0}
_LIMIT = 1e6          # |x| below it: the scaled value stays below 1e9 (an ulp of 1.2e-7 at most)
_TIE = 0.499999       # nearer a half than 1e-6: Python's round decides
#: for a hot loop that writes :func:`round_to`'s steps out (a float within 0-1e6 only)
ROUND_TIE = _TIE


def round_to(x: float, digits: int) -> float:
    """``round(x, digits)`` for a float and ``digits`` 1-3, bit for bit (other digits, and
    ints, go to ``round``)."""
    scale = _SCALES.get(digits)
    if scale is not None and type(x) is float and 0.0 < x < _LIMIT:
        scaled = x * scale
        whole = round(scaled)
        if -_TIE < scaled - whole < _TIE:
            return whole / scale
    return round(x, digits)
