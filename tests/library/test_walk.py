"""The walk of import and check over a folder too big to list in memory."""

import os
import threading

from linkdoctor.library.walk import LibraryWalk
from linkdoctor.scanner import buffers
from tests.support.engine import record_listing_pieces


def test_a_folder_of_more_sub_folders_than_a_listing_holds_is_walked_whole(library, monkeypatch):
    for i in range(60):
        library.healthy(f"Films/Movie {i:02}/m.mkv")
    read = record_listing_pieces(monkeypatch, buffers)
    walk = LibraryWalk([str(library.root)], 2, 5.0, threading.Event(), plan=lambda path, target: None)
    walk.pool.options["listing_in_memory"] = 7  # sub-folders a listing holds; beyond, in blocks through a file
    items = list(walk.run())
    assert sorted(os.path.basename(os.path.dirname(item.path)) for item in items) == [f"Movie {i:02}" for i in range(60)]
    blocks = [items for kind, items in filter(None, read)]
    assert len(blocks) >= 60 // 7 - 1 and all(len(block) == 7 for block in blocks)
    assert not os.path.exists(walk.spill_dir)
