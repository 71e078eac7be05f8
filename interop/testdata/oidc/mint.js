// Mints a JWT with jose for every JWS algorithm that jose and jwtguard both
// support, each with a key of its own generated here, for jwtguard's interop
// tests.
//
//   echo '{"claims": {...}, "lifetime": 300}' | node mint.js
//
// Standard input is a JSON object: "claims", the claims every token carries,
// and "lifetime", the seconds from "iat" to "exp". jose sets "iat", "exp" and
// a random "jti". The header is {"alg", "kid", "typ": "JWT"}.
//
// Standard output is a JSON object: "jwks", the public JWK Set with each
// key's "kid", "alg" and "use": "sig"; and "tokens", a list of {"alg", "kid",
// "token"}. The kid is the key's RFC 7638 thumbprint. The HMAC secrets are in
// the set as "oct" keys: whoever verifies them needs them.

import { randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';

import {
  calculateJwkThumbprint, exportJWK, generateKeyPair, generateSecret, SignJWT,
} from 'jose';

// ALGORITHMS are the algorithms of RFC 7518 and RFC 8037 that jwtguard
// verifies, and "Ed25519" of RFC 9864.
const ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
];

async function newKey(alg) {
  if (alg.startsWith('HS')) {
    const secret = await generateSecret(alg, { extractable: true });
    return { signingKey: secret, jwk: await exportJWK(secret) };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  return { signingKey: privateKey, jwk: await exportJWK(publicKey) };
}

async function main() {
  const input = JSON.parse(await text(process.stdin));
  const { claims, lifetime } = input;
  if (typeof claims !== 'object' || claims === null || !Number.isInteger(lifetime) || lifetime <= 0) {
    throw new TypeError('want {"claims": {...}, "lifetime": <seconds>} on standard input');
  }

  const minted = await Promise.all(ALGORITHMS.map(async (alg) => {
    const { signingKey, jwk } = await newKey(alg);
    const kid = await calculateJwkThumbprint(jwk);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .setJti(randomUUID())
      .sign(signingKey);
    return { jwk: { ...jwk, kid, alg, use: 'sig' }, token: { alg, kid, token } };
  }));

  process.stdout.write(`${JSON.stringify({
    jwks: { keys: minted.map((m) => m.jwk) },
    tokens: minted.map((m) => m.token),
  })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
