import quic_multistream
from quic_multistream import QuicError, StreamPriority


def test_priority_order_and_names():
    assert sorted(StreamPriority, reverse=True)[0] is StreamPriority.LOW
    assert [str(p) for p in StreamPriority] == ["Critical", "High", "Normal", "Low"]
    assert (
        StreamPriority.CRITICAL < StreamPriority.HIGH < StreamPriority.NORMAL < StreamPriority.LOW
    )


def test_error_base_and_version():
    assert issubclass(QuicError, Exception)
    assert quic_multistream.__version__.count(".") >= 2
