"""Where a community row is, for scope and the event stream.

The base of every located community model: a site and its sensors and alarms,
the registry's addresses and what lives at them, a missing person's case.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.access import located_in
from commandcenter.models import Post, Station, Street


class Located(models.Model):
    """Where a row is, for scope and the event stream: a site's place, copied to
    its sensors and alarms so a scoped read needs no join."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("station"),
    )  # fmt: skip
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("post"),
    )  # fmt: skip
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("street"),
    )  # fmt: skip

    class Meta:
        abstract = True

    @classmethod
    def visible_to(cls, scope) -> Q:
        return located_in(scope)

    @property
    def location(self) -> dict:
        return {"station_id": self.station_id, "post_id": self.post_id, "street_id": self.street_id}
