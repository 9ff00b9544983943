// The web console: one page, its style and its script, served by `atomicnix serve` itself. No external assets and no
// framework: it must work on a LAN without internet, under a strict Content-Security-Policy ('self' only).

/** The console page. */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AtomicNix console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<a class="skip" href="#editor-section">Skip to the config editor</a>
<header>
  <h1>AtomicNix console</h1>
  <p id="state-line" role="status">Loading the device state…</p>
</header>
<main>
<section id="device-section" aria-labelledby="device-heading">
  <h2 id="device-heading">Device</h2>
  <dl id="device-facts"></dl>
  <p><a id="download" href="/api/config" download="config.toml" hidden>Download the current config.toml</a></p>
  <div id="apply-report" aria-live="polite"></div>
  <div id="journal"></div>
</section>

<section id="signed-section" aria-labelledby="signed-heading" hidden>
  <h2 id="signed-heading">Change this device</h2>
  <p>This device is provisioned. A change must be signed by one of its admin SSH keys; the console cannot sign.
  From a machine that has the key (or its ssh-agent or security key):</p>
  <pre id="push-command"></pre>
  <p><code>atomicnix push</code> fetches a single-use challenge, signs it with <code>ssh-keygen -Y sign</code> in
  namespace <code>atomicnix-config@v1</code>, posts the file and prints its issues. You can still check a config
  below before you push it.</p>
</section>

<section id="editor-section" aria-labelledby="editor-heading">
  <h2 id="editor-heading">Config</h2>
  <p>Paste a <code>config.toml</code> or choose a file (a <code>config.toml</code> or a bundle:
  <code>.tar</code>, <code>.tar.gz</code>, <code>.tar.zst</code>). It is checked as you type.</p>
  <p>
    <label for="upload">Config file or bundle</label>
    <input id="upload" type="file" accept=".toml,.tar,.tgz,.tar.gz,.tzst,.tar.zst,.tar.zstd">
  </p>
  <p id="bundle-note" hidden></p>
  <label for="config">config.toml</label>
  <textarea id="config" rows="22" spellcheck="false" autocomplete="off" aria-describedby="issue-summary"></textarea>
  <p id="issue-summary" role="status" aria-live="polite">Nothing checked yet.</p>
  <ol id="issues" aria-label="Issues"></ol>
  <p>
    <button id="apply" type="button" disabled>Apply this config</button>
    <span id="apply-hint"></span>
  </p>
  <div id="apply-result" role="status" aria-live="polite"></div>
</section>

<section id="builder-section" aria-labelledby="builder-heading">
  <h2 id="builder-heading">Build a new config.toml</h2>
  <form id="builder" novalidate>
    <fieldset>
      <legend>Administrator</legend>
      <label for="b-key">Admin SSH public key (one line, e.g. ssh-ed25519 AAAA… you@host)</label>
      <textarea id="b-key" rows="3" spellcheck="false" required></textarea>
    </fieldset>
    <fieldset>
      <legend>Inbound ports on the WAN</legend>
      <label for="b-tcp">TCP ports (comma-separated)</label>
      <input id="b-tcp" inputmode="numeric" value="443">
      <label for="b-udp">UDP ports (comma-separated)</label>
      <input id="b-udp" inputmode="numeric" value="">
    </fieldset>
    <fieldset>
      <legend>LAN</legend>
      <label for="b-cidr">Gateway address with /24 prefix</label>
      <input id="b-cidr" value="172.20.30.1/24">
      <label for="b-start">First DHCP address</label>
      <input id="b-start" value="172.20.30.10">
      <label for="b-end">Last DHCP address</label>
      <input id="b-end" value="172.20.30.254">
      <label for="b-domain">Local domain</label>
      <input id="b-domain" value="local">
    </fieldset>
    <fieldset>
      <legend>One container</legend>
      <label for="b-name">Name (letters, digits, - and _)</label>
      <input id="b-name" value="app">
      <label for="b-image">Image</label>
      <input id="b-image" value="" placeholder="ghcr.io/example/app:latest">
      <label for="b-publish">Published port (host:container, bound to loopback when rootless)</label>
      <input id="b-publish" value="" placeholder="10080:8080">
      <p><input id="b-privileged" type="checkbox"> <label for="b-privileged" class="inline">Rootful (privileged,
      host network)</label></p>
      <p><input id="b-health" type="checkbox" checked> <label for="b-health" class="inline">Required for health
      confirmation</label></p>
    </fieldset>
    <p><button id="build" type="submit">Put it into the editor</button></p>
  </form>
</section>
</main>
</body>
</html>
`

/** The console's style sheet: system fonts, visible focus, states carried by words and not only by colour. */
export const CONSOLE_CSS = `:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fdfdfd; --muted: #555; --err: #a4161a;
  --warn: #7a4d00; --ok: #1b5e20; --line: #bbb; }
@media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #161616; --muted: #aaa; --err: #ff8a80;
  --warn: #ffd180; --ok: #a5d6a7; --line: #555; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem 1.25rem 3rem; font: 16px/1.5 system-ui, sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 1.6rem; margin: .2rem 0; } h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); }
label { display: block; font-weight: 600; margin-top: .6rem; } label.inline { display: inline; }
textarea, input:not([type=checkbox]) { width: 100%; font: 14px/1.4 ui-monospace, monospace; padding: .4rem;
  color: inherit; background: transparent; border: 1px solid var(--line); border-radius: 4px; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .8rem 0; }
button { font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 2px solid currentColor;
  background: transparent; color: inherit; cursor: pointer; }
button[disabled] { opacity: .55; cursor: not-allowed; }
:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
#issues { padding-left: 1.4rem; } #issues li { margin: .25rem 0; }
.error { color: var(--err); } .warning { color: var(--warn); } .ok { color: var(--ok); }
.tag { font-weight: 700; text-transform: uppercase; font-size: .8rem; letter-spacing: .04em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; border-bottom: 1px solid var(--line);
  padding: .2rem .4rem; font-size: .9rem; vertical-align: top; }
pre { background: rgba(127,127,127,.12); padding: .6rem; overflow-x: auto; }
.link { border: 0; padding: 0; text-decoration: underline; }
`

/** The console's script: plain DOM code, talking to /api/* of the same origin. */
export const CONSOLE_JS = `'use strict'
const $ = (id) => document.getElementById(id)
const state = { provisioned: false, bundle: null, timer: 0, seq: 0, errors: 1 }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v)
    else node.setAttribute(k, v)
  }
  for (const child of children) node.append(child)
  return node
}

function input() {
  if (state.bundle) {
    // The API takes plain file names only; the name matters for its suffix (.tar, .tgz, .tar.zst).
    const name = state.bundle.name.replace(/[^A-Za-z0-9._+-]/g, '_').slice(-255)
    return { body: state.bundle.bytes, type: 'application/octet-stream', name }
  }
  return { body: $('config').value, type: 'application/toml', name: 'config.toml' }
}

async function post(path) {
  const i = input()
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': i.type, 'x-config-filename': i.name },
    body: i.body,
  })
  let body
  try { body = await response.json() } catch { body = { ok: false, errors: [{ code: 'bad_response', severity: 'error', path: '', message: 'The device answered ' + response.status + '.' }], warnings: [] } }
  return { status: response.status, body }
}

function goToLine(line, column) {
  const area = $('config')
  const lines = area.value.split('\\n')
  let offset = 0
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1
  offset += Math.max(0, (column || 1) - 1)
  area.focus()
  area.setSelectionRange(offset, offset)
  const lineHeight = area.scrollHeight / Math.max(lines.length, 1)
  area.scrollTop = Math.max(0, (line - 3) * lineHeight)
}

function issueItem(issue) {
  const where = issue.line ? 'line ' + issue.line + ', column ' + (issue.column || 1) : 'document'
  const kind = issue.severity === 'warning' ? 'Warning' : 'Error'
  const item = el('li', { class: issue.severity === 'warning' ? 'warning' : 'error' },
    el('span', { class: 'tag' }, kind), ' ',
    issue.line && !state.bundle
      ? el('button', { type: 'button', class: 'link', onclick: () => goToLine(issue.line, issue.column) },
          issue.line + ':' + (issue.column || 1))
      : where,
    ' [' + issue.code + '] ' + (issue.path ? issue.path + ': ' : '') + issue.message)
  item.dataset.line = String(issue.line || '')
  return item
}

function showIssues(body) {
  const list = $('issues')
  list.replaceChildren()
  const errors = body.errors || []
  const warnings = body.warnings || []
  for (const issue of [...errors, ...warnings]) list.append(issueItem(issue))
  state.errors = errors.length
  const plural = (n, w) => n + ' ' + w + (n === 1 ? '' : 's')
  $('issue-summary').textContent = errors.length === 0
    ? 'Valid' + (warnings.length ? ', with ' + plural(warnings.length, 'warning') : ': no errors, no warnings') + '.'
    : 'Invalid: ' + plural(errors.length, 'error') + ', ' + plural(warnings.length, 'warning') + '.'
  $('issue-summary').className = errors.length === 0 ? 'ok' : 'error'
  updateApply()
}

function updateApply() {
  const button = $('apply')
  const blocked = state.provisioned ? 'The device is provisioned: push a signed change instead.'
    : state.errors > 0 ? 'Fix the errors first.' : ''
  button.disabled = blocked !== ''
  $('apply-hint').textContent = blocked
}

async function validateNow() {
  const seq = ++state.seq
  if (!state.bundle && $('config').value.trim() === '') {
    $('issues').replaceChildren()
    $('issue-summary').textContent = 'Nothing to check yet.'
    state.errors = 1
    updateApply()
    return
  }
  try {
    const { body } = await post('/api/validate')
    if (seq === state.seq) showIssues(body)
  } catch (error) {
    if (seq === state.seq) $('issue-summary').textContent = 'Could not reach the device: ' + error.message
  }
}

function scheduleValidate() {
  clearTimeout(state.timer)
  state.timer = setTimeout(validateNow, 250)
}

function reportTable(report) {
  const table = el('table', {}, el('caption', {}, 'Apply steps'),
    el('tr', {}, el('th', { scope: 'col' }, 'Step'), el('th', { scope: 'col' }, 'Result'),
      el('th', { scope: 'col' }, 'Details')))
  for (const run of report.runs || []) {
    for (const step of run.steps || []) {
      const result = step.skipped ? 'skipped' : step.ok ? 'OK' : 'FAILED'
      table.append(el('tr', {}, el('td', {}, step.name),
        el('td', { class: step.ok ? 'ok' : 'error' }, result),
        el('td', {}, step.error || step.skipped || (step.files || []).join(', '))))
    }
  }
  return table
}

function renderStatus(status) {
  state.provisioned = !!status.provisioned
  const generation = status.generation
  $('state-line').textContent = status.provisioned
    ? 'Provisioned' + (generation ? ': generation ' + generation.id : '') + '.'
    : 'Not provisioned: paste or build a config.toml and apply it.'
  const facts = $('device-facts')
  facts.replaceChildren()
  const fact = (k, v) => facts.append(el('dt', {}, k), el('dd', {}, v))
  fact('State', status.provisioned ? 'provisioned (changes need a signature)' : 'not provisioned (open to the LAN)')
  fact('Device', status.device || 'unknown')
  if (generation) fact('Generation', generation.id + (generation.created ? ' (' + generation.created + ')' : ''))
  const apply = status.apply || {}
  fact('Apply', apply.state === 'running' ? 'running…' : apply.last
    ? (apply.last.ok ? 'last apply OK' : 'last apply FAILED') + (apply.last.started ? ' (' + apply.last.started + ')' : '')
    : apply.state === 'disabled' ? 'not run by this service (--no-apply)' : 'none yet')
  const report = $('apply-report')
  report.replaceChildren()
  if (apply.last) {
    if (apply.last.reverted) report.append(el('p', { class: 'error' }, 'Reverted from ' + apply.last.reverted.from +
      ' to ' + apply.last.reverted.to + ': ' + apply.last.reverted.reason))
    report.append(reportTable(apply.last))
  }
  const journal = $('journal')
  journal.replaceChildren()
  if (Array.isArray(status.bootJournal) && status.bootJournal.length > 0) {
    const table = el('table', {}, el('caption', {}, 'Recent boots'),
      el('tr', {}, el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Slot'),
        el('th', { scope: 'col' }, 'Version'), el('th', { scope: 'col' }, 'Outcome')))
    for (const boot of status.bootJournal.slice(-10)) {
      table.append(el('tr', {}, el('td', {}, boot.time || ''), el('td', {}, boot.slot || ''),
        el('td', {}, boot.version || ''), el('td', {}, boot.outcome + (boot.detail ? ': ' + boot.detail : ''))))
    }
    journal.append(table)
  }
  $('download').hidden = !status.provisioned
  $('signed-section').hidden = !status.provisioned
  $('push-command').textContent = 'atomicnix push config.toml ' + location.origin + '/ --key ~/.ssh/id_ed25519.pub'
  updateApply()
  return apply.state === 'running'
}

async function refreshStatus() {
  try {
    const response = await fetch('/api/status')
    return renderStatus(await response.json())
  } catch (error) {
    $('state-line').textContent = 'Could not reach the device: ' + error.message
    return false
  }
}

async function pollStatus() {
  for (let i = 0; i < 600; i++) {
    const running = await refreshStatus()
    if (!running) return
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

async function applyNow() {
  const result = $('apply-result')
  $('apply').disabled = true
  result.textContent = 'Saving…'
  try {
    const { status, body } = await post('/api/config')
    showIssues(body)
    result.replaceChildren()
    if (body.ok) {
      result.append(el('p', { class: 'ok' }, 'Saved as generation ' + body.generation.id +
        (body.apply === 'started' ? '; applying it now.' : '.')))
      if (body.warnings.length) result.append(el('p', { class: 'warning' }, body.warnings.length + ' warning(s), listed above.'))
      await pollStatus()
    } else {
      result.append(el('p', { class: 'error' }, 'Not applied (HTTP ' + status + '): ' +
        (body.errors[0] ? body.errors[0].message : 'see the issues above.')))
    }
  } catch (error) {
    result.textContent = 'Could not reach the device: ' + error.message
  }
  updateApply()
}

function ports(text) {
  return text.split(/[\\s,]+/).filter(Boolean).map((p) => (/^\\d+$/.test(p) ? p : JSON.stringify(p))).join(', ')
}

function buildConfig(event) {
  event.preventDefault()
  const v = (id) => $(id).value.trim()
  const name = v('b-name') || 'app'
  const key = name.replace(/[^A-Za-z0-9_-]/g, '_')
  const lines = ['version = 1', '', '[admin]', 'ssh_keys = [' + JSON.stringify(v('b-key')) + ']', '',
    '[firewall.inbound]', 'tcp = [' + ports(v('b-tcp')) + ']', 'udp = [' + ports(v('b-udp')) + ']', '',
    '[lan]', 'gateway_cidr = ' + JSON.stringify(v('b-cidr')), 'dhcp_start = ' + JSON.stringify(v('b-start')),
    'dhcp_end = ' + JSON.stringify(v('b-end')), 'domain = ' + JSON.stringify(v('b-domain')), '']
  if ($('b-health').checked) lines.push('[health]', 'required = [' + JSON.stringify(key) + ']', '')
  lines.push('[container.' + key + ']', 'privileged = ' + ($('b-privileged').checked ? 'true' : 'false'), '',
    '[container.' + key + '.Container]', 'Image = ' + JSON.stringify(v('b-image')))
  if (v('b-publish')) lines.push('PublishPort = [' + JSON.stringify(v('b-publish')) + ']')
  state.bundle = null
  $('bundle-note').hidden = true
  $('config').value = lines.join('\\n') + '\\n'
  $('config').focus()
  validateNow()
}

async function upload() {
  const file = $('upload').files[0]
  if (!file) return
  const bytes = new Uint8Array(await file.arrayBuffer())
  const text = /\\.toml$/i.test(file.name) ? new TextDecoder().decode(bytes) : null
  if (text !== null) {
    state.bundle = null
    $('config').value = text
    $('bundle-note').hidden = true
  } else {
    state.bundle = { name: file.name, bytes }
    $('config').value = ''
    $('bundle-note').hidden = false
    $('bundle-note').textContent = 'Bundle ' + file.name + ' (' + bytes.length + ' bytes) loaded; typing in the editor replaces it with a config.toml.'
  }
  validateNow()
}

document.addEventListener('DOMContentLoaded', () => {
  $('config').addEventListener('input', () => {
    if (state.bundle) {
      state.bundle = null
      $('bundle-note').hidden = true
    }
    scheduleValidate()
  })
  $('apply').addEventListener('click', applyNow)
  $('upload').addEventListener('change', upload)
  $('builder').addEventListener('submit', buildConfig)
  refreshStatus()
})
`
