// A real OpenID Provider for Drawbridge's end-to-end tests: panva's oidc-provider (a
// certified OP implementation) on 127.0.0.1 over plain HTTP, with one or more confidential
// clients and a fixed list of accounts, all from a JSON file the test writes.
//
//   node server.js --config provider.json [--port 8080] [--issuer http://127.0.0.1:8080]
//
// Without --config, the client comes from CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS
// (comma-separated) and the accounts are alice@example.com [eng] and bob@example.com [sales],
// both with the password "password". PORT and ISSUER work as environment variables too.
//
// Config file (every field optional except clients):
//   {
//     "port": 8080, "issuer": "http://127.0.0.1:8080",
//     "clients": [{ "client_id": "...", "client_secret": "...", "redirect_uris": ["https://..."],
//                   "post_logout_redirect_uris": [] }],
//     "accounts": [{ "sub": "alice", "email": "alice@example.com", "email_verified": true,
//                    "name": "Alice", "password": "password", "groups": ["eng"] }],
//     "ttl": { "IdToken": 3600 }
//   }
//
// Clients are looked up on every request (an adapter, not oidc-provider's static "clients"),
// so a test can register the redirect URIs of an edge that it starts after the provider:
//   PUT /_test/clients/<client_id>/redirect_uris   body: ["https://edge.test:4430/callback"]
// answers 204, or 400 with the reason when oidc-provider rejects the URIs. A client may
// start with no redirect URIs; until it has some, authorization requests fail.
//
// Sign-in is a minimal custom interaction, not oidc-provider's dev interactions (which
// accept any login name and show a consent page): GET /interaction/<uid> shows a form with
// "Email" and "Password" fields and "Sign in" / "Cancel" buttons. Only a listed account with
// its password signs in; a wrong one re-renders the form with "Invalid email or password."
// (HTTP 401); "Cancel" ends the flow with error=access_denied. Consent is granted
// automatically for every requested scope and claim, as a company IdP does for a
// first-party app, so after "Sign in" the browser is redirected straight to the client.
//
// Scopes: openid, email (email, email_verified), profile (name), groups (a custom "groups"
// claim, an array of strings) and offline_access (refresh tokens; OIDC only grants it with
// prompt=consent). Scope claims go into the ID token as well as userinfo
// (conformIdTokenClaims: false), since that is where a relying party like the edge reads them.
// PKCE (S256) is required of every client, confidential ones included.
//
// Prints "oidc-provider listening on <issuer>" when ready; errors go to stderr.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';
// The provider's own in-memory store, for everything but clients. A deep import: the
// package has no "exports" map, and package-lock.json pins the version.
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    port: { type: 'string' },
    issuer: { type: 'string' },
  },
});

const fileConfig = args.config ? JSON.parse(readFileSync(args.config, 'utf8')) : {};
const port = Number(args.port ?? process.env.PORT ?? fileConfig.port ?? 0);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error('A port is required: --port, PORT or "port" in the config file.');
}

const issuer = args.issuer ?? process.env.ISSUER ?? fileConfig.issuer ?? `http://127.0.0.1:${port}`;
const clients = new Map((fileConfig.clients ?? [clientFromEnvironment()]).map((client) => [client.client_id, {
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: [],
  ...client,
}]));
const accounts = (fileConfig.accounts ?? [
  { sub: 'alice', email: 'alice@example.com', name: 'Alice', password: 'password', groups: ['eng'] },
  { sub: 'bob', email: 'bob@example.com', name: 'Bob', password: 'password', groups: ['sales'] },
]).map((account) => ({ email_verified: true, groups: [], ...account, sub: account.sub ?? account.email }));

// Read-only: dynamic registration is off, so oidc-provider only ever looks clients up.
const clientAdapter = {
  async find(id) {
    const client = clients.get(id);
    return client ? structuredClone(client) : undefined;
  },
};

const provider = new Provider(issuer, {
  adapter: (model) => (model === 'Client' ? clientAdapter : new MemoryAdapter(model)),
  // One RSA key made at start-up: RS256 is the ID token algorithm every relying party
  // supports, and a generated key keeps oidc-provider from using its development-only key.
  jwks: { keys: [signingKey()] },
  // Signed cookie keys; a fresh provider per test needs no rotation.
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // The authorization code flow only: the edge is a confidential web client.
  responseTypes: ['code'],
  scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
  },
  // oidc-provider's defaults, written out (it logs a notice for each default it uses);
  // "ttl" in the config file overrides any of them, in seconds.
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    ...fileConfig.ttl,
  },
  // A plain page a test can read: the error code and its description.
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error - test OpenID Provider</title></head>
<body><h1>Error</h1><p id="error">${escapeHtml(out.error)}</p><p id="error_description">${escapeHtml(out.error_description ?? '')}</p></body></html>
`;
  },
  async findAccount(_ctx, id) {
    const account = accounts.find((candidate) => candidate.sub === id);
    if (!account) {
      return undefined;
    }

    return {
      accountId: account.sub,
      async claims() {
        return {
          sub: account.sub,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name,
          groups: account.groups,
        };
      },
    };
  },
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'end_session.error', 'introspection.error', 'revocation.error']) {
  provider.on(event, (_ctx, error) => {
    console.error(`oidc-provider ${event}: ${error.name}: ${error.message}${error.error_description ? ` (${error.error_description})` : ''}`);
  });
}

// Bad client metadata fails here, at start-up, rather than at the first sign-in.
for (const client of clients.values()) {
  if (client.redirect_uris.length > 0) {
    await provider.Client.validate(client);
  }
}

const providerCallback = provider.callback();
const server = createServer((req, res) => {
  const control = /^\/_test\/clients\/([^/?]+)\/redirect_uris$/.exec(req.url ?? '');
  if (control && req.method === 'PUT') {
    setRedirectUris(req, res, decodeURIComponent(control[1])).catch((error) => {
      console.error(`oidc-provider could not set redirect URIs: ${error.message}`);
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`${error.message}${error.error_description ? `: ${error.error_description}` : ''}\n`);
    });
    return;
  }

  const match = /^\/interaction\/([^/?]+)(\/login|\/abort)?(\?.*)?$/.exec(req.url ?? '');
  if (!match) {
    providerCallback(req, res);
    return;
  }

  handleInteraction(req, res, match[1], match[2]).catch((error) => {
    console.error(`oidc-provider interaction error: ${error.name}: ${error.message}`);
    if (!res.headersSent) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    }
    res.end(`Interaction failed: ${error.message}\n`);
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

async function setRedirectUris(req, res, clientId) {
  const client = clients.get(clientId);
  if (!client) {
    throw new Error(`No client ${clientId}.`);
  }

  const redirectUris = JSON.parse(await readBody(req));
  if (!Array.isArray(redirectUris) || !redirectUris.every((uri) => typeof uri === 'string')) {
    throw new Error('The body must be a JSON array of redirect URIs.');
  }

  const updated = { ...client, redirect_uris: redirectUris };
  await provider.Client.validate(updated);
  clients.set(clientId, updated);
  console.log(`oidc-provider client ${clientId} redirect URIs: ${redirectUris.join(' ')}`);
  res.statusCode = 204;
  res.end();
}

// Login form, login submission, cancel, and the automatic consent.
async function handleInteraction(req, res, uid, action) {
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== uid) {
    throw new Error('The interaction in the URL is not the one in the cookie.');
  }

  if (action === '/abort' && req.method === 'POST') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (interaction.prompt.name === 'consent') {
    await grantConsent(req, res, interaction);
    return;
  }

  if (action === '/login' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const email = (form.get('login') ?? '').trim().toLowerCase();
    const account = accounts.find((candidate) => candidate.email.toLowerCase() === email);
    if (!account || form.get('password') !== account.password) {
      sendLoginPage(res, uid, 401, 'Invalid email or password.', form.get('login') ?? '');
      return;
    }

    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }

  sendLoginPage(res, uid, 200, '', interaction.params.login_hint ?? '');
}

async function grantConsent(req, res, interaction) {
  const { prompt: { details }, params, session } = interaction;
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (details.missingOIDCScope) {
    grant.addOIDCScope(details.missingOIDCScope.join(' '));
  }
  if (details.missingOIDCClaims) {
    grant.addOIDCClaims(details.missingOIDCClaims);
  }
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }

  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function sendLoginPage(res, uid, status, error, login) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - test OpenID Provider</title></head>
<body>
<h1>Sign in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Email <input type="email" name="login" autocomplete="username" value="${escapeHtml(login)}" required autofocus></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>
</body>
</html>
`);
}

function clientFromEnvironment() {
  const { CLIENT_ID: clientId, CLIENT_SECRET: clientSecret, REDIRECT_URIS: redirectUris } = process.env;
  if (!clientId || !clientSecret || !redirectUris) {
    throw new Error('No client: give --config with "clients", or CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS.');
  }

  return {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris.split(',').map((uri) => uri.trim()).filter(Boolean),
  };
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

// Form posts are a few hundred bytes; the cap only stops a runaway body.
async function readBody(req) {
  const chunks = [];
  let length = 0;
  for await (const chunk of req) {
    length += chunk.length;
    if (length > 64 * 1024) {
      throw new Error('Form body too large.');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
