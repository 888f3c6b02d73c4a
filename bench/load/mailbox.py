"""The learners' inbox: the .eml files the app's files backend writes under MAIL_DIR.

One mailbox is shared by every learner of a run; it reads each new file once (the backend writes
a file whole, then renames it into place) and keeps the confirmation link found in it.
"""

import asyncio
import re
import time
from email import message_from_bytes, policy
from pathlib import Path

#: The path of the link that finishes signing up, in a message's plain-text body.
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/confirm/\S+)")


class Mailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._read: set[str] = set()
        #: address -> the links mailed to it, oldest first (file names are outbox ids).
        self._links: dict[str, list[str]] = {}

    def _refresh(self) -> None:
        for path in sorted(self.folder.glob("*.eml")):
            if path.name in self._read:
                continue
            self._read.add(path.name)
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            found = CONFIRM_LINK.search(message.get_body(("plain",)).get_content())
            if found:
                self._links.setdefault(str(message["To"]), []).append(found.group(1))

    def newest_link(self, address: str) -> str | None:
        """The path of the last confirmation link mailed to ``address`` so far."""
        self._refresh()
        links = self._links.get(address)
        return links[-1] if links else None

    async def wait_for_link(self, address: str, seconds: float, used: set[str]) -> str | None:
        """The newest link mailed to ``address`` that is not in ``used``, once it arrives;
        None if none arrives within ``seconds``."""
        end = time.monotonic() + seconds
        while True:
            link = self.newest_link(address)
            if link is not None and link not in used:
                return link
            if time.monotonic() > end:
                return None
            await asyncio.sleep(0.25)
