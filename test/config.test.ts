/**
 * lib/config: every KB_* setting, its accepted values, its error (naming the
 * variable and what it accepts), configEnv's round trip, and the rule that
 * nothing outside lib/config reads a KB_* variable from process.env.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { configEnv, loadConfig, normalizeBasePath, normalizeSiteUrl, DEFAULT_CACHE_DIR } from '../lib/config';
import { REPO_ROOT } from '../bench/lib/corpus';

const CWD = '/srv/kb';
const load = (env: Record<string, string>) => loadConfig(env, CWD);

/** The error loadConfig throws for `env`, as text. */
function errorOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail(`no error for ${JSON.stringify(env)}`);
}

test('defaults, with no KB_* variable set', () => {
  const c = load({});
  assert.equal(c.contentDir, path.join(CWD, 'content'));
  assert.equal(c.basePath, '');
  assert.equal(c.siteUrl, 'http://localhost:3000');
  assert.equal(c.sources, 'auto');
  assert.equal(c.articlePages, null);
  assert.equal(c.redirects, 'auto');
  assert.equal(c.skipSearch, false);
  assert.equal(c.cacheDir, path.join(CWD, DEFAULT_CACHE_DIR));
  assert.equal(c.cacheDir, path.join(CWD, '.cache', 'kbview'));
  assert.equal(c.fileTimeoutMs, 30_000);
  assert.equal(c.nextDistDir, null);
  assert.equal(c.exportDir, null);
  assert.equal(c.testWorkerFault, null);
  assert.equal(c.port, 3000);
});

test('KB_CONTENT_DIR, KB_CACHE_DIR: relative to the working directory, or absolute', () => {
  assert.equal(load({ KB_CONTENT_DIR: 'archive/kb' }).contentDir, '/srv/kb/archive/kb');
  assert.equal(load({ KB_CONTENT_DIR: '/data/kb' }).contentDir, '/data/kb');
  assert.equal(load({ KB_CONTENT_DIR: '  ' }).contentDir, '/srv/kb/content');
  assert.equal(load({ KB_CACHE_DIR: 'tmp/c' }).cacheDir, '/srv/kb/tmp/c');
});

test('KB_BASE_PATH: one normalization; anything but /segment/segment is refused, naming the variable', () => {
  for (const [raw, want] of [
    ['', ''],
    ['/', ''],
    ['kb-archive', '/kb-archive'],
    ['/kb-archive/', '/kb-archive'],
    [' /a/b.c~d_e-f// ', '/a/b.c~d_e-f'],
  ] as const) {
    assert.equal(normalizeBasePath(raw), want, raw);
    assert.equal(load({ KB_BASE_PATH: raw }).basePath, want, raw);
  }
  for (const bad of ['/a/../b', '/./a', '/a//b', '//host', '/a b', '/a?x', '/a#b', '/ü', 'https://example.org/a']) {
    assert.throws(() => normalizeBasePath(bad), /^ConfigError: KB_BASE_PATH must be a path such as \/kb-archive/, bad);
    const message = errorOf({ KB_BASE_PATH: bad });
    assert.ok(message.includes('KB_BASE_PATH must be a path such as /kb-archive') && message.endsWith(`; got ${JSON.stringify(bad)}`), message);
  }
});

test('KB_SITE_URL: a plain absolute http(s) URL, normalized without trailing slash', () => {
  assert.equal(load({ KB_SITE_URL: 'https://example.org/' }).siteUrl, 'https://example.org');
  assert.equal(load({ KB_SITE_URL: 'https://Example.ORG:8443/docs/' }).siteUrl, 'https://example.org:8443/docs');
  assert.equal(normalizeSiteUrl(undefined), 'http://localhost:3000');
  for (const bad of [
    'example.org',
    'ftp://example.org',
    'https://example.org/?x=1',
    'https://example.org/#top',
    'https://user:pw@example.org',
    'javascript:alert(1)',
  ]) {
    assert.match(errorOf({ KB_SITE_URL: bad }), /KB_SITE_URL must be (an absolute|a plain) http\(s\) URL such as https:\/\/example\.org/, bad);
  }
});

test('choices: KB_SOURCES, KB_ARTICLE_PAGES, KB_REDIRECTS accept their values (any case) and name them when refused', () => {
  const cases = [
    ['KB_SOURCES', 'sources', ['files', 'none', 'auto']],
    ['KB_ARTICLE_PAGES', 'articlePages', ['template', 'next']],
    ['KB_REDIRECTS', 'redirects', ['auto', 'all', 'none']],
  ] as const;
  for (const [variable, key, values] of cases) {
    for (const value of values) {
      assert.equal(load({ [variable]: value })[key], value);
      assert.equal(load({ [variable]: ` ${value.toUpperCase()} ` })[key], value);
    }
    assert.equal(errorOf({ [variable]: 'yes' }), `kbview: invalid configuration:\n  ${variable} must be one of ${values.join(', ')}; got "yes"`);
  }
});

test('KB_SKIP_SEARCH: 1/true or 0/false', () => {
  for (const on of ['1', 'true', 'TRUE']) assert.equal(load({ KB_SKIP_SEARCH: on }).skipSearch, true, on);
  for (const off of ['', '0', 'false']) assert.equal(load({ KB_SKIP_SEARCH: off }).skipSearch, false, off);
  assert.match(errorOf({ KB_SKIP_SEARCH: 'yes' }), /KB_SKIP_SEARCH must be 1 or 0; got "yes"/);
});

test('KB_FILE_TIMEOUT: seconds above 0', () => {
  assert.equal(load({ KB_FILE_TIMEOUT: '5' }).fileTimeoutMs, 5000);
  assert.equal(load({ KB_FILE_TIMEOUT: '0.5' }).fileTimeoutMs, 500);
  for (const bad of ['0', '-1', 'x', 'Infinity']) {
    assert.match(errorOf({ KB_FILE_TIMEOUT: bad }), /KB_FILE_TIMEOUT must be a number of seconds greater than 0; got/, bad);
  }
});

test('KB_TEST_WORKER_FAULT and PORT', () => {
  assert.deepEqual(load({ KB_TEST_WORKER_FAULT: 'crash:Q990001.md' }).testWorkerFault, { kind: 'crash', job: 'Q990001.md' });
  assert.deepEqual(load({ KB_TEST_WORKER_FAULT: 'hang:a:b' }).testWorkerFault, { kind: 'hang', job: 'a:b' });
  assert.match(errorOf({ KB_TEST_WORKER_FAULT: 'boom:x' }), /KB_TEST_WORKER_FAULT must be crash:<job> or hang:<job>; got "boom:x"/);
  assert.equal(load({}).testArticleFault, null);
  assert.deepEqual(load({ KB_TEST_ARTICLE_FAULT: 'listing:a/Q1.md' }).testArticleFault, { step: 'listing', source: 'a/Q1.md' });
  assert.deepEqual(load({ KB_TEST_ARTICLE_FAULT: 'render:Q1.md' }).testArticleFault, { step: 'render', source: 'Q1.md' });
  assert.match(errorOf({ KB_TEST_ARTICLE_FAULT: 'Q1.md' }), /KB_TEST_ARTICLE_FAULT must be listing:<source> or render:<source>; got "Q1.md"/);
  assert.equal(load({ PORT: '0' }).port, 0);
  assert.equal(load({ PORT: '8080' }).port, 8080);
  for (const bad of ['-1', '65536', '80.5', 'http']) assert.match(errorOf({ PORT: bad }), /PORT must be a port number from 0 to 65535/, bad);
});

test('every bad variable is listed in one error', () => {
  const message = errorOf({ KB_SOURCES: 'x', KB_BASE_PATH: '/a/../b', KB_FILE_TIMEOUT: 'never' });
  assert.match(message, /KB_SOURCES/);
  assert.match(message, /KB_BASE_PATH/);
  assert.match(message, /KB_FILE_TIMEOUT/);
  assert.equal(message.split('\n').length, 4);
});

test('configEnv: a child process reading it gets the same configuration; other variables pass through', () => {
  const configs = [
    load({}),
    load({
      KB_CONTENT_DIR: 'a',
      KB_BASE_PATH: 'x/y/',
      KB_SITE_URL: 'https://example.org/',
      KB_SOURCES: 'NONE',
      KB_ARTICLE_PAGES: 'next',
      KB_REDIRECTS: 'all',
      KB_SKIP_SEARCH: 'true',
      KB_CACHE_DIR: 'c',
      KB_FILE_TIMEOUT: '2.5',
      KB_NEXT_DIST_DIR: '.cache/n',
      KB_EXPORT_DIR: 'out.new',
      KB_BUILD_ID: 'b1',
      KB_TEST_WORKER_FAULT: 'hang:Q1.md',
      KB_TEST_ARTICLE_FAULT: 'listing:Q1.md',
      PORT: '0',
    }),
  ];
  for (const c of configs) {
    const env = configEnv(c, { PATH: '/bin', KB_EXPORT_DIR: 'stale', KB_ARTICLE_PAGES: 'next' });
    assert.deepEqual(loadConfig(env, '/elsewhere'), c);
    assert.equal(env['PATH'], '/bin');
  }
  // Unset settings stay unset in the child, even when the parent's environment had them.
  const env = configEnv(configs[0]!, { KB_EXPORT_DIR: 'stale', KB_ARTICLE_PAGES: 'next' });
  assert.equal(env['KB_EXPORT_DIR'], undefined);
  assert.equal(env['KB_ARTICLE_PAGES'], undefined);
  assert.equal(env['KB_BASE_PATH'], '');
});

/** Source files of the product (not test/): the rule holds for every one of them. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) {
        if (name !== 'node_modules') walk(file);
      } else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(file);
    }
  };
  for (const dir of ['lib', 'app', 'components', 'scripts']) walk(path.join(REPO_ROOT, dir));
  out.push(path.join(REPO_ROOT, 'next.config.js'));
  return out;
}

/** Test-only variables read where they are used (README, "Configuration"). */
const ALLOWED = new Map([['scripts/test.ts', 'KB_TEST_BUDGET_MIN: the test runner’s own time limit']]);

const KB_ENV_READ = /process\.env(?:\.KB_|\[\s*['"`]KB_)/;

test('no file outside lib/config reads or writes process.env for a KB_* setting', () => {
  const files = sourceFiles();
  assert.ok(files.length > 50, `found ${files.length} source files`);
  const offenders: string[] = [];
  for (const file of files) {
    const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/');
    if (rel.startsWith('lib/config/') || ALLOWED.has(rel)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (KB_ENV_READ.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], 'read KB_* settings through lib/config (config(), loadConfig, configEnv)');
});

test('the rule’s pattern sees each spelling of a KB_* read (it can fail)', () => {
  for (const line of ['process.env.KB_BASE_PATH', "process.env['KB_SOURCES']", 'process.env["KB_X"]', 'process.env[ `KB_Y`]', "process.env.KB_X = '1'"]) {
    assert.match(line, KB_ENV_READ, line);
  }
  for (const line of ['process.env.NODE_ENV', "process.env['PORT']", "env['KB_BASE_PATH']"]) assert.doesNotMatch(line, KB_ENV_READ, line);
});

test('the base path is normalized in one place only', () => {
  const offenders = sourceFiles()
    .map((f) => path.relative(REPO_ROOT, f).split(path.sep).join('/'))
    .filter(
      (rel) => !rel.startsWith('lib/config/') && /function\s+(normalizeBasePath|basePathFromEnv)\b/.test(readFileSync(path.join(REPO_ROOT, rel), 'utf8')),
    );
  assert.deepEqual(offenders, []);
});
