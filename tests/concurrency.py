"""Racing threads, each with its own database connection."""

import threading


def race(callables) -> list:
    """Start all callables at once in threads; return their results in order."""
    barrier = threading.Barrier(len(callables))
    results: list = [None] * len(callables)

    def run(index, function):
        from django.db import connection

        try:
            barrier.wait()
            results[index] = function()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
