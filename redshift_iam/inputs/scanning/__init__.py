"""Finding COPY, UNLOAD and CREATE LIBRARY statements where they live in a source tree.

Public API: :func:`scan` (paths -> :class:`ScanResult`), :class:`Fragment` (template text with an
exact map to its host file), :class:`Skipped` (a place not read, and why), :class:`Binding`.
Names load on first use: ``policy`` on a script imports none of the scanner.
"""

from typing import TYPE_CHECKING

from redshift_iam.core.lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, {
    "scan": "finder", "internal_error": "finder",
    "Binding": "fragments", "Fragment": "fragments", "Run": "fragments",
    "ScanResult": "fragments", "Skipped": "fragments",
})
__all__ = ["Binding", "Fragment", "Run", "ScanResult", "Skipped", "internal_error", "scan"]

if TYPE_CHECKING:  # the door's names for type checkers (they load lazily at run time)
    from redshift_iam.inputs.scanning.finder import internal_error as internal_error
    from redshift_iam.inputs.scanning.finder import scan as scan
    from redshift_iam.inputs.scanning.fragments import Binding as Binding
    from redshift_iam.inputs.scanning.fragments import Fragment as Fragment
    from redshift_iam.inputs.scanning.fragments import Run as Run
    from redshift_iam.inputs.scanning.fragments import ScanResult as ScanResult
    from redshift_iam.inputs.scanning.fragments import Skipped as Skipped
