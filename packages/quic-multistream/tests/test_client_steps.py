"""The named steps of ``connect`` (client.py), checked without a network."""

import ssl

import pytest

from quic_multistream import ConfigurationError, Options
from quic_multistream._backend import get_backend
from quic_multistream.client import _check_arguments, _tls_configuration


def _config(backend, pki, **kw):
    args = dict(
        server_name="example.test",
        alpn=["a/1", "b/2"],
        verify=True,
        ca_file=None,
        client_certificate=None,
        client_key=None,
        session_ticket=None,
    )
    args.update(kw)
    return _tls_configuration(get_backend(backend), Options(idle_timeout=7.0), **args)


def test_tls_configuration_carries_name_alpn_and_options(pki, backend):
    config = _config(backend, pki)
    assert config.is_client
    assert config.server_name == "example.test"
    assert list(config.alpn_protocols) == ["a/1", "b/2"]
    assert config.idle_timeout == 7.0
    assert config.verify_mode != ssl.CERT_NONE
    assert config.cadata is None and config.certificate is None


def test_tls_configuration_trust_identity_and_skip_verify(pki, backend):
    config = _config(
        backend,
        pki,
        ca_file=pki.ca.certificate_pem(),
        client_certificate=pki.client.certificate_pem(),
        client_key=pki.client.private_key_pem(),
    )
    assert config.cadata == pki.ca.certificate_pem()
    assert config.certificate is not None and config.private_key is not None
    assert _config(backend, pki, verify=False).verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("", 1, 1.0, None, None, None, None), "host"),
        (("h", 0, 1.0, None, None, None, None), "port"),
        (("h", True, 1.0, None, None, None, None), "port"),
        (("h", 1, 0, None, None, None, None), "connect_timeout"),
        (("h", 1, 1.0, b"cert", None, None, None), "client_key"),
        (("h", 1, 1.0, None, None, "", None), "server_name"),
        (("h", 1, 1.0, None, None, None, object()), "session_ticket_store"),
    ],
)
def test_check_arguments_names_the_bad_one(args, names):
    with pytest.raises(ConfigurationError, match=names):
        _check_arguments(*args)
    _check_arguments("h", 1, 1.0, None, None, None, None)  # good ones pass
