"""poll_datagrams: qh3's datagrams_to_send that survives "packet builder capacity
exhausted" (issue 13 item 5), on a stand-in core, without sockets."""

import pytest

qh3_engine = pytest.importorskip("quic_multistream._qh3")
from qh3.quic.connection import QuicConnectionError  # noqa: E402


class Core:
    def __init__(self, script):
        self.script = list(script)

    def poll_transmit(self, now):
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class Quic:
    _quic_logger = None

    def __init__(self, script):
        self._core = Core(script)


@pytest.mark.parametrize("built", [0, 1, 3])
def test_datagrams_built_before_the_failure_are_kept(built):
    addr = ("127.0.0.1", 1)
    script = [(bytes([i]) * 10, addr) for i in range(built)]
    quic = Quic([*script, RuntimeError(qh3_engine.BUILDER_EXHAUSTED), (b"later", addr)])
    out, exhausted = qh3_engine.poll_datagrams(quic, 0.0)
    assert exhausted and out == script
    # the core is polled again on the next transmit
    again = qh3_engine.poll_datagrams(Quic([(b"later", addr), None]), 0.0)
    assert again == ([(b"later", addr)], False)


def test_other_core_errors_still_propagate():
    with pytest.raises(QuicConnectionError, match="something else"):
        qh3_engine.poll_datagrams(Quic([RuntimeError("something else")]), 0.0)


def test_no_core_yet():
    quic = Quic([])
    quic._core = None
    assert qh3_engine.poll_datagrams(quic, 0.0) == ([], False)
