"""Policy parameters: the §3 catalogue as a nested dict with snake_case keys, dotted-path
overrides validated against the catalogue, and a listing for the admin UI.

Values are normalised on the way in (Decimal for money and rates, int for day counts, str for
choices), so the engine never sees a float or a JSON string where it expects a number: an
override that cannot be read exactly raises `PolicyError` naming the path.
"""

import copy
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalogue import BY_PATH, SPECS, UNITS, Spec
from .names import RULES_MD_NAMES


class PolicyError(ValueError):
    """An unknown preset or parameter, or a value of the wrong type."""


# The engine adds these to dates and multiplies money by them. Beyond these a value is a typo
# ("1e999", a year typed into a day count) and used to overflow a date or a Decimal mid-decision:
# a 500 from the what-if API, and a saved policy version that broke every decision after it.
# 20,000 keeps any count, as days, hours or months added to or taken from a date in 1900..2100
# (the dates the collections pages and API accept), inside years 1..9999.
MAX_WHOLE = 20_000
MAX_NUMBER = Decimal(1_000_000_000)

_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _decimal(path: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise PolicyError(f"{path}: expected a number, got {value!r}")
    if isinstance(value, float):
        value = repr(value)  # JSON numbers: exact decimal text, never binary float arithmetic
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PolicyError(f"{path}: expected a number, got {value!r}") from None
    if not result.is_finite() or result < 0:
        raise PolicyError(f"{path}: expected a non-negative number, got {value!r}")
    if result > MAX_NUMBER:
        raise PolicyError(f"{path}: {value!r} is out of range (at most {MAX_NUMBER:,})")
    return result


def _int(path: str, value: Any) -> int:
    if isinstance(value, bool):
        raise PolicyError(f"{path}: expected a whole number, got {value!r}")
    text = value.strip().lstrip("-") if isinstance(value, str) else ""
    if text.isascii() and text.isdigit():  # "²".isdigit() is true, and int() refuses it
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise PolicyError(f"{path}: expected a non-negative whole number, got {value!r}")
    if value > MAX_WHOLE:
        raise PolicyError(f"{path}: {value!r} is out of range (at most {MAX_WHOLE:,})")
    return value


def _lead(path: str, value: Any) -> dict:
    if not isinstance(value, Mapping) or set(value) != {"value", "unit"}:
        raise PolicyError(f'{path}: expected {{"value": N, "unit": "CALENDAR_DAYS"|"BUSINESS_DAYS"}}')
    unit = value["unit"]
    if unit not in UNITS:
        raise PolicyError(f"{path}.unit: expected one of {', '.join(UNITS)}, got {unit!r}")
    return {"value": _int(f"{path}.value", value["value"]), "unit": unit}


def _tiers(path: str, value: Any) -> list:
    if not isinstance(value, list | tuple) or not value:
        raise PolicyError(f"{path}: expected a list of [max % FPL or null, months] pairs")
    tiers, last = [], -1
    for i, tier in enumerate(value):
        if not isinstance(tier, list | tuple) or len(tier) != 2:
            raise PolicyError(f"{path}[{i}]: expected [max % FPL or null, months]")
        cap = None if tier[0] is None else _int(f"{path}[{i}]", tier[0])
        if cap is not None and cap <= last:
            raise PolicyError(f"{path}[{i}]: tiers must be in ascending order of % FPL")
        if cap is None and i != len(value) - 1:
            raise PolicyError(f"{path}[{i}]: only the last tier may be open-ended (null)")
        tiers.append([cap, _int(f"{path}[{i}]", tier[1])])
        last = cap if cap is not None else last
    return tiers


def coerce(spec: Spec, value: Any, path: str | None = None) -> Any:
    """Validate and normalise one value for `spec`; PolicyError names the path on failure."""
    path = path or spec.path
    if value is None:
        if spec.nullable:
            return None
        raise PolicyError(f"{path}: a value is required (null is not allowed)")
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise PolicyError(f"{path}: expected true or false, got {value!r}")
        return value
    if kind == "int":
        return _int(path, value)
    if kind == "decimal":
        return _decimal(path, value)
    if kind == "lead":
        return _lead(path, value)
    if kind == "tiers":
        return _tiers(path, value)
    if kind == "list_int":
        if not isinstance(value, list | tuple):
            raise PolicyError(f"{path}: expected a list of whole numbers")
        return [_int(f"{path}[{i}]", v) for i, v in enumerate(value)]
    if kind == "list_str":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"{path}: expected a list of strings")
        if spec.choices and (bad := [v for v in value if v not in spec.choices]):
            raise PolicyError(f"{path}: {bad[0]!r} is not one of {', '.join(spec.choices)}")
        return list(value)
    if not isinstance(value, str):
        raise PolicyError(f"{path}: expected text, got {value!r}")
    if kind == "mmdd" and not _MMDD.match(value):
        raise PolicyError(f"{path}: expected a month-day like 06-01, got {value!r}")
    if kind == "hhmm" and not _HHMM.match(value):
        raise PolicyError(f"{path}: expected a time like 16:00, got {value!r}")
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            raise PolicyError(f"{path}: expected a date like 2024-08-01, got {value!r}") from None
    if spec.choices and value not in spec.choices:
        raise PolicyError(f"{path}: expected one of {', '.join(spec.choices)}, got {value!r}")
    return value


def _set(tree: dict, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


def get(tree: Mapping, path: str) -> Any:
    node: Any = tree
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            raise PolicyError(f"unknown parameter {path!r}")
        node = node[key]
    return node


def defaults() -> dict:
    """A fresh nested dict of every parameter at its §3 default."""
    tree: dict = {}
    for spec in SPECS:
        _set(tree, spec.path, copy.deepcopy(spec.default))
    return tree


DEFAULTS = defaults()


def canonical_path(path: str) -> str:
    """The catalogue's dotted path for `path`, given as the catalogue writes it or as rules.md §3
    does (`delinquency.clockStart`), or a sub-key of a `lead` parameter
    ("notices.preDisconnectLead.value"); PolicyError for a name neither knows."""
    if not isinstance(path, str):
        raise PolicyError(f"parameter paths are text, got {path!r}")
    if path in BY_PATH:
        return path
    if path in RULES_MD_NAMES:
        return RULES_MD_NAMES[path]
    parent, _, key = path.rpartition(".")
    parent = RULES_MD_NAMES.get(parent, parent)
    spec = BY_PATH.get(parent)
    if spec is not None and spec.kind == "lead" and key in ("value", "unit"):
        return f"{parent}.{key}"
    raise PolicyError(f"unknown parameter {path!r}")


def validate_override(path: str, value: Any) -> tuple[str, Any]:
    """(canonical leaf path, normalised value). Accepts a leaf path (the catalogue's or rules.md
    §3's name), or a sub-key of a `lead` parameter such as "notices.pre_disconnect_lead.value".
    An error names the path as the caller wrote it."""
    canonical = canonical_path(path)
    if canonical in BY_PATH:
        return canonical, coerce(BY_PATH[canonical], value, path)
    if canonical.endswith(".unit"):
        if value not in UNITS:
            raise PolicyError(f"{path}: expected one of {', '.join(UNITS)}, got {value!r}")
        return canonical, value
    return canonical, _int(path, value)


def canonical_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Overrides keyed by canonical path, values as given (JSON, as a policy version stores
    them), each validated under the caller's name; a parameter given twice (under both its
    names) is refused rather than one silently winning."""
    out: dict[str, Any] = {}
    named: dict[str, str] = {}
    for raw_path, raw_value in (overrides or {}).items():
        path, _value = validate_override(raw_path, raw_value)
        if path in out:
            raise PolicyError(f"{path} is given twice (as {named[path]!r} and {raw_path!r})")
        out[path], named[path] = raw_value, raw_path
    return out


def apply_overrides(base: Mapping, overrides: Mapping[str, Any] | None) -> dict:
    """A new parameter tree: `base` with each dotted-path override validated and applied."""
    tree = copy.deepcopy(dict(base))
    for path, value in (validate_override(p, v) for p, v in canonical_overrides(overrides).items()):
        parent, _, key = path.rpartition(".")
        if path not in BY_PATH:  # a sub-key of a lead parameter
            current = get(tree, parent)
            if current is None:
                raise PolicyError(f"{path}: set {parent} as a whole first (it is null)")
            _set(tree, parent, {**current, key: value})
        else:
            _set(tree, path, copy.deepcopy(value))
    return tree


def describe() -> list[dict[str, Any]]:
    """The catalogue for the admin UI: path, default, kind, choices, help text, citation."""
    return [
        {
            "path": s.path,
            "default": s.default,
            "kind": s.kind,
            "choices": list(s.choices),
            "nullable": s.nullable,
            "help": s.help,
            "citation": s.citation,
        }
        for s in SPECS
    ]
