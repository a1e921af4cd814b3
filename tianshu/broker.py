"""The embedded default's Celery broker: kombu's file-system transport, made safe.

kombu's `filesystem` transport creates a message file and then writes into
it; a worker polling the folder can take the file in between and read it
empty (`JSONDecodeError`, and the worker stops). With beat sending the clock
sweep every second that happened within minutes. Here a message is written
under a name the reader ignores and renamed into place when complete
(`os.replace` is atomic within one folder), so a reader sees whole messages
only. Only the embedded default uses it; with REDIS_URL, Redis is the broker.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The reader takes "<stamp>.<queue>.msg" only: this name is not one.
        partial = os.path.join(self.data_folder_out, f".part-{name}")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
