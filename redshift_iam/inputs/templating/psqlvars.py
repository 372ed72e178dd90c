"""psql's variables as a script's meta-commands leave them, line by line.

``\\set NAME WORD...`` joins its words (``'...'`` unquoted, ``''`` a quote; ``:x``, ``:'x'``,
``:"x"`` interpolated where the colon follows no word character or colon, as in SQL text;
``"..."`` kept with its quotes); a word in backquotes is a shell command that psql runs: its
output is not known, so neither is the variable. ``\\unset``, ``\\prompt`` and ``\\getenv``
leave the variable without a known value. ``\\if``, ``\\elif``, ``\\else``, ``\\endif``: psql
decides the branch when it runs, so after the block a variable has a known value only when
every branch that may run leaves it the same text (a branch that does not set it leaves the
value from before the block: the user's ``--var``, as ``psql -v``). A condition that is a
boolean literal, or a variable with a known value, decides the branch as psql does.
``\\gset`` (a query's columns become variables) and an include (``\\i``, ``\\ir``: the file may
``\\set`` anything) leave every variable not ``\\set`` again after them without a known value:
the names they set are not in the script's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from redshift_iam.inputs.templating.values import Value


class Unknown(NamedTuple):
    """A variable psql sets to a text the tool cannot know, and why."""

    reason: str
    fix: str


State = dict[str, "Value | Unknown"]

_COMMAND = re.compile(r"\\(?P<cmd>set|unset|if|elif|else|endif|prompt|getenv|gset|"
                      r"include_relative|include|ir|i)\b[ \t]*(?P<args>.*?)[ \t]*$")
_CLOBBERS = {"gset": "sets variables from a query's result",
             "i": "runs a file that may \\set any variable",
             "ir": "runs a file that may \\set any variable"}
_CLOBBERS.update(include=_CLOBBERS["i"], include_relative=_CLOBBERS["i"])
_WORD = re.compile(
    r"'(?P<quoted>(?:[^']|'')*)'?|`(?P<command>[^`]*)`?|(?P<dquoted>\"(?:[^\"]|\"\")*\"?)"
    # :x as in SQL text: not after a word character or a colon (arn:aws:iam is no variable)
    r"|(?<![\w:]):'(?P<lit>[A-Za-z_]\w*)'|(?<![\w:]):\"(?P<ident>[A-Za-z_]\w*)\""
    r"|(?<![\w:]):(?P<var>[A-Za-z_]\w*)|(?P<space>[ \t]+)|(?P<plain>[^\s'`\":]+|:)")
_SET = re.compile(r"([A-Za-z_]\w*)(?:[ \t]+(.*))?$")
_TRUE, _FALSE = ("true", "yes"), ("false", "no")


@dataclass
class _Block:
    """One ``\\if`` ... ``\\endif`` being read."""

    line: int
    entry: State
    ends: list[State] = field(default_factory=list)  # the state each possible branch leaves
    current: bool | None = None  # the branch being read: True runs, False does not, None may
    decided: bool = False  # an earlier branch surely runs: the later ones do not
    all_false: bool = True  # every branch so far surely does not run
    has_else: bool = False


class PsqlVars:
    """The variables meta-commands define, over the user's ``--var`` values."""

    def __init__(self, given: Mapping[str, Value]) -> None:
        self.given = given
        self.state: State = {}
        self.blocks: list[_Block] = []
        self.defined: dict[str, str] = {}  # name -> where it is first \set (for RW220)
        self.clobbered = ""  # why any name may be set (a \gset or include above), or ""

    def lookup(self, name: str) -> tuple[bool, Value | Unknown | None]:
        """(whether a meta-command set it, its value: Unknown when psql sets it to text the
        tool cannot know; None when no meta-command set it)."""
        if name in self.state:
            return True, self.state[name]
        if self.clobbered:
            return True, Unknown(self.clobbered, f"\\set {name} to a literal value after "
                                                 f"that line, or pass --var {name}=VALUE")
        return False, None

    def command(self, text: str, line: int) -> None:
        """Apply one meta-command line (from its backslash) at ``line``."""
        found = _COMMAND.match(text)
        if found is None:
            return
        cmd, args = found.group("cmd"), found.group("args")
        if cmd in ("if", "elif", "else", "endif"):
            getattr(self, "_" + cmd)(args, line)
        elif cmd in _CLOBBERS:  # in a branch that may not run too: it may run
            self.clobbered = (f"\\{cmd} at line {line} {_CLOBBERS[cmd]}, so no variable has "
                              "a known value after it")
            self.state = {}
        elif self._running() and cmd == "set":
            self._set(args, line)
        elif self._running() and args.split():
            name = args.split()[-1 if cmd == "prompt" else 0]
            self.state[name] = Unknown(
                f"\\{cmd} at line {line} leaves it without a known value",
                f"\\set {name} to a literal value above its use, or pass --var {name}=VALUE "
                f"and drop the \\{cmd}")

    def _running(self) -> bool:
        return all(block.current is not False for block in self.blocks)

    def _set(self, args: str, line: int) -> None:
        found = _SET.match(args)
        if found is None:
            return  # \set alone lists the variables; a bad name is psql's error
        name, text = found.group(1), self.words(found.group(2) or "")
        origin = f"\\set at line {line}"
        self.defined.setdefault(name, origin)
        self.state[name] = Value(text, text, origin) if isinstance(text, str) else Unknown(
            f"{origin} {text.reason}", f"\\set {name} to a literal value, or pass the value "
            "with --var and drop the \\set")

    def words(self, text: str) -> str | Unknown:
        """The words of a meta-command joined as psql joins them; why not when one is
        unknown (a command in backquotes, a variable without a known value)."""
        out = []
        for word in _WORD.finditer(text):
            kind = word.lastgroup
            if kind == "command":
                return Unknown(f"runs the shell command `{word.group('command')}`, whose "
                               "output is not known", "")
            if kind in ("lit", "ident", "var"):
                value = self.text_of(word.group(kind))
                if not isinstance(value, str):
                    why = self.state.get(word.group(kind))
                    return Unknown(f"uses :{word.group(kind)}, which has no known value" + (
                        f" ({why.reason})" if isinstance(why, Unknown) else ""), "")
                out.append("'" + value.replace("'", "''") + "'" if kind == "lit" else
                           '"' + value.replace('"', '""') + '"' if kind == "ident" else value)
            elif kind == "quoted":
                out.append(word.group("quoted").replace("''", "'"))
            elif kind != "space":
                out.append(word.group())
        return "".join(out)

    def text_of(self, name: str) -> str | None:
        """The text of variable ``name`` here: a meta-command's, else the user's, else None."""
        value = self.state.get(name) or self.given.get(name)
        return value.text if isinstance(value, Value) else None

    # -- \if blocks
    def _condition(self, args: str) -> bool | None:
        text = self.words(args)
        return psql_bool(text) if isinstance(text, str) else None

    def _if(self, args: str, line: int) -> None:
        block = _Block(line, dict(self.state))
        block.current = self._condition(args) if self._running() else False
        self.blocks.append(block)

    def _close_branch(self, block: _Block) -> None:
        if block.current is not False:
            block.ends.append(dict(self.state))
        block.decided = block.decided or block.current is True
        block.all_false = block.all_false and block.current is False
        self.state = dict(block.entry)

    def _elif(self, args: str, line: int) -> None:
        if self.blocks and not self.blocks[-1].has_else:  # after \else: psql's error, ignored
            block = self.blocks[-1]
            self._close_branch(block)
            block.current = False if block.decided or not self._running_outside() else \
                self._condition(args)

    def _else(self, args: str, line: int) -> None:
        if self.blocks and not self.blocks[-1].has_else:
            block = self.blocks[-1]
            self._close_branch(block)
            block.current = False if block.decided or not self._running_outside() else (
                True if block.all_false else None)
            block.has_else = True

    def _running_outside(self) -> bool:
        return all(block.current is not False for block in self.blocks[:-1])

    def _endif(self, args: str, line: int) -> None:
        if not self.blocks:
            return
        block = self.blocks.pop()
        self._close_branch(block)
        ends = block.ends
        if not block.decided and not block.has_else:
            ends = [*ends, block.entry]  # no branch may run at all
        self.state = self._merge(ends, block.line) if ends else block.entry

    def _merge(self, ends: list[State], line: int) -> State:
        """A variable keeps a value after the block when every end gives it the same text."""
        merged: State = {}
        for name in dict.fromkeys(name for end in ends for name in end):
            values = [end.get(name) or self.given.get(name) for end in ends]
            first = values[0]
            if all(isinstance(v, Value) and isinstance(first, Value) and v.text == first.text
                   for v in values):
                merged[name] = first  # type: ignore[assignment]
            else:
                merged[name] = Unknown(
                    f"the \\if at line {line} leaves it a different value, or none, in its "
                    "branches (psql chooses the branch when it runs)",
                    f"give the \\if a condition with a known value, or \\set {name} the same "
                    "in every branch")
        return merged


def psql_bool(text: str) -> bool | None:
    """psql's reading of a boolean (``ParseVariableBool``): unique prefixes of true/false/
    yes/no, on/off (at least two letters), 1/0, any case; None when it is none of them."""
    lowered = text.strip().lower()
    if not lowered:
        return None
    for words, result in ((_TRUE, True), (_FALSE, False)):
        if any(word.startswith(lowered) for word in words):
            return result
    if len(lowered) >= 2 and "on".startswith(lowered):
        return True
    if len(lowered) >= 2 and "off".startswith(lowered):
        return False
    return {"1": True, "0": False}.get(lowered)
