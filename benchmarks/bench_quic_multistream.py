"""quic_multistream: the sans-I/O core and a loopback echo."""

import asyncio

from quic_multistream import MessageDecoder, SendScheduler, StreamPriority, encode_message


class Scheduler:
    """Queue 64 KiB on each of 100 streams over four levels, then drain 1 MB."""

    def setup(self):
        self.block = b"x" * 65536

    def time_push_and_drain(self):
        s = SendScheduler(quantum=16384)
        for sid in range(100):
            s.add_stream(4 * sid, StreamPriority(sid % 4))
            s.push(4 * sid, self.block)
        while s.has_pending():
            s.pop(1 << 20)


class Framing:
    params = [64, 65536]
    param_names = ["size"]

    def setup(self, size):
        self.wire = b"".join(encode_message(b"m" * size, 1 << 20) for _ in range(1000))

    def time_decode_1000_messages(self, size):
        d = MessageDecoder(1 << 20)
        view = memoryview(self.wire)
        for i in range(0, len(view), 1400):  # datagram-sized pieces
            d.feed(view[i : i + 1400])


class LoopbackEcho:
    """100 round trips of 64 B on one stream, client and server in this process."""

    timeout = 120

    def setup(self):
        from quic_multistream import connect, generate_ca, issue_certificate, serve

        self.loop = asyncio.new_event_loop()
        ca = generate_ca()
        cert = issue_certificate(ca, "localhost", names=["127.0.0.1"])

        async def handler(conn):
            async for s in conn:
                while chunk := await s.recv():
                    await s.send(chunk)

        async def start():
            self.server = await serve(
                "127.0.0.1",
                0,
                certificate=cert.certificate,
                private_key=cert.private_key,
                handler=handler,
            )
            self.conn = await connect("127.0.0.1", self.server.port, ca_file=ca.certificate)
            self.stream = await self.conn.open_bi_stream()

        self.loop.run_until_complete(start())

    def teardown(self):
        async def stop():
            self.conn.close()
            await asyncio.wait_for(self.conn.wait_closed(), 5)
            self.conn._release()
            self.server.close()
            await self.server.wait_closed()

        self.loop.run_until_complete(stop())
        self.loop.close()

    def time_echo_100(self):
        async def go():
            for _ in range(100):
                await self.stream.send(b"x" * 64)
                got = 0
                while got < 64:
                    got += len(await self.stream.recv(64 - got))

        self.loop.run_until_complete(go())
