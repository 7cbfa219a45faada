"""Golden corpus for io.jwt.* (run: python3 jwt.py > ../jwt.json path given)."""
import base64
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

import oracle


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def intb(i, size=None):
    n = size or (i.bit_length() + 7) // 8
    return i.to_bytes(n, "big")


def pem_pub(k):
    return k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def cert_for(k, name="jwt-test"):
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj).public_key(k.public_key())
         .serial_number(1000).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650)))
    algo = None if isinstance(k, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(k, algo).public_bytes(serialization.Encoding.PEM).decode()


def jwk_rsa(k, private):
    pn = k.private_numbers()
    pub = pn.public_numbers
    j = {"kty": "RSA", "n": b64u(intb(pub.n)), "e": b64u(intb(pub.e))}
    if private:
        j.update({"d": b64u(intb(pn.d)), "p": b64u(intb(pn.p)), "q": b64u(intb(pn.q)),
                  "dp": b64u(intb(pn.dmp1)), "dq": b64u(intb(pn.dmq1)), "qi": b64u(intb(pn.iqmp))})
    return j


def jwk_ec(k, private):
    size = {"secp256r1": 32, "secp384r1": 48, "secp521r1": 66}[k.curve.name]
    crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[k.curve.name]
    pn = k.private_numbers()
    j = {"kty": "EC", "crv": crv, "x": b64u(intb(pn.public_numbers.x, size)), "y": b64u(intb(pn.public_numbers.y, size))}
    if private:
        j["d"] = b64u(intb(pn.private_value, size))
    return j


def jwk_ed(k, private):
    pub = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    j = {"kty": "OKP", "crv": "Ed25519", "x": b64u(pub)}
    if private:
        j["d"] = b64u(k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()))
    return j


def main(path):
    rsa_k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_k2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_keys = {256: ec.generate_private_key(ec.SECP256R1()), 384: ec.generate_private_key(ec.SECP384R1()),
               512: ec.generate_private_key(ec.SECP521R1())}
    ed_k = ed25519.Ed25519PrivateKey.generate()
    secret = "s3cr3t-key"
    oct_jwk = {"kty": "oct", "k": b64u(secret.encode())}

    cases = []
    payload = {"iss": "opa", "sub": "alice", "aud": ["svc", "other"], "nbf": 1000, "exp": 2000000000, "n": 1.5, "html": "<a&b>"}

    def sign(alg, jwk, hdr=None, pl=None):
        h = {"alg": alg, "typ": "JWT"}
        h.update(hdr or {})
        r = oracle.call("io.jwt.encode_sign", [h, pl if pl is not None else payload, jwk])
        assert "result" in r, r
        return r["result"]

    tokens = {}
    # HMAC
    for bits in (256, 384, 512):
        alg = "HS%d" % bits
        cases.append(("io.jwt.encode_sign", [{"alg": alg, "typ": "JWT"}, payload, oct_jwk]))
        t = sign(alg, oct_jwk)
        tokens[alg] = t
        for b2 in (256, 384, 512):
            cases.append(("io.jwt.verify_hs%d" % b2, [t, secret]))
        cases.append(("io.jwt.verify_hs%d" % bits, [t, "wrong"]))
        cases.append(("io.jwt.decode", [t]))
    # RSA
    rsa_priv, rsa_pub = jwk_rsa(rsa_k, True), jwk_rsa(rsa_k, False)
    keyforms = {"pem": pem_pub(rsa_k), "cert": cert_for(rsa_k), "jwk": json.dumps(rsa_pub),
                "jwks": json.dumps({"keys": [jwk_rsa(rsa_k2, False), dict(rsa_pub, kid="k1")]}),
                "wrong": pem_pub(rsa_k2)}
    for fam in ("RS", "PS"):
        for bits in (256, 384, 512):
            alg = "%s%d" % (fam, bits)
            if fam == "RS":
                cases.append(("io.jwt.encode_sign", [{"alg": alg}, payload, rsa_priv]))
            t = sign(alg, rsa_priv)
            tokens[alg] = t
            for kf, kv in keyforms.items():
                cases.append(("io.jwt.verify_%s%d" % (fam.lower(), bits), [t, kv]))
            other = "io.jwt.verify_%s%d" % ("ps" if fam == "RS" else "rs", bits)
            cases.append((other, [t, keyforms["pem"]]))
            tk = sign(alg, rsa_priv, {"kid": "k1"})
            cases.append(("io.jwt.verify_%s%d" % (fam.lower(), bits), [tk, keyforms["jwks"]]))
    # ECDSA
    for bits, k in ec_keys.items():
        alg = "ES%d" % bits
        t = sign(alg, jwk_ec(k, True))
        tokens[alg] = t
        for kf, kv in {"pem": pem_pub(k), "cert": cert_for(k), "jwk": json.dumps(jwk_ec(k, False)),
                       "wrong": pem_pub(ec_keys[256 if bits != 256 else 384])}.items():
            cases.append(("io.jwt.verify_es%d" % bits, [t, kv]))
        cases.append(("io.jwt.verify_es%d" % (256 if bits != 256 else 384), [t, pem_pub(k)]))
    # EdDSA
    cases.append(("io.jwt.encode_sign", [{"alg": "EdDSA"}, payload, jwk_ed(ed_k, True)]))
    t = sign("EdDSA", jwk_ed(ed_k, True))
    tokens["EdDSA"] = t
    for kv in (pem_pub(ed_k), cert_for(ed_k), json.dumps(jwk_ed(ed_k, False)), pem_pub(ed25519.Ed25519PrivateKey.generate())):
        cases.append(("io.jwt.verify_eddsa", [t, kv]))
    # tampered / malformed
    t = tokens["HS256"]
    h, p, s = t.split(".")
    cases += [
        ("io.jwt.verify_hs256", [h + "." + b64u(b'{"iss":"evil"}') + "." + s, secret]),
        ("io.jwt.verify_rs256", [tokens["RS256"][:-4] + "AAAA", keyforms["pem"]]),
        ("io.jwt.verify_rs256", [tokens["RS256"], "not a key"]),
        ("io.jwt.verify_rs256", [tokens["RS256"], "-----BEGIN GARBAGE-----\nAAAA\n-----END GARBAGE-----"]),
        ("io.jwt.verify_es256", [tokens["ES256"], keyforms["pem"]]),
        ("io.jwt.verify_hs256", ["nodots", secret]),
        ("io.jwt.verify_hs256", ["a.b", secret]),
        ("io.jwt.verify_hs256", [h + "." + p + ".!!", secret]),
        ("io.jwt.verify_hs256", [1, secret]),
        ("io.jwt.verify_hs256", [t, 2]),
        ("io.jwt.decode", ["nodots"]),
        ("io.jwt.decode", ["a.b.c.d"]),
        ("io.jwt.decode", ["a!.b.c"]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256"}') + "." + b64u(b'{"a":x}') + ".AA"]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256"}') + "." + b64u(b'[1]') + ".AA"]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256","enc":"A"}') + "." + b64u(b'{}') + ".AA"]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256"}') + "." + b64u(b'{}') + ".A=B"]),
        ("io.jwt.decode", [b64u(b'"x"') + "." + b64u(b'{}') + ".AA"]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256"}') + "." + b64u(b'{"big": 12345678901234567890, "f": 1.25, "u": "\\u00e9"}') + "."]),
        ("io.jwt.decode", [b64u(b'{"alg":"HS256","cty":"JWT"}') + "." + b64u(('"' + tokens["HS384"] + '"').encode()) + ".AA"]),
        ("io.jwt.decode", [42]),
    ]
    # decode_verify
    T = 1500000000 * 10**9
    hs = tokens["HS256"]
    dv = [
        [hs, {"secret": secret, "time": T}],
        [hs, {"secret": secret, "time": 2100000000 * 10**9}],
        [hs, {"secret": secret, "time": 100 * 10**9}],
        [hs, {"secret": secret, "time": 1000 * 10**9}],
        [hs, {"secret": secret, "time": 2000000000 * 10**9}],
        [hs, {"secret": "nope", "time": T}],
        [hs, {"secret": secret, "alg": "HS256", "time": T}],
        [hs, {"secret": secret, "alg": "RS256", "time": T}],
        [hs, {"secret": secret, "iss": "opa", "time": T}],
        [hs, {"secret": secret, "iss": "other", "time": T}],
        [hs, {"secret": secret, "aud": "svc", "time": T}],
        [hs, {"secret": secret, "aud": "nope", "time": T}],
        [hs, {"secret": secret, "time": T, "foo": 1}],
        [hs, {"time": T}],
        [hs, {"secret": secret, "cert": keyforms["pem"], "time": T}],
        [hs, {"secret": 5, "time": T}],
        [hs, {"secret": secret, "time": -1}],
        [hs, {"secret": secret, "time": "now"}],
        [hs, {"cert": 5, "time": T}],
        [hs, {"cert": keyforms["pem"], "time": T}],
        [tokens["HS512"], {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, pl={"iss": "opa"}), {"secret": secret, "aud": "svc", "time": T}],
        [sign("HS256", oct_jwk, pl={"aud": "svc"}), {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, pl={"exp": "soon"}), {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, pl={"nbf": "soon"}), {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, pl={"iss": 7}), {"secret": secret, "iss": "opa", "time": T}],
        [sign("HS256", oct_jwk, hdr={"crit": ["foo"], "foo": 1}), {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, hdr={"crit": ["alg"]}), {"secret": secret, "time": T}],
        [sign("HS256", oct_jwk, hdr={"kid": 5}), {"secret": secret, "time": T}],
        ["nodots", {"secret": secret, "time": T}],
        [5, {"secret": secret, "time": T}],
        [hs, "notobject"],
    ]
    for alg in ("RS256", "RS384", "PS256", "PS512", "ES256", "ES384", "ES512", "EdDSA"):
        for kf in ("pem", "cert", "jwk", "jwks", "wrong"):
            if alg.startswith(("RS", "PS")):
                kv = keyforms[kf]
            elif alg == "EdDSA":
                kv = {"pem": pem_pub(ed_k), "cert": cert_for(ed_k), "jwk": json.dumps(jwk_ed(ed_k, False)),
                      "jwks": json.dumps({"keys": [dict(jwk_ed(ed_k, False), alg="EdDSA")]}), "wrong": keyforms["pem"]}[kf]
            else:
                k = ec_keys[int(alg[2:])]
                kv = {"pem": pem_pub(k), "cert": cert_for(k), "jwk": json.dumps(jwk_ec(k, False)),
                      "jwks": json.dumps({"keys": [dict(jwk_ec(k, False), alg=alg, kid="e")]}), "wrong": keyforms["pem"]}[kf]
            dv.append([tokens[alg], {"cert": kv, "time": T}])
    dv.append([tokens["RS256"], {"cert": json.dumps({"keys": [dict(rsa_pub, alg="RS512")]}), "time": T}])
    dv.append([tokens["RS256"], {"cert": keyforms["pem"], "alg": "RS256", "iss": "opa", "aud": "other", "time": T}])
    inner = tokens["HS256"]
    nested = sign("HS256", oct_jwk, hdr={"cty": "JWT"}, pl=None)
    r = oracle.call("io.jwt.encode_sign_raw", [json.dumps({"alg": "HS256", "cty": "JWT", "typ": "JOSE"}), inner, json.dumps(oct_jwk)])
    dv.append([r["result"], {"secret": secret, "time": T}])
    dv.append([nested, {"secret": secret, "time": T}])
    cases += [("io.jwt.decode_verify", a) for a in dv]
    # encode_sign_raw
    oj = json.dumps(oct_jwk)
    cases += [
        ("io.jwt.encode_sign_raw", ['{"typ":"JWT","alg":"HS256"}', '{"iss":"joe",\r\n "exp":1300819380}', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256"}', 'plain text', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256","typ":"text"}', 'plain text', oj]),
        ("io.jwt.encode_sign_raw", ['{"typ:"JWT",\r\n "alg":"HS256"}', '{}', oj]),
        ("io.jwt.encode_sign_raw", ['{"typ":"JWT"}', '{}', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"none"}', '{}', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256","typ":"JWT"}', '', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"RS256"}', '{}', oj]),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256"}', '{}', 'not json']),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256"}', '{}', '{"kty":"nope"}']),
        ("io.jwt.encode_sign_raw", ['{"alg":"HS256"}', '{}', json.dumps({"keys": [oct_jwk]})]),
        ("io.jwt.encode_sign_raw", ['{"alg":"RS256"}', '{"a":1}', json.dumps(rsa_priv)]),
        ("io.jwt.encode_sign_raw", ['{"alg":"EdDSA"}', '{"a":1}', json.dumps(jwk_ed(ed_k, True))]),
        ("io.jwt.encode_sign_raw", ['{"alg":"EdDSA"}', '{"a":1}', json.dumps(jwk_ed(ed_k, False))]),
        ("io.jwt.encode_sign_raw", [1, '{}', oj]),
        ("io.jwt.encode_sign", [{"alg": "HS256", "typ": "JWT", "b": [1, {"z": None, "a": True}]}, {"x": "<&>", "n": 12345678901234567890}, oct_jwk]),
        ("io.jwt.encode_sign", [{"alg": "HS256"}, {}, {"kty": "oct"}]),
        ("io.jwt.encode_sign", ["x", {}, oct_jwk]),
    ]
    # every key type against every algorithm family: jwx's key-type errors,
    # and HMAC over an Ed25519 key's bytes (OPA accepts it)
    key_matrix = {"oct": oct_jwk, "rsa_pub": jwk_rsa(rsa_k, False), "rsa_priv": rsa_priv,
                  "ec_pub": jwk_ec(ec_keys[256], False), "ec_priv": jwk_ec(ec_keys[256], True),
                  "okp_pub": jwk_ed(ed_k, False), "okp_priv": jwk_ed(ed_k, True)}
    for alg in ("HS256", "HS512", "RS256", "PS384", "ES256", "EdDSA"):
        for k in key_matrix.values():
            if alg.startswith(("PS", "ES")) and k.get("d") and k["kty"] in ("RSA", "EC"):
                continue  # randomized signatures, verified below
            cases.append(("io.jwt.encode_sign_raw", [json.dumps({"alg": alg}), '{"a":1}', json.dumps(k)]))
    # randomized signatures (PS*, ES*): the replay verifies our token with
    # the matching verify builtin instead of comparing text
    randomized = []
    for bits in (256, 384, 512):
        randomized.append((("io.jwt.encode_sign", [{"alg": "PS%d" % bits}, {"a": 1}, rsa_priv]),
                           ["io.jwt.verify_ps%d" % bits, pem_pub(rsa_k)]))
        k = ec_keys[bits]
        randomized.append((("io.jwt.encode_sign", [{"alg": "ES%d" % bits}, {"a": 1}, jwk_ec(k, True)]),
                           ["io.jwt.verify_es%d" % bits, pem_pub(k)]))
    oracle.write("jwt", cases, path, randomized)


if __name__ == "__main__":
    main(sys.argv[1])
