# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""The VIES client against the fake VIES on loopback (built from the same WSDL)."""

import datetime
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ecomfin.errors import MESSAGES
from ecomfin.soap import SERVICE_ADDRESS, VatCheck, ViesClient, ViesError, check_vat, normalise
from ecomfin.soap.fake_vies import TEST_NUMBERS, FakeViesServer
from ecomfin.soap.vies import FAULTS, WSDL


@pytest.fixture
def server():
    with FakeViesServer() as fake:
        yield fake


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------
# Answers
# ----------------------------------------------------------------------


def test_valid_number_with_name_and_address(server):
    check = check_vat("DE", "811569869", address=server.url)
    assert check == VatCheck(
        valid=True,
        country_code="DE",
        number="811569869",
        request_date=datetime.date.today(),
        name="Beispiel Handels GmbH",
        address="Musterstr. 1\n10115 Berlin",
    )
    assert check.vat == "DE811569869"
    assert check.consultation_number is None


def test_invalid_number_discloses_nothing(server):
    check = check_vat("FR", "12345678901", address=server.url)
    assert not check.valid
    assert (check.name, check.address) == (None, None)  # VIES's "---"


def test_requester_gets_a_consultation_number(server):
    """checkVatApprox with the company's own number: VIES's reference of the check, the proof."""
    client = ViesClient(server.url)
    first = client.check("NL", "NL004495445B01", requester=("DE", "DE811569869"))
    second = client.check("NL", "004495445B01", requester=("DE", "811569869"))
    assert first.valid and first.name == "Voorbeeld B.V."
    assert first.consultation_number == "FAKE00000001"
    assert second.consultation_number == "FAKE00000002"
    assert server.requests == 2


def test_test_numbers_valid_and_invalid(server):
    assert check_vat("AT", "100", address=server.url).valid
    assert not check_vat("AT", "200", address=server.url).valid


# ----------------------------------------------------------------------
# Faults
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, fault", sorted((n, f) for n, f in TEST_NUMBERS.items() if isinstance(f, str))
)
def test_each_fault_is_its_error(server, number, fault):
    with pytest.raises(ViesError) as caught:
        check_vat("IT", number, address=server.url, requester=("DE", "811569869"))
    error = caught.value
    code, retryable = FAULTS[fault]
    assert (error.code, error.retryable, error.fault) == (code, retryable, fault)
    assert str(error) == MESSAGES[code] % error.params
    assert server.requests == 1  # a fault is an answer: never asked again


def test_every_fault_code_has_a_sentence():
    for code, _retryable in FAULTS.values():
        assert code in MESSAGES, code
    assert {"vies_fault", "vies_timeout", "vies_dropped", "vies_unreachable"} <= set(MESSAGES)


def test_fault_sentences_read(server):
    with pytest.raises(ViesError) as caught:
        check_vat("PL", "301", address=server.url)
    assert str(caught.value) == (
        "the tax administration of PL does not answer VIES now (MS_UNAVAILABLE); try again later"
    )


def test_planned_fault_and_unknown_fault(server):
    server.plan("fault", fault="SERVER_BUSY")
    with pytest.raises(ViesError) as caught:
        check_vat("DE", "811569869", address=server.url)
    assert (caught.value.code, caught.value.retryable) == ("vies_server_busy", True)
    server.plan("fault", fault="SOMETHING_NEW")
    with pytest.raises(ViesError) as caught:
        check_vat("DE", "811569869", address=server.url)
    assert caught.value.code == "vies_fault"
    assert "SOMETHING_NEW" in str(caught.value)
    # the plan is spent: the next request is answered
    assert check_vat("DE", "811569869", address=server.url).valid


def test_invalid_input_from_the_service(server):
    """XI passes the client's check; the fake, like VIES, refuses what it has no register of."""
    server.service.registry = {}
    server.plan("fault", fault="INVALID_INPUT")
    with pytest.raises(ViesError) as caught:
        check_vat("XI", "123456789", address=server.url)
    assert caught.value.code == "vies_invalid_input"
    assert not caught.value.retryable


# ----------------------------------------------------------------------
# Sending: timeouts, retries
# ----------------------------------------------------------------------


def test_read_timeout_is_an_error_and_not_sent_again(server):
    """The request reached the server: a second one would be a second consultation."""
    server.plan("slow", seconds=30, times=5)
    slept = []
    with pytest.raises(ViesError) as caught:
        check_vat("DE", "811569869", address=server.url, timeout=(2, 0.5), retries=3, sleep=slept.append)
    assert caught.value.code == "vies_timeout"
    assert caught.value.retryable
    assert "not sent again" in str(caught.value)
    assert server.requests == 1
    assert server.connections == 1
    assert slept == []


def test_dropped_connection_is_not_sent_again(server):
    server.plan("drop", times=5)
    client = ViesClient(server.url, retries=3, sleep=lambda seconds: None)
    with pytest.raises(ViesError) as caught:
        client.check("DE", "811569869")
    assert caught.value.code == "vies_dropped"
    assert client.attempts == 1
    assert server.requests == 1


def test_refused_connection_is_retried_once_then_answered():
    """Nothing listens at first; the pause before the retry starts the server."""
    fake = FakeViesServer(port=free_port())
    slept = []

    def pause(seconds):
        slept.append(seconds)
        fake.start()

    client = ViesClient(fake.url, retries=2, backoff=0.25, sleep=pause)
    try:
        check = client.check("DE", "811569869")
    finally:
        fake.stop()
    assert check.valid
    assert client.attempts == 2
    assert slept == [0.25]
    assert (fake.connections, fake.requests) == (1, 1)


def test_refused_connection_gives_up_after_the_retries():
    url = f"http://127.0.0.1:{free_port()}/checkVatService"
    slept = []
    with pytest.raises(ViesError) as caught:
        check_vat("DE", "811569869", address=url, retries=2, sleep=slept.append)
    error = caught.value
    assert error.code == "vies_unreachable"
    assert error.retryable
    assert error.params["attempts"] == 3
    assert "Connection refused" in str(error)
    assert slept == [1.0, 2.0]


def test_non_soap_error_page(server):
    """A proxy's HTML error page instead of a SOAP answer."""
    server.plan("status", status=503)
    with pytest.raises(ViesError) as caught:
        check_vat("DE", "811569869", address=server.url)
    assert caught.value.code == "vies_http_status"
    assert caught.value.params["status"] == 503
    assert caught.value.retryable


# ----------------------------------------------------------------------
# Certificates
# ----------------------------------------------------------------------


def test_client_certificate_goes_to_the_session(tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    client = ViesClient("http://127.0.0.1:9/x", client_cert=(str(cert), str(key)), verify=str(cert))
    assert client.session.cert == (str(cert), str(key))
    assert client.session.verify == str(cert)
    assert ViesClient("http://127.0.0.1:9/x").session.cert is None


def _pem(path, obj):
    if isinstance(obj, ec.EllipticCurvePrivateKey):
        data = obj.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    else:
        data = obj.public_bytes(serialization.Encoding.PEM)
    path.write_bytes(data)
    return str(path)


def _certificate(subject, issuer_name, issuer_key, key, *, ca=False, server=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if server:
        import ipaddress

        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def pki(tmp_path):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("test CA", "test CA", ca_key, ca_key, ca=True)
    return {
        "ca": _pem(tmp_path / "ca.pem", ca),
        "server": _pem(
            tmp_path / "server.pem", _certificate("127.0.0.1", "test CA", ca_key, server_key, server=True)
        ),
        "server_key": _pem(tmp_path / "server.key", server_key),
        "client": _pem(tmp_path / "client.pem", _certificate("ecom-finance", "test CA", ca_key, client_key)),
        "client_key": _pem(tmp_path / "client.key", client_key),
    }


def test_tls_with_a_required_client_certificate(pki):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server"], pki["server_key"])
    context.load_verify_locations(pki["ca"])
    context.verify_mode = ssl.CERT_REQUIRED
    with FakeViesServer(ssl_context=context) as fake:
        assert fake.url.startswith("https://127.0.0.1:")
        check = check_vat(
            "DE",
            "811569869",
            address=fake.url,
            client_cert=(pki["client"], pki["client_key"]),
            verify=pki["ca"],
            retries=0,
        )
        assert check.valid
        assert fake.requests == 1
        # without the certificate the server refuses the handshake: an error, no answer (with
        # TLS 1.3 the refusal reaches the client after its request: an alert, or the connection
        # closed, which is never sent again)
        with pytest.raises(ViesError) as caught:
            check_vat("DE", "811569869", address=fake.url, verify=pki["ca"], retries=2)
        assert caught.value.code in ("vies_tls", "vies_dropped")
        # a server certificate the client does not trust
        with pytest.raises(ViesError) as caught:
            check_vat("DE", "811569869", address=fake.url, retries=0)
        assert caught.value.code == "vies_tls"
        assert fake.requests == 1


# ----------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "country, number, expected",
    [
        ("DE", "DE 811.569.869", ("DE", "811569869")),
        ("de", "811-569-869", ("DE", "811569869")),
        (None, "de811569869", ("DE", "811569869")),
        ("GR", "GR094014201", ("EL", "094014201")),
        ("EL", "EL 094 014 201", ("EL", "094014201")),
        (None, "EL094014201", ("EL", "094014201")),
        ("GR", "094014201", ("EL", "094014201")),
        ("NL", "NL004495445B01", ("NL", "004495445B01")),
        ("ES", "ESB12345678", ("ES", "B12345678")),
        ("AT", "ATU12345678", ("AT", "U12345678")),
        ("XI", "XI 123 4567 89", ("XI", "123456789")),
    ],
)
def test_normalise(country, number, expected):
    assert normalise(country, number) == expected


@pytest.mark.parametrize(
    "country, number, code",
    [
        ("GB", "123456789", "vies_bad_country"),
        ("US", "123", "vies_bad_country"),
        (None, "123456789", "vies_bad_country"),
        ("DE", "", "vies_bad_number"),
        ("DE", "DE", "vies_bad_number"),
        ("DE", "1", "vies_bad_number"),
        ("DE", "1234567890123", "vies_bad_number"),
        ("DE", "81156_9869", "vies_bad_number"),
    ],
)
def test_bad_numbers_refused_before_sending(country, number, code):
    with pytest.raises(ViesError) as caught:
        # nothing listens at port 9: the refusal comes before any connection
        check_vat(country, number, address="http://127.0.0.1:9/x", retries=0)
    assert caught.value.code == code
    assert not caught.value.retryable


# ----------------------------------------------------------------------
# The shipped WSDL and the runnable fake
# ----------------------------------------------------------------------


def test_shipped_wsdl_is_the_services(server):
    text = WSDL.read_text(encoding="utf-8")
    assert 'targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat"' in text
    assert "http://ec.europa.eu/taxation_customs/vies/services/checkVatService" in text
    assert SERVICE_ADDRESS == "https://ec.europa.eu/taxation_customs/vies/services/checkVatService"
    with urllib.request.urlopen(server.url + "?wsdl") as answer:
        served = answer.read().decode()
    assert server.url in served


def test_fake_runs_as_a_module():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ecomfin.soap.fake_vies", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        url = line.split()[3]
        for _ in range(50):  # the banner is printed once listening; be kind to a slow start
            try:
                assert check_vat("FR", "FR 403 032 650 45", address=url).valid
                break
            except ViesError:
                time.sleep(0.1)
        else:
            pytest.fail("the fake VIES did not answer")
    finally:
        process.terminate()
        process.wait(timeout=10)
