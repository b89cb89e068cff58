"""Probing and transcoding (storefront.content.media) on videos the tests make with PyAV."""

import io
import time

import av
import pytest
from PIL import Image

from storefront.content import media
from storefront.content.models import VideoFailure
from tests.factories import image_upload

from .clips import LOCATION, LOCATION_TAGS, make_audio_only, make_clip, top_level_boxes


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="module")
def portrait(clip_dir):
    """A phone's 3-second portrait clip, 1080×1920 H.264 with sound and where it was filmed."""
    return make_clip(clip_dir / "IMG_0001.MOV", width=1080, height=1920, tags=LOCATION_TAGS)


@pytest.fixture(scope="module")
def portrait_out(portrait, clip_dir):
    target = clip_dir / "portrait-out.mp4"
    return media.transcode(portrait, target), target


def _decoded(path):
    """(container facts, video frames decoded, the first frame as an image) of an output file."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        first = None
        count = 0
        for frame in container.decode(video):
            first = first or frame
            count += 1
        return container, video, count, first


def _no_source_metadata(path):
    with av.open(str(path)) as container:
        tags = [dict(container.metadata)] + [dict(stream.metadata) for stream in container.streams]
    for found in tags:
        for key, value in found.items():
            assert "location" not in key.lower(), found
            assert key not in ("creation_time", "make", "model"), found
            assert LOCATION not in value, found


def test_portrait_phone_clip_becomes_720_by_1280_h264_aac_that_plays(portrait, portrait_out):
    probed = media.probe(portrait)
    result, target = portrait_out

    assert (probed.width, probed.height, probed.rotation) == (1080, 1920, 0)
    assert (probed.video_codec, probed.audio_codec, probed.frame_rate) == ("h264", "aac", 30)
    assert (result.width, result.height) == (720, 1280)
    assert result.has_audio and result.bytes == target.stat().st_size and result.seconds > 0
    assert 2.9 <= result.duration <= 3.2
    with av.open(str(target)) as container:
        assert [s.codec_context.name for s in container.streams] == ["h264", "aac"]
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.width, video.codec_context.height) == (720, 1280)
        assert video.codec_context.pix_fmt == "yuv420p"
        assert (audio.codec_context.sample_rate, audio.codec_context.layout.name) == (44_100, "stereo")
        frames = list(container.decode(video))
    assert len(frames) == 90
    assert frames[0].rotation == 0


def test_output_carries_no_location_nor_any_other_source_metadata(portrait, portrait_out):
    _result, target = portrait_out
    with av.open(str(portrait)) as source:  # the source did carry them
        assert source.metadata["com.apple.quicktime.location.ISO6709"] == LOCATION
        assert source.metadata["creation_time"].startswith("2026-05-01")
    assert LOCATION.encode() in portrait.read_bytes()

    _no_source_metadata(target)
    data = target.read_bytes()
    assert LOCATION.encode() not in data
    assert b"iPhone" not in data and b"Apple" not in data and b"2026-05-01" not in data
    assert b"loci" not in data and b"\xa9xyz" not in data  # nor the binary location boxes


def test_output_starts_with_its_index_so_phones_play_before_the_whole_file_arrives(portrait, portrait_out):
    _result, target = portrait_out
    camera = top_level_boxes(portrait.read_bytes())
    assert camera.index("mdat") < camera.index("moov")  # a camera writes its index at the end

    boxes = top_level_boxes(target.read_bytes())
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_poster_is_a_webp_of_the_video_size_upright(portrait_out):
    result, _target = portrait_out

    poster = Image.open(io.BytesIO(result.poster))
    assert poster.format == "WEBP"
    assert poster.size == (720, 1280)
    assert _is_red(poster.getpixel((360, 100))) and _is_blue(poster.getpixel((360, 1200)))


def test_landscape_clip_keeps_its_size_when_small_and_is_never_upscaled(tmp_path):
    clip = make_clip(tmp_path / "wide.mp4", width=640, height=360, audio=False)

    result = media.transcode(clip, tmp_path / "out.mp4")

    assert (result.width, result.height) == (640, 360)
    assert not result.has_audio
    with av.open(str(tmp_path / "out.mp4")) as container:
        assert [s.type for s in container.streams] == ["video"]
    assert Image.open(io.BytesIO(result.poster)).size == (640, 360)


def test_large_landscape_clip_is_scaled_to_1280_on_its_long_side_with_even_sides(tmp_path):
    clip = make_clip(tmp_path / "wide.mp4", width=1442, height=810, seconds=1.2, audio=False)

    result = media.transcode(clip, tmp_path / "out.mp4")

    # 810 × 1280/1442 = 719.0: even sides, rounded down, never past the source's shape.
    assert (result.width, result.height) == (1280, 718)


def test_odd_sized_clip_gets_even_sides(tmp_path):
    clip = make_clip(tmp_path / "odd.mp4", width=322, height=242, seconds=1.2, audio=False)

    result = media.transcode(clip, tmp_path / "out.mp4")

    assert (result.width, result.height) == (322, 242)
    assert media.output_size(321, 241) == (320, 240)


def test_hevc_clip_is_transcoded_to_h264(tmp_path):
    clip = make_clip(tmp_path / "hevc.mp4", width=320, height=240, codec="libx265")
    assert media.probe(clip).video_codec == "hevc"

    media.transcode(clip, tmp_path / "out.mp4")

    _container, video, count, _first = _decoded(tmp_path / "out.mp4")
    assert video.codec_context.name == "h264"
    assert count == 90


def test_rotation_matrix_is_applied_to_the_pixels_and_not_carried_over(tmp_path):
    # A phone filming portrait stores landscape pictures and a display matrix turning them
    # a quarter clockwise (the matrix's angle is counter-clockwise: -90).
    clip = make_clip(tmp_path / "rotated.mp4", width=320, height=180, rotation=-90)
    probed = media.probe(clip)
    assert (probed.width, probed.height, probed.rotation) == (180, 320, 90)

    result = media.transcode(clip, tmp_path / "out.mp4")

    assert (result.width, result.height) == (180, 320)
    _container, _video, _count, first = _decoded(tmp_path / "out.mp4")
    assert (first.width, first.height, first.rotation) == (180, 320, 0)
    picture = first.to_image()
    # The stored top (red) turned a quarter clockwise is now on the right.
    assert _is_red(picture.getpixel((170, 160))) and _is_blue(picture.getpixel((10, 160)))
    poster = Image.open(io.BytesIO(result.poster))
    assert poster.size == (180, 320) and _is_red(poster.getpixel((170, 160)))


def test_upside_down_clip_is_turned_half_round(tmp_path):
    clip = make_clip(tmp_path / "flipped.mp4", width=320, height=180, seconds=1.2, rotation=180, audio=False)

    result = media.transcode(clip, tmp_path / "out.mp4")

    poster = Image.open(io.BytesIO(result.poster))
    assert poster.size == (320, 180)
    assert _is_blue(poster.getpixel((160, 10))) and _is_red(poster.getpixel((160, 170)))


def test_frame_rate_above_30_is_capped(tmp_path):
    clip = make_clip(tmp_path / "fast.mp4", fps=60, seconds=2, audio=False)

    media.transcode(clip, tmp_path / "out.mp4")

    _container, video, count, _first = _decoded(tmp_path / "out.mp4")
    assert video.average_rate == 30
    assert 60 <= count <= 61


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda d: _write(d / "empty.mp4", b""), VideoFailure.EMPTY, id="zero-length"),
        pytest.param(
            lambda d: _write(d / "a.mp4", image_upload().read()), VideoFailure.NOT_A_VIDEO, id="jpeg"
        ),
        pytest.param(
            lambda d: _write(d / "list.mp4", b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"),
            VideoFailure.NOT_A_VIDEO,
            id="playlist-renamed",
        ),
        pytest.param(lambda d: make_audio_only(d / "voice.m4a"), VideoFailure.NO_PICTURE, id="audio-only"),
        pytest.param(lambda d: _truncated(d, keep=0.3), VideoFailure.EMPTY, id="truncated"),
        pytest.param(lambda d: make_clip(d / "a.mp4", seconds=0.5), VideoFailure.TOO_SHORT, id="too-short"),
        pytest.param(lambda d: _unknown_codec(d), VideoFailure.UNSUPPORTED, id="unknown-codec"),
    ],
)
def test_unusable_files_are_refused_with_their_reason(tmp_path, make, code):
    path = make(tmp_path)

    with pytest.raises(media.VideoRejected) as refused:
        media.transcode(path, tmp_path / "out.mp4")

    assert refused.value.code == code
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing half-written left


def test_a_two_hour_file_is_refused_from_its_header_in_milliseconds(tmp_path):
    # Two frames two hours apart: the container declares 2 h, in a few kilobytes.
    clip = make_clip(tmp_path / "long.mp4", timestamps=[0, 7200], audio=False)
    assert clip.stat().st_size < 50_000

    started = time.monotonic()
    with pytest.raises(media.VideoRejected) as refused:
        media.probe(clip)

    assert refused.value.code == VideoFailure.TOO_LONG
    assert time.monotonic() - started < 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path, settings, monkeypatch):
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.2, audio=False)
    monkeypatch.setattr(media, "MAX_VIDEO_BYTES", clip.stat().st_size - 1)

    with pytest.raises(media.VideoRejected) as refused:
        media.probe(clip)

    assert refused.value.code == VideoFailure.TOO_LARGE


def test_a_header_that_understates_the_duration_is_caught_while_decoding(tmp_path, monkeypatch):
    clip = make_clip(tmp_path / "clip.mp4", seconds=3, audio=False)
    probed = media.probe(clip)
    monkeypatch.setattr(media, "MAX_VIDEO_SECONDS", 1)

    with pytest.raises(media.VideoRejected) as refused:
        media.transcode(clip, tmp_path / "out.mp4", probed=probed)

    assert refused.value.code == VideoFailure.TOO_LONG
    assert not (tmp_path / "out.mp4").exists()


def test_damaged_pictures_midway_are_a_broken_file_not_a_crash(tmp_path, portrait_out):
    _result, target = portrait_out  # index first: the damage is met while decoding
    data = bytearray(target.read_bytes())
    start = data.index(b"mdat") + len(data) // 3
    for offset in range(start, start + 3000, 7):
        data[offset] = (data[offset] * 31 + 7) % 256
    damaged = _write(tmp_path / "damaged.mp4", bytes(data))

    with pytest.raises(media.VideoRejected) as refused:
        media.transcode(damaged, tmp_path / "out.mp4")

    assert refused.value.code == VideoFailure.EMPTY
    assert not (tmp_path / "out.mp4").exists()


def test_a_failed_transcode_leaves_an_existing_target_untouched(tmp_path):
    target = _write(tmp_path / "out.mp4", b"previous")

    with pytest.raises(media.VideoRejected):
        media.transcode(make_audio_only(tmp_path / "voice.m4a"), target)

    assert target.read_bytes() == b"previous"


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _truncated(directory, *, keep: float):
    data = make_clip(directory / "full.mp4", seconds=2).read_bytes()
    (directory / "full.mp4").unlink()
    return _write(directory / "cut.mp4", data[: int(len(data) * keep)])


def _unknown_codec(directory):
    # The sample description names a codec FFmpeg has never heard of.
    data = make_clip(directory / "full.mp4", seconds=1.2, audio=False).read_bytes()
    (directory / "full.mp4").unlink()
    tag = data.index(b"avc1", data.index(b"stsd"))
    return _write(directory / "odd.mp4", data[:tag] + b"zzzz" + data[tag + 4 :])


def _is_red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def _is_blue(pixel) -> bool:
    red, green, blue = pixel[:3]
    return blue > 200 and red < 60 and green < 60
