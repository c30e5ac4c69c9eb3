"""Sonarr's own calls: series, their episode files and episodes."""

from linkdoctor.clients import records
from linkdoctor.clients.history import GRABBED, parse_history
from linkdoctor.clients.arr import ArrClient


class SonarrClient(ArrClient):
    """Sonarr API v3."""

    app_name = "Sonarr"
    rescan_command = "RescanSeries"

    def series(self) -> list[records.Series]:
        return records.parse_series(self.request("GET", "series"))

    def episode_files(self, series_id: int) -> list[records.MediaFile]:
        return records.parse_episode_files(self.request("GET", "episodefile", params={"seriesId": series_id}))

    def episodes(self, series_id: int) -> list[records.Episode]:
        return records.parse_episodes(self.request("GET", "episode", params={"seriesId": series_id}))

    def rescan(self, series_id: int) -> records.Command:
        return self.send_command("RescanSeries", seriesId=series_id)

    def search_episodes(self, episode_ids: list[int]) -> records.Command:
        return self.send_command("EpisodeSearch", episodeIds=list(episode_ids))

    def grabs_of_episode(self, episode_id: int) -> list:
        """GET history?episodeId=&eventType=1: the releases grabbed for one episode, newest first."""
        return parse_history(self.request("GET", "history", params={
            "episodeId": episode_id, "eventType": GRABBED, "sortKey": "date", "sortDirection": "descending"}))
