/**
 * The fence around Next.js/React internals (lib/next-internals.ts): the
 * installed versions are the ones its formats were checked against, the
 * formats still match what the installed Next writes where that can be read
 * without a build, binary payload rows are refused by the page writers and
 * carried by the CSP pass, and plain `next build` / `next dev` are refused.
 * (The byte-for-byte proofs with a real build: test/article-pages.test.ts,
 * test/file-pages.test.ts, test/hostile-csp.test.ts, test/dev.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CHECKED_AGAINST,
  devServerReadyUrl,
  htmlSafeJson,
  INLINE_PAYLOAD_BINARY_SCRIPT,
  PAYLOAD_ROW,
  refuseBinaryPayloadRows,
  UPGRADE_PROCEDURE,
} from '../lib/next-internals';
import { compileTemplate } from '../lib/article-template';
import { fillFileTemplate } from '../lib/file-page-template';
import { applyPagePolicy, DATA_LOADER } from '../lib/build/csp';
import { loadConfig } from '../lib/config';
import { assertKbRunner } from '../lib/config/runner';
import { REPO_ROOT } from '../bench/lib/corpus';

const require = createRequire(import.meta.url);
const installed = (name: string) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
const nextFile = (rel: string) => readFileSync(path.join(path.dirname(require.resolve('next/package.json')), rel), 'utf8');

test('the installed next, react and react-dom are the versions the fence was checked against', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const [name, version] of Object.entries(CHECKED_AGAINST)) {
    assert.equal(
      installed(name),
      version,
      `${name} ${installed(name)} is installed, but lib/next-internals.ts was checked against ${version}: follow ${UPGRADE_PROCEDURE}, then update CHECKED_AGAINST`,
    );
    assert.equal(pkg.dependencies[name], version, `package.json must pin ${name} exactly to ${version} (see ${UPGRADE_PROCEDURE})`);
  }
});

test('the installed Next still writes the payload rows and the banner the fence names', () => {
  const flight = nextFile('dist/server/app-render/use-flight-response.js');
  for (const [name, value] of [
    ['BOOTSTRAP', PAYLOAD_ROW.bootstrap],
    ['DATA', PAYLOAD_ROW.data],
    ['FORM_STATE', PAYLOAD_ROW.formState],
    ['BINARY', PAYLOAD_ROW.binary],
  ] as const) {
    assert.ok(flight.includes(`const INLINE_FLIGHT_PAYLOAD_${name} = ${value};`), `INLINE_FLIGHT_PAYLOAD_${name} is no longer ${value} (${UPGRADE_PROCEDURE})`);
  }
  assert.ok(flight.includes('self.__next_f.push(${htmlInlinedData})</script>'), `the inline payload script changed (${UPGRADE_PROCEDURE})`);
  assert.ok(flight.includes('`(self.__next_f=self.__next_f||[]).push(${'), `the payload bootstrap script changed (${UPGRADE_PROCEDURE})`);
  assert.ok(nextFile('dist/server/lib/start-server.js').includes('Ready in ${'), 'the dev banner no longer says "Ready in"');
  assert.ok(nextFile('dist/server/lib/app-info-log.js').includes('- Local:'), 'the dev banner no longer says "- Local:"');
  assert.equal(devServerReadyUrl('▲ Next.js 16.4.6\n- Local:         http://localhost:3000\n'), undefined, 'not ready before "Ready in"');
  assert.equal(devServerReadyUrl('▲ Next.js 16.4.6\n- Local:         http://localhost:3000\n✓ Ready in 1174ms\n'), 'http://localhost:3000');
});

test("htmlSafeJson is Next's htmlEscapeJsonString", () => {
  const { htmlEscapeJsonString } = require('next/dist/shared/lib/htmlescape') as { htmlEscapeJsonString: (s: string) => string };
  for (const value of [[1, '</script><script>alert(1)</script>'], ['a & b <!-- --> \u2028\u2029 é 😀 \\ "'], { k: '$$x', n: null }]) {
    assert.equal(htmlSafeJson(value), htmlEscapeJsonString(JSON.stringify(value)));
  }
});

const BINARY_ROW = `<script>self.__next_f.push(${htmlSafeJson([PAYLOAD_ROW.binary, Buffer.from([0xe2, 0x82]).toString('base64')])})</script>`;
const text = (chunk: string) => `<script>self.__next_f.push(${htmlSafeJson([1, chunk])})</script>`;

test('a template page holding a binary payload row [3, base64] is refused with a clear error', () => {
  const page = `<html><body><div>kbtplcontent0</div>${text('"k":"kbtplmissing0"')}${BINARY_ROW}${text('x')}</body></html>`;
  assert.throws(() => compileTemplate('missing', page), /page template \(missing\): the page holds a binary RSC payload row.*KB_ARTICLE_PAGES=next/);
  // Without the row the same page compiles: the refusal is about the row.
  assert.doesNotThrow(() => compileTemplate('missing', page.replace(BINARY_ROW, '')));
  const bootstrapped = BINARY_ROW.replace('self.__next_f.push', '(self.__next_f=self.__next_f||[]).push');
  assert.throws(() => compileTemplate('missing', page.replace(BINARY_ROW, bootstrapped)), /binary RSC payload row/);

  const filePage = `<title>kbtplfile0 (file)</title>${text('["kbtplfile0"]')}${BINARY_ROW}<div>kbtplfilebody0</div>`;
  assert.throws(() => fillFileTemplate(filePage, 'a.dll', '<p>x</p>'), /file page template: the page holds a binary RSC payload row/);
  assert.equal(fillFileTemplate(filePage.replace(BINARY_ROW, ''), 'a.dll', '<p>x</p>'), `<title>a.dll (file)</title>${text('["a.dll"]')}<div><p>x</p></div>`);
  // Text that merely looks like a row, outside a script, is not one.
  assert.doesNotThrow(() => refuseBinaryPayloadRows('x', '<p>self.__next_f.push([3,"AA=="])</p>'));
  assert.ok(INLINE_PAYLOAD_BINARY_SCRIPT.test(BINARY_ROW));
});

test('the CSP pass carries a binary payload row as data, pushed unchanged in document order', () => {
  const page = `<html><head></head><body>${text('a')}${BINARY_ROW}${text('b')}</body></html>`;
  const { html, unknownScripts } = applyPagePolicy(page);
  assert.deepEqual(unknownScripts, []);
  assert.ok(!/<script>/.test(html), 'no inline script left');
  const blocks = [...html.matchAll(/<script type="application\/json" data-kb="(\w+)">([^<]*)<\/script>/g)].map((m) => ({
    getAttribute: () => m[1],
    textContent: m[2],
  }));
  const self: Record<string, unknown> = {};
  new Function('self', 'globalThis', 'document', DATA_LOADER.source)(self, {}, { querySelectorAll: () => blocks });
  assert.deepEqual(self['__next_f'], [
    [1, 'a'],
    [3, '4oI='],
    [1, 'b'],
  ]);
});

test('plain next build / next dev are refused; KB_RUNNER=kb (npm run build / npm run dev) lets them run', () => {
  assert.equal(loadConfig({}).runner, 'none');
  assert.equal(loadConfig({ KB_RUNNER: 'kb' }).runner, 'kb');
  assert.throws(() => loadConfig({ KB_RUNNER: 'yes' }), /KB_RUNNER must be one of kb, none; got "yes"/);
  assert.throws(() => assertKbRunner(loadConfig({}), 'build'), /run `npm run build`, not `next build`/);
  assert.throws(() => assertKbRunner(loadConfig({}), 'dev'), /run `npm run dev`, not `next dev`/);
  assert.doesNotThrow(() => assertKbRunner(loadConfig({ KB_RUNNER: 'kb' }), 'build'));
  assert.doesNotThrow(() => assertKbRunner(loadConfig({}), 'other'));
});

test('plain `next build` stops at once, saying to run npm run build', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env['KB_RUNNER'];
  const run = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stdout + run.stderr, /kbview: run `npm run build`, not `next build`/);
});
