"""Content commerce (人、场、货): short videos attached to goods, and live sessions.

The source article's order is person, scene, goods: merchants (people) and goods existed
before; this package is the scene. Design: docs/content.md. The models belong to the
`storefront` app (imported by storefront/models.py), like campaigns and the school.
"""
