// The IRSA check panel: the artifacts of an IRSA or EKS Pod Identity set-up, pasted as the tools
// print them, checked link by link as the user types (the `pullpass doctor` checks, in wasm).
import { el, rich } from './util.js';
import { EXAMPLES } from './doctor-examples.js';

/** What each input is called on the page (for "needs" and "blocked by"). */
const LABELS = {
  serviceAccount: 'Service account YAML',
  helmValues: 'Helm values',
  expectedServiceAccount: 'Expected service account',
  trustPolicy: 'Trust policy',
  roleArn: 'Role ARN',
  issuer: 'OIDC issuer',
  cluster: 'describe-cluster JSON',
  oidcProvider: 'OIDC provider JSON',
  registry: 'Registry host',
  podEnv: 'Pod env',
  association: 'Pod Identity association JSON',
  permissionsPolicy: 'Permissions policy',
  repository: 'Repository',
};

/**
 * What the page calls an input: the label of its box (without the grey note), so the checklist
 * speaks the page's words; `LABELS` where no box has it.
 */
function labelOf(key) {
  const box = document.querySelector(`#doctor [data-input="${key}"]`);
  const label = box && document.querySelector(`label[for="${box.id}"]`);
  const text = label
    ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim()
    : '';
  return text || LABELS[key] || key;
}

/** `--trust-policy` (as in `input.trust-policy`) → `trustPolicy`. */
function keyOfFlag(flag) {
  const key = flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  return key === 'expectServiceAccount' ? 'expectedServiceAccount' : key;
}

const STATUS_TEXT = { passed: 'passed', warning: 'warning', failed: 'failed', notChecked: 'not checked' };

export function setupDoctor(pp) {
  const panel = document.getElementById('doctor');
  const list = document.getElementById('doctor-checks');
  const status = document.getElementById('doctor-status');
  const fields = [...panel.querySelectorAll('[data-input]')];

  const mode = () => panel.querySelector('input[name=doctor-mode]:checked').value;

  function showMode() {
    const m = mode();
    for (const node of panel.querySelectorAll('.irsa-only')) node.hidden = m !== 'irsa';
    for (const node of panel.querySelectorAll('.pod-identity-only')) node.hidden = m !== 'podIdentity';
  }

  /** The inputs of the current mode; blank fields are left out (not given). */
  function inputs() {
    const out = {};
    for (const field of fields) {
      if (field.closest('[hidden]')) continue;
      if (field.value.trim() !== '') out[field.dataset.input] = field.value;
    }
    return out;
  }

  function titleOf(id, checks) {
    if (id.startsWith('input.')) return `${labelOf(keyOfFlag(id.slice(6)))} (could not be read)`;
    const check = checks.find((c) => c.id === id);
    return check ? check.title : id;
  }

  function item(check, checks) {
    const f = check.finding;
    const li = el('li', {
      'data-status': check.status,
      'data-id': check.id,
      'data-code': f ? f.code : undefined,
    },
    el('div', { class: 'head' },
      el('span', { class: `badge st-${check.status}` }, STATUS_TEXT[check.status] ?? check.status),
      el('span', { class: 'title' }, check.title),
      f ? el('span', { class: `code sev-${f.severity}` }, f.code) : null,
      el('span', { class: 'where' }, check.id)));
    if (f) {
      const where = f.range && check.input ? ` (${labelOf(check.input)}, line ${f.range.startLine})` : '';
      li.append(el('p', { class: 'cause' }, el('strong', {}, 'Cause: '), ...rich(f.message), where));
      if (f.help) li.append(el('p', { class: 'fix' }, el('strong', {}, 'Fix: '), ...rich(f.help)));
    } else if (check.status !== 'notChecked' || !check.needs.length) {
      li.append(el('p', { class: 'detail' }, ...rich(check.detail)));
    }
    if (check.blockedBy) {
      li.append(el('p', { class: 'blocked' }, 'Blocked by: ', el('span', { class: 'blocker' }, titleOf(check.blockedBy, checks))));
    } else if (check.needs.length) {
      // The page's words, not the CLI's flags: which boxes above would let this be checked.
      const boxes = check.needs.filter((n) => n !== 'live').map(labelOf);
      const live = check.needs.includes('live');
      const text = boxes.length
        ? `To check this, fill in: ${boxes.join(', ')}.${live ? ' The CLI can also fetch it from AWS (pullpass doctor, live mode).' : ''}`
        : 'Only the CLI checks this, with your AWS credentials (pullpass doctor, live mode).';
      li.append(el('p', { class: 'needs' }, text));
    }
    return li;
  }

  function run() {
    const result = mode() === 'irsa' ? pp.checkIrsa(inputs()) : pp.checkPodIdentity(inputs());
    list.replaceChildren();
    if (!result.ok) {
      status.dataset.state = 'error';
      status.textContent = result.error;
      return;
    }
    const s = result.summary;
    if (s.passed + s.failed + s.warnings === 0) {
      // Nothing given yet: no wall of "not checked" rows, no red.
      status.dataset.state = 'pending';
      status.textContent = 'Nothing checked yet: paste what you have into the boxes above, or load the sound or broken example.';
      return;
    }
    status.dataset.state = result.sound ? 'ok' : 'error';
    status.textContent = `${s.passed} passed · ${s.failed} failed · ${s.warnings} warnings · ${s.notChecked} not checked`;
    // Checked links first, then those still waiting for an input.
    const checked = result.checks.filter((c) => c.status !== 'notChecked');
    const waiting = result.checks.filter((c) => c.status === 'notChecked');
    list.append(...checked.map((c) => item(c, result.checks)));
    if (waiting.length) {
      list.append(el('li', { class: 'waiting', role: 'presentation' }, `Not checked yet (${waiting.length}): each says what would check it`));
      list.append(...waiting.map((c) => item(c, result.checks)));
    }
  }

  function fill(kind) {
    const example = EXAMPLES[mode()][kind];
    for (const field of fields) field.value = example?.[field.dataset.input] ?? '';
    run();
  }

  panel.addEventListener('input', run);
  panel.addEventListener('change', (event) => {
    if (event.target.name === 'doctor-mode') showMode();
    run();
  });
  document.getElementById('doctor-sound').addEventListener('click', () => fill('sound'));
  document.getElementById('doctor-broken').addEventListener('click', () => fill('broken'));
  document.getElementById('doctor-clear').addEventListener('click', () => fill('none'));
  showMode();
  run();
}
