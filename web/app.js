// The demo page: loads the pullpass WebAssembly package, then wires the Add-registry dialog
// and the trust-policy editor to it, and the IRSA check panel. No framework, no network beyond this origin.
// Two modules: the form + policy module (pkg/pullpass.js) loads with the page; the doctor module
// (pkg/pullpass_doctor.js) only when the IRSA check panel opens (see doctor.js) or one of the
// editor's one-click tools (generate a policy, helm values) is first used.
import { setupForm } from './form.js';
import { setupEditor } from './editor.js';
import { setupDoctor } from './doctor.js';

const engine = document.getElementById('engine-status');

async function load() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    throw new Error('this browser does not support WebAssembly');
  }
  const pp = await import('./pkg/pullpass.js');
  await pp.default({ module_or_path: new URL('./pkg/pullpass_bg.wasm', import.meta.url) });
  return pp;
}

/**
 * The package never throws on bad input; a bug inside it would (a trap). Guarded, such a call
 * says so where the result would have been shown, instead of leaving a dead event handler.
 */
const wrap = (fn) => (...args) => {
  try {
    return fn(...args);
  } catch (error) {
    console.error(error);
    return { ok: false, error: `internal error in the validator (${error.message}); reload the page` };
  }
};

let doctor = null;

/** The doctor module, fetched and instantiated the first time it is asked for (once). */
function loadDoctor() {
  doctor ??= (async () => {
    const dr = await import('./pkg/pullpass_doctor.js');
    await dr.default({ module_or_path: new URL('./pkg/pullpass_doctor_bg.wasm', import.meta.url) });
    return {
      checkIrsa: wrap(dr.checkIrsa),
      checkPodIdentity: wrap(dr.checkPodIdentity),
      generateTrustPolicy: wrap(dr.generateTrustPolicy),
      helmValues: wrap(dr.helmValues),
      rules: dr.rules,
    };
  })();
  return doctor;
}

function guard(pp) {
  return {
    validateRegistryForm: wrap(pp.validateRegistryForm),
    lintPolicy: wrap(pp.lintPolicy),
    parseRegistryHost: wrap(pp.parseRegistryHost),
    version: pp.version,
  };
}

function degrade(error) {
  const box = document.getElementById('load-error');
  box.hidden = false;
  box.textContent =
    'The validator could not be loaded, so nothing on this page is checked as you type. ' +
    `Reason: ${error && error.message ? error.message : String(error)}. ` +
    'Reload the page; if this keeps happening, the browser may block WebAssembly ' +
    '(a content-security policy without wasm-unsafe-eval, or a very old browser). ' +
    'The registry is still validated on the server when you import it.';
  engine.textContent = 'validator unavailable';
  // Without local checks the dialog still submits: the server checks again.
  document.getElementById('import').disabled = false;
  window.pullpassReady = Promise.resolve(false);
  document.documentElement.dataset.pullpass = 'failed';
}

try {
  const pp = guard(await load());
  engine.textContent = 'validator ready';
  engine.classList.add('ready');
  document.getElementById('version').textContent = pp.version();
  setupForm(pp);
  setupEditor(pp, loadDoctor);
  setupDoctor(loadDoctor);
  document.documentElement.dataset.pullpass = 'ready';
} catch (error) {
  console.error(error);
  degrade(error);
}
