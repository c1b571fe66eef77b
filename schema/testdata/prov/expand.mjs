// Checks that a JSON-LD document expands with a standard processor
// (jsonld.js), offline: the document loader refuses every remote fetch.
// It expands in safe mode (any dropped term, value or IRI is an error),
// then converts to N-Quads, and prints what it got.
//
// Usage: CHIPGRAPH_JSONLD_DIR=DIR node expand.mjs FILE
//
// DIR holds node_modules/jsonld (npm install jsonld there); the default is
// $XDG_CACHE_HOME/chipgraph-jsonld or ~/.cache/chipgraph-jsonld.
// Exit codes: 0 valid, 1 invalid, 2 usage, 3 jsonld not installed.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('usage: node expand.mjs FILE');
  process.exit(2);
}
const dir = process.env.CHIPGRAPH_JSONLD_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'chipgraph-jsonld');

let jsonld;
try {
  jsonld = createRequire(path.join(path.resolve(dir), 'noop.js'))('jsonld');
} catch (err) {
  console.error(`jsonld is not installed in ${dir}: ${err.message}`);
  process.exit(3);
}

const refuse = async (url) => {
  throw new Error(`refusing to fetch ${url}: the document must expand offline`);
};

try {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const opts = { documentLoader: refuse, safe: true };
  const expanded = await jsonld.expand(doc, opts);
  if (!Array.isArray(expanded) || expanded.length === 0) {
    throw new Error('expansion produced no nodes');
  }
  const nodes = expanded.flatMap((n) => n['@graph'] ?? [n]);
  for (const n of nodes) {
    if (typeof n['@id'] !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(n['@id'])) {
      throw new Error(`node without an absolute @id: ${JSON.stringify(n).slice(0, 200)}`);
    }
  }
  const nquads = await jsonld.toRDF(doc, { ...opts, format: 'application/n-quads' });
  const quads = nquads.split('\n').filter((l) => l !== '').length;
  console.log(`expanded ${nodes.length} nodes, ${quads} quads`);
} catch (err) {
  console.error(`invalid JSON-LD: ${err.message}`);
  if (err.details) console.error(JSON.stringify(err.details, null, 2).slice(0, 2000));
  process.exit(1);
}
