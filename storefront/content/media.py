"""Probe and transcode a merchant's short video with PyAV (the FFmpeg its wheel bundles).

Pure functions on files: no database, no storage. `storefront.content.processing` copies the
private upload to a temporary file, calls `transcode` (which probes first) and publishes
what it returns.

What comes in: an MP4/MOV from a phone (H.264 or HEVC, often portrait stored as landscape
with a display matrix). The file is opened with the MOV/MP4 demuxer only, never by FFmpeg's
guess from the content: a playlist, an image or any of FFmpeg's other formats renamed .mp4
is refused as not a video instead of being read by a demuxer nobody meant to expose (an
HLS playlist would fetch other files). Data references to other files stay off (the MOV
demuxer's default).

What goes out: H.264 (libx264, yuv420p, CRF 24, preset "veryfast": the fastest preset
whose files stay small, for a 2-core worker) at the source's frame rate capped at 30 fps,
the long side at most 1280 px (never upscaled, even sides), the rotation applied to the
pixels; AAC 128 kb/s stereo when the source has sound; MP4 with the index first
(`movflags=+faststart`) so a phone starts playing before the whole file arrived. Nothing
of the source's metadata is carried over (location, creation time, make and model,
handler names): the output holds only what the muxer writes itself. The poster is the
picture at 1 s (the first one for a shorter clip), upright and at the output's size, WebP.

A refusal is a `VideoRejected` with a `VideoFailure` code. The order of the checks, and
why: size (no need to open a file the upload limit already refuses), then the container
(a file that starts like an MP4 but cannot be opened is a broken video, EMPTY; anything
else is NOT_A_VIDEO), sound only (NO_PICTURE), a decoder for the pictures (UNSUPPORTED),
the duration the container declares (TOO_LONG / TOO_SHORT, from the header: a two-hour
file is refused in milliseconds), then the first picture is decoded (EMPTY when none
comes). A decoding error anywhere later, a truncated file included, is EMPTY too.

Not handled (rare on phones; documented in docs/content.md): mirrored display matrices
(only the rotation is applied), non-square pixels (the output is square-pixelled at the
display size of the stored pixels), HDR tone mapping (10-bit HDR is converted to 8-bit
without it, so its colours look flat).
"""

import io
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.filter
from av.audio.resampler import AudioResampler
from av.video.frame import PictureType

from .models import MAX_VIDEO_BYTES, MAX_VIDEO_SECONDS, MIN_VIDEO_SECONDS, VideoFailure

# The MOV/MP4 demuxer (FFmpeg's "mov,mp4,m4a,3gp,3g2,mj2"): the only one a file is read with.
INPUT_FORMAT = "mov"
# Box types an ISO media file (MP4, MOV) starts with: a file that begins with one of them
# and still cannot be opened is a broken video, not some other kind of file.
ISO_MEDIA_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}
# An 8K phone video (7680×4320) is the largest picture accepted: more is a decompression
# bomb in the making (a few KB of stream that decodes to gigabytes a frame).
MAX_FRAME_PIXELS = 7680 * 4320

MAX_LONG_SIDE = 1280
MAX_FRAME_RATE = 30
VIDEO_ENCODER = "libx264"
VIDEO_OPTIONS = {"preset": "veryfast", "crf": "24"}
AUDIO_ENCODER = "aac"
AUDIO_BIT_RATE = 128_000
AUDIO_FRAME_SAMPLES = 1024  # the AAC frame
AUDIO_RATES = {44_100, 48_000}  # kept as they are; any other rate becomes 48 kHz
POSTER_AT_SECONDS = 1.0
POSTER_QUALITY = 80
# A file may run past its declared duration by a frame or two; more than this past the
# limit means the header lied, and decoding stops there.
DURATION_SLACK_SECONDS = 0.5


class VideoRejected(Exception):
    """The file cannot become a video on the portal; `code` says why (a VideoFailure)."""

    def __init__(self, code: VideoFailure, detail: str = ""):
        self.code = VideoFailure(code)
        self.detail = detail
        super().__init__(f"{self.code.value}: {detail}" if detail else self.code.value)


@dataclass(frozen=True)
class Probe:
    """What a file holds, as a phone would show it (width and height after the rotation)."""

    duration: float
    width: int
    height: int
    # Degrees the pictures must turn clockwise to stand upright: 0, 90, 180 or 270.
    rotation: int
    video_codec: str
    audio_codec: str
    frame_rate: Fraction | None
    size: int

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


@dataclass(frozen=True)
class Result:
    """The transcoded MP4 (at `dst_path`) and its poster."""

    duration: float
    width: int
    height: int
    bytes: int
    seconds: float
    has_audio: bool
    poster: bytes  # WebP, same size and orientation as the video


def probe(path) -> Probe:
    """Return what the video at `path` holds, or raise VideoRejected saying why it is unusable."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise VideoRejected(VideoFailure.EMPTY, "zero bytes")
    if size > MAX_VIDEO_BYTES:
        raise VideoRejected(VideoFailure.TOO_LARGE, f"{size} bytes")
    with _open(path) as container:
        video = _video_stream(container)
        declared = _declared_seconds(container, video)
        if declared is not None and declared > MAX_VIDEO_SECONDS + DURATION_SLACK_SECONDS:
            raise VideoRejected(VideoFailure.TOO_LONG, f"{declared:.1f} s declared")
        if declared is not None and declared < float(MIN_VIDEO_SECONDS):
            raise VideoRejected(VideoFailure.TOO_SHORT, f"{declared:.2f} s declared")
        first = next(_decoded(container, video), None)
        if first is None:
            raise VideoRejected(VideoFailure.EMPTY, "no picture decodes")
        _, frame = first
        _check_pixels(frame.width, frame.height)
        rotation = _clockwise_turn(frame.rotation)
        width, height = (frame.height, frame.width) if rotation in (90, 270) else (frame.width, frame.height)
        audio = _audio_stream(container)
        rate = video.average_rate or video.guessed_rate
        return Probe(
            duration=declared if declared is not None else 0.0,
            width=width,
            height=height,
            rotation=rotation,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else "",
            frame_rate=Fraction(rate) if rate else None,
            size=size,
        )


def transcode(
    src_path, dst_path, *, max_long_side: int = MAX_LONG_SIDE, probed: Probe | None = None
) -> Result:
    """Write the phone-sized H.264/AAC MP4 of `src_path` to `dst_path`; return it with its poster.

    Probes first (unless `probed` is given) and raises VideoRejected like `probe`. The file
    is written under a temporary name beside `dst_path` and renamed at the end: `dst_path`
    is either the whole video or absent, never half-written.
    """
    started = time.monotonic()
    probed = probed or probe(src_path)
    dst_path = Path(dst_path)
    handle, partial = tempfile.mkstemp(prefix=f".{dst_path.name}.", suffix=".partial", dir=dst_path.parent)
    os.close(handle)
    try:
        poster = _write_mp4(Path(src_path), Path(partial), probed, max_long_side)
        written = _output_facts(Path(partial))
        os.replace(partial, dst_path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    duration, width, height = written
    return Result(
        duration=duration,
        width=width,
        height=height,
        bytes=dst_path.stat().st_size,
        seconds=time.monotonic() - started,
        has_audio=probed.has_audio,
        poster=poster,
    )


def output_size(width: int, height: int, max_long_side: int = MAX_LONG_SIDE) -> tuple[int, int]:
    """Return (width, height) scaled so the long side is at most `max_long_side`, never up, even."""
    scale = min(1.0, max_long_side / max(width, height))
    return _even(width * scale), _even(height * scale)


def _even(value: float) -> int:
    # H.264 in 4:2:0 needs even sides; rounding down never upscales by a pixel.
    rounded = round(value)
    return max(2, rounded - rounded % 2)


def _open(path: Path):
    try:
        return av.open(str(path), mode="r", format=INPUT_FORMAT, metadata_errors="ignore")
    except av.error.FFmpegError as error:
        with path.open("rb") as file:
            head = file.read(8)
        broken_video = len(head) == 8 and head[4:8] in ISO_MEDIA_FIRST_BOXES
        raise VideoRejected(
            VideoFailure.EMPTY if broken_video else VideoFailure.NOT_A_VIDEO, str(error)
        ) from error


def _video_stream(container):
    # A cover picture in an audio file is a "video" stream of one attached picture: no video.
    streams = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not streams:
        raise VideoRejected(VideoFailure.NO_PICTURE)
    stream = streams[0]
    if stream.codec_context is None or stream.codec_context.codec is None:
        raise VideoRejected(VideoFailure.UNSUPPORTED, "no decoder")
    _check_pixels(stream.codec_context.width, stream.codec_context.height)
    stream.thread_type = "AUTO"
    return stream


def _audio_stream(container):
    # Some phones add a second sound track in a codec FFmpeg cannot decode (spatial audio):
    # the first track that decodes is the sound; none means a silent video.
    for stream in container.streams.audio:
        if stream.codec_context is not None and stream.codec_context.codec is not None:
            return stream
    return None


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_FRAME_PIXELS:
        raise VideoRejected(VideoFailure.UNSUPPORTED, f"{width}×{height} pictures")


def _declared_seconds(container, video) -> float | None:
    """The duration the header declares (the longest stream's), without reading any frame."""
    if container.duration:
        return container.duration / av.time_base
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return None


def _clockwise_turn(rotation: float) -> int:
    # PyAV reports the display matrix's counter-clockwise angle in [-180, 180]; phones
    # only write quarter turns.
    return (-round(rotation / 90) * 90) % 360


def _decoded(container, *streams) -> Iterator[tuple[object, object]]:
    """Yield (stream, frame) in file order; a read or decoding error means a broken file."""
    packets = container.demux(*streams)
    while True:
        try:
            packet = next(packets)
            frames = packet.decode()
        except StopIteration:
            return
        except av.error.FFmpegError as error:
            raise VideoRejected(VideoFailure.EMPTY, str(error)) from error
        for frame in frames:
            yield packet.stream, frame


def _write_mp4(src: Path, dst: Path, probed: Probe, max_long_side: int) -> bytes:
    """Decode `src`, write the MP4 to `dst` (format given: its name is a temporary one); return the poster."""
    width, height = output_size(probed.width, probed.height, max_long_side)
    rate = _output_rate(probed.frame_rate)
    with (
        _open(src) as source,
        av.open(str(dst), mode="w", format="mp4", container_options={"movflags": "+faststart"}) as output,
    ):
        video_in = _video_stream(source)
        audio_in = _audio_stream(source)
        video_out = output.add_stream(VIDEO_ENCODER, rate=rate, options=dict(VIDEO_OPTIONS))
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        video_out.codec_context.time_base = 1 / rate
        pictures = _Pictures(probed.rotation, width, height, video_in.time_base)
        sound = _Sound(output, audio_in) if audio_in is not None else None
        streams = (video_in, audio_in) if audio_in is not None else (video_in,)
        poster = None
        last_slot = -1
        video_start = None
        for stream, frame in _decoded(source, *streams):
            if stream is not video_in:
                sound.add(frame, output)
                continue
            if frame.time is None:
                seconds = (last_slot + 1) / rate
            else:
                video_start = frame.time if video_start is None else video_start
                seconds = frame.time - video_start
            if seconds > MAX_VIDEO_SECONDS + DURATION_SLACK_SECONDS:
                raise VideoRejected(VideoFailure.TOO_LONG, f"a picture at {seconds:.1f} s")
            slot = round(seconds * rate)
            if slot <= last_slot:
                continue  # above the frame-rate cap, or a repeated timestamp
            last_slot = slot
            upright = pictures.convert(frame)
            if poster is None or (seconds >= POSTER_AT_SECONDS and poster[0] < POSTER_AT_SECONDS):
                poster = (seconds, upright.to_image())
            upright.pts = slot
            upright.time_base = 1 / rate
            # A decoded picture keeps its source's type (I, P, B), which libx264 would obey.
            upright.pict_type = PictureType.NONE
            output.mux(video_out.encode(upright))
        if poster is None:
            raise VideoRejected(VideoFailure.EMPTY, "no picture decodes")
        if (last_slot + 1) / rate < float(MIN_VIDEO_SECONDS):
            raise VideoRejected(VideoFailure.TOO_SHORT, f"{last_slot + 1} pictures")
        output.mux(video_out.encode(None))
        if sound is not None:
            sound.finish(output)
    return _webp(poster[1])


def _output_rate(source_rate: Fraction | None) -> Fraction:
    if not source_rate or source_rate <= 0 or source_rate > MAX_FRAME_RATE:
        return Fraction(MAX_FRAME_RATE)
    return Fraction(source_rate).limit_denominator(1001)


class _Pictures:
    """Scale, turn upright and convert to yuv420p, in one filter graph per input shape."""

    def __init__(self, rotation: int, width: int, height: int, time_base):
        self.rotation = rotation
        # Scaling happens before the turn (fewer pixels to turn), in the stored orientation.
        self.scaled = (height, width) if rotation in (90, 270) else (width, height)
        self.time_base = time_base
        self.shape = None
        self.graph = None

    def convert(self, frame):
        shape = (frame.width, frame.height, frame.format.name)
        if shape != self.shape:  # the first picture, or a stream that changes size midway
            self.graph, self.shape = self._graph(frame), shape
        self.graph.push(frame)
        return self.graph.pull()

    def _graph(self, frame):
        graph = av.filter.Graph()
        nodes = [
            graph.add_buffer(
                width=frame.width, height=frame.height, format=frame.format, time_base=self.time_base
            ),
            graph.add("scale", f"{self.scaled[0]}:{self.scaled[1]}"),
            graph.add("format", "yuv420p"),
        ]
        if self.rotation == 90:
            nodes.append(graph.add("transpose", "clock"))
        elif self.rotation == 270:
            nodes.append(graph.add("transpose", "cclock"))
        elif self.rotation == 180:
            nodes += [graph.add("hflip"), graph.add("vflip")]
        nodes += [graph.add("setsar", "1"), graph.add("buffersink")]
        graph.link_nodes(*nodes).configure()
        return graph


class _Sound:
    """Resample the source's sound to stereo AAC frames with continuous timestamps.

    The output stream is added before anything is written: the MP4 header lists every stream.
    """

    def __init__(self, output, source_stream):
        source_rate = source_stream.codec_context.sample_rate
        rate = source_rate if source_rate in AUDIO_RATES else 48_000
        self.stream = output.add_stream(AUDIO_ENCODER, rate=rate)
        self.stream.layout = "stereo"
        self.stream.bit_rate = AUDIO_BIT_RATE
        self.resampler = AudioResampler(
            format="fltp", layout="stereo", rate=rate, frame_size=AUDIO_FRAME_SAMPLES
        )
        self.rate = rate
        self.samples = 0

    def add(self, frame, output) -> None:
        self._encode(self.resampler.resample(frame), output)

    def finish(self, output) -> None:
        self._encode(self.resampler.resample(None), output)
        output.mux(self.stream.encode(None))

    def _encode(self, frames, output) -> None:
        for frame in frames:
            frame.pts = self.samples
            frame.time_base = Fraction(1, self.rate)
            self.samples += frame.samples
            output.mux(self.stream.encode(frame))


def _output_facts(path: Path) -> tuple[float, int, int]:
    with av.open(str(path), mode="r", format=INPUT_FORMAT) as written:
        stream = written.streams.video[0]
        return written.duration / av.time_base, stream.codec_context.width, stream.codec_context.height


def _webp(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=POSTER_QUALITY, method=4)
    return buffer.getvalue()
