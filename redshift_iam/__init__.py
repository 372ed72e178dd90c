"""redshift-iam: least-privilege IAM for Amazon Redshift COPY, UNLOAD and CREATE LIBRARY.

The pipeline is a chain of frozen values, one per stage:
text -> :mod:`lexer` tokens -> :mod:`parser` statements -> :mod:`derive` grants ->
:mod:`policy` / :mod:`trust` documents -> :mod:`text` text.
"""

__version__ = "0.1.0"
