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

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.audit.checker import CheckReport as CheckReport
    from redshift_iam.audit.checker import Missing as Missing
    from redshift_iam.audit.checker import check as check
    from redshift_iam.audit.decisions import Closest as Closest
    from redshift_iam.audit.decisions import Decision as Decision
    from redshift_iam.audit.decisions import Need as Need
    from redshift_iam.audit.decisions import PolicyDoc as PolicyDoc
    from redshift_iam.audit.decisions import StatementRef as StatementRef
    from redshift_iam.audit.decisions import request as request
    from redshift_iam.audit.evaluator import Evaluator as Evaluator
    from redshift_iam.audit.evaluator import evaluate as evaluate
    from redshift_iam.audit.excess import Excess as Excess
    from redshift_iam.audit.findings_render import check_json as check_json
    from redshift_iam.audit.findings_render import check_text as check_text
    from redshift_iam.audit.findings_render import findings_json as findings_json
    from redshift_iam.audit.findings_render import findings_text as findings_text
    from redshift_iam.audit.lint_rules import LintReport as LintReport
    from redshift_iam.audit.lint_rules import lint as lint
    from redshift_iam.audit.policies import PolicyInput as PolicyInput
    from redshift_iam.audit.policies import read_policies as read_policies
    from redshift_iam.audit.sarif_log import sarif as sarif
