"""Real mode: propose, confirm, move links into the quarantine, restore, purge, recover.

Nothing is deleted: a confirmed link is moved (as a link; its target is never
touched) into <data>/trash/orphans, keeping its path relative to the media root.
Every move is journalled before it happens, so a crash leaves each link either
in the library or in the quarantine with its journal entry. The services here
take the library lock themselves.
"""

from linkdoctor.quarantine.journal import JournalFile, entries_of, needs_rebuild, rebuild, recover_journal
from linkdoctor.quarantine.moves import confirm, quarantine_destination
from linkdoctor.quarantine.proposals import (
    REMOVABLE, confirmation_view, discard, prepare_confirmation, proposal_token, proposed_findings,
)
from linkdoctor.quarantine.restore import RESTORE_AT_ONCE, purge, quarantine_page, quarantined_ids, restore, restore_entries

__all__ = [
    "JournalFile", "REMOVABLE", "confirm", "confirmation_view", "discard", "entries_of", "needs_rebuild", "prepare_confirmation",
    "proposal_token", "proposed_findings", "purge", "quarantine_destination", "quarantine_page", "quarantined_ids",
    "rebuild", "recover_journal", "restore", "restore_entries", "RESTORE_AT_ONCE",
]
