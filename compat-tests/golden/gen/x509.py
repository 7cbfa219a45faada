"""Golden corpus for crypto.x509.* and crypto.parse_private_keys."""
import base64
import datetime
import ipaddress
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, padding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, AuthorityInformationAccessOID

import oracle

UTC = datetime.timezone.utc


def name(cn, **kw):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if kw.get("o"):
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, kw["o"]))
    if kw.get("c"):
        attrs.insert(0, x509.NameAttribute(NameOID.COUNTRY_NAME, kw["c"]))
    if kw.get("ou"):
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, kw["ou"]))
    if kw.get("serial"):
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, kw["serial"]))
    if kw.get("l"):
        attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, kw["l"]))
    return x509.Name(attrs)


def cert(subject, key, issuer=None, issuer_key=None, ca=False, pathlen=None, sans=None, eku=None,
         nb=datetime.datetime(2020, 1, 1, tzinfo=UTC), na=datetime.datetime(2040, 1, 1, tzinfo=UTC),
         serial=1000, ku=None, extra=True, hash_=None, pss=False):
    issuer = issuer or subject
    issuer_key = issuer_key or key
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
         .serial_number(serial).not_valid_before(nb).not_valid_after(na))
    if ca:
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
    elif ku is not None:
        b = b.add_extension(ku, critical=True)
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if extra:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    if extra == "full":
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.example/")),
            x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://ca.example/ca.crt"))]), critical=False)
        b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier("http://crl.example/a.crl")], None, None, None)]), critical=False)
        b = b.add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), None)]), critical=False)
        b = b.add_extension(x509.NameConstraints([x509.DNSName("example.com")], [x509.DNSName("bad.example.com")]), critical=True)
    algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else (hash_ or hashes.SHA256())
    if pss:
        c = b.sign(issuer_key, algo, rsa_padding=padding.PSS(padding.MGF1(algo), padding.PSS.DIGEST_LENGTH))
    else:
        c = b.sign(issuer_key, algo)
    return c


def constrained_chain(root_k, int_k, leaf_k, root_nc, leaf_sans, int_nc=None):
    """Root (with name constraints root_nc) -> intermediate (int_nc) -> leaf."""
    def ca(subject, key, issuer, issuer_key, nc, serial, pathlen):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
             .serial_number(serial).not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=UTC))
             .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=UTC))
             .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
             .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True))
        if nc is not None:
            b = b.add_extension(x509.NameConstraints(*nc), critical=True)
        return b.sign(issuer_key, hashes.SHA256())
    root = ca(name("NC Root"), root_k, name("NC Root"), root_k, root_nc, 21, None)
    inter = ca(name("NC Int"), int_k, root.subject, root_k, int_nc, 22, 0)
    leaf = cert(name("nc leaf"), leaf_k, issuer=inter.subject, issuer_key=int_k, sans=leaf_sans or None,
                eku=[ExtendedKeyUsageOID.SERVER_AUTH], serial=23, extra=False)
    return pem(root) + pem(inter) + pem(leaf)


def constraint_cases(root_k, int_k, leaf_k, T):
    """Chains under RFC 5280 name constraints of every type (Go's verifier)."""
    D, I, E, U = x509.DNSName, x509.IPAddress, x509.RFC822Name, x509.UniformResourceIdentifier
    net, ip = ipaddress.ip_network, ipaddress.ip_address
    scenarios = [
        (([D("example.com")], None), [[D("leaf.example.com")], [D("example.com")], [D("other.org")], [D("*.example.com")],
                                      [D("LEAF.EXAMPLE.COM")], [D("xexample.com")], [D("leaf.example.com.")], [D("a b.example.com")],
                                      [D("leaf.example.com"), I(ip("10.0.0.1"))], [], [U("urn:uuid:1")], [U("https://10.0.0.1/")],
                                      [U("https://a.example.com:8443/x")], [E("a..b@example.com")], [E('"a b"@example.com')]]),
        (([D(".example.com")], None), [[D("example.com")], [D("a.example.com")], [D("a.b.example.com")]]),
        ((None, [D("bad.example.com")]), [[D("*.example.com")], [D("x.bad.example.com")], [D("good.example.com")],
                                          [D("*.bad.example.com")], [D("BAD.example.com")], [D("bad.example.com")]]),
        (([I(net("10.0.0.0/8"))], None), [[I(ip("10.1.2.3"))], [I(ip("11.0.0.1"))], [I(ip("2001:db8::1"))], [D("any.org")]]),
        ((None, [I(net("10.0.0.0/8")), I(net("2001:db8::/32"))]), [[I(ip("10.1.2.3"))], [I(ip("192.0.2.1"))], [I(ip("2001:db8::1"))],
                                                                   [I(ip("2001:db9::1"))]]),
        (([E("ops@example.com")], None), [[E("ops@example.com")], [E("OPS@example.com")], [E("ops@EXAMPLE.com")], [E("dev@example.com")]]),
        (([E("example.com")], None), [[E("dev@example.com")], [E("dev@sub.example.com")], [E("dev@other.org")]]),
        (([E(".example.com")], None), [[E("dev@example.com")], [E("dev@sub.example.com")]]),
        (([U("example.com")], None), [[U("https://a.example.com/x")], [U("https://example.com")], [U("https://other.org/")],
                                      [U("urn:x")], [U("https://10.0.0.1/")], [U("https://a.example.com:8443/")], [D("x.org")]]),
        ((None, [U(".example.com")]), [[U("https://a.example.com/x")], [U("https://example.com/")]]),
        (([D("")], None), [[D("anything.org")]]),
        (([D("example.com"), I(net("10.0.0.0/8")), E("example.com"), U("example.com")],
          [D("bad.example.com"), I(net("10.9.0.0/16")), E("bad@example.com"), U("bad.example.com")]),
         [[D("a.example.com"), I(ip("10.1.1.1")), E("x@example.com"), U("https://a.example.com/")],
          [D("a.example.com"), I(ip("10.9.1.1"))], [E("bad@example.com")], [U("https://bad.example.com/")]]),
    ]
    cases = []
    for nc, leaves in scenarios:
        for sans in leaves:
            ch = constrained_chain(root_k, int_k, leaf_k, nc, sans)
            cases.append(("crypto.x509.parse_and_verify_certificates_with_options", [ch, {"CurrentTime": T}]))
    # constraints on the intermediate, and on both
    for int_nc, root_nc, sans in [
        (([D("svc.example.com")], None), None, [D("a.svc.example.com")]),
        (([D("svc.example.com")], None), None, [D("b.example.com")]),
        (([D("svc.example.com")], None), ([D("example.com")], None), [D("a.svc.example.com")]),
        (([D("svc.example.com")], None), ([D("other.org")], None), [D("a.svc.example.com")]),
    ]:
        ch = constrained_chain(root_k, int_k, leaf_k, root_nc, sans, int_nc)
        cases.append(("crypto.x509.parse_and_verify_certificates_with_options", [ch, {"CurrentTime": T}]))
    return cases


def pem(c):
    return c.public_bytes(serialization.Encoding.PEM).decode()


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


def b64(b):
    return base64.b64encode(b).decode()


def keypem(k, fmt):
    f = {"pkcs1": serialization.PrivateFormat.TraditionalOpenSSL, "pkcs8": serialization.PrivateFormat.PKCS8}[fmt]
    return k.private_bytes(serialization.Encoding.PEM, f, serialization.NoEncryption()).decode()


def main(path):
    root_k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    int_k = ec.generate_private_key(ec.SECP384R1())
    leaf_k = ec.generate_private_key(ec.SECP256R1())
    ed_k = ed25519.Ed25519PrivateKey.generate()
    other_k = ec.generate_private_key(ec.SECP256R1())
    root = cert(name("Root CA", o="Acme", c="US"), root_k, ca=True, serial=1, extra="full")
    inter = cert(name("Intermediate", o="Acme", ou="Ops"), int_k, issuer=root.subject, issuer_key=root_k, ca=True, pathlen=0, serial=2)
    leaf = cert(name("leaf.example.com", o="Acme", l="Berlin", serial="S-1"), leaf_k, issuer=inter.subject, issuer_key=int_k,
                sans=[x509.DNSName("leaf.example.com"), x509.DNSName("*.svc.example.com"), x509.IPAddress(ipaddress.ip_address("10.1.2.3")),
                      x509.IPAddress(ipaddress.ip_address("2001:db8::1")), x509.RFC822Name("ops@example.com"),
                      x509.UniformResourceIdentifier("spiffe://cluster.local/ns/default/sa/web"),
                      x509.UniformResourceIdentifier("https://user@host.example:8443/p/a?q=1#frag"),
                      x509.UniformResourceIdentifier("urn:uuid:1234")],
                eku=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH, x509.ObjectIdentifier("1.3.6.1.4.1.99999.1")],
                ku=x509.KeyUsage(True, False, True, False, False, False, False, False, False), serial=123456789012345678901234567890)
    client_leaf = cert(name("client"), other_k, issuer=inter.subject, issuer_key=int_k, eku=[ExtendedKeyUsageOID.CLIENT_AUTH], serial=3)
    expired = cert(name("old"), other_k, issuer=inter.subject, issuer_key=int_k, serial=4,
                   nb=datetime.datetime(2010, 1, 1, tzinfo=UTC), na=datetime.datetime(2011, 1, 1, tzinfo=UTC))
    wrong_sig = cert(name("forged"), other_k, issuer=inter.subject, issuer_key=other_k, serial=5)
    not_ca = cert(name("not a ca"), int_k, issuer=root.subject, issuer_key=root_k, serial=6)
    under_not_ca = cert(name("under"), leaf_k, issuer=not_ca.subject, issuer_key=int_k, serial=7)
    ed_self = cert(name("ed"), ed_k, ca=True, serial=8)
    ed_leaf = cert(name("edleaf"), leaf_k, issuer=ed_self.subject, issuer_key=ed_k, serial=9, sans=[x509.DNSName("ed.example")])
    pss_leaf = cert(name("pss"), leaf_k, issuer=root.subject, issuer_key=root_k, serial=10, pss=True, hash_=hashes.SHA384())
    sha512_leaf = cert(name("sha512"), leaf_k, issuer=root.subject, issuer_key=root_k, serial=11, hash_=hashes.SHA512(), extra=False)
    v_chain = pem(root) + pem(inter) + pem(leaf)
    cases = []
    for c in (root, inter, leaf, ed_self, pss_leaf, sha512_leaf, client_leaf):
        cases.append(("crypto.x509.parse_certificates", [pem(c)]))
    cases += [
        ("crypto.x509.parse_certificates", [v_chain]),
        ("crypto.x509.parse_certificates", [b64(v_chain.encode())]),
        ("crypto.x509.parse_certificates", [b64(der(leaf))]),
        ("crypto.x509.parse_certificates", [b64(der(root) + der(leaf))]),
        ("crypto.x509.parse_certificates", ["not base64 !"]),
        ("crypto.x509.parse_certificates", [b64(b"garbage")]),
        ("crypto.x509.parse_certificates", [keypem(leaf_k, "pkcs8")]),
        ("crypto.x509.parse_certificates", [1]),
    ]
    chains = [v_chain, pem(root) + pem(leaf), pem(root) + pem(inter) + pem(client_leaf), pem(root) + pem(inter) + pem(expired),
              pem(root) + pem(inter) + pem(wrong_sig), pem(root) + pem(not_ca) + pem(under_not_ca), pem(ed_self) + pem(ed_leaf),
              pem(root) + pem(pss_leaf), pem(root) + pem(sha512_leaf), pem(leaf), pem(root) + pem(inter) + pem(inter) + pem(leaf),
              b64(der(root) + der(inter) + der(leaf)), "garbage"]
    for ch in chains:
        cases.append(("crypto.x509.parse_and_verify_certificates", [ch]))
    T = 1704067200 * 10**9
    opts = [{"CurrentTime": T}, {"CurrentTime": T, "DNSName": "leaf.example.com"}, {"CurrentTime": T, "DNSName": "x.svc.example.com"},
            {"CurrentTime": T, "DNSName": "a.b.svc.example.com"}, {"CurrentTime": T, "DNSName": "10.1.2.3"}, {"CurrentTime": T, "DNSName": "nope.example.com"},
            {"CurrentTime": T, "KeyUsages": ["KeyUsageClientAuth"]}, {"CurrentTime": T, "KeyUsages": ["KeyUsageCodeSigning"]},
            {"CurrentTime": T, "KeyUsages": ["KeyUsageAny"]}, {"CurrentTime": 1262304000 * 10**9}, {"CurrentTime": 2300000000 * 10**9},
            {"KeyUsages": ["Bogus"]}, {"DNSName": 1}, {"CurrentTime": "now"}, {"Foo": 1}, {"MaxConstraintComparisons": 10, "CurrentTime": T}]
    for o in opts:
        cases.append(("crypto.x509.parse_and_verify_certificates_with_options", [v_chain, o]))
    cases.append(("crypto.x509.parse_and_verify_certificates_with_options", [pem(root) + pem(inter) + pem(client_leaf), {"CurrentTime": T}]))
    cases.append(("crypto.x509.parse_and_verify_certificates_with_options", [pem(root) + pem(inter) + pem(client_leaf), {"CurrentTime": T, "KeyUsages": ["KeyUsageClientAuth"]}]))
    cases.append(("crypto.x509.parse_and_verify_certificates_with_options", ["garbage", {"Foo": 1}]))
    cases += constraint_cases(root_k, int_k, leaf_k, T)
    # keys
    rsa_small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    p384 = ec.generate_private_key(ec.SECP384R1())
    sec1 = leaf_k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()).decode()
    for text in [keypem(rsa_small, "pkcs1"), keypem(rsa_small, "pkcs8"), sec1, keypem(leaf_k, "pkcs8"), keypem(p384, "pkcs8"),
                 keypem(ed_k, "pkcs8"), keypem(rsa_small, "pkcs1") + sec1 + keypem(ed_k, "pkcs8"), b64(keypem(rsa_small, "pkcs1").encode()),
                 "", "garbage", pem(leaf), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"]:
        cases.append(("crypto.parse_private_keys", [text]))
        cases.append(("crypto.x509.parse_rsa_private_key", [text]))
    # key pairs
    cases += [
        ("crypto.x509.parse_keypair", [pem(leaf), sec1]),
        ("crypto.x509.parse_keypair", [pem(leaf), keypem(leaf_k, "pkcs8")]),
        ("crypto.x509.parse_keypair", [b64(pem(leaf).encode()), b64(keypem(leaf_k, "pkcs8").encode())]),
        ("crypto.x509.parse_keypair", [pem(root), keypem(root_k, "pkcs1")]),
        ("crypto.x509.parse_keypair", [pem(leaf), keypem(other_k, "pkcs8")]),
        ("crypto.x509.parse_keypair", [pem(leaf), keypem(rsa_small, "pkcs1")]),
        ("crypto.x509.parse_keypair", ["garbage", sec1]),
        ("crypto.x509.parse_keypair", [pem(ed_self), keypem(ed_k, "pkcs8")]),
    ]
    # CSRs
    csr = (x509.CertificateSigningRequestBuilder().subject_name(name("req.example", o="Acme"))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("req.example"), x509.IPAddress(ipaddress.ip_address("192.0.2.9"))]), critical=False)
           .sign(leaf_k, hashes.SHA256()))
    csr2 = x509.CertificateSigningRequestBuilder().subject_name(name("plain")).sign(root_k, hashes.SHA256())
    cp = csr.public_bytes(serialization.Encoding.PEM).decode()
    cases += [
        ("crypto.x509.parse_certificate_request", [cp]),
        ("crypto.x509.parse_certificate_request", [csr2.public_bytes(serialization.Encoding.PEM).decode()]),
        ("crypto.x509.parse_certificate_request", [b64(cp.encode())]),
        ("crypto.x509.parse_certificate_request", [b64(csr.public_bytes(serialization.Encoding.DER))]),
        ("crypto.x509.parse_certificate_request", [pem(leaf)]),
        ("crypto.x509.parse_certificate_request", ["garbage"]),
    ]
    oracle.write("x509", cases, path)


if __name__ == "__main__":
    main(sys.argv[1])
