"""Celery tasks of campaigns."""

from celery import shared_task

from core.tasks import IDEMPOTENT_TASK_OPTIONS

from .services import campaigns_to_rank, refresh_leaderboard


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def refresh_campaign_leaderboards_task() -> int:
    """Rebuild the leaderboards of current campaigns (beat, every five minutes; safe to repeat)."""

    return sum(refresh_leaderboard(campaign) for campaign in campaigns_to_rank())
