"""The live websocket over the real Redis channel layer: scope, resume, no gap, no duplicate."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from commandcenter.consumers import LiveConsumer
from commandcenter.sessions import ACTIVE_KEY
from commandcenter.stream import EventRelay
from tests.commandcenter.live_clients import (
    connect,
    current_session,
    drain,
    receive_until_hello,
    record,
    record_many,
)
from tianshu.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
async def relay():
    relay = EventRelay(get_channel_layer())
    await relay.step()  # start from the newest event
    return relay


async def test_unauthenticated_socket_is_refused(db):
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")],
    )
    connected, _ = await communicator.connect()
    assert connected  # accepted, so the browser sees the close code
    assert (await communicator.receive_output(timeout=5))["code"] == 4401


async def test_a_role_without_live_view_is_refused(users):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = users.partner
    communicator.scope["session"] = current_session()
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_output(timeout=5))["code"] == 4403


async def test_dispatcher_receives_live_events_in_order(users, district, relay):
    socket = await connect(users.dispatcher)
    assert (await receive_until_hello(socket))[0] == []
    first = await record(district.bureau)
    second = await record(district.bureau, station=district.station_b)
    await relay.step()
    messages = await drain(socket)
    assert [m["seq"] for m in messages] == [first, second]
    assert messages[0]["kind"] == "test.event"
    await socket.disconnect()


async def test_station_chief_sees_only_its_station(users, district, relay):
    chief_a = await connect(users.chief_a)
    chief_b = await connect(users.chief_b)
    await receive_until_hello(chief_a)
    await receive_until_hello(chief_b)
    in_a = await record(district.zones.sw, station=district.station_a, post=district.post_p)
    in_b = await record(district.zones.ne, station=district.station_b)
    await relay.step()
    assert [m["seq"] for m in await drain(chief_a)] == [in_a]
    assert [m["seq"] for m in await drain(chief_b)] == [in_b]
    await chief_a.disconnect()
    await chief_b.disconnect()


async def test_street_sees_only_events_located_in_its_street(users, district, relay):
    street = await connect(users.street_staff)
    await receive_until_hello(street)
    await record(district.zones.sw, station=district.station_a)  # a police job: no street
    diverted = await record(district.zones.nw, station=district.station_a, street=district.street_1)
    await record(district.zones.ne, street=district.street_2)
    await relay.step()
    assert [m["seq"] for m in await drain(street)] == [diverted]
    await street.disconnect()


async def test_reconnecting_client_gets_what_it_missed_then_live_without_duplicates(
    users, district, relay
):
    socket = await connect(users.dispatcher)
    _, seen = await receive_until_hello(socket)
    await socket.disconnect()
    missed = [await record(district.bureau) for _ in range(5)]
    await relay.step()  # published while nobody listened
    socket = await connect(users.dispatcher, since=seen)
    backlog, hello = await receive_until_hello(socket)
    assert backlog == missed
    assert hello == missed[-1]
    # The relay publishes the last missed event again (a retry): dropped.
    relay.last_published.clear()
    await relay.publish([await sync_to_async(_event)(missed[-1])])
    live = await record(district.bureau)
    await relay.step()
    assert [m["seq"] for m in await drain(socket)] == [live]
    await socket.disconnect()


def _event(seq):
    from commandcenter.models import Event

    return Event.objects.get(seq=seq)


async def test_a_message_lost_on_the_way_is_read_back_from_the_log(users, district, relay):
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    lost = await record(district.bureau)
    relay.cursor = lost  # the relay "lost" it: never published
    delivered = await record(district.bureau)
    relay.last_published["live.district"] = lost  # and claims it was
    await relay.step()
    assert [m["seq"] for m in await drain(socket)] == [lost, delivered]
    await socket.disconnect()


async def test_sync_request_fills_a_hole_without_a_new_event(users, district, relay):
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    never_published = await record(district.bureau)
    await socket.send_json_to({"type": "sync"})
    messages = await drain(socket)
    assert [m.get("seq") for m in messages] == [never_published, never_published]
    assert messages[-1]["type"] == "synced"
    await socket.disconnect()


async def test_a_client_away_for_thousands_of_events_gets_them_all_in_order_in_pages(
    users, district, relay, settings
):
    settings.LIVE_RESUME_PAGE_EVENTS = 500
    socket = await connect(users.dispatcher)
    _, seen = await receive_until_hello(socket)
    await socket.disconnect()
    missed = await sync_to_async(record_many)(district.bureau, 2000)
    socket = await connect(users.dispatcher, since=seen)
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if isinstance(frame, dict) and frame["type"] == "hello":
            break
        frames.append(frame)
    assert [len(frame) for frame in frames] == [500, 500, 500, 500]
    assert [message["seq"] for frame in frames for message in frame] == missed
    assert frame["seq"] == missed[-1]
    await socket.disconnect()


async def test_a_station_resuming_gets_only_its_own_events_from_the_log(users, district, relay):
    socket = await connect(users.chief_a)
    _, seen = await receive_until_hello(socket)
    await socket.disconnect()
    in_a = await record(district.zones.sw, station=district.station_a)
    await record(district.zones.ne, station=district.station_b)
    socket = await connect(users.chief_a, since=seen)
    assert (await receive_until_hello(socket))[0] == [in_a]
    await socket.disconnect()


async def test_a_client_away_longer_than_the_retention_is_told_to_reload(
    users, district, relay, settings
):
    settings.LIVE_RESUME_RETENTION_HOURS = 1 / 3600  # one second
    socket = await connect(users.dispatcher)
    _, seen = await receive_until_hello(socket)
    await socket.disconnect()
    missed = await sync_to_async(record_many)(district.bureau, 3)
    await asyncio.sleep(1.2)
    socket = await connect(users.dispatcher, since=seen)
    first = await socket.receive_json_from(timeout=5)
    assert first == {"type": "reload", "seq": missed[-1]}
    assert await receive_until_hello(socket) == ([], missed[-1])
    await socket.disconnect()


async def test_positions_reach_only_those_who_may_see_the_unit(users, district):
    from commandcenter.stream import positions_publish

    chief_a = await connect(users.chief_a)
    chief_b = await connect(users.chief_b)
    await receive_until_hello(chief_a)
    await receive_until_hello(chief_b)
    fix = {
        "id": district.units.a.id,
        "lat": 30.0,
        "lng": 120.0,
        "speed": 1.0,
        "heading": 0.0,
        "at": "2026-11-23T10:00:00+00:00",
        "status": "available",
        "station": district.station_a.id,
        "post": None,
        "street": None,
    }
    await sync_to_async(positions_publish)(get_channel_layer(), [fix])
    [message] = await drain(chief_a)
    assert message["type"] == "positions"
    assert message["units"][0]["id"] == district.units.a.id
    assert "station" not in message["units"][0]
    assert await drain(chief_b) == []
    await chief_a.disconnect()
    await chief_b.disconnect()


async def test_a_number_from_the_future_gets_a_reload(users, district):
    latest = await record(district.bureau)
    socket = await connect(users.dispatcher, since=latest + 1000)
    first = await socket.receive_json_from(timeout=5)
    assert first == {"type": "reload", "seq": latest}
    assert (await receive_until_hello(socket))[1] == latest
    await socket.disconnect()


async def test_embedded_mode_relays_from_the_web_process_itself(users, district, settings):
    """Without Redis (the `make demo` default) the first socket starts an in-process relay."""
    from channels.layers import channel_layers

    from commandcenter import stream

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.EVENT_RELAY_EMBEDDED = True
    channel_layers.backends.clear()
    try:
        socket = await connect(users.dispatcher)
        await receive_until_hello(socket)
        seq = await record(district.bureau)
        message = await socket.receive_json_from(timeout=3)
        assert message["seq"] == seq
        await socket.disconnect()
    finally:
        for task in stream._embedded_tasks.values():
            task.cancel()
        stream._embedded_tasks.clear()
        channel_layers.backends.clear()


async def test_an_idle_session_is_refused_by_the_live_stream(users):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = users.dispatcher
    session = current_session()
    session[ACTIVE_KEY] -= 31 * 60
    communicator.scope["session"] = session
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_output(timeout=5))["code"] == 4401
