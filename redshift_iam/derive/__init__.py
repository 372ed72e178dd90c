"""Derivation: Script + Settings -> grants and trust links, by the rules table.

Public name (the stage's one door): :func:`derive`.
"""

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {"derive": "engine"})
__all__ = ["derive"]
