// `cargo xtask wasm --bench`: opens latency.html in Chromium and prints its numbers as JSON.
// A measurement, not a test: it fails only when the page cannot run.
import { launch, serve } from './support.mjs';

const server = await serve();
const chromium = await launch();
try {
  const page = await chromium.context.newPage();
  await page.goto(`${server.url}/latency.html`);
  await page.waitForFunction(() => document.documentElement.dataset.latency === 'done', null, { timeout: 120000 });
  const results = await page.evaluate(() => window.latencyResults);
  console.log(await page.textContent('#results'));
  console.log(JSON.stringify(results, null, 2));
} finally {
  await chromium.close();
  await server.close();
}
