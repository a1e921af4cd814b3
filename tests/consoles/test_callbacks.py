"""The callback page (回访): the queue, the form that records a reply and swaps
its row, errors in the form, the audited reveal of the caller, today's
satisfaction with its formula, and who may open it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.callbacks import callback_record
from analytics.models import Callback
from commandcenter.models import AccessRecord
from dispatch.models import Order
from tests.analytics.test_callbacks import queued_callback

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English words; the default UI language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def queued(api_client_for, users, call):
    return lambda **fields: queued_callback(
        api_client_for=api_client_for, users=users, call=call, **fields
    )


@pytest.fixture
def page(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def record_url(callback) -> str:
    return reverse("callback-record", kwargs={"pk": callback.pk})


def test_the_queue_shows_the_job_masked_caller_and_the_form(page, users, queued):
    callback = queued()
    response = page(users.dispatcher).get(reverse("callbacks"))
    assert response.status_code == 200
    html = response.content.decode()
    assert callback.incident.number in html
    assert "138****8000" in html and "13800138000" not in html
    assert f'id="callback-{callback.pk}"' in html
    assert f'action="{record_url(callback)}"' in html
    for value in ("satisfied", "basic", "unsatisfied", "unreached", "refused"):
        assert f'value="{value}"' in html
    assert "Show the caller" in html
    assert "Satisfaction = (satisfied + 0.5 × basically satisfied) / valid replies" in html
    assert 'href="/callbacks/"' in html  # in the navigation


def test_overdue_callbacks_come_first_and_are_marked(page, users, queued):
    later, earlier = queued(), queued(lat=30.015, lng=120.015)
    Callback.objects.filter(pk=earlier.pk).update(due_at=timezone.now() - timedelta(hours=1))
    html = page(users.dispatcher).get(reverse("callbacks")).content.decode()
    assert html.index(f'id="callback-{earlier.pk}"') < html.index(f'id="callback-{later.pk}"')
    assert f'class="callback-row is-overdue" id="callback-{earlier.pk}"' in html
    assert "1 overdue" in html


def test_saving_a_reply_swaps_the_row_and_asks_for_the_recent_list(page, users, queued):
    callback = queued()
    client = page(users.dispatcher)
    response = client.post(
        record_url(callback), {"result": "satisfied", "comment": "很满意"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and f'id="callback-{callback.pk}"' in html
    assert "is-done" in html and "recorded" in html
    assert response["HX-Trigger"] == "callback-recorded"
    callback.refresh_from_db()
    assert (callback.state, callback.result, callback.comment) == ("done", "satisfied", "很满意")
    recent = client.get(reverse("callbacks-recent")).content.decode()
    assert callback.incident.number in recent
    assert "100.0%" in recent and "= (1 + 0.5 × 0) / 1" in recent


def test_an_unsatisfied_reply_from_the_page_names_the_supervision_order(page, users, queued):
    callback = queued()
    response = page(users.dispatcher).post(
        record_url(callback), {"result": "unsatisfied", "comment": "等了很久"}, headers=HTMX
    )
    order = Order.objects.get()
    assert order.number in response.content.decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Choose what the caller said."),
        ({"result": "happy"}, "Choose what the caller said."),
        ({"result": "unsatisfied"}, "Say what the caller was not satisfied with"),
    ],
)
def test_bad_input_is_shown_in_the_form_and_nothing_changes(page, users, queued, body, message):
    callback = queued()
    response = page(users.dispatcher).post(record_url(callback), body, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="callback-form"' in html  # the form again, around the error
    assert Callback.objects.get(pk=callback.pk).attempts == 0


def test_a_done_callback_answers_409_in_the_row(page, users, queued):
    callback = queued()
    callback_record(callback_id=callback.pk, actor=users.supervisor, result="basic")
    response = page(users.dispatcher).post(
        record_url(callback), {"result": "satisfied"}, headers=HTMX
    )
    assert response.status_code == 409
    assert "done already" in response.content.decode()


def test_without_htmx_saving_redirects_back_to_the_page(page, users, queued):
    callback = queued()
    response = page(users.dispatcher).post(record_url(callback), {"result": "refused"})
    assert response.status_code == 302 and response["Location"] == reverse("callbacks")
    response = page(users.dispatcher).post(record_url(queued(lat=30.015)), {"result": "x"})
    assert response.status_code == 400
    assert "Choose what the caller said." in response.content.decode()


def test_a_caller_not_reached_stays_in_the_queue_with_its_tries(page, users, queued):
    callback = queued()
    client = page(users.dispatcher)
    response = client.post(record_url(callback), {"result": "unreached"}, headers=HTMX)
    html = response.content.decode()
    assert "2 more tries" in html and 'class="callback-form"' in html
    queue = client.get(reverse("callbacks-queue")).content.decode()
    assert f'id="callback-{callback.pk}"' in queue and "1 try" in queue


def test_revealing_the_caller_is_recorded_for_the_follow_up(page, users, queued):
    callback = queued()
    url = reverse("callback-caller", kwargs={"pk": callback.pk})
    response = page(users.dispatcher).get(url, headers=HTMX)
    assert response.status_code == 200
    assert "13800138000" in response.content.decode()
    record = AccessRecord.objects.get()
    assert record.actor == users.dispatcher
    assert (record.object_type, record.object_id) == (
        "incidents.incident",
        str(callback.incident_id),
    )
    assert record.purpose == "Follow-up visit (回访)"
    assert record.path == url


def test_a_caller_revealed_stays_shown_to_that_call_taker_across_refreshes(
    page, users, queued, client
):
    callback = queued()
    client = page(users.dispatcher)
    client.get(reverse("callback-caller", kwargs={"pk": callback.pk}), headers=HTMX)
    queue = client.get(reverse("callbacks-queue")).content.decode()
    assert "13800138000" in queue  # the live refresh does not mask it while they dial
    assert AccessRecord.objects.count() == 1  # and records no second read
    other = page(users.supervisor).get(reverse("callbacks-queue")).content.decode()
    assert "13800138000" not in other


def test_a_station_chief_reads_its_own_queue_without_form_or_reveal(page, users, queued):
    own, other = queued(), queued(lat=30.015, lng=120.015)
    client = page(users.chief_a)
    html = client.get(reverse("callbacks")).content.decode()
    assert own.incident.number in html and other.incident.number not in html
    assert 'class="callback-form"' not in html and "Show the caller" not in html
    assert client.post(record_url(own), {"result": "satisfied"}, headers=HTMX).status_code == 403
    assert client.post(record_url(other), {"result": "satisfied"}).status_code == 404
    reveal = client.get(reverse("callback-caller", kwargs={"pk": own.pk}), headers=HTMX)
    assert reveal.status_code == 403
    assert not AccessRecord.objects.exists()
    assert Callback.objects.get(pk=own.pk).state == "pending"


@pytest.mark.parametrize("role", ["street_staff", "post_officer", "partner"])
def test_other_roles_get_403_and_no_link(page, users, role, queued):
    callback = queued()
    client = page(getattr(users, role))
    assert client.get(reverse("callbacks")).status_code == 403
    assert client.post(record_url(callback), {"result": "satisfied"}).status_code == 403
    assert 'href="/callbacks/"' not in client.get(reverse("console-home")).content.decode()
