"""Audit: what is deployed against what the SQL needs, and how the SQL authorizes.

- an IAM evaluator (:class:`Evaluator`, :func:`evaluate`) for a role's documents;
- policy files in every form a role's policies come in (:func:`read_policies`);
- ``check`` (:func:`check` -> :class:`CheckReport`): the SQL's needs decided against those
  documents, with what is missing (and the closest statement) and what is in excess;
- ``lint`` (:func:`lint` -> :class:`LintReport`): findings about keys, roles and encryption;
- renderings: text and JSON (:func:`findings_text`, :func:`findings_json`,
  :func:`check_text`, :func:`check_json`) and SARIF 2.1.0 (:func:`sarif`).

This stage imports only ``redshift_iam.core`` (and PyYAML, policyuniverse when used).
Public names (the stage's one door; each loads on first use). No module is named like a
public name: importing the module would shadow the name on the package.
"""

from redshift_iam.core.lazy import lazy_exports

_EXPORTS = {
    "Evaluator": "evaluator", "evaluate": "evaluator",
    "Need": "decisions", "Decision": "decisions", "PolicyDoc": "decisions",
    "StatementRef": "decisions",
    "Closest": "decisions", "request": "decisions",
    "read_policies": "policies", "PolicyInput": "policies",
    "check": "checker", "CheckReport": "checker", "Missing": "checker",
    "Excess": "excess",
    "lint": "lint_rules", "LintReport": "lint_rules",
    "sarif": "sarif_log",
    "findings_text": "findings_render", "findings_json": "findings_render",
    "check_text": "findings_render", "check_json": "findings_render",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
