"""Certificates for the TLS tests, made with the `openssl` command line into a directory:
a CA, a server certificate for 127.0.0.1/localhost, client certificates signed by that CA, and a
second, unrelated CA with a client certificate of its own (which warren must refuse).

``make_pki(dir)`` returns a ``Pki`` whose attributes are file paths (strings)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(directory: Path, name: str) -> tuple[str, str]:
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
             "-subj", f"/O=warren tests/CN={name}", "-keyout", str(key), "-out", str(cert),
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return str(cert), str(key)


def make_leaf(directory: Path, name: str, subject: str, ca: tuple[str, str], extensions: str) -> tuple[str, str]:
    """A key and a certificate signed by `ca`; `extensions` is an openssl extension section body."""
    key, csr, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.pem"
    ext = directory / f"{name}.ext"
    ext.write_text(extensions)
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
             "-keyout", str(key), "-out", str(csr))
    _openssl("x509", "-req", "-in", str(csr), "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", "2",
             "-extfile", str(ext), "-out", str(cert))
    return str(cert), str(key)


SERVER_EXT = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
CLIENT_EXT = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"


@dataclass
class Pki:
    directory: Path
    ca: str
    ca_key: str
    server_cert: str
    server_key: str
    alice_cert: str          # CN=alice, SAN email alice@example.com, DNS alice.example.com
    alice_key: str
    mallory_cert: str        # CN=mallory: a user warren does not know
    mallory_key: str
    other_ca: str            # an unrelated CA
    intruder_cert: str       # CN=alice, signed by the unrelated CA
    intruder_key: str

    def leaf(self, name: str, subject: str, extensions: str = SERVER_EXT) -> tuple[str, str]:
        """Another certificate from the same CA (e.g. a replacement server certificate)."""
        return make_leaf(self.directory, name, subject, (self.ca, self.ca_key), extensions)


def make_pki(directory: Path) -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(directory, "warren-test-ca")
    other = make_ca(directory, "unrelated-ca")
    server = make_leaf(directory, "server", "/O=warren tests/CN=localhost", ca, SERVER_EXT)
    alice = make_leaf(directory, "alice", "/O=warren tests/CN=alice", ca,
                      CLIENT_EXT + "subjectAltName=email:alice@example.com,DNS:alice.example.com\n")
    mallory = make_leaf(directory, "mallory", "/O=warren tests/CN=mallory", ca, CLIENT_EXT)
    intruder = make_leaf(directory, "intruder", "/O=warren tests/CN=alice", other, CLIENT_EXT)
    return Pki(directory, ca[0], ca[1], server[0], server[1], alice[0], alice[1], mallory[0], mallory[1],
               other[0], intruder[0], intruder[1])


def tls_section(pki: Pki, table: str, port: int, verify: str = "none", extra: str = "") -> str:
    """A `[table]` TOML section for a TLS listener with the PKI's server certificate."""
    return (f"[{table}]\nport = {port}\ncertificate_chain_file = \"{pki.server_cert}\"\n"
            f"private_key_file = \"{pki.server_key}\"\nca_file = \"{pki.ca}\"\nverify = \"{verify}\"\n{extra}")
