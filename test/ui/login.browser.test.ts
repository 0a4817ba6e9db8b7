// Log-in in a real browser (server.auth: required, the admin password from PPIPE_ADMIN_PASSWORD): a page
// opened logged out leads to the UI's /login; a wrong password is refused on the page; the right one opens
// the Live page; *Log out* returns to /login and the API refuses the browser again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { MODEL } from '../applianceSupport.ts';
import { launchBrowser, startAppliance } from '../../tools/uiHarness.ts';
import { skipReasonFor } from './browserSupport.ts';
import type { RunningAppliance } from '../../tools/uiHarness.ts';

const PASSWORD = 'correct horse battery staple';
const CONFIG = `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
cameras: []
server:
  port: 0
  auth: required
`;

describe('log-in through the UI', { timeout: 120_000 }, () => {
  const missing = skipReasonFor('log-in');
  let appliance: RunningAppliance | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (missing !== undefined) return;
    appliance = await startAppliance({ configYaml: CONFIG, env: { PPIPE_ADMIN_PASSWORD: PASSWORD } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await appliance?.stop();
  });

  it('refuses a wrong password, logs in with the right one, and logs out', { skip: missing }, async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${appliance!.url}/cameras`);
    await page.waitForURL('**/login');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /password/i);
    assert.ok(page.url().endsWith('/login'));

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.waitForURL('**/live');
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    assert.equal((await page.request.get(`${appliance!.url}/api/cameras`)).status(), 200);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    assert.equal((await page.request.get(`${appliance!.url}/api/cameras`)).status(), 401);
  });
});
