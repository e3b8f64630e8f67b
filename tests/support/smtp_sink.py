"""A real SMTP server for the tests (aiosmtpd): every email it accepts is decoded with Python's
own email package and written as one JSON file into a directory, which the tests read.

Usage: python3 smtp_sink.py PORT DIRECTORY. Prints "ready" once it listens on 127.0.0.1:PORT.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "envelopeFrom": envelope.mail_from,
            "envelopeTo": envelope.rcpt_tos,
            "from": str(message["From"] or ""),
            "to": str(message["To"] or ""),
            "replyTo": str(message["Reply-To"] or ""),
            "subject": str(message["Subject"] or ""),
            "contentType": message.get_content_type(),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
        }
        self.count += 1
        name = "%06d.json" % self.count
        # Written aside and renamed, so that a reader never sees half a file.
        partial = os.path.join(self.directory, "." + name)
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False)
        os.rename(partial, os.path.join(self.directory, name))
        return "250 OK"


async def main(port, directory):
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
