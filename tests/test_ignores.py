"""IgnoreRules.matches: which links a scan leaves out, by the link, its folders, or its target's folders."""

from linkdoctor.ignores import IgnoreRules

ROOT = "/medias"


def test_a_link_rule_matches_that_link_only():
    rules = IgnoreRules(links=[f"{ROOT}/Movies/Dune/dune.mkv"])
    assert rules.matches(f"{ROOT}/Movies/Dune/dune.mkv", "/mnt/debrid/dune.mkv")
    assert rules.matches(f"{ROOT}/Movies/Dune/dune.mkv", None)  # a link whose target cannot be read
    assert not rules.matches(f"{ROOT}/Movies/Dune/dune.mkv.part", "/mnt/debrid/dune.mkv")
    assert not rules.matches(f"{ROOT}/Movies/Dune/other.mkv", "/mnt/debrid/dune.mkv")
    # A link rule is not a folder rule: a "link" path with something under it does not match.
    assert not rules.matches(f"{ROOT}/Movies/Dune/dune.mkv/x", None)


def test_a_folder_rule_matches_every_link_under_it_at_any_depth():
    rules = IgnoreRules(folders=[f"{ROOT}/Series/Dark"])
    assert rules.matches(f"{ROOT}/Series/Dark/S01E01.mkv", "/mnt/x/a.mkv")
    assert rules.matches(f"{ROOT}/Series/Dark/Season 2/S02E01.mkv", None)
    assert not rules.matches(f"{ROOT}/Series/Darkness/S01E01.mkv", "/mnt/x/a.mkv")
    assert not rules.matches(f"{ROOT}/Series/S01E01.mkv", "/mnt/x/a.mkv")
    # The folder rule looks at the link's path, never at its target.
    assert not rules.matches(f"{ROOT}/Movies/a.mkv", f"{ROOT}/Series/Dark/S01E01.mkv")


def test_a_target_prefix_matches_links_whose_target_is_under_it():
    rules = IgnoreRules(targets=["/mnt/a"])
    assert rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a/x.mkv")
    assert rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a/deep/er/x.mkv")
    assert rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a")  # the prefix itself
    assert not rules.matches(f"{ROOT}/Movies/x.mkv", None)  # no target read: nothing to compare
    assert not rules.matches("/mnt/a/x.mkv", "/elsewhere/x.mkv")  # the link's own path is not a target


def test_a_string_prefix_of_a_name_is_not_a_folder_prefix():
    rules = IgnoreRules(folders=[f"{ROOT}/Movies/A"], targets=["/mnt/a"])
    assert not rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/ab/x")
    assert not rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a.old/x")
    assert not rules.matches(f"{ROOT}/Movies/AB/x.mkv", "/elsewhere/x")
    assert rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a/b/x")


def test_no_rules_match_nothing_and_are_falsy():
    rules = IgnoreRules()
    assert not rules
    assert not rules.matches(f"{ROOT}/Movies/x.mkv", "/mnt/a/x.mkv")
    assert IgnoreRules(targets=["/mnt/a"])


def test_many_rules_of_every_kind_together():
    rules = IgnoreRules(links=[f"{ROOT}/one.mkv"], folders=[f"{ROOT}/F{i}" for i in range(1000)],
                        targets=[f"/mnt/t{i}" for i in range(1000)])
    assert rules.matches(f"{ROOT}/one.mkv", None)
    assert rules.matches(f"{ROOT}/F999/x/y.mkv", None)
    assert rules.matches(f"{ROOT}/G/y.mkv", "/mnt/t500/y.mkv")
    assert not rules.matches(f"{ROOT}/G/y.mkv", "/mnt/t1000/y.mkv")
