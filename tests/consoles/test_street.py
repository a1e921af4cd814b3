"""The street office console in its own words, with its own figures counted right."""

from django.urls import reverse

from incidents.models import Incident

HTMX = {"HX-Request": "true"}


def post(client, url, body=None):
    response = client.post(url, body or {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_last_24_hours_count_settled_returned_and_referred_apart(
    client, users, call, api_client_for, district
):
    street = api_client_for(users.street_staff)
    jobs = [
        call(category=category, lat=30.015, lng=lng).json()["id"]
        for category, lng in (("dispute", 120.005), ("complaint", 120.006), ("assistance", 120.007))
    ]
    for job in jobs:
        post(street, f"/api/v1/incidents/{job}/accept/")
    post(
        street, f"/api/v1/incidents/{jobs[0]}/settle/", {"result_code": "mediated", "remote": True}
    )
    post(street, f"/api/v1/incidents/{jobs[1]}/return/", {"reason": "涉嫌违法"})
    post(street, f"/api/v1/incidents/{jobs[2]}/refer/", {"to": district.partner.code})
    client.force_login(users.street_staff)
    html = client.get(reverse("street-queue"), headers=HTMX).content.decode()
    figures = html[html.index('class="street-figures"') : html.index("</dl>")]
    for label, count in (
        ("分流至本中心", 3),
        ("已签收", 3),
        ("现场处结", 1),
        ("已移交", 1),
        ("已退回公安", 1),
    ):
        assert f"<dt>{label}</dt><dd>{count}</dd>" in figures, (label, figures)


def test_a_street_job_speaks_of_staff_sent_not_police_dispatched(
    client, users, call, api_client_for, district
):
    job = call(category="dispute", lat=30.015, lng=120.005).json()["id"]
    street = api_client_for(users.street_staff)
    post(street, f"/api/v1/incidents/{job}/accept/")
    post(street, f"/api/v1/incidents/{job}/dispatch/", {"units": [district.units.street.pk]})
    client.force_login(users.street_staff)
    html = client.get(
        reverse("console-incident", kwargs={"console": "street", "pk": job}), headers=HTMX
    ).content.decode()
    assert "本事件工作人员" in html
    assert "接单" in html  # the staff member's next step
    for police_word in ("派警", "警力"):
        assert police_word not in html, html[max(0, html.find(police_word) - 200) :][:300]
    assert Incident.objects.get(pk=job).status == "dispatched"
