"""A throwaway certificate authority and a server certificate it signs, for https receivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class ServerCertificate:
    authority: Path  # the CA's certificate, for clients to trust (SSL_CERT_FILE)
    certificate: Path
    key: Path


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def signed(builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = builder.serial_number(x509.random_serial_number())
    builder = builder.not_valid_before(now - timedelta(hours=1))
    return builder.not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256())


def authority(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    public = key.public_key()
    builder = x509.CertificateBuilder(
        subject_name=name("Baton test CA"), issuer_name=name("Baton test CA")
    )
    builder = builder.public_key(public)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(public), critical=False
    )
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return signed(builder.add_extension(usage, critical=True), key)


def server_certificate(directory: Path, *names: str) -> ServerCertificate:
    """A certificate for `names` (DNS names only, no IP address), signed by a new CA."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = authority(ca_key)
    builder = x509.CertificateBuilder(subject_name=name(names[0]), issuer_name=ca.subject)
    builder = builder.public_key(key.public_key())
    builder = builder.add_extension(
        x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
    )
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
    )
    builder = builder.add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
    )
    return written(directory, ca, signed(builder, ca_key), key)


def written(
    directory: Path, ca: x509.Certificate, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> ServerCertificate:
    files = ServerCertificate(directory / "ca.pem", directory / "cert.pem", directory / "key.pem")
    files.authority.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files
