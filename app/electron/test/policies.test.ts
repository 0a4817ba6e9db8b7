import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPLIANCE_CSP, withCsp } from '../src/cspPolicy.js';
import { errorPageHtml } from '../src/errorPage.js';
import { navigationVerdict, requestAllowed } from '../src/navigationPolicy.js';

const ORIGIN = 'http://127.0.0.1:41234';

describe('navigationVerdict', () => {
  it('keeps the appliance’s own pages in the window', () => {
    assert.equal(navigationVerdict('http://127.0.0.1:41234/', ORIGIN), 'allow');
    assert.equal(navigationVerdict('http://127.0.0.1:41234/live?camera=demo#full', ORIGIN), 'allow');
  });

  it('sends other web pages, including other ports and names of this machine, to the system browser', () => {
    assert.equal(navigationVerdict('https://github.com/ppipe', ORIGIN), 'open-externally');
    assert.equal(navigationVerdict('http://127.0.0.1:8080/', ORIGIN), 'open-externally');
    assert.equal(navigationVerdict('http://localhost:41234/', ORIGIN), 'open-externally');
    assert.equal(navigationVerdict('https://127.0.0.1:41234/', ORIGIN), 'open-externally');
  });

  it('refuses every other scheme and what is not a URL', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'mailto:a@b.c',
      'ppipe://x',
      'not a url',
    ]) {
      assert.equal(navigationVerdict(url, ORIGIN), 'deny', url);
    }
  });
});

describe('requestAllowed', () => {
  it('lets pages load from the appliance, its WebSocket and data: URLs only', () => {
    assert.equal(requestAllowed('http://127.0.0.1:41234/assets/index.js', ORIGIN), true);
    assert.equal(requestAllowed('ws://127.0.0.1:41234/api/live', ORIGIN), true);
    assert.equal(requestAllowed('data:image/png;base64,AAAA', ORIGIN), true);
    assert.equal(requestAllowed('https://cdn.example.com/font.woff2', ORIGIN), false);
    assert.equal(requestAllowed('http://127.0.0.1:8080/api/config', ORIGIN), false);
    assert.equal(requestAllowed('ws://127.0.0.1:1883/', ORIGIN), false);
    assert.equal(requestAllowed('file:///etc/passwd', ORIGIN), false);
  });

  it('lets nothing leave before the appliance listens', () => {
    assert.equal(requestAllowed('http://127.0.0.1:41234/', undefined), false);
    assert.equal(requestAllowed('data:text/html,starting', undefined), true);
  });
});

describe('withCsp', () => {
  it('adds the appliance’s policy to a response without one', () => {
    assert.deepEqual(withCsp({ 'content-type': ['text/html'] }), {
      'content-type': ['text/html'],
      'Content-Security-Policy': [APPLIANCE_CSP],
    });
  });

  it('keeps the policy the appliance sent, whatever the case of the header name, and adds it once', () => {
    const sent = { 'content-security-policy': [APPLIANCE_CSP] };
    assert.deepEqual(withCsp(sent), sent);
    const other = { 'Content-Security-Policy': ["default-src 'none'"] };
    assert.deepEqual(withCsp(other), { 'Content-Security-Policy': ["default-src 'none'", APPLIANCE_CSP] });
  });

  it('forbids inline scripts and eval', () => {
    assert.doesNotMatch(APPLIANCE_CSP, /unsafe-inline|unsafe-eval/);
    assert.match(APPLIANCE_CSP, /default-src 'self'/);
  });
});

describe('errorPageHtml', () => {
  it('shows the reason, the folders and the last lines, escaped, without scripts', () => {
    const html = errorPageHtml({
      message: 'the appliance exited with code 1 before it listened',
      lastLines: ['ppipe start: config.yaml: cameras.0.url: expected <scheme>://…', '<script>alert(1)</script>'],
      dataDir: '/home/ana/.config/PPipe/appliance-data',
      applianceRoot: '/opt/PPipe/resources/appliance',
    });
    assert.match(html, /<p>the appliance exited with code 1 before it listened\.<\/p>/);
    assert.match(html, /\/home\/ana\/\.config\/PPipe\/appliance-data/);
    assert.match(html, /expected &#60;scheme&#62;:\/\/…/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /content="default-src 'none'; style-src 'unsafe-inline'"/);
  });

  it('says so when the appliance printed nothing', () => {
    const html = errorPageHtml({ message: 'x', lastLines: [], dataDir: '/d', applianceRoot: '/a' });
    assert.match(html, /\(the appliance printed nothing\)/);
  });
});
