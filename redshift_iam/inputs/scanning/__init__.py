"""Finding COPY, UNLOAD and CREATE LIBRARY statements where they live in a source tree.

Public API: :func:`scan` (paths -> :class:`ScanResult`), :class:`Fragment` (template text with an
exact map to its host file), :class:`Skipped` (a place not read, and why), :class:`Binding`.
"""

from redshift_iam.inputs.scanning.model import Binding, Fragment, Run, ScanResult, Skipped
from redshift_iam.inputs.scanning.scan import scan

__all__ = ["Binding", "Fragment", "Run", "ScanResult", "Skipped", "scan"]
