"""A least-recently-used cache bounded in bytes, not in entries (SECURITY.md row 29).

``functools.lru_cache(maxsize=128)`` bounds how many results a worker keeps, not how much memory
they hold: twelve different 480 KB drafts once kept 1.2 GB in each worker. Here every entry is
charged an estimate of what it holds, worked out from the length of the text it was computed
from, and the least recently used entries are dropped until the charges fit the budget. A result
charged more than the whole budget is returned but not kept.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any

MIB = 1024 * 1024


class ByteBoundedCache:
    """Results by key, each charged ``bytes_per_entry + bytes_per_char * characters``.

    The two rates are upper bounds measured for what the cached function keeps (tests check
    them against the memory really held). Safe to share between threads.
    """

    def __init__(self, max_bytes: int, *, bytes_per_char: int, bytes_per_entry: int = 0):
        self.max_bytes = max_bytes
        self.bytes_per_char = bytes_per_char
        self.bytes_per_entry = bytes_per_entry
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        #: The sum of the charges of the entries kept; never above ``max_bytes``.
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def charge(self, characters: int) -> int:
        """What an entry computed from this many characters of text is counted as holding."""
        return self.bytes_per_entry + self.bytes_per_char * characters

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: Any, characters: int) -> None:
        """Keep ``value``, dropping the least recently used entries until everything fits."""
        cost = self.charge(characters)
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            while self._entries and self.bytes + cost > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
            self._entries[key] = (value, cost)
            self.bytes += cost

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def memoize(self, func: Callable) -> Callable:
        """Keep ``func``'s results here, keyed by its (hashable, positional) arguments and
        charged by the length of those that are text."""
        missing = object()

        @wraps(func)
        def cached(*args):
            key = (func, *args)
            value = self.get(key, missing)
            if value is missing:
                value = func(*args)
                self.put(key, value, sum(len(arg) for arg in args if isinstance(arg, str)))
            return value

        cached.cache = self
        return cached
