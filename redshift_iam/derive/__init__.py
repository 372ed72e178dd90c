"""Derivation: Script + Settings -> grants and trust links, by the rules table.

Public names (the stage's one door): :func:`derive`; for ``--resolve``,
:func:`resolve_settings` (and :func:`needs_for`, :func:`apply_facts`, :class:`Resolution`).
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {"derive": "derivation", "needs_for": "lookup_needs", "apply_facts": "facts",
            "resolve_settings": "facts", "Resolution": "facts"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.derive.derivation import derive as derive
    from redshift_iam.derive.facts import Resolution as Resolution
    from redshift_iam.derive.facts import apply_facts as apply_facts
    from redshift_iam.derive.facts import resolve_settings as resolve_settings
    from redshift_iam.derive.lookup_needs import needs_for as needs_for
