"""Advice: which services, approaches, competencies and flywheel steps a PMO should work on.

The public door is :func:`recommend` (a profile in, an :class:`Advice` out, whose ``to_dict()``
is the JSON the CLI prints and the API serves). How it works: ``docs/advice.md``.
"""

from rules.advice.model import (
                                  Advice,
                                  AdviceWarning,
                                  ApproachAdvice,
                                  Because,
                                  CompetencyAdvice,
                                  FlywheelFocus,
                                  GroupMaturity,
                                  ScenarioStrategy,
                                  ServedOutcome,
                                  ServiceAdvice,
)
from rules.advice.recommend import recommend

__all__ = ["recommend", "Advice", "AdviceWarning", "ApproachAdvice", "Because",
           "CompetencyAdvice", "FlywheelFocus", "GroupMaturity", "ScenarioStrategy",
           "ServedOutcome", "ServiceAdvice"]
