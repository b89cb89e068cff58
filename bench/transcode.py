"""Time the transcoding of a phone's 15-second portrait clip (storefront.content.media).

    python -m bench.transcode [--seconds 15] [--codec h264|hevc] [--runs 3]
    make bench-transcode

Makes the clip first, as a phone's camera stores it: 1920×1080 pictures with a display
matrix turning them upright (1080×1920), 30 fps, H.264 (or HEVC) at a phone's bit rate,
AAC stereo sound. The pictures are synthetic but not trivial for the encoder: a textured
scene panning across the frame (the camera moving) under a changing grain (a sensor's
noise), so the encoder has motion and detail to spend bits on. Then it times
`transcode` (probe included) `--runs` times and prints min and median, the output's size
and the CPUs this process may use. Nothing is written to the database.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
from PIL import Image, ImageChops, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

SOURCE_BIT_RATE = {"h264": 16_000_000, "hevc": 10_000_000}  # what phones record 1080p30 at
GRAINS = 8


def make_phone_clip(path: Path, *, seconds: float, codec: str, fps: int = 30) -> Path:
    width, height = 1920, 1080  # stored landscape, shown portrait
    # Smooth blotches (noise drawn small and enlarged) with sharp shapes on top: a scene.
    blotches = [Image.effect_noise((width // 16, height // 16), 90) for _ in range(3)]
    scene = Image.merge("RGB", [channel.resize((width * 2, height * 2)) for channel in blotches])
    draw = ImageDraw.Draw(scene)
    for index in range(60):
        x, y = (index * 397) % (width * 2), (index * 211) % (height * 2)
        draw.rectangle([x, y, x + 80, y + 40], fill=(index * 4 % 256, 200, 255 - index * 4 % 256))
    grains = [
        Image.merge("RGB", [Image.effect_noise((width, height), 12)] * 3).point(lambda v: max(0, v - 110))
        for _ in range(GRAINS)
    ]
    with av.open(str(path), "w", format="mp4") as output:
        video = output.add_stream(
            "libx264" if codec == "h264" else "libx265", rate=fps, options={"preset": "ultrafast"}
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.bit_rate = SOURCE_BIT_RATE[codec]
        if codec == "hevc":
            video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        video.set_display_rotation(-90)
        sound = output.add_stream("aac", rate=48_000)
        sound.layout = "stereo"
        frames = round(seconds * fps)
        for number in range(frames):
            view = scene.crop((number * 3, number * 2, number * 3 + width, number * 2 + height))
            frame = av.VideoFrame.from_image(ImageChops.add(view, grains[number % GRAINS]))
            frame.pts = number
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        samples = 0
        while samples < 48_000 * seconds:
            chunk = av.AudioFrame(format="s16", layout="stereo", samples=1024)
            chunk.planes[0].update(bytes((samples // 7 + i) % 251 for i in range(4096)))
            chunk.sample_rate, chunk.pts = 48_000, samples
            output.mux(sound.encode(chunk))
            samples += 1024
        output.mux(sound.encode(None))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--codec", choices=sorted(SOURCE_BIT_RATE), default="h264")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)

    import django  # set up with the settings chosen above, before any app module loads

    django.setup()
    from storefront.content import media  # needs the app registry: only after setup

    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as scratch:
        source = Path(scratch) / "IMG_0001.mp4"
        started = time.perf_counter()
        make_phone_clip(source, seconds=args.seconds, codec=args.codec)
        made = time.perf_counter() - started
        probed = media.probe(source)
        print(
            f"source: {args.seconds:g} s, {probed.width}×{probed.height} shown "
            f"(stored turned {probed.rotation}°), {probed.video_codec}/{probed.audio_codec}, "
            f"{probed.size / 1e6:.1f} MB (made in {made:.1f} s)"
        )
        timings, cpu, result = [], [], None
        for _ in range(args.runs):
            cpu_started = time.process_time()
            result = media.transcode(source, Path(scratch) / "out.mp4")
            timings.append(result.seconds)
            cpu.append(time.process_time() - cpu_started)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    report = {
        "seconds_of_video": args.seconds,
        "source_codec": args.codec,
        "source_bytes": probed.size,
        "runs": len(timings),
        "min_s": round(min(timings), 2),
        "median_s": round(statistics.median(timings), 2),
        "realtime_factor": round(args.seconds / statistics.median(timings), 2),
        # CPU time of all the process's threads: what the work costs whatever else runs.
        "cpu_median_s": round(statistics.median(cpu), 2),
        "output": f"{result.width}x{result.height}",
        "output_bytes": result.bytes,
        "poster_bytes": len(result.poster),
        "cpus": usable,
        "cpu_count": os.cpu_count(),
        # Other work on the machine slows the runs down: say how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(
        f"transcode: min {report['min_s']} s, median {report['median_s']} s over {report['runs']} runs "
        f"({report['realtime_factor']}× real time, {report['cpu_median_s']} CPU-seconds); "
        f"output {report['output']}, "
        f"{result.bytes / 1e6:.2f} MB, poster {len(result.poster) / 1e3:.0f} KB; "
        f"{usable} CPUs usable of {os.cpu_count()}, load average {report['load_average_1m']}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
