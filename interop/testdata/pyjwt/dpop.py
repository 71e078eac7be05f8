"""Makes DPoP proofs (RFC 9449) with PyJWT, for jwtguard's interop tests: for
each algorithm, a key of its own generated here, one good proof and one proof
with each field wrong, all signed by PyJWT.

    echo '{"method": "GET", "url": "https://api.example/r", "token": "..."}' | /usr/bin/python3 dpop.py

Standard output is a JSON object: "proofs", a list of {"alg", "jkt", "case",
"proof"}, where "jkt" is the RFC 7638 thumbprint of the key (computed here
from PyJWT's JWK) and "case" is "good" or the field made wrong, as dpop.js
of interop/testdata/oidc writes them.
"""

import hashlib
import json
import secrets
import sys
import time
import uuid

import jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from mint import b64url, new_key, padded, thumbprint

ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"]


def private_jwk(alg, key):
    """Returns the private JWK of key, as PyJWT writes it."""
    if alg.startswith("ES"):
        return padded(json.loads(ECAlgorithm.to_jwk(key)), key.curve)
    if alg == "EdDSA":
        return json.loads(OKPAlgorithm.to_jwk(key))
    return json.loads(RSAAlgorithm.to_jwk(key))


def proofs_for(alg, method, url, token):
    key, jwk = new_key(alg)
    jkt = thumbprint(jwk)
    now = int(time.time())
    ath = b64url(hashlib.sha256(token.encode("utf-8")).digest())

    def claims(**over):
        c = {"jti": uuid.uuid4().hex, "htm": method, "htu": url, "iat": now, "ath": ath}
        c.update(over)
        return {k: v for k, v in c.items() if v is not None}

    def sign(payload, typ="dpop+jwt", header_jwk=None):
        headers = {"typ": typ, "jwk": header_jwk or jwk}
        return jwt.encode(payload, key, algorithm=alg, headers=headers)

    secret = secrets.token_bytes(32)
    other_method = "POST" if method == "GET" else "GET"
    cases = {
        "good": sign(claims()),
        "htm": sign(claims(htm=other_method)),
        "htu": sign(claims(htu=url + "/other")),
        "ath": sign(claims(ath=b64url(hashlib.sha256((token + "x").encode("utf-8")).digest()))),
        "stale": sign(claims(iat=now - 600)),
        "future": sign(claims(iat=now + 600)),
        "jti": sign(claims(jti=None)),
        "typ": sign(claims(), typ="JWT"),
        "private": sign(claims(), header_jwk=private_jwk(alg, key)),
        "hmac": jwt.encode(claims(), secret, algorithm="HS256",
                           headers={"typ": "dpop+jwt", "jwk": {"kty": "oct", "k": b64url(secret)}}),
    }
    return [{"alg": alg, "jkt": jkt, "case": name, "proof": proof} for name, proof in cases.items()]


def main():
    request = json.load(sys.stdin)
    method, url, token = request.get("method"), request.get("url"), request.get("token")
    if not all(isinstance(v, str) for v in (method, url, token)):
        sys.exit('want {"method", "url", "token"} on standard input')
    proofs = [p for alg in ALGORITHMS for p in proofs_for(alg, method, url, token)]
    json.dump({"proofs": proofs}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
