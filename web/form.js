// The Add-registry dialog: validates the whole form on every keystroke and shows each finding
// under its field (aria-invalid, aria-describedby, a polite live region for the summary).
import { applyEdits, el, rich, summaryText } from './util.js';

/** Form JSON pointer → input id. */
const FIELDS = {
  '/name': 'name',
  '/host': 'host',
  '/kind': 'kind',
  '/accessKeyId': 'accessKeyId',
  '/secretAccessKey': 'secretAccessKey',
  '/sessionToken': 'sessionToken',
  '/roleArn': 'roleArn',
  '/externalId': 'externalId',
  '/override/accountId': 'overrideAccountId',
  '/override/region': 'overrideRegion',
};

/** Registries the platform already has (the duplicate-name rule checks against them). */
const EXISTING = ['Docker Hub', 'GitHub Packages'];

export function setupForm(pp) {
  const form = document.getElementById('registry-form');
  const $ = (id) => document.getElementById(id);
  const touched = new Set();
  let submitted = false;
  let lastStatus = '';

  function read() {
    const value = (id) => $(id).value;
    const data = {
      name: value('name'),
      host: value('host'),
      kind: value('kind'),
      accessKeyId: value('accessKeyId'),
      secretAccessKey: value('secretAccessKey'),
      sessionToken: value('sessionToken'),
      roleArn: value('roleArn'),
      externalId: value('externalId'),
    };
    if (value('overrideAccountId') !== '' || value('overrideRegion') !== '') {
      data.override = { accountId: value('overrideAccountId'), region: value('overrideRegion') };
    }
    return data;
  }

  function fieldFor(pointer) {
    if (FIELDS[pointer]) return FIELDS[pointer];
    // `/override` as a whole: show it under the account field.
    if (pointer.startsWith('/override')) return 'overrideAccountId';
    return null;
  }

  /** What the page calls a field: its label, without the "optional" note. */
  function labelOf(id) {
    const label = id && document.querySelector(`label[for=${id}]`);
    if (!label) return 'the form';
    const text = [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    return text ? `“${text}”` : 'the form';
  }

  /** “A”, “A and B”, “A, B and C”. */
  function listText(items) {
    return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  }

  function messageItem(finding, fieldId) {
    const fixes = finding.fixes.map((fix) =>
      el('button', {
        type: 'button',
        class: 'fix',
        onclick: () => {
          const input = $(fieldId);
          input.value = applyEdits(input.value, fix.edits);
          touched.add(fieldId);
          validate();
          input.focus();
        },
      }, ...rich(fix.message)),
    );
    return el('li', { 'data-severity': finding.severity, 'data-code': finding.code },
      el('span', { class: 'code' }, finding.code),
      el('span', {}, ...rich(finding.message), finding.help ? el('span', { class: 'help' }, ...rich(finding.help)) : null, ...fixes),
    );
  }

  function showHost(host) {
    const facts = $('host-facts');
    const creds = $('credentials');
    facts.replaceChildren();
    creds.dataset.public = String(Boolean(host && host.public));
    if (!host || (host.kind === 'other' && !host.account)) {
      facts.hidden = true;
      return;
    }
    const row = (name, value) => [el('dt', {}, name), el('dd', { 'data-fact': name.toLowerCase() }, value)];
    const kinds = { privateEcr: 'Private ECR', publicEcr: 'Public ECR', other: 'Other registry' };
    facts.append(...row('Kind', kinds[host.kind] ?? host.kind));
    if (host.account) facts.append(...row('Account', host.account));
    if (host.region) facts.append(...row('Region', host.region));
    if (host.partition) facts.append(...row('Partition', host.partition));
    if (host.kind === 'privateEcr') {
      facts.append(...row('FIPS', host.fips ? 'yes' : 'no'));
      facts.append(...row('Dual-stack', host.dualStack ? 'yes (IPv6)' : 'no'));
    }
    if (host.fromOverride) facts.append(el('dd', { class: 'note' }, 'Account and region come from the vanity-host override.'));
    if (host.public) {
      facts.append(el('dd', { class: 'note', 'data-fact': 'public' },
        'Public ECR: no credentials are needed to pull. Credentials only raise rate limits.'));
    }
    facts.hidden = false;
  }

  /** ECR takes AWS keys (or nothing, for IRSA); a generic registry a user name and password. */
  function labelCredentials(kind) {
    const ecr = kind !== 'generic';
    document.querySelector('label[for=accessKeyId]').textContent = ecr ? 'Access Key ID' : 'User name';
    document.querySelector('label[for=secretAccessKey]').textContent = ecr ? 'Secret Access Key' : 'Password or token';
    $('accessKeyId').placeholder = ecr ? 'AKIA…' : '';
    $('credentials-hint').replaceChildren(...(ecr
      ? ['Leave both ', el('strong', {}, 'Access Key ID'), ' and ', el('strong', {}, 'Secret Access Key'),
        ' blank to use IRSA (IAM roles for service accounts) or EKS Pod Identity.']
      : ['Leave both blank for a registry that allows anonymous pulls.']));
  }

  function validate() {
    const data = read();
    labelCredentials(data.kind);
    $('sessionToken-field').hidden = !(data.accessKeyId.trim().startsWith('ASIA') || data.sessionToken !== '');
    const result = pp.validateRegistryForm(data, { existingNames: EXISTING });
    if (!result.ok) {
      $('form-status').dataset.state = 'error';
      $('form-status').textContent = result.error;
      $('import').disabled = true;
      return;
    }
    const byField = new Map();
    const general = [];
    for (const finding of result.findings) {
      const id = fieldFor(finding.pointer);
      if (id) {
        if (!byField.has(id)) byField.set(id, []);
        byField.get(id).push(finding);
      } else {
        general.push(finding);
      }
    }
    for (const id of Object.values(FIELDS)) {
      const input = $(id);
      const list = $(`${id}-messages`);
      // Notes (info) show at once; errors and warnings once the field was typed in.
      const all = byField.get(id) ?? [];
      const shown = submitted || touched.has(id) ? all : all.filter((f) => f.severity === 'info');
      list.replaceChildren(...shown.map((f) => messageItem(f, id)));
      if (shown.some((f) => f.severity === 'error')) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    $('form-messages').replaceChildren(...(touched.size || submitted ? general.map((f) => messageItem(f, 'name')) : []));
    showHost(result.host);
    $('import').disabled = !result.canSubmit;

    const status = $('form-status');
    let text;
    if (result.canSubmit) {
      const notes = summaryText(result.summary);
      text = notes ? `Ready to import (${notes}).` : 'Ready to import.';
      status.dataset.state = 'ok';
    } else {
      // Errors in fields the user has not typed in yet are not shown (no red before typing);
      // the status names those fields instead, in the page's words.
      const errors = result.findings.filter((f) => f.severity === 'error');
      const isShown = (f) => submitted || (fieldFor(f.pointer) ? touched.has(fieldFor(f.pointer)) : touched.size > 0);
      const shown = errors.filter(isShown).length;
      // In the order of the form, top to bottom.
      const order = Object.values(FIELDS);
      const rank = (f) => { const i = order.indexOf(fieldFor(f.pointer)); return i < 0 ? order.length : i; };
      const hiddenErrors = errors.filter((f) => !isShown(f)).sort((a, b) => rank(a) - rank(b));
      const waiting = [...new Set(hiddenErrors.map((f) => labelOf(fieldFor(f.pointer))))];
      const fill = waiting.length ? listText(waiting) : '';
      if (shown === 0) {
        text = `To import, fill in ${fill}.`;
        status.dataset.state = 'pending';
      } else {
        const count = shown === 1 ? '1 error' : `${shown} errors`;
        text = `Import is disabled: ${count} to fix${fill ? `, and ${fill} to fill in` : ''}.`;
        status.dataset.state = 'error';
      }
    }
    // Announce only changes: a live region that repeats itself on every keystroke is noise.
    if (text !== lastStatus) {
      status.textContent = text;
      lastStatus = text;
    }
  }

  for (const id of Object.values(FIELDS)) {
    const input = $(id);
    const mark = () => {
      touched.add(id);
      validate();
    };
    // `input` for text fields, `change` for the select. Not `change` on text fields: it fires on
    // blur, re-rendering the messages under the pointer while a fix button is being clicked.
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', mark);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitted = true;
    validate();
    if (!$('import').disabled) {
      const status = $('form-status');
      status.dataset.state = 'ok';
      status.textContent = `Registry "${$('name').value.trim()}" added (demo: nothing was sent anywhere).`;
      lastStatus = status.textContent;
    }
  });
  form.addEventListener('reset', () => {
    touched.clear();
    submitted = false;
    setTimeout(validate, 0);
  });
  validate();
}
