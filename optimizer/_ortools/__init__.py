"""Every OR-Tools call of the package, behind two small modules.

* :mod:`optimizer._ortools.orienteering`: the team orienteering model of a
  :class:`optimizer._core.Core` (the rep's day, re-planning, the week's days and the OPTW/TOPTW
  benchmark), solved by OR-Tools' routing library starting from the routes the project's own
  search found.
* :mod:`optimizer._ortools.vrptw`: the capacitated VRPTW of the Solomon benchmark command.
"""

from optimizer._ortools.orienteering import Models, OrtoolsRun, improve
from optimizer._ortools.vrptw import VrptwInput, scale_vrptw, solve_vrptw

__all__ = ["Models", "OrtoolsRun", "VrptwInput", "improve", "scale_vrptw", "solve_vrptw"]
