// The Node build of the package against the CLI: for every fixture under tests/fixtures, the
// wasm findings equal `pullpass … --format json` (code, severity, message, help, pointer, the
// byte ranges converted to UTF-16, fixes), and the API never throws on hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, WEB } from './support.mjs';

const require = createRequire(import.meta.url);
const pp = require(join(WEB, 'pkg/node/pullpass.js'));
// The doctor module (checkIrsa, checkPodIdentity, the rule catalogue, and the one-click tools
// generateTrustPolicy, helmValues, fixPolicy): the page loads it only on demand.
const dr = require(join(WEB, 'pkg/node/pullpass_doctor.js'));
const FIXTURES = process.env.PULLPASS_FIXTURES ?? join(ROOT, 'tests/fixtures');
const PULLPASS = process.env.PULLPASS_BIN ?? join(ROOT, 'target/debug/pullpass');

function files(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

/** Runs the CLI; findings exit non-zero, so the status is not an error here. */
function cli(args, input) {
  try {
    return JSON.parse(execFileSync(PULLPASS, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] }));
  } catch (error) {
    if (error.stdout) return JSON.parse(error.stdout);
    throw new Error(`pullpass ${args.join(' ')} failed: ${error.stderr || error.message}`);
  }
}

/** UTF-16 offset of the UTF-8 byte offset `byte` in `text`. */
function utf16(text, byte) {
  return Buffer.from(text, 'utf8').subarray(0, byte).toString('utf8').length;
}

/** The CLI's finding in the wasm shape: ranges converted from bytes of `source(f)` to UTF-16. */
function fromCli(finding, source) {
  const text = source(finding);
  const out = {
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    help: finding.help,
    pointer: finding.pointer,
    range: finding.range ? [utf16(text, finding.range.start), utf16(text, finding.range.end)] : undefined,
    fixes: (finding.fixes ?? []).map((fix) => ({
      message: fix.message,
      applicability: fix.applicability,
      edits: fix.edits.map((e) => [utf16(text, e.range.start), utf16(text, e.range.end), e.replacement]),
    })),
  };
  return out;
}

function fromWasm(finding) {
  return {
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    help: finding.help,
    pointer: finding.pointer,
    range: finding.range ? [finding.range.start, finding.range.end] : undefined,
    fixes: finding.fixes.map((fix) => ({
      message: fix.message,
      applicability: fix.applicability,
      edits: fix.edits.map((e) => [e.start, e.end, e.replacement]),
    })),
  };
}

// Findings are compared in the order each side gives them: the core owns the order, and
// neither the CLI nor the wasm adapter re-sorts.

/** JSON pointer lookup (RFC 6901). */
function lookup(value, pointer) {
  if (pointer === '') return value;
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((v, p) => (v == null ? undefined : v[p]), value);
}

test('the CLI is built', () => {
  assert.ok(existsSync(PULLPASS), `${PULLPASS} is missing: cargo build -p pullpass-cli (or set PULLPASS_BIN)`);
});

const forms = files(join(FIXTURES, 'forms'), '.json');
test('there are form fixtures', () => assert.ok(forms.length > 0, 'tests/fixtures/forms is empty'));
for (const file of forms) {
  test(`form ${relative(FIXTURES, file)}: wasm findings equal the CLI's`, () => {
    const form = JSON.parse(readFileSync(file, 'utf8'));
    // The same existing registry on both sides, so the duplicate-name rule runs too.
    const expected = cli(['check', 'registry', '--existing-name', 'prod', '--form', file, '--format', 'json']);
    const result = pp.validateRegistryForm(form, { existingNames: ['prod'] });
    assert.equal(result.ok, true, result.error);
    const source = (f) => {
      const v = lookup(form, f.pointer);
      return typeof v === 'string' ? v : '';
    };
    assert.deepEqual(result.findings.map(fromWasm), expected.findings.map((f) => fromCli(f, source)));
    assert.deepEqual(result.summary, expected.summary);
    assert.equal(result.canSubmit, expected.summary.errors === 0);
    if ((form.host ?? '').trim() === '') {
      assert.equal(result.host, null, 'no host facts for a blank host');
    } else {
      assert.ok(expected.host, 'the CLI reports the host');
      for (const field of ['account', 'region', 'partition', 'fips', 'dualStack', 'kind']) {
        assert.equal(result.host[field], expected.host[field], field);
      }
    }
  });
}

// Policies: every JSON fixture outside forms/ (trust, permissions, whatever exists), but not
// repo/: those are Terraform plans and CloudFormation templates, read by pullpass-sources on the
// CLI only (the browser package lints policy text).
const policies = files(FIXTURES, '.json').filter((f) => !/^(forms|repo)([\\/]|$)/.test(relative(FIXTURES, f)));
test('there are policy fixtures', () => assert.ok(policies.length > 0, 'no policy fixtures under tests/fixtures'));
for (const file of policies) {
  test(`policy ${relative(FIXTURES, file)}: wasm findings equal the CLI's`, () => {
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    const expected = cli(['lint', file, '--format', 'json']);
    const result = pp.lintPolicy(text, {});
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(result.findings.map(fromWasm), expected.findings.map((f) => fromCli(f, () => text)));
    if (expected.files?.[0]) assert.equal(result.kind ?? 'unknown', expected.files[0].kind);
    // The core's fix loop on both sides: fixPolicy gives the text `pullpass lint --fix` writes.
    const fixed = dr.fixPolicy(text, {});
    assert.equal(fixed.ok, true, fixed.error);
    const dir = mkdtempSync(join(tmpdir(), 'pullpass-fix-'));
    try {
      const copy = join(dir, basename(file));
      writeFileSync(copy, bytes);
      cli(['lint', '--fix', copy, '--format', 'json']);
      assert.equal(fixed.text, readFileSync(copy, 'utf8'), `${file}: fixPolicy vs lint --fix`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Lines equal the CLI's; columns are the CLI's counted in UTF-16 instead of chars.
    const lines = text.split('\n');
    const utf16Column = (pos) => [...lines[pos.line - 1]].slice(0, pos.column - 1).join('').length + 1;
    const cliPositions = expected.findings.filter((f) => f.start).map((f) => [f.start.line, utf16Column(f.start), f.end.line, utf16Column(f.end), f.code]);
    const ours = result.findings.filter((f) => f.range).map((f) => [f.range.startLine, f.range.startColumn, f.range.endLine, f.range.endColumn, f.code]);
    assert.deepEqual(ours, cliPositions);
  });
}

const hostsFile = join(FIXTURES, 'hosts.txt');
const hosts = existsSync(hostsFile)
  ? readFileSync(hostsFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  : [];
test('host fixtures: parseRegistryHost equals `pullpass host`', () => {
  assert.ok(hosts.length > 0, 'tests/fixtures/hosts.txt is missing or empty');
  for (const host of hosts) {
    const expected = cli(['host', host, '--format', 'json']);
    const result = pp.parseRegistryHost(host);
    assert.equal(result.ok, true, result.error);
    assert.deepEqual(result.findings.map(fromWasm), expected.findings.map((f) => fromCli(f, () => host)), host);
    for (const field of ['account', 'region', 'partition', 'fips', 'dualStack', 'kind']) {
      assert.equal(result.host[field], expected.host[field], `${host}: ${field}`);
    }
  }
});

/** `depth` objects inside each other. */
function nested(leaf, depth) {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}
// Deeper than JSON.stringify's own stack: it throws a RangeError.
const deepArray = (() => {
  const root = [];
  let cur = root;
  for (let i = 0; i < 200000; i += 1) {
    const next = [];
    cur.push(next);
    cur = next;
  }
  return root;
})();

test('hostile input comes back as values, never as exceptions', () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const cases = [
    () => pp.validateRegistryForm(cyclic, {}),
    () => pp.validateRegistryForm({ host: 10n }, {}),
    () => pp.validateRegistryForm('host', {}),
    () => pp.validateRegistryForm([], {}),
    () => pp.validateRegistryForm({ unknown: 'x' }, {}),
    () => pp.validateRegistryForm({ host: null }, {}),
    () => pp.validateRegistryForm({}, { existingNames: 'x' }),
    () => pp.lintPolicy(undefined, {}),
    () => pp.lintPolicy(42, {}),
    () => pp.lintPolicy('{}', { kind: 'role' }),
    () => pp.lintPolicy('{}', cyclic),
    () => pp.parseRegistryHost(null),
    () => pp.parseRegistryHost('x', { kind: 'docker' }),
    () => pp.validateRegistryForm({ name: 'x', override: nested({}, 300) }),
    () => pp.validateRegistryForm({ name: 'x', tag: deepArray }),
  ];
  for (const call of cases) {
    const result = call();
    assert.equal(result.ok, false, `${call}`);
    assert.equal(typeof result.error, 'string');
    assert.ok(result.error.length > 10, result.error);
    assert.doesNotMatch(result.error, /\{\}$/, 'the reason is said, not an empty object');
  }
  // Valid calls still work after all that (the module did not trap).
  assert.equal(pp.parseRegistryHost('public.ecr.aws').host.public, true);
});

test('huge, deep and odd inputs give findings, not traps', () => {
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  const inputs = [deep, '{'.repeat(50000), '\u0000\uFFFF\uD800', '"'.repeat(1000000), '{"Statement": ' + '[1,'.repeat(20000)];
  for (const text of inputs) {
    const result = pp.lintPolicy(text, {});
    assert.equal(result.ok, true, result.error);
    assert.ok(result.findings.length > 0);
  }
  const form = pp.validateRegistryForm({ host: 'a'.repeat(100000), name: '\uD83D'.repeat(100) }, {});
  assert.equal(form.ok, true);
  assert.equal(form.canSubmit, false);
});

test('rules() lists every rule with its documentation; version() is the crate version', () => {
  const rules = dr.rules();
  const codes = rules.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const prefix of ['RF', 'TP', 'EP', 'DR']) assert.ok(codes.some((c) => c.startsWith(prefix)), prefix);
  for (const rule of rules) assert.match(rule.docs, /## What it does/);
  const cli = JSON.parse(execFileSync(PULLPASS, ['rules', '--format', 'json'], { encoding: 'utf8' }));
  const cliCodes = (Array.isArray(cli) ? cli : cli.rules ?? []).map((r) => r.code);
  if (cliCodes.length) assert.deepEqual(codes, cliCodes);
  assert.match(pp.version(), /^\d+\.\d+\.\d+/);
  assert.equal(dr.version(), pp.version());
});

test('two modules: the form module has no doctor and no rule docs; the doctor module no form', () => {
  for (const name of ['checkIrsa', 'checkPodIdentity', 'rules', 'generateTrustPolicy', 'helmValues', 'fixPolicy']) assert.equal(pp[name], undefined, name);
  for (const name of ['validateRegistryForm', 'lintPolicy']) assert.equal(dr[name], undefined, name);
  const gz = (file) => gzipSync(readFileSync(join(WEB, 'pkg', file)), { level: 9 }).length;
  // The 400 KB budget of `cargo xtask wasm`; the 150 KB target is judged by `cargo xtask bench`.
  for (const file of ['pullpass_bg.wasm', 'pullpass_doctor_bg.wasm']) assert.ok(gz(file) <= 400_000, `${file}: ${gz(file)} bytes gzipped`);
});

test('the declarations type-check and describe what the functions return', () => {
  const tsc = join(WEB, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022',
    '--moduleResolution', 'bundler', join(WEB, 'test/types.ts')], { stdio: 'pipe' });
});

// Doctor: every fixture set under tests/fixtures/doctor/ (args: the command line, one argument a
// line, file names relative to the folder), through checkIrsa / checkPodIdentity and the CLI.
const DOCTOR = join(FIXTURES, 'doctor');
const DOCTOR_FILES = new Set(['--service-account', '--helm-values', '--trust-policy', '--cluster',
  '--oidc-provider', '--pod-env', '--association', '--permissions-policy']);
/** `--trust-policy` → `trustPolicy`, `--expect-service-account` → `expectedServiceAccount`. */
const doctorKey = (flag) => (flag === '--expect-service-account'
  ? 'expectedServiceAccount'
  : flag.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase()));

const doctorCases = existsSync(DOCTOR)
  ? readdirSync(DOCTOR).filter((c) => existsSync(join(DOCTOR, c, 'args'))).sort()
  : [];
test('there are doctor fixture sets', () => assert.ok(doctorCases.length >= 40, `only ${doctorCases.length}`));
for (const name of doctorCases) {
  test(`doctor ${name}: wasm checklist equals the CLI's`, () => {
    const dir = join(DOCTOR, name);
    const args = readFileSync(join(dir, 'args'), 'utf8').split('\n').filter((l) => l !== '');
    const [mode, ...flags] = args;
    const inputs = {};
    for (let i = 0; i < flags.length; i += 2) {
      const flag = flags[i];
      assert.ok(flag.startsWith('--') && i + 1 < flags.length, `${name}: cannot read args at ${flag}`);
      inputs[doctorKey(flag)] = DOCTOR_FILES.has(flag) ? readFileSync(join(dir, flags[i + 1]), 'utf8') : flags[i + 1];
    }
    const expected = (() => {
      try {
        return JSON.parse(execFileSync(PULLPASS, ['doctor', ...args, '--format', 'json'], { cwd: dir, encoding: 'utf8' }));
      } catch (error) {
        if (error.stdout) return JSON.parse(error.stdout);
        throw error;
      }
    })();
    const result = mode === 'irsa' ? dr.checkIrsa(inputs) : dr.checkPodIdentity(inputs);
    assert.equal(result.ok, true, result.error);
    assert.equal(result.mode, expected.mode);
    assert.equal(result.sound, expected.ok);
    assert.deepEqual(result.summary, expected.summary);
    assert.deepEqual(result.checks.map((c) => c.id), expected.checks.map((c) => c.id));
    result.checks.forEach((check, i) => {
      const want = expected.checks[i];
      const what = `${name}: ${check.id}`;
      assert.equal(check.title, want.title, what);
      assert.equal(check.status, want.status, what);
      assert.equal(check.detail, want.detail, what);
      assert.equal(check.blockedBy, want.blockedBy, what);
      assert.deepEqual(check.needs, (want.needs ?? []).map(doctorKey), what);
      assert.equal(Boolean(check.finding), Boolean(want.finding), what);
      if (check.finding) {
        const text = check.input ? inputs[check.input] ?? '' : '';
        assert.deepEqual(fromWasm(check.finding), fromCli(want.finding, () => text), what);
        if (check.finding.range) {
          assert.ok(check.input, `${what}: a range needs the input it points into`);
          assert.ok(check.finding.range.end <= text.length, `${what}: range inside ${check.input}`);
        }
      }
    });
  });
}

test('doctor: hostile inputs are failures or checklists, never throws', () => {
  for (const inputs of [undefined, null, 42, 'x', [], { trustPolicy: 7 }, { nope: 'x' }, { trustPolicy: '\ud83d{' },
    { serviceAccount: 'a: [' .repeat(5000) }, { podEnv: '\u0000'.repeat(100) }]) {
    for (const fn of [dr.checkIrsa, dr.checkPodIdentity]) {
      const result = fn(inputs);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.match(result.error, /could not read the inputs/);
      else assert.ok(result.checks.length > 0);
    }
  }
});
