"""Webhook bodies shaped as Sonarr's and Radarr's source defines them (NzbDrone.Core/Notifications/Webhook/:
WebhookImportPayload, WebhookSeries, WebhookEpisode, WebhookEpisodeFile, WebhookMovie, WebhookMovieFile,
WebhookRenamePayload, WebhookEpisodeDeletePayload); camelCase as the apps serialise them."""


def sonarr_test() -> dict:
    return {"eventType": "Test", "instanceName": "Sonarr", "applicationUrl": "",
            "series": {"id": 1, "title": "Test Title", "path": "C:\\testpath", "tvdbId": 1234, "type": "standard"},
            "episodes": [{"id": 123, "episodeNumber": 1, "seasonNumber": 1, "title": "Test title", "seriesId": 1}]}


def sonarr_download(series_id: int, series_path: str, episode_ids: list[int], file_path: str, download_id: str,
                    upgrade: bool = False) -> dict:
    relative = file_path[len(series_path) + 1:]
    return {
        "eventType": "Download", "instanceName": "Sonarr", "applicationUrl": "",
        "series": {"id": series_id, "title": "Show X", "titleSlug": "show-x", "path": series_path, "tvdbId": 81189,
                   "tvMazeId": 169, "tmdbId": 1396, "imdbId": "tt0903747", "type": "standard", "year": 2008,
                   "genres": ["Drama"], "images": [], "tags": []},
        "episodes": [{"id": episode_id, "episodeNumber": n + 1, "seasonNumber": 1, "title": f"Episode {n + 1}",
                      "airDate": "2008-01-20", "airDateUtc": "2008-01-21T03:00:00Z", "seriesId": series_id,
                      "tvdbId": 349232} for n, episode_id in enumerate(episode_ids)],
        "episodeFile": {"id": 77, "relativePath": relative, "path": file_path, "quality": "WEBDL-1080p",
                        "qualityVersion": 1, "releaseGroup": "BAD", "sceneName": "Show.X.S01E01.1080p-BAD",
                        "size": 1234567, "dateAdded": "2026-12-06T00:00:00Z", "languages": [{"id": 1, "name": "English"}],
                        "sourcePath": "/downloads/Show.X.S01E01.1080p-BAD/show.x.s01e01.mkv"},
        "release": {"quality": "WEBDL-1080p", "qualityVersion": 1, "releaseTitle": "Show.X.S01E01.1080p-BAD",
                    "indexer": "FakeIndexer", "size": 1234567},
        "isUpgrade": upgrade, "downloadClient": "RealDebrid", "downloadClientType": "Decypharr",
        "downloadId": download_id,
        "customFormatInfo": {"customFormats": [], "customFormatScore": 0},
    }


def radarr_download(movie_id: int, folder: str, file_path: str, download_id: str) -> dict:
    return {
        "eventType": "Download", "instanceName": "Radarr", "applicationUrl": "",
        "movie": {"id": movie_id, "title": "Dune", "year": 2021, "filePath": file_path, "releaseDate": "2021-10-22",
                  "folderPath": folder, "tmdbId": 438631, "imdbId": "tt1160419", "overview": "", "genres": [],
                  "images": [], "tags": []},
        "remoteMovie": {"tmdbId": 438631, "imdbId": "tt1160419", "title": "Dune", "year": 2021},
        "movieFile": {"id": 55, "relativePath": file_path.rsplit("/", 1)[1], "path": file_path,
                      "quality": "Bluray-2160p", "qualityVersion": 1, "releaseGroup": "GRP",
                      "sceneName": "Dune.2021.2160p-GRP", "indexerFlags": "0", "size": 4096,
                      "dateAdded": "2026-12-06T00:00:00Z", "languages": []},
        "isUpgrade": False, "downloadClient": "RealDebrid", "downloadClientType": "Decypharr",
        "downloadId": download_id,
    }


def sonarr_rename(series_path: str, path: str, previous_path: str) -> dict:
    return {"eventType": "Rename", "instanceName": "Sonarr",
            "series": {"id": 1, "title": "Show X", "path": series_path},
            "renamedEpisodeFiles": [{"id": 77, "relativePath": path[len(series_path) + 1:], "path": path,
                                     "previousRelativePath": previous_path[len(series_path) + 1:],
                                     "previousPath": previous_path}]}


def radarr_file_delete(folder: str, file_path: str) -> dict:
    return {"eventType": "MovieFileDelete", "instanceName": "Radarr",
            "movie": {"id": 3, "title": "Dune", "year": 2021, "folderPath": folder},
            "movieFile": {"id": 55, "relativePath": file_path.rsplit("/", 1)[1], "path": file_path, "size": 4096},
            "deleteReason": "upgrade"}
