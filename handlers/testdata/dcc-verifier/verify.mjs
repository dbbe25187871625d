// Verifies Aula's credentials offline, as a wallet would: an Open Badges 3.0 credential
// with @digitalcredentials/verifier-core (the Learner Credential Wallet's verifier), and
// a VC-JWT with jose against a JWKS. Prints one JSON object on stdout; see README.md.
//
// verifier-core builds its document loader at import time and takes none from its caller,
// so offline means: every request it makes goes through globalThis.fetch, which this
// script replaces, before importing it, with one that serves only the files named on the
// command line (and the few contexts its loader lacks, from npm packages) and refuses
// anything else. Every URL asked for is reported.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// Contexts verifier-core's loader does not embed but a DID document may name.
const npmContexts = new Map([
  ['https://w3id.org/security/multikey/v1', () => require('@digitalbazaar/multikey-context').contexts.get('https://w3id.org/security/multikey/v1')],
]);

function usage(msg) {
  if (msg) console.error(`verify.mjs: ${msg}`);
  console.error(`usage:
  node verify.mjs credential FILE [--doc URL=FILE]... [--did-doc FILE]...
  node verify.mjs jwt FILE --jwks FILE [--issuer ISS]`);
  process.exit(2);
}

function parseArgs(argv) {
  const [mode, file, ...rest] = argv;
  if (!['credential', 'jwt'].includes(mode) || !file) usage();
  const opts = { mode, file, docs: new Map(), jwks: null, issuer: null };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[++i];
    if (value === undefined) usage(`${flag} needs a value`);
    if (flag === '--doc') {
      const eq = value.indexOf('=');
      if (eq < 1) usage(`--doc wants URL=FILE, got ${value}`);
      opts.docs.set(value.slice(0, eq), value.slice(eq + 1));
    } else if (flag === '--did-doc') {
      // A did:web document, served where did:web resolution looks for it.
      const doc = JSON.parse(readFileSync(value, 'utf8'));
      opts.docs.set(didWebURL(doc.id), value);
    } else if (flag === '--jwks') {
      opts.jwks = value;
    } else if (flag === '--issuer') {
      opts.issuer = value;
    } else {
      usage(`unknown flag ${flag}`);
    }
  }
  return opts;
}

// didWebURL is where a did:web DID's document is fetched (the did:web method spec).
function didWebURL(did) {
  if (!did?.startsWith('did:web:')) usage(`--did-doc: ${did} is not a did:web DID`);
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return `https://${host}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

// offlineFetch serves the documents given and refuses the rest, recording both.
function offlineFetch(docs, fetched, refused) {
  return async (input) => {
    const url = typeof input === 'string' ? input : (input.url ?? String(input));
    const key = url.split('#')[0];
    let body = null;
    if (docs.has(key)) body = readFileSync(docs.get(key), 'utf8');
    else if (npmContexts.has(key)) body = JSON.stringify(npmContexts.get(key)());
    if (body === null) {
      // A 404, not a thrown error, so that verifier-core reports what it would for an
      // unreachable document (did_web_unresolved, status_list_not_found).
      refused.push(url);
      return new Response(`offline: no local document for ${url}`, { status: 404, statusText: 'Not Found (offline)' });
    }
    fetched.push(url);
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

async function verifyCredentialFile(opts, fetched, refused) {
  const { verifyCredential } = await import('@digitalcredentials/verifier-core');
  const credential = JSON.parse(readFileSync(opts.file, 'utf8'));
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  const out = {
    mode: 'credential',
    signature: 'unknown', // valid | invalid | error
    expired: null,         // true | false | null (not checked)
    revocation: 'none',    // none (no status) | not_revoked | revoked | error
    errors: [],
    schema: null,
    fetched,
    refused,
    log: result.log ?? [],
  };
  for (const e of result.errors ?? []) out.errors.push({ name: e.name, message: e.message });
  if (result.errors?.length) {
    out.signature = result.errors.some(e => e.name === 'invalid_signature') ? 'invalid' : 'error';
  }
  for (const step of result.log ?? []) {
    if (step.id === 'valid_signature') out.signature = step.valid ? 'valid' : 'invalid';
    if (step.id === 'expiration') out.expired = !step.valid;
    if (step.id === 'revocation_status') {
      if (step.error) {
        out.revocation = 'error';
        out.errors.push({ name: step.error.name, message: step.error.message });
      } else {
        out.revocation = step.valid ? 'not_revoked' : 'revoked';
      }
    }
  }
  const schema = (result.additionalInformation ?? []).find(e => e.id === 'schema_check');
  if (schema) out.schema = schema.results;
  out.verified = out.signature === 'valid' && out.expired === false &&
    (out.revocation === 'not_revoked' || out.revocation === 'none');
  return out;
}

async function verifyJWTFile(opts) {
  if (!opts.jwks) usage('jwt needs --jwks FILE');
  const { jwtVerify, createLocalJWKSet, decodeProtectedHeader } = await import('jose');
  const token = readFileSync(opts.file, 'utf8').trim();
  const jwks = createLocalJWKSet(JSON.parse(readFileSync(opts.jwks, 'utf8')));
  const out = { mode: 'jwt', verified: false, header: null, payload: null, errors: [] };
  try {
    out.header = decodeProtectedHeader(token);
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ['EdDSA'],
      typ: 'vc+jwt',
      ...(opts.issuer && { issuer: opts.issuer }),
    });
    out.payload = payload;
    out.verified = true;
  } catch (e) {
    out.errors.push({ name: e.code ?? e.name, message: e.message });
  }
  return out;
}

const opts = parseArgs(process.argv.slice(2));
// stdout carries the result alone: the libraries' own logging goes to stderr.
const print = console.log.bind(console);
console.log = console.info = console.warn = console.error;
const fetched = [];
const refused = [];
globalThis.fetch = offlineFetch(opts.docs, fetched, refused);

const out = opts.mode === 'jwt' ? await verifyJWTFile(opts) : await verifyCredentialFile(opts, fetched, refused);
print(JSON.stringify(out, null, 2));
process.exit(out.verified ? 0 : 1);
