// The demo page in Debian's Chromium, used as an admin would: typing into the dialog, pasting
// a policy, clicking a fix, generating a policy. Screenshots go to artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, artifactPath, launch, serve } from './support.mjs';

const PULLPASS = process.env.PULLPASS_BIN ?? join(ROOT, 'target/debug/pullpass');

let server;
let chromium;

before(async () => {
  server = await serve();
  chromium = await launch();
});

after(async () => {
  await chromium?.close();
  await server?.close();
});

async function open(url = server.url) {
  const page = await chromium.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.pullpass);
  return { page, errors };
}

/** The CLI's findings for `text` (as a policy file), ranges converted to UTF-16. */
function cliLint(text) {
  const dir = mkdtempSync(join(tmpdir(), 'pullpass-policy-'));
  const file = join(dir, 'trust.json');
  writeFileSync(file, text);
  let out;
  try {
    out = execFileSync(PULLPASS, ['lint', file, '--format', 'json'], { encoding: 'utf8' });
  } catch (error) {
    out = error.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bytes = Buffer.from(text, 'utf8');
  const u16 = (b) => bytes.subarray(0, b).toString('utf8').length;
  return JSON.parse(out).findings.map((f) => ({ ...f, u16: f.range && [u16(f.range.start), u16(f.range.end)] }));
}

/** Types like a person: one key at a time, so every keystroke validates. */
async function type(page, selector, text) {
  await page.fill(selector, '');
  await page.locator(selector).pressSequentially(text);
}

describe('the Add-registry dialog', () => {
  test('a bad host gets a message and aria-invalid; fixing it clears both', async () => {
    const { page, errors } = await open();
    await type(page, '#name', 'Production ECR');
    await type(page, '#host', '123456789012.dkr.ecr.us-east-1.amazonaws.co');
    const message = page.locator('#host-messages li[data-severity=error]');
    await message.first().waitFor();
    assert.match(await message.first().textContent(), /RF027/);
    assert.match(await message.first().textContent(), /amazonaws\.com/, 'a "did you mean"');
    assert.equal(await page.getAttribute('#host', 'aria-invalid'), 'true');
    const describedBy = await page.getAttribute('#host', 'aria-describedby');
    assert.ok(describedBy.split(' ').includes('host-messages'));
    assert.equal(await page.isDisabled('#import'), true);
    assert.match(await page.textContent('#form-status'), /Import is disabled/);
    assert.equal(await page.getAttribute('#form-status', 'aria-live'), 'polite');
    await page.screenshot({ path: artifactPath('dialog-bad-host.png'), fullPage: true });

    await page.locator('#host').press('End');
    await page.locator('#host').press('m');
    await page.waitForFunction(() => !document.querySelector('#host').hasAttribute('aria-invalid'));
    assert.equal(await page.locator('#host-messages li').count(), 0);
    assert.equal(await page.textContent('#host-facts [data-fact=account]'), '123456789012');
    assert.equal(await page.textContent('#host-facts [data-fact=region]'), 'us-east-1');
    assert.equal(await page.textContent('#host-facts [data-fact=partition]'), 'aws');
    // Both keys blank: ambient credentials (IRSA), so the form can be imported.
    assert.equal(await page.isDisabled('#import'), false);
    assert.match(await page.textContent('#form-status'), /Ready to import/);
    await page.screenshot({ path: artifactPath('dialog.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an access key pasted into the secret field is RF036, and the value is never shown', async () => {
    const { page } = await open();
    await page.fill('#name', 'Prod');
    await page.fill('#host', '123456789012.dkr.ecr.eu-central-1.amazonaws.com');
    await type(page, '#accessKeyId', 'AKIAZ7Q2KXMPL4ABCDEF');
    const pasted = 'AKIAZ7Q2KXMPL4GHIJKL';
    await page.locator('#secretAccessKey').focus();
    await page.keyboard.insertText(pasted);
    const item = page.locator('#secretAccessKey-messages li[data-code=RF036]');
    await item.waitFor();
    assert.match(await item.textContent(), /swapped/i);
    assert.equal(await page.getAttribute('#secretAccessKey', 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled('#import'), true);
    const body = await page.evaluate(() => document.body.innerText);
    assert.ok(!body.includes(pasted), 'the secret appears in the page text');
    await page.close();
  });

  test('public ECR says no credentials are needed', async () => {
    const { page } = await open();
    await type(page, '#host', 'public.ecr.aws');
    await page.locator('#host-facts [data-fact=public]').waitFor();
    assert.match(await page.textContent('#host-facts [data-fact=public]'), /no credentials are needed/);
    await page.close();
  });

  test('a vanity host needs the override; a generic registry asks for a user name', async () => {
    const { page } = await open();
    await page.fill('#name', 'Proxy');
    await type(page, '#host', 'registry.example.com');
    await page.locator('#host-messages li[data-code=RF021]').waitFor();
    assert.equal(await page.isDisabled('#import'), true);
    await page.click('#advanced summary');
    await type(page, '#overrideAccountId', '123456789012');
    await type(page, '#overrideRegion', 'eu-west-1');
    await page.waitForFunction(() => !document.querySelector('#host').hasAttribute('aria-invalid'));
    assert.equal(await page.textContent('#host-facts [data-fact=account]'), '123456789012');
    assert.equal(await page.textContent('#host-facts [data-fact=region]'), 'eu-west-1');
    assert.equal(await page.isDisabled('#import'), false);
    await type(page, '#overrideAccountId', '12345');
    await page.locator('#overrideAccountId-messages li[data-code=RF028]').waitFor();
    assert.equal(await page.getAttribute('#overrideAccountId', 'aria-invalid'), 'true');

    await page.selectOption('#kind', 'generic');
    assert.equal(await page.textContent('label[for=accessKeyId]'), 'User name');
    assert.match(await page.textContent('#credentials-hint'), /anonymous/);
    await page.close();
  });

  test('a fix button under a field applies the fix', async () => {
    const { page } = await open();
    await type(page, '#host', 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com');
    const fix = page.locator('#host-messages li[data-code=RF011] button.fix');
    await fix.click();
    assert.equal(await page.inputValue('#host'), '123456789012.dkr.ecr.us-west-2.amazonaws.com');
    assert.equal(await page.locator('#host-messages li').count(), 0);
    await page.close();
  });
});

describe('the trust-policy editor', () => {
  // Non-ASCII before the finding: "é" and "ü" are 2 bytes but 1 UTF-16 unit, "😀" 4 bytes
  // and 2 units; a byte offset used as a UTF-16 offset would underline the wrong characters.
  const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ÉquipePlateformeü😀",
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "https://oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub": "system:serviceaccount:coder:coder",
          "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}
`;

  test('the underline covers exactly the offending token, and a fix applies', async () => {
    const { page, errors } = await open();
    await page.fill('#policy', '');
    await page.locator('#policy').focus();
    await page.keyboard.insertText(POLICY);
    const item = page.locator('#findings li[data-code=TP022]');
    await item.waitFor();

    const cli = cliLint(POLICY).find((f) => f.code === 'TP022');
    assert.ok(cli, 'the CLI reports TP022 too');
    const expected = POLICY.slice(cli.u16[0], cli.u16[1]);
    assert.match(expected, /^"?https:\/\/oidc\.eks/);
    const index = await item.evaluate((li) => [...li.parentElement.children].indexOf(li));
    const underlined = await page.evaluate((i) => [...document.querySelectorAll('#backdrop mark')]
      .filter((m) => (m.dataset.findings ?? '').split(' ').includes(String(i)))
      .map((m) => m.textContent)
      .join(''), index);
    assert.equal(underlined, expected);
    // The backdrop text is the textarea text: the underline sits under the same characters.
    const backdrop = await page.evaluate(() => document.querySelector('#backdrop').textContent);
    assert.equal(backdrop.slice(0, POLICY.length), POLICY);
    // Clicking the finding selects the token in the textarea.
    await item.click();
    const selected = await page.evaluate(() => {
      const t = document.querySelector('#policy');
      return t.value.slice(t.selectionStart, t.selectionEnd);
    });
    assert.equal(selected, expected);
    await page.locator('#editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('editor.png'), fullPage: true });

    await item.locator('button.fix').first().click();
    await page.waitForFunction(() => !document.querySelector('#findings li[data-code=TP022]'));
    const value = await page.inputValue('#policy');
    assert.ok(!value.includes('"https://oidc'), value);
    assert.ok(value.includes('"oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub"'));
    assert.ok(value.includes('ÉquipePlateformeü😀'), 'text before the fix is untouched');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('underlines take no width: the text after a finding stays aligned with the textarea', async () => {
    const { page } = await open();
    const text = '{"Version": "2012-10-17", "Statement": [{"Effect": , "Action": "sts:AssumeRole"}]}';
    await page.fill('#policy', text);
    await page.locator('#findings li[data-code=TP001]').waitFor();
    const shift = await page.evaluate(() => {
      const backdrop = document.querySelector('#backdrop');
      const range = document.createRange();
      const last = [...backdrop.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.includes('AssumeRole'))[0];
      if (!last) return 'no text node after the mark';
      const at = last.textContent.indexOf('AssumeRole');
      range.setStart(last, at);
      range.setEnd(last, at + 1);
      const got = range.getBoundingClientRect().left;
      // Where the same character sits without any mark: measure a copy of the plain text.
      const probe = backdrop.cloneNode(false);
      probe.textContent = backdrop.textContent;
      backdrop.parentElement.append(probe);
      const r2 = document.createRange();
      const node = probe.firstChild;
      const i = node.textContent.indexOf('AssumeRole');
      r2.setStart(node, i);
      r2.setEnd(node, i + 1);
      const want = r2.getBoundingClientRect().left;
      probe.remove();
      return Math.abs(got - want);
    });
    assert.ok(shift < 0.5, `text after the mark moved by ${shift}px`);
    // A finding at a position (an empty range, e.g. at the end of input) is drawn as a
    // zero-width marker.
    await page.fill('#policy', '{"Version": "2012-10-17", "Statement": [');
    await page.locator('#backdrop mark.empty').waitFor({ state: 'attached' });
    const width = await page.evaluate(() => document.querySelector('#backdrop mark.empty').getBoundingClientRect().width);
    assert.equal(width, 0);
    await page.close();
  });

  test('a generated IRSA policy shows no findings; helm values for the role', async () => {
    const { page, errors } = await open();
    await page.fill('#gen-issuer', 'https://oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9');
    await page.fill('#gen-account', '123456789012');
    await page.fill('#gen-namespace', 'coder');
    await page.fill('#gen-sa', 'coder');
    await page.click('#generate');
    // The generated policy, by its issuer ID: the page's example policy also names
    // AssumeRoleWithWebIdentity, and it is still there while the doctor module loads on a
    // first click (a cold cache made the wait pass on the example, findings and all).
    await page.waitForFunction(() => document.querySelector('#policy').value.includes('0A1B2C3D4E5F60718293A4B5C6D7E8F9'));
    assert.equal(await page.textContent('#generate-error'), '');
    assert.equal(await page.locator('#findings li').count(), 0, await page.textContent('#findings'));
    assert.match(await page.textContent('#policy-status'), /no findings/);
    assert.equal(await page.locator('#backdrop mark').count(), 0);
    const generated = await page.inputValue('#policy');
    assert.deepEqual(cliLint(generated).map((f) => f.code), [], 'the CLI agrees');

    await page.fill('#helm-role', 'arn:aws:iam::123456789012:role/coder-ecr');
    await page.locator('#helm-out').waitFor();
    assert.match(await page.textContent('#helm-values'), /eks\.amazonaws\.com\/role-arn: "?arn:aws:iam::123456789012:role\/coder-ecr/);
    assert.match(await page.textContent('#helm-values'), /kubectl get serviceaccount/);
    await page.fill('#helm-role', 'arn:aws:iam::1234:role/x');
    await page.waitForFunction(() => document.querySelector('#helm-role').getAttribute('aria-invalid') === 'true');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('Pod Identity: a generated policy shows no findings', async () => {
    const { page } = await open();
    await page.check('input[name=mode][value=podIdentity]');
    await page.click('#generate');
    await page.waitForFunction(() => document.querySelector('#policy').value.includes('pods.eks.amazonaws.com'));
    assert.equal(await page.locator('#findings li').count(), 0, await page.textContent('#findings'));
    await page.close();
  });
});

test('without the wasm module the page says so clearly', async () => {
  const blocked = await serve({ block: ['pullpass_bg.wasm'] });
  try {
    const { page } = await open(blocked.url);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.pullpass), 'failed');
    const text = await page.textContent('#load-error');
    assert.match(text, /validator could not be loaded/);
    assert.equal(await page.isVisible('#load-error'), true);
    await page.screenshot({ path: artifactPath('degraded.png') });
    await page.close();
  } finally {
    await blocked.close();
  }
});

describe('before anything is typed, and half filled', () => {
  test('no error colour before typing; the status names the untouched field that blocks Import', async () => {
    const { page, errors } = await open();
    const status = page.locator('#form-status');
    assert.equal(await page.isDisabled('#import'), true);
    assert.notEqual(await status.getAttribute('data-state'), 'error', 'red before anything was typed');
    assert.match(await status.textContent(), /fill in “Registry name” and “Registry”/);
    assert.equal(await page.locator('#registry-form [aria-invalid=true]').count(), 0);
    assert.equal(await page.locator('#registry-form .messages li[data-severity=error]').count(), 0);
    const color = await status.evaluate((e) => getComputedStyle(e).color);
    const red = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--error').trim());
    assert.notEqual(color, 'rgb(198, 40, 40)', `status colour ${color} (error is ${red})`);

    // Half filled: the host typed, the name not: the status says the name blocks Import.
    await type(page, '#host', '123456789012.dkr.ecr.us-east-1.amazonaws.com');
    await page.waitForFunction(() => /“Registry name”/.test(document.querySelector('#form-status').textContent));
    assert.doesNotMatch(await status.textContent(), /“Registry”/);
    assert.notEqual(await status.getAttribute('data-state'), 'error');
    // An error where the user typed is red, and the untouched field is still named.
    await type(page, '#host', '123456789012.dkr.ecr.us-east-1.amazonaws.co');
    await page.waitForFunction(() => document.querySelector('#form-status').dataset.state === 'error');
    assert.match(await status.textContent(), /Import is disabled: 1 error to fix, and “Registry name” to fill in/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('the page at every width', () => {
  /** Everything that makes the page wide at once: findings, facts, the doctor's broken example. */
  async function busy(page) {
    await type(page, '#host', '123456789012.dkr.ecr.us-east-1.amazonaws.co');
    await page.click('#advanced summary');
    await page.fill('#roleArn', 'arn:aws:iam::123456789012:role/a-very-long-role-name-that-does-not-break-anywhere-at-all');
    await page.fill('#policy', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"https://oidc.eks.us-east-1.amazonaws.com/id/5C6D6A7E8F9A0B1C2D3E4F5A6B7C8D9E:sub":"system:serviceaccount:coder:*"}}}]}');
    await page.locator('#policy').dispatchEvent('input');
    await page.click('#doctor-broken');
    await page.locator('#doctor-checks li[data-status=failed]').first().waitFor();
  }

  const overflow = (page) => page.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth,
    inner: window.innerWidth,
    // The widest element that sticks out, to say what overflows.
    culprit: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('[hidden]'))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`)
      .slice(0, 5),
  }));

  test('no horizontal overflow from 360 to 1600 px; screenshots at 390 and 1280', async () => {
    const { page, errors } = await open();
    for (const [name, fill] of [['empty', false], ['busy', true]]) {
      if (fill) await busy(page);
      for (let width = 360; width <= 1600; width += 40) {
        for (const w of width === 400 ? [390, 400] : [width]) {
          await page.setViewportSize({ width: w, height: 900 });
          const o = await overflow(page);
          assert.ok(o.scroll <= o.inner, `${name} page at ${w} px: scrollWidth ${o.scroll} > ${o.inner}: ${o.culprit.join(', ')}`);
          if (w === 390 || w === 1280) {
            await page.screenshot({ path: artifactPath(`page-${name}-${w}.png`), fullPage: true });
          }
        }
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('inputs of a row stay aligned when a label wraps', async () => {
    const { page } = await open();
    for (const width of [700, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.click('#doctor-broken');
    const tops = await page.evaluate(() => [...document.querySelectorAll('.row.fields, .doctor-inputs')]
      .filter((row) => !row.closest('[hidden]') && row.offsetParent)
      .map((row) => {
        const inputs = [...row.querySelectorAll(':scope > .field:not([hidden]) > :is(input, select, textarea)')];
        // Inputs on the same visual line (grid row) must share their top.
        const byLine = new Map();
        for (const input of inputs) {
          const r = input.getBoundingClientRect();
          const line = Math.round(input.closest('.field').getBoundingClientRect().top);
          if (!byLine.has(line)) byLine.set(line, []);
          byLine.get(line).push(Math.round(r.top));
        }
        return [...byLine.values()];
      }));
    for (const row of tops) {
      for (const line of row) assert.equal(new Set(line).size, 1, `input tops ${line} at ${width} px`);
    }
    }
    await page.close();
  });
});

test('a browser without WebAssembly gets the same clear message', async () => {
  const page = await chromium.context.newPage();
  await page.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.pullpass);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.pullpass), 'failed');
  assert.match(await page.textContent('#load-error'), /does not support WebAssembly/);
  // The dialog still works without local checks: the server validates on import.
  assert.equal(await page.isDisabled('#import'), false);
  await page.close();
});

describe('the IRSA check panel', () => {
  const failed = (page) => page.locator('#doctor-checks li[data-status=failed]');

  test('the doctor module is fetched only when the panel opens, not with the page', async () => {
    const page = await chromium.context.newPage();
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    // A short window: the panel starts below the fold.
    await page.setViewportSize({ width: 1000, height: 500 });
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => document.documentElement.dataset.pullpass === 'ready');
    await page.waitForTimeout(300);
    assert.ok(fetched.includes('/pkg/pullpass_bg.wasm'), fetched.join(' '));
    assert.ok(!fetched.some((p) => p.includes('pullpass_doctor')), `fetched before the panel opened: ${fetched.join(' ')}`);
    assert.equal(await page.getAttribute('#doctor', 'data-doctor'), 'idle');
    await page.locator('#doctor').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById('doctor').dataset.doctor === 'ready');
    assert.ok(fetched.includes('/pkg/pullpass_doctor_bg.wasm'), fetched.join(' '));
    await page.click('#doctor-sound');
    await page.waitForFunction(() => document.querySelectorAll('#doctor-checks li').length > 0);
    await page.close();
  });

  test('a trust policy for the wrong service account fails trust.subject with TP032; fixing it passes', async () => {
    const { page, errors } = await open();
    await page.click('#doctor-sound');
    await page.waitForFunction(() => document.querySelectorAll('#doctor-checks li').length > 0);
    assert.equal(await failed(page).count(), 0, 'the sound example passes');
    assert.equal(await page.getAttribute('#doctor-status', 'data-state'), 'ok');
    assert.ok(await page.locator('#doctor-checks li[data-status=passed][data-id="trust.subject"]').count() === 1);

    // Paste a trust policy that admits coder/coderd instead of coder/coder, as a person would.
    const trust = await page.inputValue('#dr-trustPolicy');
    const broken = trust.replace('system:serviceaccount:coder:coder"', 'system:serviceaccount:coder:coderd"');
    assert.notEqual(broken, trust);
    await page.fill('#dr-trustPolicy', broken);
    await failed(page).first().waitFor();
    assert.equal(await failed(page).count(), 1, 'only the broken link fails');
    assert.equal(await failed(page).getAttribute('data-id'), 'trust.subject');
    assert.equal(await failed(page).getAttribute('data-code'), 'TP032');
    const text = await failed(page).textContent();
    assert.match(text, /Cause:/);
    assert.match(text, /Fix:/);
    assert.equal(await page.getAttribute('#doctor-status', 'data-state'), 'error');
    await page.screenshot({ path: artifactPath('doctor-broken.png'), fullPage: true });

    // Fix it by typing: delete the stray "d".
    const at = broken.indexOf('coder:coderd"') + 'coder:coderd'.length;
    await page.locator('#dr-trustPolicy').evaluate((t, pos) => { t.focus(); t.setSelectionRange(pos, pos); }, at);
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => !document.querySelector('#doctor-checks li[data-status=failed]'));
    assert.equal(await page.locator('#doctor-checks li[data-status=passed][data-id="trust.subject"]').count(), 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the broken examples, blocked links, missing inputs and the Pod Identity mode', async () => {
    const { page, errors } = await open();
    await page.click('#doctor-broken');
    await failed(page).first().waitFor();
    assert.equal(await failed(page).getAttribute('data-code'), 'TP032');

    // Without the trust policy its links are not checked and say what would check them.
    await page.fill('#dr-trustPolicy', '');
    await page.waitForFunction(() => !document.querySelector('#doctor-checks li[data-status=failed]'));
    const waiting = page.locator('#doctor-checks li[data-status=notChecked][data-id="trust.subject"]');
    assert.match(await waiting.textContent(), /To check this, fill in: .*Trust policy/);
    assert.doesNotMatch(await waiting.textContent(), /--[a-z]/, 'the page\'s words, not CLI flags');

    // An unreadable service account blocks the links that need it, and says so.
    await page.fill('#dr-serviceAccount', 'metadata: [unclosed');
    await failed(page).first().waitFor();
    const blocked = page.locator('#doctor-checks li .blocked');
    assert.ok(await blocked.count() > 0, 'a link blocked by the unreadable YAML');

    await page.check('input[name=doctor-mode][value=podIdentity]');
    assert.equal(await page.isVisible('#dr-association'), true);
    assert.equal(await page.isVisible('#dr-helmValues'), false);
    await page.click('#doctor-broken');
    await failed(page).first().waitFor();
    assert.equal(await failed(page).count(), 1);
    assert.equal(await failed(page).getAttribute('data-code'), 'DR020');
    await page.click('#doctor-sound');
    await page.waitForFunction(() => !document.querySelector('#doctor-checks li[data-status=failed]'));
    assert.match(await page.textContent('#doctor-status'), /0 failed/);
    await page.click('#doctor-clear');
    assert.equal(await page.inputValue('#dr-association'), '');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
