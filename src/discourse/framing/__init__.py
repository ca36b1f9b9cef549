"""Framing: heroic / collaborative / neutral, with calibrated probabilities and evidence.

Heavy pieces (scikit-learn, torch) are imported by the submodules that need them:
`framing.model` (estimators, training), `framing.predict` (the fast scoring path).
"""

from discourse.framing.codebook import LABELS, SCHEME_VERSION

__all__ = ["LABELS", "SCHEME_VERSION"]
