"""Documents: grants -> policy and trust documents within IAM's quotas.

Public names (the stage's one door; each loads on first use): :func:`build_reports` (every
principal's documents and the diagnostics of fitting them), :func:`standard_trust` (the
service trust policy alone), :data:`DEFAULT_LIMITS`.
"""

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "build_reports": "fitting",
    "DEFAULT_LIMITS": "fitting",
    "standard_trust": "trust",
})
__all__ = ["DEFAULT_LIMITS", "build_reports", "standard_trust"]
