"""The handshake admission policy and Initial inspection, without sockets (issue 13 item 2)."""

import os
import random

import pytest
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from hypothesis import given, settings
from hypothesis import strategies as st

from quic_multistream._admission import HandshakeAdmission, Verdict, inspect_initial
from quic_multistream.errors import ConfigurationError


def first_flight(seed: int, **config) -> bytes:
    random.seed(seed)
    quic = QuicConnection(
        configuration=QuicConfiguration(is_client=True, alpn_protocols=["x"], **config)
    )
    quic.connect(("127.0.0.1", 4433), now=0.0)
    (data, _), *_ = quic.datagrams_to_send(now=0.0)
    return data


@pytest.mark.parametrize("seed", range(5))
def test_a_genuine_client_initial_decrypts(seed):
    data = first_flight(seed)
    packet = inspect_initial(data, 8)
    assert packet is not None
    assert packet.destination_cid == data[6 : 6 + data[5]]
    assert packet.token == b""


def test_qh3_and_quic_v2_initials_decrypt():
    qh3 = pytest.importorskip("qh3.quic.connection")
    from qh3.quic.configuration import QuicConfiguration as Qh3Configuration

    quic = qh3.QuicConnection(configuration=Qh3Configuration(is_client=True, alpn_protocols=["x"]))
    quic.connect(("127.0.0.1", 4433), now=0.0)
    data = quic.datagrams_to_send(now=0.0)[0][0]
    assert inspect_initial(data, 8) is not None
    v2 = first_flight(0, supported_versions=[0x6B3343CF])
    assert int.from_bytes(v2[1:5], "big") == 0x6B3343CF
    assert inspect_initial(v2, 8) is not None


@pytest.mark.parametrize("seed", range(5))
def test_tampered_truncated_or_junk_initials_do_not(seed):
    rnd = random.Random(seed)
    data = bytearray(first_flight(seed))
    tampered = bytearray(data)
    tampered[rnd.randrange(60, 300)] ^= 1 << rnd.randrange(8)
    junk = bytes([0xC3, 0, 0, 0, 1, 8]) + os.urandom(8) + b"\x08" + os.urandom(8)
    junk += rnd.randbytes(1300)
    for bad in (bytes(tampered), bytes(data[:1199]), junk, os.urandom(1300), b"\xff" * 1300):
        assert inspect_initial(bad, 8) is None


def test_limits_are_validated():
    for bad in (0, -1, True, 2.5, None):
        with pytest.raises(ConfigurationError, match="max_unvalidated_handshakes"):
            HandshakeAdmission(bad, 1)
        with pytest.raises(ConfigurationError, match="max_unvalidated_per_address"):
            HandshakeAdmission(1, bad)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("new"), st.sampled_from("abc"), st.booleans()),
        st.tuples(st.just("finish"), st.integers(0, 40)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(ops, st.integers(1, 6), st.integers(1, 4), st.booleans())
def test_policy_matches_a_list_model(script, total, per_address, always_retry):
    gate = HandshakeAdmission(total, per_address, always_retry=always_retry)
    model: list[tuple[int, str]] = []  # open unvalidated handshakes (key, address)
    retries = keys = 0
    for op in script:
        if op[0] == "new":
            _, address, validated = op
            expect_retry = not validated and (
                always_retry
                or len(model) >= total
                or sum(a == address for _, a in model) >= per_address
            )
            verdict = gate.decide(address, validated=validated)
            assert verdict is (Verdict.RETRY if expect_retry else Verdict.ADMIT)
            retries += expect_retry
            if not expect_retry:
                keys += 1
                gate.opened(keys, address, validated=validated)
                if not validated:
                    model.append((keys, address))
        else:
            key = op[1]
            gate.finished(key)
            gate.finished(key)  # idempotent
            model = [(k, a) for k, a in model if k != key]
        assert gate.unvalidated == len(model) <= total
        for address in "abc":
            assert gate.unvalidated_from(address) == sum(a == address for _, a in model)
            assert gate.unvalidated_from(address) <= per_address
    assert gate.retries == retries
