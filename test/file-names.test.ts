/**
 * File names in one style within each folder (docs/ARCHITECTURE.md): in components/ every module is a React component
 * file named in PascalCase after what it exports (`ArticleView.tsx`; stylesheets excepted), and nothing else lives
 * there (route functions go to app/, pure helpers to lib/); everywhere else (lib/, scripts/, bench/, test/) names are
 * kebab-case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PASCAL_COMPONENT = /^[A-Z][A-Za-z0-9]*\.tsx$/;
const KEBAB = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

test('components/ holds only PascalCase component files (and stylesheets)', () => {
  const files = filesUnder('components');
  assert.ok(files.length > 20, `${files.length} files`);
  const wrong = files.filter((f) => !f.endsWith('.css') && !PASCAL_COMPONENT.test(path.basename(f)));
  assert.deepEqual(wrong, [], 'rename to PascalCase, or move what is not a component to app/ or lib/');
});

test('lib/, scripts/, bench/ and test/ name their files and folders in kebab-case', () => {
  const wrong: string[] = [];
  for (const dir of ['lib', 'scripts', 'bench', 'test']) {
    for (const file of filesUnder(dir)) {
      // Fixtures are named after what they stand for (KB articles are Q<number>.md); the Next baseline is Next's layout.
      if (file.startsWith('test/fixtures/') || file.startsWith('bench/baseline-next/')) continue;
      const parts = file.split('/').slice(1);
      if (parts.some((part) => !KEBAB.test(part.replace(/\.(tsx?|mts|mjs|sh|json|md|css)$/, '')))) wrong.push(file);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the rules can fail', () => {
  assert.equal(PASCAL_COMPONENT.test('render-hast.tsx'), false);
  assert.equal(PASCAL_COMPONENT.test('lookup.ts'), false);
  assert.equal(PASCAL_COMPONENT.test('ArticleView.tsx'), true);
  assert.equal(KEBAB.test('ArticleView'), false);
  assert.equal(KEBAB.test('article-pages-worker'), true);
});
