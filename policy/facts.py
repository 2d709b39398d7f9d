"""The engine's facts for one account, for the apps below collections_app.

Counseling (arrangement eligibility and terms) and the counter (NSF fee, certified funds only)
decide through the engine on the same facts the evaluate API and the nightly run use. Those facts
are read by collections_app (`selectors.facts.facts_for_account`), which sits above them and
registers its reader here in AppConfig.ready, as payments' hooks do: one reader, so counseling,
the counter and the what-if can never see an account differently."""

from collections.abc import Callable
from datetime import date

from policy_engine.facts import AccountFacts

FactsReader = Callable[..., AccountFacts]
_readers: list[FactsReader] = []


def register_facts_reader(fn: FactsReader) -> FactsReader:
    """Called once by collections_app: `fn(account_id, *, as_of) -> AccountFacts`."""
    _readers[:] = [fn]
    return fn


def account_facts(account_id: int, *, as_of: date) -> AccountFacts:
    if not _readers:
        raise RuntimeError("No facts reader registered: collections_app must be installed.")
    return _readers[0](account_id, as_of=as_of)
