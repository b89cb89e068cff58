"""Videos the tests make themselves with PyAV: small, a few seconds, each with a known shape.

Every picture is red in its top half and blue in its bottom half (as stored), so a test can
tell which way up a transcoded picture stands.
"""

from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

LOCATION = "+22.5431+114.0579/"
LOCATION_TAGS = {
    "location": LOCATION,
    "com.apple.quicktime.location.ISO6709": LOCATION,
    "creation_time": "2026-05-01T08:30:00.000000Z",
    "make": "Apple",
    "model": "iPhone 15",
}
RED, BLUE = (255, 0, 0), (0, 0, 255)


def picture(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), BLUE)
    ImageDraw.Draw(image).rectangle([0, 0, width, height // 2 - 1], fill=RED)
    return image


def make_clip(
    path: Path,
    *,
    width: int = 320,
    height: int = 240,
    seconds: float = 3,
    fps: int = 30,
    codec: str = "libx264",
    audio: bool = True,
    rotation: float | None = None,
    tags: dict | None = None,
    timestamps: list[float] | None = None,
) -> Path:
    """Write an MP4 (index at the end, as a phone's camera writes it) and return its path.

    `rotation` is the display matrix's counter-clockwise angle (a phone filming portrait
    stores landscape pictures with -90). `timestamps` (seconds) replace the regular frames:
    two frames two hours apart make a two-hour file of a few kilobytes.
    """
    times = timestamps if timestamps is not None else [i / fps for i in range(round(seconds * fps))]
    # A .mov keeps every tag as written, as an iPhone's camera does (mdta keys): the
    # location is then in the file as text.
    mov = path.suffix.lower() == ".mov"
    options = {"movflags": "use_metadata_tags"} if mov else {}
    with av.open(str(path), "w", format="mov" if mov else "mp4", options=options) as output:
        output.metadata.update(tags or {})
        video = output.add_stream(codec, rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, fps)
        if codec == "libx265":
            video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        if tags:
            video.metadata.update(tags)
        if rotation is not None:
            video.set_display_rotation(rotation)
        sound = None
        if audio:
            sound = output.add_stream("aac", rate=44_100)
            sound.layout = "stereo"
            if tags:
                sound.metadata.update(tags)
        # One picture, converted once and sent again with each timestamp: cheap at 1080×1920.
        still = av.VideoFrame.from_image(picture(width, height)).reformat(format="yuv420p")
        for time in times:
            still.pts = round(time * fps)
            output.mux(video.encode(still))
        output.mux(video.encode(None))
        if sound is not None:
            write_tone(output, sound, times[-1] + 1 / fps)
    return path


def write_tone(output, stream, seconds: float) -> None:
    rate = stream.codec_context.sample_rate
    samples = 0
    while samples < rate * seconds:
        frame = av.AudioFrame(format="s16", layout="stereo", samples=1024)
        # A square wave: something to encode, no numpy needed.
        frame.planes[0].update((b"\x00\x10\x00\x10" * 32 + b"\x00\xf0\x00\xf0" * 32) * 16)
        frame.sample_rate = rate
        frame.pts = samples
        output.mux(stream.encode(frame))
        samples += 1024
    output.mux(stream.encode(None))


def make_audio_only(path: Path, seconds: float = 3) -> Path:
    with av.open(str(path), "w", format="mp4") as output:
        sound = output.add_stream("aac", rate=44_100)
        sound.layout = "stereo"
        write_tone(output, sound, seconds)
    return path


def top_level_boxes(data: bytes) -> list[str]:
    """The ISO media file's top-level box types, in file order (ftyp, moov, mdat…)."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:  # a 64-bit size follows the type
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        boxes.append(kind)
        offset += size
    return boxes
