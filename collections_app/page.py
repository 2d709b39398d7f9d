"""Account-page contributions of collections: the engine's decision ("why is this account held?")
and the protections on record. Other areas register their own providers in their modules."""
