"""Top-level routes: each app's API under /api/v1/, the consoles, admin, schema, health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from commandcenter.views import healthz
from consoles import account

# Routes are tried in order: jobs (analytics: dispatch's jobs with their
# clocks) first, since intake is the hottest route; partner systems and
# intake call the API many times a second.
api = [
    path("", include("partners.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("dispatch.api.urls")),
    path("", include("commandcenter.api.urls")),
    path("", include("patrol.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("community.api.urls")),
    path("", include("webhooks.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api)),
    path("healthz", healthz, name="healthz"),
    # Open311 GeoReport v2 for partner systems (partners.open311).
    path("open311/v2/", include("partners.open311_urls")),
    # The demo's stand-in for a partner's webhook receiver (404 unless DEMO_WEBHOOK_RECEIVER).
    path("demo/", include("demo.urls")),
    # Pages without an icon link (the admin) make the browser ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("", include("consoles.urls")),
    # Logins (issue 11): the password, then a second factor where the account
    # has one or its role needs one; the admin logs in through the same page.
    path("accounts/login/", account.login_page, name="login"),
    path("accounts/login/verify/", account.login_verify, name="login-verify"),
    path("accounts/two-factor/", account.two_factor_page, name="two-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", account.login_page, name="admin-login"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Logged-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); integrators also
    # have the committed docs/openapi.yaml. The docs page sends a browser to log in, and
    # loads its start-up script from the view (split view): no inline script for CSP.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# Under /api/ a missing route or a crash answers JSON, as the API does everywhere else.
handler400 = "tianshu.errors.bad_request"
handler403 = "tianshu.errors.permission_denied"
handler404 = "tianshu.errors.not_found"
handler500 = "tianshu.errors.server_error"
