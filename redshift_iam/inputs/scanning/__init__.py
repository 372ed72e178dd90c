"""Finding COPY, UNLOAD and CREATE LIBRARY statements where they live in a source tree.

Public API: :func:`scan` (paths -> :class:`ScanResult`), :class:`Fragment` (template text with an
exact map to its host file), :class:`Skipped` (a place not read, and why), :class:`Binding`.
"""

from redshift_iam.inputs.scanning.finder import internal_error, scan
from redshift_iam.inputs.scanning.fragments import Binding, Fragment, Run, ScanResult, Skipped

__all__ = ["Binding", "Fragment", "Run", "ScanResult", "Skipped", "internal_error", "scan"]
