"""JSON and YAML read with positions: every object (mapping) knows where it starts.

Policy files are hostile input: nothing in them runs (YAML is read with the safe loader and
anchors/aliases are refused, so no alias bomb), a duplicate key is an error (IAM would take one
of the two silently), and every failure is an :class:`~redshift_iam.core.diagnostics.InputError`
(RC403) at file:line:col. CloudFormation's short tags (``!Sub``, ``!Ref``, ``!GetAtt``, ...)
become their long forms (``{"Fn::Sub": ...}``, ``{"Ref": ...}``).
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any

from redshift_iam.core.diagnostics import Diagnostic, InputError, Location
from redshift_iam.core.source import Source


class Located(dict):
    """A JSON object or YAML mapping and the position of its opening brace (or first key)."""

    __slots__ = ("where",)
    where: Location | None


def where(value: object) -> Location | None:
    """The position of a parsed object, if it has one."""
    return value.where if isinstance(value, Located) else None


def error(message: str, at: Location | None, code: str = "RC403", fix: str = "") -> InputError:
    return InputError(Diagnostic(code, message, at, fix=fix))


_SYNTAX = "fix the syntax at this position"


def _located(pairs: list[tuple[str, Any]], at: Location) -> Located:
    out = Located()
    for key, value in pairs:
        if key in out:
            raise error(f"key {str(key)[:80]!r} is given twice in one object", at)
        out[key] = value
    out.where = at
    return out


def load_json(source: Source) -> Any:
    """``source.text`` as JSON, each object a :class:`Located`."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        at = source.location(s_and_end[1] - 1)
        return json.decoder.JSONObject(  # type: ignore[attr-defined]  # json's, undeclared
            s_and_end, strict, scan_once, object_hook, lambda pairs: _located(pairs, at), memo)

    # json's pure-Python scanner calls parse_object; typeshed declares neither attribute
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        return decoder.decode(source.text)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}",
                    Location(source.name, exc.lineno, exc.colno), fix=_SYNTAX) from None
    except RecursionError:
        raise error("the JSON nests too deeply", Location(source.name, 1, 1)) from None
    except ValueError as exc:  # e.g. an integer too long to read
        raise error(f"not valid JSON: {str(exc)[:120]}", Location(source.name, 1, 1)) from None


def load_yaml(source: Source) -> Any:
    """``source.text`` as YAML (CloudFormation's tags read), each mapping a Located."""
    import yaml

    try:
        return yaml.load(source.text, Loader=_loader(source.name))  # noqa: S506 - safe loader
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = Location(source.name, mark.line + 1, mark.column + 1) if mark else None
        raise error(f"not valid YAML: {exc.problem or exc.context}", at, fix=_SYNTAX) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise error(f"not valid YAML: {type(exc).__name__}", Location(source.name, 1, 1)
                    ) from None


def _loader(name: str) -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # noqa: ANN001, ANN202 - PyYAML's signature
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise error("YAML aliases (*name) are not read in policy files",
                            Location(name, mark.line + 1, mark.column + 1))
            return super().compose_node(parent, index)

    def mapping(loader, node):  # noqa: ANN001, ANN202
        loader.flatten_mapping(node)
        pairs = [(loader.construct_object(k, deep=True), loader.construct_object(v, deep=True))
                 for k, v in node.value]
        at = Location(name, node.start_mark.line + 1, node.start_mark.column + 1)
        if any(not isinstance(k, str) for k, _ in pairs):
            raise error("a mapping key is not a string", at)
        return _located(pairs, at)

    def intrinsic(loader, suffix, node):  # noqa: ANN001, ANN202
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = mapping(loader, node)
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
        at = Location(name, node.start_mark.line + 1, node.start_mark.column + 1)
        return _located([(key, value)], at)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_multi_constructor("!", intrinsic)
    return Loader
