"""Documents: grants -> policy and trust documents within IAM's quotas.

Public names (the stage's one door; each loads on first use): :func:`build_reports` (every
principal's documents and the diagnostics of fitting them), :func:`standard_trust` (the
service trust policy alone), :data:`DEFAULT_LIMITS`.
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "build_reports": "fitting",
    "DEFAULT_LIMITS": "fitting",
    "standard_trust": "trust",
})
__all__ = ["DEFAULT_LIMITS", "build_reports", "standard_trust"]

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.documents.fitting import DEFAULT_LIMITS as DEFAULT_LIMITS
    from redshift_iam.documents.fitting import build_reports as build_reports
    from redshift_iam.documents.trust import standard_trust as standard_trust
