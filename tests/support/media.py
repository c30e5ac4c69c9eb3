"""A small French and English library of real files and links, and running import and check as jobs to their end."""

import os

MIB = 1 << 20
AMELIE = "Le Fabuleux Destin d'Amélie Poulain (2001)"


class Media:
    """The paths of the test library, by what they are."""

    def __init__(self, library):
        self.library = library
        root, source = library.root, library.source
        self.amelie_target = self.target("Amelie.2001.1080p.BluRay.mkv", 3 * MIB)  # beyond the 2 MiB sampled
        self.amelie = library.link(f"Films/{AMELIE}/{AMELIE}.mkv", self.amelie_target)
        self.amelie_comedy = library.link(f"Films/Comédie/{AMELIE}.mkv", self.amelie_target)  # same film twice
        self.dune_target = self.target("Dune.2021.2160p.mkv")
        self.dune = library.link("Movies/Dune (2021)/Dune (2021).mkv", self.dune_target)
        self.e03_target = self.target("dix.pour.cent.s01e03.mkv")
        self.e03 = library.link("Séries/Dix pour cent/Saison 01/Dix pour cent - S01E03 - Hervé.mkv", self.e03_target)
        # A different episode's name pointing at the same file: a suspicious duplicate.
        self.e04 = library.link("Séries/Dix pour cent/Saison 01/Dix pour cent - S01E04.mkv", self.e03_target)
        self.e0102 = library.link("Séries/Dix pour cent/Saison 01/Dix pour cent S01E01E02.mkv",
                                  self.target("dix.pour.cent.s01e01e02.mkv"))
        self.unknown = library.link("Films/sans titre/video.mkv", self.target("abc123.mkv"))
        self.regular = root / "Movies" / "Home (2019)" / "Home (2019).mkv"  # a plain file in the library
        self.regular.parent.mkdir(parents=True)
        self.regular.write_bytes(os.urandom(8192))
        self.subtitle = library.link(f"Films/{AMELIE}/{AMELIE}.fr.srt", self.target("amelie.srt"))  # not media
        self.orphan = self.target("orphan.mkv")  # in the source root, linked from nowhere
        self.elsewhere = source.parent / "storage" / "kept.mkv"  # outside the source roots
        self.elsewhere.parent.mkdir()
        self.elsewhere.write_bytes(os.urandom(4096))

    def target(self, name: str, size: int = 8192):
        return self.library.target(name, content=os.urandom(size))

    MEDIA_ITEMS = 8  # 7 media links and the regular file


def run(app, start, *args, timeout=120) -> dict:
    """Run an import or a check through the job runner to its end; its final status."""
    with app.app_context():
        runner = app.extensions["linkdoctor.jobs"]
        ctx = start(runner, *args)
        assert ctx.done.wait(timeout), "the job did not end"
        return runner.status(ctx.job_id)


def do_import(app, paths=None, dry_run=False, timeout=120) -> dict:
    from linkdoctor.library.service import start_import

    status = run(app, start_import, paths, dry_run, timeout=timeout)
    assert status["state"] == "completed", status
    return status["result"]


def do_check(app, verify_hash=False) -> dict:
    from linkdoctor.library.integrity import all_results
    from linkdoctor.library.service import start_check

    status = run(app, start_check, verify_hash)
    assert status["state"] == "completed", status
    with app.app_context():
        return {**status["result"], **all_results(status["job_id"]), "job_id": status["job_id"]}


def inventory(app) -> dict:
    """The inventory as {path: record dict}."""
    from linkdoctor.models import InventoryItem, db

    with app.app_context():
        return {row.path: row.to_dict() for row in db.session.execute(db.select(InventoryItem)).scalars()}
