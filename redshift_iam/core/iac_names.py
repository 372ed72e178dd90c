"""What a template variable is called in a Terraform or CloudFormation file: one rule, used by
the renderers (``output``) and by the messages that name the variable (``derive``)."""

from __future__ import annotations

import re

# Names Terraform refuses for a variable (they mean something in a module block).
TF_RESERVED = frozenset({"source", "version", "providers", "count", "for_each", "lifecycle",
                         "depends_on", "locals"})


def tf_variable(name: str) -> str:
    """The Terraform variable of template variable ``name``: ``params.bucket`` ->
    ``params_bucket``; a name Terraform reserves gets ``_value``."""
    tf = name.replace(".", "_")
    return f"{tf}_value" if tf in TF_RESERVED else tf


def cfn_logical(name: str) -> str:
    """An alphanumeric CloudFormation logical id base: ``etl_loader-prod`` -> ``EtlLoaderProd``."""
    logical = "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name) if p)
    return logical if logical[:1].isalpha() else f"R{logical}"
