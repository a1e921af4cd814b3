"""The event log: written in the change's transaction, dense, append-only."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from commandcenter.models import Event
from commandcenter.services import event_record


class Boom(Exception):
    pass


def test_event_is_written_with_actor_subject_and_payload(district, users):
    with transaction.atomic():
        event = event_record(
            kind="zone.changed",
            subject=district.zones.sw,
            actor=users.dispatcher,
            payload={"why": "test"},
            station_id=district.station_a.id,
        )
    stored = Event.objects.get(seq=event.seq)
    assert stored.kind == "zone.changed"
    assert stored.subject_type == "patrol.patrolzone"
    assert stored.subject_id == str(district.zones.sw.id)
    assert stored.actor == users.dispatcher
    assert stored.payload == {"why": "test"}
    assert stored.occurred_at is not None


def test_aborted_transaction_leaves_no_event_and_no_change(district):
    zone = district.zones.sw
    before = Event.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        zone.name = "renamed"
        zone.save()
        event_record(kind="zone.changed", subject=zone)
        raise Boom
    assert Event.objects.count() == before
    zone.refresh_from_db()
    assert zone.name != "renamed"


@pytest.mark.django_db(transaction=True)
def test_event_outside_a_transaction_is_refused():
    from tests.factories import BureauFactory

    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_record(kind="test", subject=BureauFactory())
    assert not Event.objects.exists()


def test_sequence_numbers_are_dense(district):
    with transaction.atomic():
        seqs = [event_record(kind="test", subject=district.zones.sw).seq for _ in range(3)]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2]


def test_the_database_refuses_to_change_or_delete_an_event(district):
    with transaction.atomic():
        event = event_record(kind="test", subject=district.zones.sw)
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(seq=event.seq).update(kind="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(seq=event.seq).delete()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_dense_numbers_and_rollbacks_give_theirs_back():
    from tests.factories import BureauFactory

    bureau = BureauFactory()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(rolled_back: bool) -> None:
        try:
            start.wait()
            with transaction.atomic():
                event_record(kind="test", subject=bureau)
                if rolled_back:
                    raise Boom
        except Boom:
            pass
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i % 3 == 0,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(Event.objects.values_list("seq", flat=True))
    # Three of eight rolled back and gave their numbers back: 1..5, no gap.
    assert seqs == [1, 2, 3, 4, 5]
