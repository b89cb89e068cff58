from storefront.content.models import Video, VideoExposure, VideoStatus


def make_video(merchant, goods, *, title="试穿视频", status=VideoStatus.PUBLISHED, in_pool=True, **extra):
    """A processed video selling `goods`, with its discovery row as its processing makes it."""
    video = Video.objects.create(
        merchant=merchant, title=title, status=status, poster=f"videos/{title}/poster.webp", **extra
    )
    video.products.set(goods)
    VideoExposure.objects.create(video=video, merchant=merchant, in_pool=in_pool)
    return video
