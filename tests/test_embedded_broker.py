"""The embedded default's broker (tianshu/broker.py): a worker polling the
folder never reads a message that is still being written."""

from kombu import Connection

from tianshu.broker import Transport


def connection(folder) -> Connection:
    return Connection(
        "filesystem://",
        transport=Transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
        },
    )


def test_a_message_is_renamed_into_place_whole(tmp_path):
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("clocks")
        queue.put({"task": "analytics.tasks.clocks_tick"})
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".part-")]
        assert queue.get(timeout=1).payload == {"task": "analytics.tasks.clocks_tick"}
        queue.close()


def test_a_file_still_being_written_is_not_taken(tmp_path):
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("clocks")
        # What a writer leaves while it writes: empty, under the partial name.
        (tmp_path / ".part-1_abc.clocks.msg").write_bytes(b"")
        queue.put({"n": 1})
        assert queue.get(timeout=1).payload == {"n": 1}
        assert (tmp_path / ".part-1_abc.clocks.msg").exists()
        queue.close()
