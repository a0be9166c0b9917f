"""Fortune: what befalls a PMO whatever its strategy, so that its fate is never certain.

The research says PMOs' fates vary widely: about half have their value questioned within a year
or two whatever they do, good PMOs are disbanded in reorganizations (ESI 2013: restructuring is
the top reason PMOs are disbanded), and poor ones survive under a strong sponsor (reference
8.1). Two mechanisms here act when a *random* shock lands (a scripted shock does exactly what
its script says); both reuse the shock's own uniform draw, conditioned on the shock occurring
(``w = u / chance`` is uniform on [0, 1)), so they need no new random numbers and keep common
random numbers across strategies:

- a reorganization or merger withdraws the PMO's mandate with probability
  ``MANDATE_WITHDRAWAL``, however healthy it is: executive support, autonomy, resources and
  influence (the four the guide's Collapse lacks, Guide p.37-38) fall to at most
  ``WITHDRAWN_BACKING`` and disbanding is on the table; the next review diagnoses it, and
  executives revive or disband the PMO as in any Collapse (Guide p.43);
- a new sponsor (sponsor change, merger) brings their own stance: executive support moves by
  ``SPONSOR_STANCE x (2w - 1)`` points beyond the shock's pull, a champion or a sceptic (mean 0),
  and the value they expect for their money is scaled by ``exp(SPONSOR_BAR x (1 - 2w))``: the
  sceptic also sets a higher bar, the champion a lower one, for as long as they stay.

The third, idiosyncratic luck in how much of the value customers credit to the PMO, is a
per-organization parameter (``recognition_luck`` in ``SPREAD``). docs/model.md, "Fortune".
"""

from __future__ import annotations

import math

from simulation.shocks import Shock
from simulation.state import PmoState

__all__ = ["land", "withdraw_mandate", "BACKING"]

#: what keeps a PMO alive; Collapse is defined by lacking all four (rules/tables/features.yaml)
BACKING = ("executive_support", "autonomy", "resources", "influence")


def withdraw_mandate(state: PmoState) -> None:
    """The organization puts the PMO's existence in question (the guide's Collapse)."""
    p = state.params
    for indicator in BACKING:
        state.x[indicator] = min(state.x[indicator], p.withdrawn_backing)
    state.show_sign("disbanding_considered", p.review_interval + 1)
    state.log("shock", "mandate_withdrawn",
              "The PMO's mandate is withdrawn: whether it should exist at all is on the table.")


def land(state: PmoState, shock: Shock, w: float) -> None:
    """Land a random ``shock``; ``w`` is its conditional uniform draw (0-1)."""
    shock.apply(state)
    p = state.params
    if shock.major_change and p.mandate_withdrawal > 0.0:
        if w < p.mandate_withdrawal:
            withdraw_mandate(state)
            return
        w = (w - p.mandate_withdrawal) / (1.0 - p.mandate_withdrawal)
    if shock.new_sponsor:
        state.shift("executive_support", p.sponsor_stance * (2.0 * w - 1.0))
        if p.sponsor_bar > 0.0:
            state.params = p.changed(value_expected=p.value_expected
                                     * math.exp(p.sponsor_bar * (1.0 - 2.0 * w)))
