"""Public media as the portal serves it where no proxy does: whole files and byte ranges."""

import pytest


@pytest.fixture
def media_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "clip.mp4").write_bytes(bytes(range(256)) * 4)  # 1 024 bytes
    return "/media/videos/clip.mp4"


def test_whole_file_says_it_accepts_ranges(client, media_file):
    response = client.get(media_file)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert len(b"".join(response.streaming_content)) == 1024


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-1", 0, 1),
        ("bytes=100-", 100, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=1000-5000", 1000, 1023),
    ],
)
def test_a_range_is_answered_with_206_and_only_those_bytes(client, media_file, header, first, last):
    response = client.get(media_file, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/1024"
    body = b"".join(response.streaming_content)
    assert body == (bytes(range(256)) * 4)[first : last + 1]
    assert response["Content-Length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=2000-", "bytes=5-2", "bytes=-"])
def test_an_unsatisfiable_range_is_416(client, media_file, header):
    response = client.get(media_file, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


def test_paths_outside_the_media_root_and_folders_are_404(client, media_file):
    assert client.get("/media/../settings.py").status_code == 404
    assert client.get("/media/videos/").status_code == 404
    assert client.get("/media/videos/missing.mp4").status_code == 404
