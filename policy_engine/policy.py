"""A Policy: one parameter layer per chosen preset, the federal bankruptcy rules and the calendar.

Each layer is DEFAULT → FED_BANKRUPTCY → the preset → the utility's overrides. The bankruptcy
rules are merged into every layer (rather than evaluated as a layer of their own) because a
stand-alone layer would drag DEFAULT's waiting periods into, say, a Texas policy; the engine
reports the bankruptcy check once, labelled FED_BANKRUPTCY. Combining layers (rules.md §0) is
the engine's job: each layer is evaluated on its own and the most customer-protective result
wins (see `engine.py`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import params
from .calendar import Calendar
from .catalogue import BY_PATH, SPECS
from .citations import citation_for
from .params import PolicyError
from .presets import PRESETS, Preset

__all__ = ["Layer", "Policy", "PolicyError", "policy_build"]

BANKRUPTCY = "FED_BANKRUPTCY"


@dataclass(frozen=True)
class Layer:
    preset: str
    params: Mapping[str, Any]
    overridden: frozenset[str] = frozenset()  # catalogue paths the utility's overrides set

    def __post_init__(self) -> None:
        # Flattened once: the nightly run reads parameters hundreds of thousands of times.
        object.__setattr__(self, "_flat", {spec.path: params.get(self.params, spec.path) for spec in SPECS})

    def p(self, path: str) -> Any:
        """A parameter by dotted path."""
        try:
            return self._flat[path]  # type: ignore[attr-defined]
        except KeyError:
            return params.get(self.params, path)  # a sub-key of a lead, or PolicyError

    def sets(self, path: str) -> bool:
        """Whether this layer's own preset sets `path` (rather than inheriting DEFAULT's value)."""
        found = PRESETS.get(self.preset)
        return found is not None and path in found.values

    def cite(self, path: str) -> str:
        """The citation for a parameter's value in this layer (see `citations.citation_for`)."""
        return citation_for(self.preset, path, overridden=path in self.overridden)


@dataclass(frozen=True)
class Policy:
    layers: tuple[Layer, ...]
    fallback: Layer  # DEFAULT + overrides: governs accounts no chosen preset applies to
    bankruptcy: Layer
    calendar: Calendar
    name: str = ""
    version: int = 0
    overrides: Mapping[str, Any] | None = None

    @property
    def preset_names(self) -> tuple[str, ...]:
        return tuple(layer.preset for layer in self.layers)

    def param(self, path: str) -> Any:
        """A parameter of the first layer (the utility's primary preset)."""
        return self.layers[0].p(path)

    def label(self) -> str:
        return self.name or " + ".join(self.preset_names)


def _layer(preset: Preset, overrides: Mapping[str, Any] | None) -> Layer:
    tree = params.apply_overrides(params.DEFAULTS, PRESETS[BANKRUPTCY].overrides)
    tree = params.apply_overrides(tree, preset.overrides)
    return Layer(preset.name, params.apply_overrides(tree, overrides), _overridden(overrides))


def _overridden(overrides: Mapping[str, Any] | None) -> frozenset[str]:
    """The catalogue paths `overrides` set (a lead's sub-key overrides the lead)."""
    paths = params.canonical_overrides(overrides) if isinstance(overrides, Mapping) else {}
    return frozenset(p if p in BY_PATH else p.rpartition(".")[0] for p in paths)


def policy_build(
    *,
    presets: Sequence[str],
    overrides: Mapping[str, Any] | None = None,
    holidays: Iterable[date] | None = None,
    name: str = "",
    version: int = 0,
) -> Policy:
    """Build a Policy. FED_BANKRUPTCY is always layered on; an unknown preset or parameter, or a
    value of the wrong type, raises PolicyError naming it."""
    if isinstance(presets, str):
        presets = [presets]
    names = [p for p in dict.fromkeys(presets) if p != BANKRUPTCY] or ["DEFAULT"]
    unknown = [p for p in names if p not in PRESETS]
    if unknown:
        raise PolicyError(f"unknown preset {unknown[0]!r} (known: {', '.join(PRESETS)})")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise PolicyError("overrides must be a mapping of dotted parameter paths to values")
    layers = tuple(_layer(PRESETS[n], overrides) for n in names)
    return Policy(
        layers=layers,
        fallback=_layer(PRESETS["DEFAULT"], overrides),
        bankruptcy=Layer(BANKRUPTCY, layers[0].params, layers[0].overridden),
        calendar=Calendar(holidays),
        name=name,
        version=version,
        overrides=dict(overrides or {}),
    )
