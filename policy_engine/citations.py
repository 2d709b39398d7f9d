"""Where a citation comes from: the one place that decides what the engine cites (issue 12).

Staff and customers see only the law of the presets in force:
- a parameter the layer's own preset sets cites that preset's source (with " [M]" when rules.md
  marks it for counsel to confirm);
- a parameter FED_BANKRUPTCY sets cites federal law (it is layered on everywhere: 11 U.S.C. 366);
- anything else, a DEFAULT value, a catalogue default under a preset that does not set it, or the
  utility's own override, is the utility's own policy and says so: "utility policy". The
  catalogue's research notes (`Spec.citation`, where rules.md §3 took each default from) are
  documentation for the people choosing a policy, never a citation of the rule in force;
- a rule written in the engine (not a parameter) cites either federal law through `federal()`,
  which refuses anything else, or `UTILITY_POLICY`. A rule that exists only because a preset is in
  force (a contact attempt, a winter posting, a pledge's billing period...) is gated by that
  preset's parameter and cites it through `Layer.cite`, so it keeps the preset's law.
"""

from .presets import PRESETS

UTILITY_POLICY = "utility policy"
FEDERAL = "FED_BANKRUPTCY"
FEDERAL_LAW = ("11 U.S.C. ", "Fed. R. Bankr. P. ")


def _preset_citation(preset: str, path: str) -> str | None:
    found = PRESETS.get(preset)
    if found is None or path not in found.values:
        return None
    pv = found.values[path]
    return pv.citation + (" [M]" if pv.manual and "[M]" not in pv.citation else "")


def citation_for(preset: str, path: str, *, overridden: bool = False) -> str:
    """The citation of parameter `path` in a layer of `preset`: the preset's own source, else the
    federal rule's, else "utility policy" (also for a value the utility overrode)."""
    if overridden:
        return UTILITY_POLICY
    return _preset_citation(preset, path) or _preset_citation(FEDERAL, path) or UTILITY_POLICY


def federal(citation: str) -> str:
    """A hard-coded citation of federal law, which applies whatever the presets (bankruptcy:
    11 U.S.C. 362/366, Fed. R. Bankr. P. 9006); anything else is a programming error."""
    if not citation.startswith(FEDERAL_LAW):
        raise ValueError(f"{citation!r} is not federal law: cite a parameter or UTILITY_POLICY")
    return citation
