"""The policy engine: pure Python, no ORM, no settings, no clock.

Everything the utility's rules decide goes through here: whether and when service may be
disconnected (with every rule checked, its plain-language reason and citation), notice timing,
late fees, reconnection fees, deposits, arrangement limits, NSF escalation, agency fees and
interest, write-off eligibility and bankruptcy deadlines. Callers build `AccountFacts` (from the
database in `collections_app.selectors.facts`, or from JSON in the what-if API) and a `Policy`
(from `PolicyVersion` rows, or a preset name) and call the functions in `engine` / `amounts`.
"""
