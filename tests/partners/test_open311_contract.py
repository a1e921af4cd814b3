"""The contract with a real Open311 client: PyPI's `georeport` against a live server,
in JSON and XML. The client sends no key on its GETs; `requests` reads a netrc file
for the host, so the partner's key goes there as the Basic password."""

import pytest
import requests
import xmltodict
from georeport import GeoReport

from dispatch import referrals

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client_for(live_server, partner_key, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine localhost login partner password {partner_key}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    monkeypatch.delenv("GEOREPORT_API_KEY", raising=False)

    def make(output_format: str) -> GeoReport:
        return GeoReport(f"{live_server.url}/open311/v2/", output_format=output_format)

    return make


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_client_lists_services_and_reads_a_definition(client_for, output_format, district):
    client = client_for(output_format)
    services = client.get_service_list()
    assert isinstance(services, list) and len(services) > 1
    assert "complaint" in {row["service_code"] for row in services}
    definition = client.get_service_definition("complaint")
    assert definition["service_code"] == "complaint"
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = [attributes["attribute"]]  # one element: xmltodict's dict
    assert attributes[0]["code"] == "subject"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_client_reads_one_and_many_requests(client_for, output_format, open311_jobs, users):
    client = client_for(output_format)
    first, second, third = open311_jobs.referred
    many = client.get_service_requests()
    assert isinstance(many, list)
    assert {row["service_request_id"] for row in many} == {
        str(j.pk) for j in (first, second, third)
    }
    # One row: xmltodict makes the XML one a dict, JSON stays a list of one.
    one = client.get_service_requests(service_request_id=str(second.pk))
    row = one if output_format == "xml" else one[0]
    assert (row["service_request_id"], row["service_code"]) == (str(second.pk), "neighbour_dispute")
    assert row["status"] == "open"
    referrals.referral_answer(actor=users.partner, incident_id=third.pk, answer="handled")
    closed = client.get_service_requests(status="closed", service_code="lockout")
    closed = closed if output_format == "xml" else closed[0]
    assert closed["service_request_id"] == str(third.pk)
    detail = client.get_service_request(str(first.pk))
    assert detail["service_request_id"] == str(first.pk)
    assert detail["requested_datetime"].endswith("+08:00")
    assert "138****5678" in detail["description"]


def test_the_client_reads_no_requests(client_for, open311_jobs, live_server):
    assert client_for("json").get_service_requests(status="closed") == []
    # georeport reads an empty XML list as None['request'] (its limitation): the
    # answer itself is the spec's empty list.
    auth = requests.utils.get_netrc_auth(live_server.url)
    raw = requests.get(
        f"{live_server.url}/open311/v2/requests.xml", params={"status": "closed"}, auth=auth
    )
    assert xmltodict.parse(raw.content) == {"service_requests": None}


def test_the_client_is_refused_without_a_key(live_server, district, monkeypatch, tmp_path):
    empty = tmp_path / "netrc"
    empty.write_text("")
    monkeypatch.setenv("NETRC", str(empty))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    client = GeoReport(f"{live_server.url}/open311/v2/")
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_requests()
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()[0]["code"] == 403
