// The browser half of `cargo xtask bench browser`: serves web/, opens web/bench/ in Debian's
// Chromium, runs the page's benchmark with the inputs of the config file given as the only
// argument, and prints one JSON object (with the .wasm sizes) on stdout.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, serve, WEB } from './support.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const wasmPath = join(WEB, 'pkg', 'pullpass_bg.wasm');
const wasm = readFileSync(wasmPath);
const sizes = { rawBytes: statSync(wasmPath).size, gzipBytes: gzipSync(wasm, { level: 9 }).length };
const ajvVersion = JSON.parse(readFileSync(join(WEB, 'node_modules/ajv-dist/package.json'), 'utf8')).version;

const server = await serve();
const browser = await launch();
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/bench/index.html`);
  try {
    await page.waitForFunction(() => typeof window.pullpassBench === 'function', null, { timeout: 20000 });
  } catch {
    throw new Error(`the bench page did not load: ${errors.join('; ') || 'no page error'}`);
  }
  const result = await page.evaluate((c) => window.pullpassBench(c), config);
  const chromium = browser.context.browser()?.version() ?? null;
  process.stdout.write(`${JSON.stringify({ ...result, sizes, ajvVersion, chromium, pageErrors: errors })}\n`);
} finally {
  await browser.close();
  await server.close();
}
