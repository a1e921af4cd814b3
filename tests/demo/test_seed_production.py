"""seed_demo refuses production (its accounts share the published password) unless forced."""

import pytest
from django.core.management import CommandError, call_command

from commandcenter.models import Bureau


def test_seed_demo_refuses_production(db, settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", verbosity=0)
    assert not Bureau.objects.exists()


def test_seed_demo_in_production_with_the_explicit_flag_goes_ahead(db, settings, monkeypatch):
    settings.ENVIRONMENT = "production"
    seeded = []
    monkeypatch.setattr(
        "demo.management.commands.seed_demo.build_demo_district", lambda seed: seeded.append(seed)
    )
    monkeypatch.setattr("demo.management.commands.seed_demo.demo_district_seed", lambda plan: [])
    with pytest.raises(AttributeError):  # the stub plan has no stations: it got that far
        call_command("seed_demo", "--allow-production", verbosity=0)
    assert seeded == [20211]
