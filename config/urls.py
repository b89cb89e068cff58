import re

from allauth.account.decorators import secure_admin_login
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.media import serve_media
from merchants.views import AccountLoginView

from .health import healthz

# Staff log in through allauth's form, so admin log-in has allauth's rate limits too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Source Good Goods portal administration")
admin.site.site_title = _("Portal administration")
admin.site.index_title = _("Operations")

# Swagger UI sets inline styles; scripts stay 'self' only, on this page as everywhere.
api_docs = csp_update({"style-src": [SELF, UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("storefront.urls")),
    path("", include("storefront.school.urls")),
    path("", include("storefront.campaigns.urls")),
    path("", include("storefront.content.live_urls")),
    path("", include("storefront.content.video_urls")),
    # Ahead of allauth's own: the same log-in, answering 429 while attempts are blocked.
    path("accounts/login/", AccountLoginView.as_view()),
    path("accounts/", include("allauth.urls")),
    path("merchant/", include("merchants.urls")),
    path("", include("industrybelts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

handler403 = "storefront.views.permission_denied"
handler404 = "storefront.views.page_not_found"
handler500 = "storefront.views.server_error"

if settings.SERVE_MEDIA:
    # The embedded portal and browser tests serve public media themselves (with byte ranges,
    # which phones need to play a video); production leaves MEDIA_URL to the proxy or storage.
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_media)]
