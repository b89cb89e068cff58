"""Sales campaigns such as the 1106 sales king (1106卖货王): staff set the rules, merchants
sign goods up during the window, a leaderboard refreshed by Celery ranks them.

Built for a million sign-ups: a sign-up is one insert (idempotent through a unique
constraint) and, for a capped campaign, one conditional update of a counter; no page
counts or scans the entries. Design notes: docs/campaigns.md.
"""
