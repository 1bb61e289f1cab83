// The page half of `cargo xtask bench browser`: times the wasm package and ajv on the same
// inputs in the same page, and records what each of them catches.
import init, * as pullpass from '../pkg/pullpass.js';

const status = document.getElementById('status');

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const total = samples.reduce((a, b) => a + b, 0);
  return { calls: samples.length, medianMs: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1], meanMs: total / samples.length };
}

/** `calls` timed calls of `fn` (after `calls / 10` untimed ones), one `performance.now()` pair each. */
function time(fn, calls) {
  for (let i = 0; i < Math.max(10, calls / 10); i++) fn();
  const samples = new Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fn();
    samples[i] = performance.now() - start;
  }
  // The same calls back to back, timed as a batch: the mean without timer granularity.
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn();
  const batchMeanMs = (performance.now() - start) / calls;
  return { ...stats(samples), batchMeanMs };
}

/** The smallest step `performance.now()` shows on this page. */
function timerResolutionMs() {
  let best = Infinity;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

function codes(result) {
  return result && result.ok ? result.findings.map((f) => f.code) : [];
}

window.pullpassBench = async (config) => {
  const started = performance.now();
  await init();
  const wasmInitMs = performance.now() - started;
  const Ajv = window.ajv2020;
  if (!Ajv) throw new Error('ajv2020 bundle did not load');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateForm = ajv.compile(config.formSchema);
  const validatePolicy = ajv.compile(config.policySchema);
  const ajvPolicy = (text) => {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    return validatePolicy(value);
  };
  const calls = config.calls;
  const out = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    timerResolutionMs: timerResolutionMs(),
    wasmInitMs,
    pullpassVersion: pullpass.version(),
    form: {
      wasm: time(() => pullpass.validateRegistryForm(config.form, { existingNames: ['staging'] }), calls),
      ajv: time(() => validateForm(config.form), calls),
    },
    policy: {
      wasm: time(() => pullpass.lintPolicy(config.policy, { kind: 'trust' }), calls),
      ajv: time(() => ajvPolicy(config.policy), calls),
    },
    policyCases: config.policyCases.map((c) => {
      const result = pullpass.lintPolicy(c.text, { kind: 'trust' });
      return {
        kind: c.kind,
        expected: c.expected,
        wasmCodes: codes(result),
        wasmBlocking: result && result.ok ? result.summary.errors + result.summary.warnings : null,
        wasmFailure: result && !result.ok ? result.error : null,
        ajvValid: ajvPolicy(c.text),
      };
    }),
    formCases: config.formCases.map((c) => {
      const result = pullpass.validateRegistryForm(c.form, {});
      return {
        label: c.label,
        expected: c.expected,
        wasmCodes: codes(result),
        wasmErrors: result && result.ok ? result.summary.errors : null,
        wasmFailure: result && !result.ok ? result.error : null,
        ajvValid: validateForm(c.form),
      };
    }),
  };
  status.textContent = 'done';
  return out;
};
status.textContent = 'ready';
