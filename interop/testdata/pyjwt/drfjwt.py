"""Mints and decodes djangorestframework-jwt's tokens with PyJWT, for
jwtguard's drfjwt interop tests: the old library called PyJWT's encode and
decode with its payload and the shared secret, and so does this script.

    echo '{"secret": "...", "mint": [...], "decode": [...]}' | /usr/bin/python3 drfjwt.py

Standard input is a JSON object:

- "secret": the shared secret (JWT_SECRET_KEY).
- "mint": a list of {"alg", "payload"}; each payload is a JSON object whose
  member order is kept, as the old library's dict kept it. The header is
  PyJWT 1.x's, {"typ": "JWT", "alg": ...}: PyJWT 2 sorts the header's
  members, so the JSON encoder given to it here does not sort.
- "decode": a list of compact tokens, decoded as jwt_decode_handler did
  (algorithms ["HS256"], leeway 0, exp and signature verified), with exp
  also required.

Standard output is a JSON object: "tokens", the minted tokens in order, and
"decoded", for each token to decode {"payload": the claims} or
{"error": PyJWT's exception class}.
"""

import collections
import json
import sys

import jwt


class Unsorted(json.JSONEncoder):
    """PyJWT 1.x's header order: PyJWT 2 asks for sort_keys, this ignores it."""

    def __init__(self, *args, **kwargs):
        kwargs["sort_keys"] = False
        super().__init__(*args, **kwargs)


def main():
    req = json.load(sys.stdin, object_pairs_hook=collections.OrderedDict)
    secret = req["secret"]
    tokens = []
    for m in req.get("mint", []):
        tok = jwt.encode(dict(m["payload"]), secret, algorithm=m.get("alg", "HS256"), json_encoder=Unsorted)
        tokens.append(tok if isinstance(tok, str) else tok.decode())
    decoded = []
    for tok in req.get("decode", []):
        try:
            payload = jwt.decode(tok, secret, algorithms=["HS256"], leeway=0, options={"require": ["exp"]})
            decoded.append({"payload": payload})
        except jwt.InvalidTokenError as e:
            decoded.append({"error": type(e).__name__})
    json.dump({"tokens": tokens, "decoded": decoded}, sys.stdout)


if __name__ == "__main__":
    main()
