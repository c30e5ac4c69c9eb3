"""After a confirmed cleanup: per item one rescan, then a search for exactly what was removed (API and jobs)."""

import os


from tests.fakes.arr import FakeArr
from tests.support.api import real_scan, wait_for_scan, wait_job
from tests.support.followup import confirm_all, matches_of, remote_to_local, wait_for_followup
from tests.support.waiting import wait_until








def test_rescan_then_search_exactly_what_was_removed(client, world, sonarr, radarr):
    status = real_scan(client)
    assert status["services"] is None
    removal = confirm_all(client, status)
    assert removal["removed"] == 7 and removal["services"]["state"] == "started"
    services = wait_for_followup(client, status["scan_id"])
    ids = world["ids"]
    # One rescan per series however many episodes; only the monitored removed episodes are searched.
    # Items in the order of their links' paths ("Quiet Show" before "Show X").
    assert sonarr.sent_commands() == [
        {"name": "RescanSeries", "seriesId": world["quiet"]},
        {"name": "RescanSeries", "seriesId": world["show"]},
        {"name": "EpisodeSearch", "episodeIds": sorted([ids["E01"], ids["E02"]])},
    ]
    assert radarr.sent_commands() == [
        {"name": "RescanMovie", "movieId": ids["dune"]},
        {"name": "MoviesSearch", "movieIds": [ids["dune"]]},
        {"name": "RescanMovie", "movieId": ids["old"]},
    ]
    # The rescan really completed before the search: the fake has forgotten the removed files.
    assert {e["episodeFileId"] for e in sonarr.episodes.values() if e["id"] in (ids["E01"], ids["E02"], ids["E04"])} == {0}
    links = world["links"]
    [e01] = matches_of(services, links["E01"])
    assert (e01["instance"], e01["item"], e01["episodes"], e01["search"]) == ("sonarr 'Sonarr'", "Show X", ["S01E01"], "sent")
    assert e01["commands"] == ["RescanSeries: completed", "EpisodeSearch: queued"]
    assert matches_of(services, links["E04"])[0]["search"] == "episode not monitored"
    assert matches_of(services, links["quiet"])[0]["search"] == "series not monitored"
    assert matches_of(services, links["old"])[0]["search"] == "movie not monitored"
    assert matches_of(services, links["dune"])[0]["item"] == "Dune (2021)"
    assert services["unmatched"] == [str(links["stray"])]
    assert services["state"] == "completed" and services["ok"] is True
    assert "7 link(s): 6 matched, 1 unmatched; 4 rescan(s), 2 search(es) sent" in services["message"]
    job = client.get(f"/api/symlink/jobs/{services['job_id']}").get_json()
    assert job["kind"] == "arr_followup" and job["scan_id"] == status["scan_id"]


def test_dry_run_sends_nothing(client, world, sonarr, radarr):
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "dry-run"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert status["status"] == "completed" and status["services"] is None
    assert all(os.path.islink(link) for link in world["links"].values())
    assert sonarr.requests == [] and radarr.requests == []


def test_search_off_rescans_only_and_restore_rescans_what_came_back(client, world, sonarr, radarr):
    client.post("/api/symlink/config", json={"arr_search": False})
    status = real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"])
    assert [c["name"] for c in sonarr.sent_commands()] == ["RescanSeries", "RescanSeries"]
    assert [c["name"] for c in radarr.sent_commands()] == ["RescanMovie", "RescanMovie"]
    client.post("/api/symlink/config", json={"arr_search": True})  # restore never searches anyway
    restored = client.post(f"/api/symlink/scan/{status['scan_id']}/restore",
                           json={"paths": [str(world["links"]["dune"])]}).get_json()
    assert restored["restored"] == 1 and restored["services"]["state"] == "started"
    services = wait_for_followup(client, status["scan_id"])
    assert services["trigger"] == "restore"
    assert radarr.sent_commands()[-1] == {"name": "RescanMovie", "movieId": world["ids"]["dune"]}
    assert len(radarr.sent_commands()) == 3 and len(sonarr.sent_commands()) == 2


def test_a_failing_sonarr_never_blocks_the_cleanup_and_can_be_retried(client, world, sonarr, radarr):
    sonarr.api_key = "rotated-key"  # the configured key is now wrong
    status = real_scan(client)
    removal = confirm_all(client, status)
    assert removal["removed"] == 7
    services = wait_for_followup(client, status["scan_id"])
    # It ran to its end but Sonarr refused: a warning state with the reason, never a plain "completed".
    assert services["state"] == "with_problems" and services["ok"] is False
    assert "wrong API key" in services["errors"][0]["message"]
    assert len(services["problems"]) == 1 and "wrong API key" in services["problems"][0]
    assert not os.path.lexists(world["links"]["E01"])  # the cleanup stands
    assert len(radarr.sent_commands()) == 3
    client.post("/api/symlink/config", json={"sonarr_api_key": "rotated-key"})
    retried = client.post(f"/api/symlink/scan/{status['scan_id']}/notify", json={})
    assert retried.status_code == 202
    services = wait_for_followup(client, status["scan_id"])
    assert services["trigger"] == "retry" and services["ok"] is True
    assert [c["name"] for c in sonarr.sent_commands()] == ["RescanSeries", "RescanSeries", "EpisodeSearch"]


def test_several_instances_each_with_their_own_mapping(client, world, library, media_root, sonarr, radarr):
    uhd = FakeArr("radarr", api_key="f" * 32).start()
    try:
        uhd_map = [{"remote": "/movies4k", "local": str(media_root / "Films 4K")}]
        uhd.disk = remote_to_local(media_root, uhd_map)
        movie = uhd.add_movie("Dune", 2021, "/movies4k/Dune (2021)", "/movies4k/Dune (2021)/Dune.2160p.mkv")
        link = library.broken("Films 4K/Dune (2021)/Dune.2160p.mkv")
        answer = client.post("/api/symlink/config", json={"arr_instances": [{
            "kind": "radarr", "name": "4K", "host": "127.0.0.1", "port": uhd.port, "api_key": uhd.api_key,
            "path_mappings": uhd_map}]})
        assert answer.get_json()["arr_instances"][0]["api_key"] == "********ffff"
        status = real_scan(client)
        confirm_all(client, status)
        services = wait_for_followup(client, status["scan_id"])
        assert uhd.sent_commands() == [{"name": "RescanMovie", "movieId": movie},
                                       {"name": "MoviesSearch", "movieIds": [movie]}]
        assert matches_of(services, link)[0]["instance"] == "radarr '4K'"
        assert {c["movieId"] for c in radarr.sent_commands() if "movieId" in c} == {world["ids"]["dune"], world["ids"]["old"]}
        assert uhd.violations == []
    finally:
        uhd.stop()


def test_notify_input_and_state_errors(client, world):
    assert client.post("/api/symlink/scan/abc/notify", json={}).status_code == 400
    assert client.post("/api/symlink/scan/1/notify", json={"x": 1}).status_code == 400
    missing = client.post("/api/symlink/scan/999/notify", json={})
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    client.post("/api/symlink/config", json={"sonarr_enabled": False, "radarr_enabled": False})
    status = real_scan(client)
    removal = confirm_all(client, status)
    assert removal["services"]["state"] == "off"
    off = client.post(f"/api/symlink/scan/{status['scan_id']}/notify", json={})
    assert off.status_code == 409 and "no Sonarr or Radarr instance is enabled" in off.get_json()["message"]


def test_a_rescan_that_does_not_complete_in_time_is_not_followed_by_a_search(client, world, sonarr, radarr):
    sonarr.command_seconds = 120  # Sonarr busy: the rescan stays "started"
    client.post("/api/symlink/config", json={"arr_command_timeout": 5})
    status = real_scan(client)
    confirm_all(client, status)
    services = wait_for_followup(client, status["scan_id"], timeout=60)
    assert [c["name"] for c in sonarr.sent_commands()] == ["RescanSeries", "RescanSeries"]  # no EpisodeSearch
    [e01] = matches_of(services, world["links"]["E01"])
    assert e01["commands"] == ["RescanSeries: timeout"]
    assert e01["search"] == "not sent: the rescan ended timeout"
    assert services["ok"] is False and "problem(s)" in services["message"]
    assert [c["name"] for c in radarr.sent_commands()] == ["RescanMovie", "MoviesSearch", "RescanMovie"]


def test_a_slow_rescan_holds_up_no_scan_and_a_link_restored_meanwhile_is_never_searched(client, world, sonarr,
                                                                                        radarr):
    """The follow-up only talks to Sonarr/Radarr: while Sonarr rescans, a scan runs and a restore goes through;
    the restored episode is then left out of the search, and the restore's own follow-up waits its turn."""
    sonarr.command_seconds = 4
    links, ids = world["links"], world["ids"]
    status = real_scan(client)
    removal = confirm_all(client, status)
    notify_id = removal["services"]["job_id"]
    wait_until(sonarr.sent_commands, 10, message="nothing sent to Sonarr")
    assert sonarr.sent_commands() == [{"name": "RescanSeries", "seriesId": world["quiet"]}]

    # Sonarr is rescanning: a new scan starts and ends, a restore goes through.
    started = client.post("/api/symlink/scan/start", json={"mode": "dry-run"})
    assert started.status_code == 202, started.get_json()
    assert wait_for_scan(client, started.get_json()["scan_id"])["status"] == "completed"
    restored = client.post(f"/api/symlink/scan/{status['scan_id']}/restore", json={"paths": [str(links["E01"])]})
    assert restored.status_code == 200, restored.get_json()
    assert os.path.islink(links["E01"])
    assert client.get(f"/api/symlink/jobs/{notify_id}").get_json()["state"] == "running"  # still rescanning

    first = wait_job(client, notify_id)
    assert first["state"] == "completed"
    searches = [c for c in sonarr.sent_commands() if c["name"] == "EpisodeSearch"]
    assert searches == [{"name": "EpisodeSearch", "episodeIds": [ids["E02"]]}]  # E01 is back: never searched
    by_path = {link["path"]: link["matches"] for link in first["result"]["links"]}
    assert by_path[str(links["E01"])][0]["search"] == "not sent: the link was restored meanwhile"
    assert by_path[str(links["E02"])][0]["search"] == "sent"

    # The restore's follow-up ran after it, not beside it: its rescan came after the search.
    second = wait_job(client, restored.get_json()["services"]["job_id"])
    assert second["state"] == "completed" and second["started_at"] >= first["finished_at"]
    names = [c["name"] for c in sonarr.sent_commands()]
    assert names == ["RescanSeries", "RescanSeries", "EpisodeSearch", "RescanSeries"]
