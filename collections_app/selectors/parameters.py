"""The parameter catalogue (rules.md §3) with the value each one has under the policy in force,
and what produced it: the utility's override, a preset, the federal bankruptcy rules, or DEFAULT."""

from typing import Any

from policy.selectors import current_policy
from policy_engine.catalogue import SPECS, Spec
from policy_engine.names import rules_md_name
from policy_engine.params import canonical_overrides
from policy_engine.policy import BANKRUPTCY, Layer
from policy_engine.presets import PRESETS

OVERRIDE = "override"


def _allowed(spec: Spec) -> list[Any]:
    if spec.kind == "bool":
        return [True, False]
    return list(spec.choices)


def _in_force(spec: Spec, layer: Layer, overridden: set[str], version: int) -> dict[str, Any]:
    path = spec.path
    # the citation is the engine's (policy_engine.citations): the preset's law, federal law, or
    # "utility policy" for DEFAULT's values and the utility's overrides
    if path in overridden:
        set_by, citation = OVERRIDE, f"utility override (policy version {version})"
    elif layer.sets(path):
        set_by, citation = layer.preset, layer.cite(path)
    elif path in PRESETS[BANKRUPTCY].values:
        set_by, citation = BANKRUPTCY, layer.cite(path)
    else:
        set_by, citation = "DEFAULT", layer.cite(path)
    return {"preset": layer.preset, "value": layer.p(path), "set_by": set_by, "citation": citation}


def parameter_listing() -> dict[str, Any]:
    """Every catalogue parameter: canonical name, rules.md §3 name, type, default, allowed values,
    description, source, and its value in each preset layer of the current policy version."""
    policy, version = current_policy()
    # a lead's sub-key override ("notices.pre_disconnect_lead.value") overrides the lead
    overridden = {spec.path for spec in SPECS for key in canonical_overrides(version.overrides)
                  if key == spec.path or key.startswith(f"{spec.path}.")}  # fmt: skip
    rows = [
        {
            "name": spec.path,
            "rules_md_name": rules_md_name(spec.path),
            "type": spec.kind,
            "nullable": spec.nullable,
            "default": spec.default,
            "allowed_values": _allowed(spec),
            "description": spec.help,
            "source": spec.citation,
            "in_force": [_in_force(spec, layer, overridden, version.version) for layer in policy.layers],
        }
        for spec in SPECS
    ]
    policy_info = {"name": version.name, "version": version.version, "presets": list(policy.preset_names)}
    return {"policy": policy_info, "parameters": rows}
