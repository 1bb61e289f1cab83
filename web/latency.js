// The latency page: times the calls an admin UI makes on every keystroke. Not a test: it
// reports numbers (`cargo xtask wasm --bench` prints them; the budget is a median under 1 ms).
import init, * as pp from './pkg/pullpass.js';

/** A typical Add-registry form: static keys on private ECR, a cross-account role. */
export const FORM = {
  name: 'Production ECR',
  host: '123456789012.dkr.ecr.eu-central-1.amazonaws.com',
  kind: 'ecr',
  accessKeyId: 'AKIAZ7Q2KXMPL4ABCDEF',
  secretAccessKey: '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',
  roleArn: 'arn:aws:iam::210987654321:role/ecr-pull',
  externalId: 'pullpass-prod',
};

/** A typical IRSA trust policy (what the generator writes, plus one finding). */
export const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'CoderPullsFromEcr',
    Effect: 'Allow',
    Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9' },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        'oidc.eks.eu-central-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:sub': 'system:serviceaccount:coder:coder',
        'https://oidc.eks.eu-central-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9:aud': 'sts.amazonaws.com',
      },
    },
  }],
}, null, 2);

function time(fn, calls = 1000) {
  for (let i = 0; i < 100; i += 1) fn();
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i += 1) {
    const start = performance.now();
    fn();
    samples[i] = performance.now() - start;
  }
  samples.sort();
  const at = (q) => samples[Math.min(calls - 1, Math.ceil(q * calls) - 1)];
  const mean = samples.reduce((a, b) => a + b, 0) / calls;
  return { calls, medianMs: at(0.5), p99Ms: at(0.99), maxMs: samples[calls - 1], meanMs: mean };
}

function resolution() {
  let best = Infinity;
  for (let i = 0; i < 50; i += 1) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

async function run() {
  const out = document.getElementById('results');
  out.textContent = 'running…';
  await new Promise((ok) => setTimeout(ok, 20));
  const form = pp.validateRegistryForm(FORM, { existingNames: ['Docker Hub'] });
  const lint = pp.lintPolicy(TRUST, { expectedServiceAccount: 'coder/coder' });
  const results = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: window.crossOriginIsolated,
    timerResolutionMs: resolution(),
    initMs,
    formFindings: form.findings.map((f) => f.code),
    trustFindings: lint.findings.map((f) => f.code),
    trustPolicyBytes: new TextEncoder().encode(TRUST).length,
    validateRegistryForm: time(() => pp.validateRegistryForm(FORM, { existingNames: ['Docker Hub'] })),
    lintPolicy: time(() => pp.lintPolicy(TRUST, { expectedServiceAccount: 'coder/coder' })),
    parseRegistryHost: time(() => pp.parseRegistryHost(FORM.host)),
  };
  const row = (name) => {
    const r = results[name];
    return `${name.padEnd(22)} median ${r.medianMs.toFixed(4)} ms   p99 ${r.p99Ms.toFixed(4)} ms   max ${r.maxMs.toFixed(3)} ms   mean ${r.meanMs.toFixed(4)} ms`;
  };
  out.textContent = [
    row('validateRegistryForm'),
    row('lintPolicy'),
    row('parseRegistryHost'),
    '',
    `module fetch + compile + instantiate: ${results.initMs.toFixed(1)} ms`,
    `timer resolution ${results.timerResolutionMs.toFixed(4)} ms (cross-origin isolated: ${results.crossOriginIsolated})`,
    `form findings: ${results.formFindings.join(', ') || 'none'}; trust policy (${results.trustPolicyBytes} bytes) findings: ${results.trustFindings.join(', ') || 'none'}`,
  ].join('\n');
  window.latencyResults = results;
  document.documentElement.dataset.latency = 'done';
}

const initStart = performance.now();
await init();
const initMs = performance.now() - initStart;
document.getElementById('run').addEventListener('click', run);
await run();
