"""Demo short videos for `seed_demo`: each demo shop gets one, made here and processed by
the same pipeline as a merchant's upload (storefront.content.processing).

The clip is drawn with Pillow and encoded with PyAV: a portrait phone picture (360×640,
4 seconds) with the good's title, a slowly turning ring for movement, and a tone. Small on
purpose: seeding stays quick, and so does the test of `seed_demo`. Idempotent: a shop that
already has a video gets none more.
"""

import math
import tempfile
from fractions import Fraction
from pathlib import Path

import av
from django.core.files import File
from PIL import Image, ImageDraw

from core.fonts import cjk_font
from merchants.models import MerchantProfile
from storefront.demo import seed_discovery
from storefront.models import ProductStatus

from .models import Video, VideoStatus
from .processing import process_video

DEMO_SHOPS = ("factory@demo.local", "ruili@demo.local", "sihui@demo.local")
WIDTH, HEIGHT, FPS, SECONDS = 360, 640, 24, 4
COLOURS = [(214, 92, 58), (64, 128, 96), (70, 110, 170)]
TONE = (b"\x00\x04\x00\x04" * 32 + b"\x00\xfc\x00\xfc" * 32) * 16  # 1 024 stereo s16 samples


def _frame(title: str, colour, number: int) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), colour)
    draw = ImageDraw.Draw(image)
    angle = 2 * math.pi * number / (FPS * SECONDS)
    cx, cy = WIDTH // 2 + int(70 * math.cos(angle)), 300 + int(70 * math.sin(angle))
    draw.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), outline=(255, 255, 255), width=10)
    draw.text((24, 520), title[:12], fill=(255, 255, 255), font=cjk_font(28))
    draw.text((24, 570), "源头好货 短视频 DEMO", fill=(255, 255, 255), font=cjk_font(20))
    return image


def make_demo_clip(path: Path, title: str, colour) -> Path:
    with av.open(str(path), "w", format="mp4") as output:
        video = output.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = output.add_stream("aac", rate=44_100)
        audio.layout = "stereo"
        for number in range(FPS * SECONDS):
            frame = av.VideoFrame.from_image(_frame(title, colour, number))
            frame.pts, frame.time_base = number, Fraction(1, FPS)
            output.mux(video.encode(frame))
        output.mux(video.encode())
        samples = 0
        while samples < 44_100 * SECONDS:
            frame = av.AudioFrame(format="s16", layout="stereo", samples=1024)
            frame.planes[0].update(TONE)  # a soft square wave: something to hear, no numpy
            frame.sample_rate, frame.pts = 44_100, samples
            output.mux(audio.encode(frame))
            samples += 1024
        output.mux(audio.encode())
    return path


def seed_videos(stdout=None) -> list:
    made = 0
    for index, email in enumerate(DEMO_SHOPS):
        merchant = MerchantProfile.objects.filter(user__email=email).first()
        if merchant is None or Video.objects.filter(merchant=merchant).exists():
            continue
        product = merchant.products.filter(status=ProductStatus.PUBLISHED).order_by("id").first()
        if product is None:
            continue
        with tempfile.TemporaryDirectory() as folder:
            path = make_demo_clip(Path(folder) / "demo.mp4", product.title, COLOURS[index % len(COLOURS)])
            video = Video(
                merchant=merchant,
                title=f"{product.title}：细节实拍",
                status=VideoStatus.PROCESSING,
                original_name="demo.mp4",
                expected_bytes=path.stat().st_size,
                received_bytes=path.stat().st_size,
            )
            with path.open("rb") as handle:
                video.original.save("demo.mp4", File(handle), save=False)
            video.save()
            video.products.add(product)
            process_video(video.pk)
        made += 1
    if made:
        seed_discovery()  # the new videos climb from the first strip on, not after the next cycle
    return []
