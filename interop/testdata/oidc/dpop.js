// Makes DPoP proofs (RFC 9449) with jose, for jwtguard's interop tests: for
// each algorithm, a key of its own generated here, one good proof and one
// proof with each field wrong, all signed by jose.
//
//   echo '{"method": "GET", "url": "https://api.example/r", "token": "…"}' | node dpop.js
//
// Standard output is a JSON object: "proofs", a list of {"alg", "jkt",
// "case", "proof"}, where "jkt" is jose's RFC 7638 thumbprint of the key
// and "case" is "good" or the field made wrong.

import { createHash, randomUUID } from 'node:crypto';
import { text } from 'node:stream/consumers';

import {
  calculateJwkThumbprint, exportJWK, generateKeyPair, generateSecret, SignJWT,
} from 'jose';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'];

const b64url = (buf) => Buffer.from(buf).toString('base64url');

async function proofsFor(alg, { method, url, token }) {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  const jwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(jwk);
  const now = Math.floor(Date.now() / 1000);
  const ath = b64url(createHash('sha256').update(token).digest());
  const sign = (claims, header = {}, key = privateKey) => new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg, jwk, ...header })
    .sign(key);
  const claims = (over = {}) => ({ jti: randomUUID(), htm: method, htu: url, iat: now, ath, ...over });

  const secret = await generateSecret('HS256', { extractable: true });
  const cases = {
    good: sign(claims()),
    htm: sign(claims({ htm: method === 'GET' ? 'POST' : 'GET' })),
    htu: sign(claims({ htu: `${url}/other` })),
    ath: sign(claims({ ath: b64url(createHash('sha256').update(`${token}x`).digest()) })),
    stale: sign(claims({ iat: now - 600 })),
    future: sign(claims({ iat: now + 600 })),
    jti: sign(claims({ jti: undefined })),
    typ: sign(claims(), { typ: 'JWT' }),
    private: sign(claims(), { jwk: await exportJWK(privateKey) }),
    hmac: new SignJWT(claims())
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: await exportJWK(secret) })
      .sign(secret),
  };
  return Promise.all(Object.entries(cases).map(async ([name, proof]) => ({
    alg, jkt, case: name, proof: await proof,
  })));
}

async function main() {
  const input = JSON.parse(await text(process.stdin));
  if (typeof input.method !== 'string' || typeof input.url !== 'string' || typeof input.token !== 'string') {
    throw new TypeError('want {"method", "url", "token"} on standard input');
  }
  const proofs = (await Promise.all(ALGORITHMS.map((alg) => proofsFor(alg, input)))).flat();
  process.stdout.write(`${JSON.stringify({ proofs })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
