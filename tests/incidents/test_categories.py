"""The category tree: sub-types found by the caller's words, rules over whole branches, linkage."""

from django.urls import reverse

from commandcenter.directory import directory
from incidents.models import Incident, IncidentCategory, RoutingRule

HTMX = {"HX-Request": "true"}
INTAKE = {
    "caller_phone": "13800138000",
    "address": "测试路1号",
    "lat": "30.005",
    "lng": "120.005",
    "source": "phone_110",
    "description": "电动车被偷了",
}


def intake(client, **fields):
    return client.post(reverse("incident-intake"), {**INTAKE, **fields}, headers=HTMX)


def test_categories_come_with_their_place_in_the_tree(api_client_for, users):
    rows = {
        row["code"]: row
        for row in api_client_for(users.dispatcher).get("/api/v1/incident-categories/").json()
    }
    assert rows["ebike_theft"]["path"] == "刑事案件 › 盗窃 › 电动车被盗"
    assert rows["ebike_theft"]["parent"] == "theft"
    assert rows["fire"]["linkage"] == "119"
    assert rows["medical"]["linkage"] == "120"


def test_the_callers_words_find_the_sub_type(client, users, district):
    client.force_login(users.dispatcher)
    for typed, code in (("电瓶车", "ebike_theft"), ("盗窃", "theft"), ("入室", "burglary")):
        response = intake(client, category=typed)
        assert response.status_code == 200, (typed, response.content.decode()[:300])
        assert Incident.objects.order_by("-pk").first().category.code == code, typed


def test_a_sub_type_keeps_its_branch_kind_and_repeat_group(district):
    ebike = IncidentCategory.objects.get(code="ebike_theft")
    assert (ebike.kind, ebike.group) == ("police", "criminal")


def test_a_rule_on_a_top_category_routes_its_whole_branch(api_client_for, users, district):
    criminal = IncidentCategory.objects.get(code="criminal")
    RoutingRule.objects.create(
        position=1, name="刑事警情由派出所接警", category=criminal, target="station"
    )
    directory.clear()
    body = (
        api_client_for(users.dispatcher)
        .post(
            "/api/v1/incidents/",
            {"category": "ebike_theft", "description": "车被偷", "lat": 30.005, "lng": 120.005},
            format="json",
        )
        .json()
    )
    assert body["routing_rule"] == "刑事警情由派出所接警"
    assert body["routing_reason"].endswith(district.station_a.name)  # not the covering post


def test_a_fire_call_handed_to_119_is_recorded_on_the_job(client, users, district):
    client.force_login(users.dispatcher)
    response = intake(client, category="火灾", linkage_notified="on", description="厨房着火")
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert incident.linkage == "119"
    detail = client.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk}),
        headers=HTMX,
    ).content.decode()
    assert "119" in detail[detail.index('class="timeline"') :]


def test_a_fire_call_not_yet_handed_over_prompts_the_call_taker(client, users, district):
    client.force_login(users.dispatcher)
    html = intake(client, category="火灾", description="楼道冒烟").content.decode()
    assert 'class="linkage is-missing"' in html
    assert Incident.objects.get().linkage == ""


def test_linkage_is_not_recorded_for_a_category_without_one(client, users, district):
    client.force_login(users.dispatcher)
    intake(client, category="纠纷", linkage_notified="on", description="吵架")
    assert Incident.objects.get().linkage == ""
