"""Builds libraries of real symlinks in tmp_path for the tests."""

import os
import shutil
from pathlib import Path

from linkdoctor.mediagen import make_garbage, make_truncated, make_video


class LibraryBuilder:
    """Writes target files into `source` and symlinks to them into `root`."""

    def __init__(self, root: Path, source: Path, media_cache: Path | None = None):
        self.root = Path(root)
        self.source = Path(source)
        # Where videos made by ffmpeg are kept for the session (conftest's media_cache): the same
        # arguments make the same bytes (bitexact), so a copy stands for a new one.
        self.media_cache = media_cache

    def target(self, name: str, size: int = 4096, content: bytes | None = None) -> Path:
        """A plain target file of `size` bytes (or the given content)."""
        path = self.source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if content is not None else (b"linkdoctor" * (size // 10 + 1))[:size])
        return path

    def video(self, name: str, seconds: float = 1.0) -> Path:
        path = self.source / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.media_cache is None:
                make_video(path, seconds=seconds)
            else:
                made = self.media_cache / f"video-{seconds}s{path.suffix}"
                if not made.exists():
                    make_video(made.with_name("new-" + made.name), seconds=seconds).rename(made)
                shutil.copyfile(made, path)
        return path

    def truncated(self, name: str, keep_fraction: float = 0.5) -> Path:
        healthy = self.video("healthy-" + Path(name).stem + Path(name).suffix, seconds=2.0)
        path = self.source / name
        make_truncated(healthy, path, keep_fraction=keep_fraction)
        return path

    def garbage(self, name: str, size: int = 32 * 1024) -> Path:
        path = self.source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make_garbage(path, size)
        return path

    def link(self, rel: str, target: str | os.PathLike) -> Path:
        """A symlink at root/rel pointing to `target` (absolute, or relative as given)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
        return path

    def healthy(self, rel: str, size: int = 4096) -> Path:
        return self.link(rel, self.target(rel.replace("/", "__") + ".src", size))

    def broken(self, rel: str) -> Path:
        return self.link(rel, self.source / ("missing-" + rel.replace("/", "__")))

    def empty(self, rel: str) -> Path:
        return self.link(rel, self.target(rel.replace("/", "__") + ".empty", 0))
