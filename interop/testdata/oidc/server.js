// An OpenID provider (oidc-provider) for jwtguard's interop tests.
//
//   node server.js <port>        (or PORT=<port> node server.js)
//
// It listens on 127.0.0.1:<port> only, with the issuer
// http://127.0.0.1:<port>, and issues RFC 9068 JWT access tokens through the
// client_credentials grant:
//
//   POST /token  grant_type=client_credentials  resource=<AUDIENCE>  scope=...
//   with HTTP Basic authentication as client "interop-<alg>", secret SECRET.
//
// There is one client per signing algorithm, so the client chooses the
// algorithm of its tokens: "interop-ES256" gets ES256 tokens. The tokens have
// typ "at+jwt", aud AUDIENCE, sub and client_id the client's ID, and the
// requested scopes that the resource server knows (SCOPES). Without the
// resource parameter oidc-provider issues an opaque access token instead.
//
// The signing keys are generated at start and are never written anywhere.
// POST /-/rotate, from a loopback address, replaces every key with a new one:
// the jwks_uri then publishes only the new keys, and tokens are signed with
// them. The answer is {"kids": [...]}, the new key IDs. oidc-provider fixes
// its keystore when it is constructed, so rotating builds a new Provider with
// the same configuration and new keys, and hands it the requests from then on.
//
// It logs one line per request to standard output, and "listening <issuer>"
// once it accepts connections.

import { createServer } from 'node:http';

import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';

// AUDIENCE is the one resource indicator the provider knows, and the "aud" of
// its access tokens.
const AUDIENCE = 'urn:jwtguard:interop:api';

// SCOPES are the scopes of that resource server; others are dropped from a
// token request.
const SCOPES = 'read write admin';

// SECRET is every client's secret.
const SECRET = 'interop-client-secret';

// TOKEN_TTL is the access tokens' lifetime in seconds.
const TOKEN_TTL = 300;

// KEYS are the keys generated at start and at each rotation, named by the
// algorithm jose's generateKeyPair makes them for. The JWKs carry no "alg":
// the RSA key signs RS* and PS*, the Ed25519 key EdDSA and Ed25519, and
// oidc-provider gives each EC key the one algorithm its curve allows.
const KEYS = ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

// ALGORITHMS are the signing algorithms of the clients, one client each.
const ALGORITHMS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
];

const clientID = (alg) => `interop-${alg}`;

// generateKeys returns a new private JWK Set with one key of each kind.
async function generateKeys() {
  const keys = await Promise.all(KEYS.map(async (alg) => {
    const { privateKey } = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const jwk = await exportJWK(privateKey);
    // The kid is the RFC 7638 thumbprint, as oidc-provider would make it.
    return { ...jwk, kid: await calculateJwkThumbprint(jwk), use: 'sig' };
  }));
  return { keys };
}

// resourceServer describes AUDIENCE to a client: its JWT access tokens are
// signed with the client's algorithm.
function resourceServer(client) {
  const alg = ALGORITHMS.find((a) => clientID(a) === client.clientId);
  if (!alg) throw new errors.InvalidTarget('this client has no signing algorithm');
  return {
    scope: SCOPES,
    accessTokenTTL: TOKEN_TTL,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg } },
  };
}

function newProvider(issuer, jwks) {
  const provider = new Provider(issuer, {
    clients: ALGORITHMS.map((alg) => ({
      client_id: clientID(alg),
      client_secret: SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks,
    // The resource server's lifetime; saying so also quiets oidc-provider's
    // notice about the default ttl function.
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TOKEN_TTL },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          if (resourceIndicator !== AUDIENCE) throw new errors.InvalidTarget();
          return resourceServer(client);
        },
      },
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  provider.on('grant.error', (_ctx, err) => console.error('grant.error', err.message, err.error_description ?? ''));
  return provider;
}

function isLoopback(address) {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

async function main() {
  const port = Number(process.argv[2] ?? process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error('usage: node server.js <port>');
    process.exit(2);
  }
  const issuer = `http://127.0.0.1:${port}`;

  let handler = newProvider(issuer, await generateKeys()).callback();

  // rotate swaps in a provider with new keys. Rotations run one at a time.
  let rotating = Promise.resolve();
  const rotate = async () => {
    const jwks = await generateKeys();
    handler = newProvider(issuer, jwks).callback();
    return jwks.keys.map((k) => k.kid);
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => console.log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    if (req.url === '/-/rotate') {
      if (req.method !== 'POST' || !isLoopback(req.socket.remoteAddress)) {
        res.writeHead(req.method !== 'POST' ? 405 : 403).end();
        return;
      }
      rotating = rotating.then(rotate).then(
        (kids) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kids }));
        },
        (err) => {
          console.error('rotate', err);
          res.writeHead(500).end();
        },
      );
      return;
    }
    handler(req, res);
  });
  server.on('error', (err) => {
    console.error(`listen ${issuer}: ${err.code ?? ''} ${err.message}`);
    process.exit(1);
  });
  server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));

  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
