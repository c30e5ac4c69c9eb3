"""The sampled hash: first MiB, last MiB and size; never more than 2 MiB read; stat-only when unchanged."""

import os

import xxhash

from linkdoctor.library.hashing import SAMPLE, sample_target, sampled_hash


def write(path, data: bytes):
    path.write_bytes(data)
    return str(path)


def test_the_hash_is_xxh3_of_head_tail_and_size(tmp_path):
    data = os.urandom(5 * SAMPLE + 123)
    path = write(tmp_path / "big.mkv", data)
    expected = xxhash.xxh3_64(data[:SAMPLE] + data[-SAMPLE:] + len(data).to_bytes(8, "little")).hexdigest()
    assert sampled_hash(path) == expected


def test_small_files_are_hashed_whole_once(tmp_path):
    data = os.urandom(SAMPLE + 10)  # head and tail overlap: each byte counts once
    path = write(tmp_path / "small.mkv", data)
    assert sampled_hash(path) == xxhash.xxh3_64(data + len(data).to_bytes(8, "little")).hexdigest()
    assert sampled_hash(write(tmp_path / "empty.mkv", b"")) == xxhash.xxh3_64((0).to_bytes(8, "little")).hexdigest()


def test_the_middle_of_a_big_file_is_never_read_but_both_ends_are(tmp_path):
    data = bytearray(os.urandom(4 * SAMPLE))
    path = write(tmp_path / "f.mkv", bytes(data))
    before = sampled_hash(path)
    data[2 * SAMPLE] ^= 0xFF  # the middle: outside both samples
    assert sampled_hash(write(tmp_path / "f.mkv", bytes(data))) == before
    data[-5] ^= 0xFF  # the last MiB
    assert sampled_hash(write(tmp_path / "f.mkv", bytes(data))) != before
    data[-5] ^= 0xFF
    data[5] ^= 0xFF  # the first MiB
    assert sampled_hash(write(tmp_path / "f.mkv", bytes(data))) != before


def test_same_content_with_another_size_hashes_differently(tmp_path):
    a = write(tmp_path / "a.mkv", b"x" * 100)
    b = write(tmp_path / "b.mkv", b"x" * 101)
    assert sampled_hash(a) != sampled_hash(b)


def test_sample_skips_reading_when_size_and_mtime_are_the_known_ones(tmp_path):
    path = write(tmp_path / "f.mkv", b"y" * 4096)
    st = os.stat(path)
    unchanged = sample_target(path, (st.st_size, st.st_mtime_ns))
    assert unchanged.hash is None and unchanged.size == 4096 and unchanged.error is None
    changed = sample_target(path, (st.st_size, st.st_mtime_ns - 1))
    assert changed.hash == sampled_hash(path)
    assert sample_target(path, None, read=False).hash is None


def test_a_broken_link_is_missing_and_a_folder_is_not_a_file(tmp_path):
    link = tmp_path / "l.mkv"
    os.symlink(tmp_path / "gone.mkv", link)
    sample = sample_target(str(link))
    assert sample.missing and sample.hash is None and "No such file" in sample.error
    folder = sample_target(str(tmp_path))
    assert not folder.missing and folder.error == "not a regular file"
