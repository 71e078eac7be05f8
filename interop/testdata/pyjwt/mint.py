"""Mints a JWT with PyJWT for every JWS algorithm that PyJWT and jwtguard both
support, each with a key of its own generated here, for jwtguard's interop
tests.

    echo '{"claims": {...}, "lifetime": 300}' | /usr/bin/python3 mint.py

Standard input is a JSON object: "claims", the claims every token carries, and
"lifetime", the seconds from "iat" to "exp". This script sets "iat", "exp" and
a random "jti"; PyJWT writes the header {"alg", "kid", "typ": "JWT"}.

Standard output is a JSON object:

- "jwks": the public JWK Set, each key as PyJWT's to_jwk writes it, plus its
  "kid" (the RFC 7638 thumbprint), "alg" and "use": "sig". The HMAC secrets
  are in it as "oct" keys: whoever verifies them needs them.
- "tokens": a list of {"alg", "kid", "token"}.
- "short_ec_jwk": PyJWT's to_jwk of a P-521 public key whose x or y has
  leading zero bytes, as PyJWT writes it, and "short_ec_jwk_padded", the same
  key with full-length coordinates.

PyJWT 2.6's to_jwk drops the leading zero bytes of EC coordinates, which
RFC 7518 section 6.2.1.2 requires to be full length (for P-521 that happens
to about half of all keys). The keys of "jwks" have their coordinates padded
to full length; "short_ec_jwk" shows what to_jwk itself writes.

It needs PyJWT with the cryptography package (Debian: python3-jwt and
python3-cryptography).
"""

import base64
import hashlib
import json
import secrets
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm

# The algorithms of RFC 7518 and RFC 8037 that jwtguard verifies and PyJWT
# signs.
ALGORITHMS = [
    "HS256", "HS384", "HS512",
    "RS256", "RS384", "RS512",
    "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512",
    "EdDSA",
]

CURVES = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
HMAC_SIZES = {"HS256": 32, "HS384": 48, "HS512": 64}

# The members of each key type that make its RFC 7638 thumbprint.
THUMBPRINT_MEMBERS = {
    "oct": ("k", "kty"),
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(jwk):
    members = {m: jwk[m] for m in THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def coordinate_size(curve):
    return (curve.key_size + 7) // 8


def padded(jwk, curve):
    """Returns the EC JWK with x and y at the full length of the curve."""
    size = coordinate_size(curve)
    out = dict(jwk)
    for member in ("x", "y"):
        raw = base64.urlsafe_b64decode(jwk[member] + "=" * (-len(jwk[member]) % 4))
        out[member] = b64url(raw.rjust(size, b"\0"))
    return out


def new_key(alg):
    """Returns the signing key and the public JWK for alg."""
    if alg.startswith("HS"):
        secret = secrets.token_bytes(HMAC_SIZES[alg])
        return secret, json.loads(HMACAlgorithm.to_jwk(secret))
    if alg[:2] in ("RS", "PS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return private, json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    if alg.startswith("ES"):
        private = ec.generate_private_key(CURVES[alg])
        jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
        return private, padded(jwk, private.curve)
    if alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        return private, json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    raise ValueError(f"unsupported algorithm {alg}")


def short_ec_jwk():
    """Returns to_jwk of a P-521 public key with a short coordinate, and the
    same key padded."""
    curve = ec.SECP521R1()
    while True:
        public = ec.generate_private_key(curve).public_key()
        jwk = json.loads(ECAlgorithm.to_jwk(public))
        full = padded(jwk, curve)
        if full != jwk:
            return jwk, full
        # Both coordinates were full length: try another key.


def main():
    request = json.load(sys.stdin)
    claims, lifetime = request.get("claims"), request.get("lifetime")
    if not isinstance(claims, dict) or not isinstance(lifetime, int) or lifetime <= 0:
        sys.exit('want {"claims": {...}, "lifetime": <seconds>} on standard input')

    keys, tokens = [], []
    for alg in ALGORITHMS:
        signing_key, jwk = new_key(alg)
        kid = thumbprint(jwk)
        now = int(time.time())
        payload = dict(claims, iat=now, exp=now + lifetime, jti=uuid.uuid4().hex)
        token = jwt.encode(payload, signing_key, algorithm=alg, headers={"kid": kid})
        keys.append(dict(jwk, kid=kid, alg=alg, use="sig"))
        tokens.append({"alg": alg, "kid": kid, "token": token})

    short, full = short_ec_jwk()
    json.dump(
        {
            "jwks": {"keys": keys},
            "tokens": tokens,
            "short_ec_jwk": short,
            "short_ec_jwk_padded": full,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
