// chipgraph query page. Plain script, no dependencies, nothing loaded from
// outside this server.
'use strict';

// Example queries shown in the side bar. Edit freely: name, query and
// optional variables (an object).
const EXAMPLES = [
  {
    name: 'Who designs and who fabs Trainium3',
    query: `{
  chip(key: "trainium3") {
    name
    designers {
      edges {
        node { name }
        references { quote locator { section } source { title url } importedFrom { title } }
      }
    }
    manufacturers {
      totalCount
      edges {
        node { name }
        references { quote source { title url } }
      }
    }
  }
}`,
  },
  {
    name: 'Trainium2: no source names a foundry',
    query: `{
  chip(name: "Trainium2") {
    name
    manufacturers { totalCount edges { node { name } } }
  }
}`,
  },
  {
    name: 'Everything Andy Jassy claimed',
    query: `{
  person(name: "Andy Jassy") {
    name
    claims {
      totalCount
      nodes {
        text
        modality
        value { amount currency unit condition approximate display }
        quote
        reference { verified locator { start end } }
        source { title kind }
      }
    }
  }
}`,
  },
  {
    name: 'Chips TSMC manufactures, with provenance',
    query: `{
  foundry(key: "tsmc") {
    name
    chips(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node { name }
        references { source { title url } importedFrom { title } }
      }
    }
  }
}`,
  },
  {
    name: 'What a source tells us',
    query: `{
  source(key: "seed-article") {
    title
    kind
    sha256
    statements {
      totalCount
      nodes {
        subject { name }
        predicate { name }
        object { display }
        references { quote verified }
      }
    }
    claims { nodes { claimant { name } text modality } }
  }
}`,
  },
  {
    name: 'A chip by key (variables), as of a past instant',
    query: `query Chip($key: String!, $asOf: Time) {
  chip(key: $key, asOf: $asOf) {
    name
    releaseDate { object { date } }
    tdp { object { amount unit } references { source { url } } }
    peakPerformance(precision: "FP8") { object { display } }
  }
}`,
    variables: { key: 'trainium3', asOf: null },
  },
  {
    name: 'Add a statement (needs a write token)',
    query: `mutation {
  addStatement(input: {
    subject: "trainium3"
    predicate: "manufacturedBy"
    object: { entity: "tsmc" }
    references: [{ source: "seed-article", quote: "manufacturing partners like TSMC" }]
  }) { key references { verified } }
}`,
  },
  {
    name: 'Predicates',
    query: `{
  predicates { name inverse description subjectKinds objectKinds literalType unit multiValued }
}`,
  },
];

const ENDPOINT = 'graphql';
const TOKEN_KEY = 'chipgraph.writeToken'; // sessionStorage: forgotten with the tab
const QUERY_KEY = 'chipgraph.query';
const VARS_KEY = 'chipgraph.variables';
const INDENT = '  ';

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

// ---- Running queries -------------------------------------------------------

// graphql posts a request; withToken sends the write token, if one is set.
async function graphql(query, variables, operationName, withToken = true) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  const token = withToken && sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const body = { query };
  if (variables) body.variables = variables;
  if (operationName) body.operationName = operationName;
  const res = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, statusText: res.statusText, json, text };
}

async function run() {
  const button = $('run');
  const status = $('status');
  let variables = null;
  const varsText = $('variables').value.trim();
  if (varsText) {
    try {
      variables = JSON.parse(varsText);
    } catch (e) {
      showResult('Variables are not valid JSON: ' + e.message, true);
      status.textContent = '';
      return;
    }
  }
  save();
  button.disabled = true;
  status.className = 'muted';
  status.textContent = 'running…';
  const started = performance.now();
  try {
    const r = await graphql($('query').value, variables, $('operation').value.trim());
    const ms = Math.round(performance.now() - started);
    const failed = r.status >= 400 || !r.json || (r.json.errors && r.json.errors.length);
    status.className = failed ? 'bad' : 'ok';
    status.textContent = `${r.status} ${r.statusText} · ${ms} ms`;
    showResult(r.json ? JSON.stringify(r.json, null, 2) : r.text, !r.json);
  } catch (e) {
    status.className = 'bad';
    status.textContent = 'request failed';
    showResult(String(e), true);
  } finally {
    button.disabled = false;
  }
}

function showResult(text, isError) {
  const result = $('result');
  result.textContent = text;
  result.classList.toggle('error', Boolean(isError));
}

function save() {
  try {
    localStorage.setItem(QUERY_KEY, $('query').value);
    localStorage.setItem(VARS_KEY, $('variables').value);
  } catch {
    // storage may be disabled; nothing to keep then
  }
}

// ---- Editing ---------------------------------------------------------------

// Tab indents, Shift-Tab outdents, Enter keeps the indentation,
// Ctrl/Cmd-Enter runs.
function editorKeys(e) {
  const ta = e.target;
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
    return;
  }
  if (e.key === 'Tab') {
    e.preventDefault();
    const { selectionStart: s, selectionEnd: end, value: v } = ta;
    const lineStart = v.lastIndexOf('\n', s - 1) + 1;
    if (s === end && !e.shiftKey) {
      ta.setRangeText(INDENT, s, end, 'end');
      return;
    }
    const block = v.slice(lineStart, end);
    const changed = e.shiftKey
      ? block.replace(/^ {1,2}/gm, '')
      : block.replace(/^/gm, INDENT);
    ta.setRangeText(changed, lineStart, end, 'select');
    return;
  }
  if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
    e.preventDefault();
    const { selectionStart: s, selectionEnd: end, value: v } = ta;
    const lineStart = v.lastIndexOf('\n', s - 1) + 1;
    let indent = v.slice(lineStart).match(/^[ \t]*/)[0];
    if (v[s - 1] === '{' || v[s - 1] === '(') indent += INDENT;
    ta.setRangeText('\n' + indent, s, end, 'end');
  }
}

// Re-indents a query by its braces and parentheses, leaving strings alone.
function tidy(src) {
  let depth = 0;
  const out = [];
  for (const raw of src.split('\n')) {
    const line = raw.trim();
    if (!line) {
      out.push('');
      continue;
    }
    let opens = 0;
    let closesFirst = 0;
    let inString = false;
    let leading = true;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '#') break;
      if (c === '"') inString = true;
      else if (c === '{' || c === '(' || c === '[') opens++;
      else if (c === '}' || c === ')' || c === ']') {
        if (leading && opens === 0) closesFirst++;
        else opens--;
      }
      if (c !== '}' && c !== ')' && c !== ']') leading = false;
    }
    depth = Math.max(0, depth - closesFirst);
    out.push(INDENT.repeat(depth) + line);
    depth = Math.max(0, depth + opens);
  }
  return out.join('\n');
}

function loadExample(ex) {
  $('query').value = ex.query;
  $('variables').value = ex.variables ? JSON.stringify(ex.variables, null, 2) : '';
  $('operation').value = '';
  save();
  $('query').focus();
}

// ---- Schema browser --------------------------------------------------------

const INTROSPECTION = `query SchemaBrowser {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name description
      fields { name description isDeprecated deprecationReason args { name description type { ...Ref } } type { ...Ref } }
      inputFields { name description type { ...Ref } }
      enumValues { name description isDeprecated }
      possibleTypes { name }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

function typeName(t) {
  if (!t) return '';
  if (t.kind === 'NON_NULL') return typeName(t.ofType) + '!';
  if (t.kind === 'LIST') return '[' + typeName(t.ofType) + ']';
  return t.name;
}

function baseName(t) {
  while (t && t.ofType) t = t.ofType;
  return t ? t.name : '';
}

let schemaTypes = [];

async function loadSchema() {
  const box = $('schema');
  box.replaceChildren(el('p', { className: 'muted', textContent: 'Loading…' }));
  try {
    const r = await graphql(INTROSPECTION, null, '', false); // reading the schema needs no token
    if (!r.json || !r.json.data) {
      const msg = r.json && r.json.errors ? r.json.errors.map((e) => e.message).join('; ') : r.text;
      box.replaceChildren(el('p', { className: 'muted', textContent: 'Could not load the schema: ' + msg }));
      return;
    }
    const s = r.json.data.__schema;
    const roots = [s.queryType && s.queryType.name, s.mutationType && s.mutationType.name].filter(Boolean);
    schemaTypes = s.types
      .filter((t) => !t.name.startsWith('__'))
      .sort((a, b) => {
        const ra = roots.indexOf(a.name);
        const rb = roots.indexOf(b.name);
        if (ra !== rb) return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb);
        return a.name.localeCompare(b.name);
      });
    renderSchema();
  } catch (e) {
    box.replaceChildren(el('p', { className: 'muted', textContent: 'Could not load the schema: ' + e }));
  }
}

function typeLink(t) {
  const name = baseName(t);
  const b = el('button', { type: 'button', className: 'type-link', textContent: typeName(t) });
  b.addEventListener('click', () => {
    const target = document.querySelector(`details[data-type="${CSS.escape(name)}"]`);
    if (target) {
      target.open = true;
      target.scrollIntoView({ block: 'nearest' });
    }
  });
  return b;
}

function renderSchema() {
  const filter = $('schema-filter').value.trim().toLowerCase();
  const box = $('schema');
  const nodes = [];
  for (const t of schemaTypes) {
    const members = (t.fields || t.inputFields || []).filter(
      (f) => !filter || t.name.toLowerCase().includes(filter) || f.name.toLowerCase().includes(filter),
    );
    const values = (t.enumValues || []).filter(
      (v) => !filter || t.name.toLowerCase().includes(filter) || v.name.toLowerCase().includes(filter),
    );
    if (filter && !t.name.toLowerCase().includes(filter) && !members.length && !values.length) continue;

    const d = el('details');
    d.dataset.type = t.name;
    if (filter) d.open = true;
    d.append(el('summary', null, t.name, el('span', { className: 'kind', textContent: t.kind.toLowerCase() })));
    if (t.description) d.append(el('div', { className: 'desc', textContent: t.description }));
    const ul = el('ul');
    for (const f of members) {
      const li = el('li', { className: 'field' });
      const name = el('span', { textContent: f.name, className: f.isDeprecated ? 'deprecated' : '' });
      li.append(name);
      if (f.args && f.args.length) {
        li.append('(');
        f.args.forEach((a, i) => {
          if (i) li.append(', ');
          li.append(a.name + ': ', typeLink(a.type));
        });
        li.append(')');
      }
      li.append(': ', typeLink(f.type));
      const desc = [f.description, f.isDeprecated ? 'Deprecated: ' + (f.deprecationReason || '') : '']
        .filter(Boolean)
        .join('\n');
      if (desc) li.append(el('div', { className: 'desc', textContent: desc }));
      ul.append(li);
    }
    for (const v of values) {
      const li = el('li', { className: 'field' }, el('span', { textContent: v.name, className: v.isDeprecated ? 'deprecated' : '' }));
      if (v.description) li.append(el('div', { className: 'desc', textContent: v.description }));
      ul.append(li);
    }
    if (t.possibleTypes && t.possibleTypes.length) {
      ul.append(el('li', { className: 'desc', textContent: 'one of: ' + t.possibleTypes.map((p) => p.name).join(', ') }));
    }
    if (ul.childElementCount) d.append(ul);
    nodes.push(d);
  }
  box.replaceChildren(...(nodes.length ? nodes : [el('p', { className: 'muted', textContent: 'Nothing matches.' })]));
}

// ---- Start -----------------------------------------------------------------

function start() {
  const list = $('examples');
  for (const ex of EXAMPLES) {
    const b = el('button', { type: 'button', textContent: ex.name, title: ex.query });
    b.addEventListener('click', () => loadExample(ex));
    list.append(el('li', null, b));
  }

  // A ?query=...&variables=... link opens with that query; &run=1 runs it.
  const params = new URLSearchParams(location.search);
  let saved = null;
  try {
    saved = { query: localStorage.getItem(QUERY_KEY), variables: localStorage.getItem(VARS_KEY) };
  } catch {
    saved = null;
  }
  if (params.has('query')) {
    $('query').value = params.get('query');
    $('variables').value = params.get('variables') || '';
  } else if (saved && saved.query) {
    $('query').value = saved.query;
    $('variables').value = saved.variables || '';
  } else if (EXAMPLES.length) {
    loadExample(EXAMPLES[0]);
  }

  const token = $('token');
  token.value = sessionStorage.getItem(TOKEN_KEY) || '';
  if (params.get('run') === '1') run();
  token.addEventListener('input', () => {
    if (token.value) sessionStorage.setItem(TOKEN_KEY, token.value);
    else sessionStorage.removeItem(TOKEN_KEY);
  });
  $('token-form').addEventListener('submit', (e) => e.preventDefault());
  $('token-clear').addEventListener('click', () => {
    token.value = '';
    sessionStorage.removeItem(TOKEN_KEY);
  });

  for (const id of ['query', 'variables']) {
    $(id).addEventListener('keydown', editorKeys);
    $(id).addEventListener('change', save);
  }
  $('operation').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run();
  });
  $('run').addEventListener('click', run);
  $('prettify').addEventListener('click', () => {
    $('query').value = tidy($('query').value);
    save();
  });
  $('copy').addEventListener('click', () => {
    if (navigator.clipboard) navigator.clipboard.writeText($('result').textContent);
  });
  $('schema-load').addEventListener('click', loadSchema);
  $('schema-filter').addEventListener('input', renderSchema);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.target.matches('textarea, input')) run();
  });
}

start();
