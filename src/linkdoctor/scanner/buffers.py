"""Disk-backed buffers of the scan engine, so that its memory stays flat as the library grows."""

import os
import pickle
import tempfile
from typing import Iterator


class Spill:
    """An append-then-read file of picklable records, so candidate lists cost no memory."""

    def __init__(self):
        self.handle = tempfile.TemporaryFile()
        self.count = 0

    def add(self, record) -> None:
        pickle.dump(record, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator:
        self.handle.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.handle)

    def close(self) -> None:
        self.handle.close()


class FolderStack:
    """Folders still to list, depth first; past `in_memory` of them the rest wait in a temporary file.

    A folder of 100,000 movie folders would otherwise hold them all in memory at once.
    """

    def __init__(self, in_memory: int = 20_000):
        self.in_memory = in_memory
        self.memory: list[str] = []
        self.spilled: list[tuple[int, int]] = []  # (offset, count) of pickled chunks, a stack
        self.handle = None
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def push(self, folders: list[str]) -> None:
        self.memory.extend(folders)
        self.count += len(folders)
        if len(self.memory) > self.in_memory:
            keep = max(1, self.in_memory // 2)
            self._spill(self.memory[:-keep])
            del self.memory[:-keep]

    def pop_batch(self, size: int) -> list[str]:
        if not self.memory and self.spilled:
            offset, _ = self.spilled.pop()
            self.handle.seek(offset)
            self.memory = pickle.load(self.handle)
            self.handle.seek(offset)
            self.handle.truncate()
        batch = self.memory[-size:]
        del self.memory[-size:]
        self.count -= len(batch)
        return batch

    def _spill(self, folders: list[str]) -> None:
        if self.handle is None:
            self.handle = tempfile.TemporaryFile()
        self.handle.seek(0, os.SEEK_END)
        self.spilled.append((self.handle.tell(), len(folders)))
        pickle.dump(folders, self.handle, protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


class ListingPieces:
    """The further pieces of a big folder's listing that a worker wrote to a file (checks.ListingWriter):
    ("names", a share of link names) and ("subdirs", a block of folder paths) records, read one at a time.
    The file is removed at once (what is open stays readable, and nothing is left behind)."""

    def __init__(self, path: str):
        self.handle = open(path, "rb")
        os.unlink(path)

    def next(self) -> tuple[str, list[str]] | None:
        """The next record, or None at the end (the file is then closed)."""
        try:
            return pickle.load(self.handle)
        except EOFError:
            self.close()
            return None

    def close(self) -> None:
        self.handle.close()


def push_spilled_folders(listing, folders: FolderStack) -> None:
    """The sub-folders a listing (checks.FolderListing) wrote to a file, block by block onto `folders`
    (which spills what it cannot hold), the file removed."""
    if listing.spilled:
        pieces = ListingPieces(listing.spilled)
        while (record := pieces.next()) is not None:
            folders.push(record[1])
