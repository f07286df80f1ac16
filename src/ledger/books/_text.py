"""What an entry's words must look like to be printed into Beancount and read back unchanged.

Pure rules, no Beancount import: ``Chart.problems`` reports them before an entry is committed, and
``render.to_transaction`` refuses an entry that breaks them, so nothing unreadable reaches the files.
"""

from __future__ import annotations

import re
import unicodedata

from ledger.core.entries import JournalEntry

#: Metadata keys the renderer writes itself; ``entry.links`` may not use them. ``filename`` and
#: ``lineno`` are set by Beancount's parser on every directive.
RESERVED_KEYS = frozenset({"seq", "hash", "cause", "actor", "book", "reverses", "filename", "lineno"})

#: Beancount's lexer rule for a metadata key (it must start with a lower-case letter).
_META_KEY = re.compile(r"[a-z][a-zA-Z0-9_-]*")


def has_control_characters(text: str) -> bool:
    """Return whether ``text`` holds a line break, tab or other control character.

    Such text would break the one-entry-per-block layout of the year files.
    """
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def text_problems(entry: JournalEntry) -> list[str]:
    """Return what stops ``entry``'s payee, narration and metadata from round-tripping through Beancount.

    Args:
        entry: the journal entry to check.

    Returns:
        Human messages naming the field and the rule; ``[]`` when the text is fine.
    """
    problems = [
        f"{name}: must not contain line breaks or control characters"
        for name, value in (
            ("payee", entry.payee),
            ("narration", entry.narration),
            ("cause", entry.cause),
            ("actor", entry.actor),
        )
        if has_control_characters(value)
    ]
    seen: set[str] = set()
    for key, value in entry.links:
        if not _META_KEY.fullmatch(key):
            problems.append(f"link {key!r}: key must match [a-z][a-zA-Z0-9_-]* (a Beancount metadata key)")
        elif key in RESERVED_KEYS:
            problems.append(f"link {key!r}: key is reserved for the ledger's own metadata")
        elif key in seen:
            problems.append(f"link {key!r}: key appears more than once")
        if has_control_characters(value):
            problems.append(f"link {key!r}: value must not contain line breaks or control characters")
        seen.add(key)
    return problems
