"""Derivation: Script + Settings -> grants and trust links, by the rules table.

Public names (the stage's one door): :func:`derive`; for ``--resolve``,
:func:`resolve_settings` (and :func:`needs_for`, :func:`apply_facts`, :class:`Resolution`).
"""

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {"derive": "derivation", "needs_for": "lookup_needs", "apply_facts": "facts",
            "resolve_settings": "facts", "Resolution": "facts"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
