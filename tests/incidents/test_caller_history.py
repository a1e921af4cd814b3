"""来电历史: earlier calls from a number or at an address, and repeat or nuisance callers."""

from django.urls import reverse


def history(client, **query):
    response = client.get("/api/v1/incidents/caller-history/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_earlier_calls_from_the_number_come_newest_first_with_their_outcome(
    api_client_for, users, call
):
    first = call(caller_phone="139 0000 1111").json()
    second = call(caller_phone="13900001111", category="misdial").json()
    found = history(api_client_for(users.dispatcher), phone="139-0000-1111")
    assert [c["number"] for c in found["calls"]] == [second["number"], first["number"]]
    assert found["calls"][0]["invalid_reason"]
    assert found["by_phone"] == 2
    assert found["repeat_caller"] is False


def test_a_number_with_several_invalid_calls_is_flagged_a_nuisance(api_client_for, users, call):
    for _ in range(2):
        call(caller_phone="13900002222", category="prank")
    found = history(api_client_for(users.dispatcher), phone="13900002222")
    assert found["invalid_by_phone"] == 2
    assert found["nuisance_caller"] is True


def test_calls_at_the_address_are_found_by_part_of_it(api_client_for, users, call):
    call(caller_phone="", address="清波街道河坊街88号")
    found = history(api_client_for(users.dispatcher), address="河坊街88")
    assert len(found["calls"]) == 1


def test_history_is_scoped_to_what_the_user_may_see(api_client_for, users, call):
    call(caller_phone="13900003333")  # in station A's post area
    assert history(api_client_for(users.chief_b), phone="13900003333")["calls"] == []
    assert len(history(api_client_for(users.chief_a), phone="13900003333")["calls"]) == 1


def test_too_little_typed_finds_nothing(api_client_for, users, call):
    call()
    assert history(api_client_for(users.dispatcher), phone="138", address="测试")["calls"] == []


def test_the_intake_form_shows_the_history_of_the_number_typed(client, users, call):
    earlier = call(caller_phone="13900004444").json()
    client.force_login(users.dispatcher)
    html = client.get(
        reverse("caller-history"), {"caller_phone": "13900004444"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert earlier["number"] in html
