"""Radarr's own calls: movies and their files."""

from linkdoctor.clients import records
from linkdoctor.clients.history import GRABBED, parse_history
from linkdoctor.clients.arr import ArrClient


class RadarrClient(ArrClient):
    """Radarr API v3."""

    app_name = "Radarr"
    rescan_command = "RescanMovie"

    def movies(self) -> list[records.Movie]:
        return records.parse_movies(self.request("GET", "movie"))

    def movie_files(self, movie_id: int) -> list[records.MediaFile]:
        return records.parse_movie_files(self.request("GET", "moviefile", params={"movieId": movie_id}))

    def rescan(self, movie_id: int) -> records.Command:
        return self.send_command("RescanMovie", movieId=movie_id)

    def search_movies(self, movie_ids: list[int]) -> records.Command:
        return self.send_command("MoviesSearch", movieIds=list(movie_ids))

    def grabs_of_movie(self, movie_id: int) -> list:
        """GET history/movie?movieId=&eventType=1: the releases grabbed for one movie, newest first."""
        return parse_history(self.request("GET", "history/movie", params={"movieId": movie_id, "eventType": GRABBED}))
