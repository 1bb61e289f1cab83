// The trust-policy editor: a transparent textarea over a backdrop that repeats the text and
// wraps each finding's UTF-16 range in a <mark>, a findings list with one-click fixes, the
// generator and the helm values for the role (those two come from the doctor module, fetched on
// their first use: `tools()`).
import { applyEdits, el, rich, summaryText, worst } from './util.js';

const SAMPLE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "CoderPullsFromEcr",
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C3F0A4B2E1D6C7B8A9F0E1D2C3B4A59"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "https://oidc.eks.us-east-1.amazonaws.com/id/5C3F0A4B2E1D6C7B8A9F0E1D2C3B4A59:sub": "system:serviceaccount:coder:*"
        }
      }
    }
  ]
}
`;

/**
 * `pp`: the form + policy module (lint as you type); `tools()`: a promise of the on-demand module
 * with `generateTrustPolicy` and `helmValues` (app.js loads it once).
 */
export function setupEditor(pp, tools) {
  const $ = (id) => document.getElementById(id);
  const textarea = $('policy');
  const backdrop = $('backdrop');
  const list = $('findings');
  const status = $('policy-status');
  let findings = [];
  let lastStatus = '';

  function context() {
    const ctx = {};
    const sa = $('lint-sa').value.trim();
    const role = $('lint-role').value.trim();
    if (sa) ctx.expectedServiceAccount = sa;
    if (role) ctx.roleArn = role;
    return ctx;
  }

  /** The backdrop: the same text, each finding's range wrapped in a <mark>. */
  function paint(text) {
    const ranged = findings
      .map((f, index) => ({ f, index }))
      .filter(({ f }) => f.range);
    const cuts = new Set([0, text.length]);
    for (const { f } of ranged) {
      cuts.add(Math.min(f.range.start, text.length));
      cuts.add(Math.min(f.range.end, text.length));
    }
    const points = [...cuts].sort((a, b) => a - b);
    const nodes = [];
    const emptyAt = (pos) => ranged.filter(({ f }) => f.range.start === f.range.end && Math.min(f.range.start, text.length) === pos);
    for (let i = 0; i < points.length; i += 1) {
      const at = points[i];
      for (const { f, index } of emptyAt(at)) {
        nodes.push(el('mark', { class: 'empty', 'data-severity': f.severity, 'data-codes': f.code, 'data-findings': index }));
      }
      if (i + 1 === points.length) break;
      const next = points[i + 1];
      const segment = text.slice(at, next);
      const covering = ranged.filter(({ f }) => f.range.start <= at && f.range.end >= next && f.range.start < f.range.end);
      if (covering.length === 0) {
        nodes.push(document.createTextNode(segment));
      } else {
        nodes.push(el('mark', {
          'data-severity': worst(covering.map(({ f }) => f)),
          'data-codes': covering.map(({ f }) => f.code).join(' '),
          'data-findings': covering.map(({ index }) => index).join(' '),
          title: covering.map(({ f }) => `${f.code}: ${f.message}`).join('\n'),
        }, segment));
      }
    }
    // A final newline needs a character after it, or the backdrop is one line short.
    nodes.push(document.createTextNode('\n '));
    backdrop.replaceChildren(...nodes);
    backdrop.scrollTop = textarea.scrollTop;
  }

  function highlight(index) {
    for (const mark of backdrop.querySelectorAll('mark')) {
      mark.classList.toggle('active', mark.dataset.findings.split(' ').includes(String(index)));
    }
  }

  function select(finding, index) {
    highlight(index);
    if (finding.range) {
      textarea.focus();
      textarea.setSelectionRange(finding.range.start, finding.range.end);
    }
  }

  function item(finding, index) {
    const where = finding.range ? `${finding.range.startLine}:${finding.range.startColumn}` : 'document';
    const fixes = finding.fixes.map((fix) =>
      el('button', {
        type: 'button',
        class: 'fix',
        'data-applicability': fix.applicability,
        onclick: (event) => {
          event.stopPropagation();
          setText(applyEdits(textarea.value, fix.edits));
        },
      }, fix.applicability === 'safe' ? 'Fix: ' : 'Apply (review it): ', ...rich(fix.message)),
    );
    return el('li', {
      tabindex: 0,
      'data-severity': finding.severity,
      'data-code': finding.code,
      onclick: () => select(finding, index),
      onkeydown: (event) => { if (event.key === 'Enter') select(finding, index); },
      onmouseenter: () => highlight(index),
      onmouseleave: () => highlight(-1),
    },
    el('div', { class: 'head' },
      el('span', { class: `code sev-${finding.severity}` }, finding.code),
      el('span', { class: 'severity' }, finding.severity),
      el('span', { class: 'where' }, where)),
    el('p', { class: 'message' }, ...rich(finding.message)),
    finding.help ? el('p', { class: 'help' }, ...rich(finding.help)) : null,
    fixes.length ? el('div', { class: 'fixes' }, ...fixes) : null);
  }

  function lint() {
    const text = textarea.value;
    if (text.trim() === '') {
      findings = [];
      paint(text);
      list.replaceChildren();
      announce('Paste a trust policy, or generate one above.', '');
      return;
    }
    const result = pp.lintPolicy(text, context());
    if (!result.ok) {
      findings = [];
      paint(text);
      list.replaceChildren();
      announce(result.error, 'error');
      return;
    }
    findings = result.findings;
    paint(text);
    list.replaceChildren(...findings.map(item));
    const kind = result.kind ? `${result.kind} policy` : 'policy';
    const counts = summaryText(result.summary);
    if (text === SAMPLE) {
      // The example the page opens with is broken on purpose: no alarm before the user typed.
      announce(`The example below is broken on purpose (${counts}): each finding is underlined where it is. Paste your policy over it to check yours.`, 'pending');
      return;
    }
    announce(counts ? `${kind}: ${counts}.` : `${kind}: no findings.`, result.summary.errors ? 'error' : 'ok');
  }

  function announce(text, state) {
    status.dataset.state = state;
    if (text !== lastStatus) {
      status.textContent = text;
      lastStatus = text;
    }
  }

  function setText(text) {
    textarea.value = text;
    lint();
  }

  textarea.addEventListener('input', lint);
  textarea.addEventListener('scroll', () => {
    backdrop.scrollTop = textarea.scrollTop;
    backdrop.scrollLeft = textarea.scrollLeft;
  });
  $('lint-sa').addEventListener('input', lint);
  $('lint-role').addEventListener('input', lint);

  // The generator.
  const mode = () => document.querySelector('input[name=mode]:checked').value;
  const syncMode = () => {
    for (const node of document.querySelectorAll('.irsa-only')) node.hidden = mode() !== 'irsa';
  };
  for (const radio of document.querySelectorAll('input[name=mode]')) radio.addEventListener('change', syncMode);
  syncMode();
  /** The on-demand module, or `null` after saying in `show` why it could not be loaded. */
  const loadTools = async (show) => {
    try {
      return await tools();
    } catch (error) {
      console.error(error);
      show(`the generator could not be loaded (${error && error.message ? error.message : error}); reload the page`);
      return null;
    }
  };
  $('generate').addEventListener('click', async () => {
    const namespace = $('gen-namespace').value.trim();
    const serviceAccount = $('gen-sa').value.trim();
    const options = { mechanism: mode(), namespace, serviceAccount };
    if (mode() === 'irsa') {
      const issuer = $('gen-issuer').value.trim();
      if (issuer.startsWith('arn:')) options.providerArn = issuer;
      else options.issuer = issuer;
      const account = $('gen-account').value.trim();
      if (account) options.account = account;
    }
    const dr = await loadTools((message) => { $('generate-error').textContent = message; });
    if (!dr) return;
    const result = dr.generateTrustPolicy(options);
    if (!result.ok) {
      $('generate-error').textContent = result.error;
      return;
    }
    $('generate-error').textContent = '';
    $('lint-sa').value = namespace && serviceAccount ? `${namespace}/${serviceAccount}` : '';
    setText(result.policy);
  });

  // Helm values and kubectl checks for the role.
  const helmRole = $('helm-role');
  helmRole.addEventListener('input', async () => {
    const role = helmRole.value.trim();
    const out = $('helm-out');
    const messages = $('helm-messages');
    if (!role) {
      out.hidden = true;
      messages.replaceChildren();
      helmRole.removeAttribute('aria-invalid');
      return;
    }
    const dr = await loadTools((message) => {
      out.hidden = true;
      messages.replaceChildren(el('li', { 'data-severity': 'error' }, message));
    });
    // Typed on while the module loaded: the newer input event draws its own result.
    if (!dr || helmRole.value.trim() !== role) return;
    const result = dr.helmValues(role);
    if (!result.ok) {
      out.hidden = true;
      helmRole.setAttribute('aria-invalid', 'true');
      messages.replaceChildren(el('li', { 'data-severity': 'error' }, result.error));
      return;
    }
    helmRole.removeAttribute('aria-invalid');
    messages.replaceChildren();
    $('helm-values').textContent = result.values;
    out.hidden = false;
  });

  setText(SAMPLE);
}
