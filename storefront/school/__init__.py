"""The E-business school (E-商学院): courses, manuals and method articles, and reading progress.

A package inside `storefront` (the style guide's choice once the school grew past a
few modules). Its models belong to the `storefront` app (imported by
storefront/models.py), so migrations, permissions and admin live with the catalog.
Design notes: docs/school.md.
"""
