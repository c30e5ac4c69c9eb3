"""Which source a link target belongs to: configured source roots, then the deepest mount point."""

from linkdoctor.scanner.sources import SourceMap, read_mount_points

MOUNTS = ["/", "/mnt", "/mnt/rclone", "/mnt/rclone/cache", "/data"]


def test_deepest_mount_point_wins():
    sources = SourceMap(mount_points=MOUNTS)
    assert sources.source_of("/mnt/rclone/Films/a.mkv") == "/mnt/rclone"
    assert sources.source_of("/mnt/rclone/cache/Films/a.mkv") == "/mnt/rclone/cache"
    assert sources.source_of("/mnt/other/a.mkv") == "/mnt"
    assert sources.source_of("/data/a.mkv") == "/data"


def test_a_mount_point_is_not_matched_by_a_name_prefix():
    sources = SourceMap(mount_points=MOUNTS)
    assert sources.source_of("/mnt/rclone-old/a.mkv") == "/mnt"
    assert sources.source_of("/database/a.mkv") == "/"


def test_root_is_the_fallback():
    assert SourceMap(mount_points=[]).source_of("/srv/anything/a.mkv") == "/"
    assert SourceMap(mount_points=MOUNTS).source_of("/home/user/a.mkv") == "/"
    assert SourceMap(mount_points=MOUNTS).source_of("/a.mkv") == "/"


def test_configured_source_roots_win_over_mount_points():
    sources = SourceMap(source_roots=["/mnt/rclone/__all__", "/mnt"], mount_points=MOUNTS)
    assert sources.source_of("/mnt/rclone/__all__/Films/a.mkv") == "/mnt/rclone/__all__"
    # /mnt/rclone is a deeper mount point, but the configured root /mnt holds it.
    assert sources.source_of("/mnt/rclone/Films/a.mkv") == "/mnt"
    assert sources.source_of("/mnt/rclone/cache/a.mkv") == "/mnt"
    # Outside every configured root, mount points decide again.
    assert sources.source_of("/data/a.mkv") == "/data"


def test_deepest_source_root_wins_and_roots_are_normalised():
    sources = SourceMap(source_roots=["/mnt/rd/", "/mnt/rd/torrents//", "/mnt/zurg/./x/.."], mount_points=["/"])
    assert sources.source_of("/mnt/rd/torrents/Film/a.mkv") == "/mnt/rd/torrents"
    assert sources.source_of("/mnt/rd/other/a.mkv") == "/mnt/rd"
    assert sources.source_of("/mnt/zurg/a.mkv") == "/mnt/zurg"
    assert sources.source_of("/mnt/rdx/a.mkv") == "/"


def test_a_target_that_is_a_mount_point_or_source_root_maps_to_itself():
    sources = SourceMap(source_roots=["/srv/library"], mount_points=MOUNTS)
    assert sources.source_of("/mnt/rclone") == "/mnt/rclone"
    assert sources.source_of("/mnt/rclone/cache") == "/mnt/rclone/cache"
    assert sources.source_of("/srv/library") == "/srv/library"
    assert sources.source_of("/") == "/"


def test_answers_stay_right_for_many_targets_in_the_same_folder():
    """Sources are remembered per folder; that memory must not leak between folders."""
    sources = SourceMap(source_roots=["/mnt/rd"], mount_points=MOUNTS)
    for _ in range(3):
        assert sources.source_of("/mnt/rd/Films/a.mkv") == "/mnt/rd"
        assert sources.source_of("/mnt/rclone/Films/a.mkv") == "/mnt/rclone"
        assert sources.source_of("/mnt/rclone/cache/Films/a.mkv") == "/mnt/rclone/cache"
    # A file named like a mount point's folder, then the mount point itself.
    assert sources.source_of("/mnt/rclone/cache") == "/mnt/rclone/cache"
    assert sources.source_of("/mnt/rclone/cachefile") == "/mnt/rclone"


def test_is_mount_point():
    sources = SourceMap(source_roots=["/srv/library"], mount_points=MOUNTS)
    assert sources.is_mount_point("/mnt/rclone")
    assert sources.is_mount_point("/")
    assert not sources.is_mount_point("/srv/library")
    assert not sources.is_mount_point("/mnt/rclone/Films")


def test_a_mount_point_inside_a_source_root_maps_to_the_source_root():
    sources = SourceMap(source_roots=["/mnt/rclone"], mount_points=MOUNTS)
    assert sources.source_of("/mnt/rclone/cache/a.mkv") == "/mnt/rclone"
    assert sources.source_of("/mnt/rclone/cache") == "/mnt/rclone"


def write_mountinfo(path, mount_points):
    lines = [
        f"{20 + i} 1 0:{40 + i} / {point} rw,relatime shared:{i} - ext4 /dev/sda{i} rw"
        for i, point in enumerate(mount_points)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_mount_points_parses_mountinfo(tmp_path):
    info = write_mountinfo(tmp_path / "mountinfo", ["/", "/mnt/rclone", "/data", "/mnt/rclone"])
    assert read_mount_points(str(info)) == ["/", "/data", "/mnt/rclone"]


def test_read_mount_points_decodes_octal_escapes(tmp_path):
    info = write_mountinfo(tmp_path / "mountinfo", [
        "/", r"/mnt/My\040Drive", r"/mnt/tab\011name", r"/mnt/back\134slash", "/mnt/Séries",
    ])
    points = read_mount_points(str(info))
    assert "/mnt/My Drive" in points
    assert "/mnt/tab\tname" in points
    assert "/mnt/back\\slash" in points
    assert "/mnt/Séries" in points
    sources = SourceMap(mount_points=points)
    assert sources.source_of("/mnt/My Drive/Films/a.mkv") == "/mnt/My Drive"


def test_read_mount_points_always_has_root_and_skips_short_lines(tmp_path):
    info = tmp_path / "mountinfo"
    info.write_text("garbage\n\n25 1 0:40 / /mnt/ok rw shared:1 - fuse rclone rw\n", encoding="utf-8")
    assert read_mount_points(str(info)) == ["/", "/mnt/ok"]


def test_read_mount_points_without_the_file_falls_back_to_root(tmp_path):
    assert read_mount_points(str(tmp_path / "missing")) == ["/"]


def test_read_mount_points_of_this_process_includes_root():
    points = read_mount_points()
    assert "/" in points
    assert all(point.startswith("/") for point in points)


def test_source_map_reads_this_process_mount_points_by_default():
    sources = SourceMap()
    assert set(sources.mount_points) == set(read_mount_points())
    deepest_first = [len(point) for point in sources.mount_points]
    assert deepest_first == sorted(deepest_first, reverse=True)
    assert sources.source_of("/") == "/"
