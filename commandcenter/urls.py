"""Top-level routes: consoles, admin, API, schema and health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from commandcenter import views

urlpatterns = [
    # The API first: partner systems and intake call it many times a second.
    path("api/v1/", include("commandcenter.api.urls")),
    path("", views.console_home, name="console-home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("incidents.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
