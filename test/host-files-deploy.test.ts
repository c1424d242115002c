/**
 * The deployment recipes shipped with kbview, checked by reading them (there
 * is no `docker build` and no GitHub runner here):
 *
 * - `.github/workflows/pages.yml` is valid YAML that builds with npm and
 *   deploys with `actions/upload-pages-artifact` (out/) and
 *   `actions/deploy-pages`, with the base path and site URL from
 *   `actions/configure-pages`;
 * - the `Dockerfile` builds with Node in one stage and serves out/ from the
 *   official nginx image in the next, with the snippet kb build writes; the
 *   server block it writes, around that snippet, passes `nginx -t`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { nginxSnippet } from '../lib/build/host-files';
import { requireUnderCI, skipUnlessCI } from '../bench/lib/ci';
import { NGINX, nginxMissingMessage } from './helpers/nginx';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}

test('pages.yml: on push to main and by hand, builds with npm and deploys with upload-pages-artifact + deploy-pages', () => {
  const workflow = parse(readFileSync(path.join(ROOT, '.github', 'workflows', 'pages.yml'), 'utf8')) as {
    on: { push: { branches: string[] }; workflow_dispatch: unknown };
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[]; needs?: string; environment?: { name: string } }>;
  };
  assert.deepEqual(workflow.on.push.branches, ['main']);
  assert.ok('workflow_dispatch' in workflow.on);
  assert.equal(workflow.permissions['pages'], 'write');
  assert.equal(workflow.permissions['id-token'], 'write');
  const build = workflow.jobs['build']!.steps;
  const uses = (prefix: string) => build.find((s) => s.uses?.startsWith(`${prefix}@`));
  assert.ok(uses('actions/checkout') && uses('actions/setup-node'));
  const pages = uses('actions/configure-pages');
  assert.ok(pages?.id, 'configure-pages has an id for its outputs');
  const buildStep = build.find((s) => s.run?.trim() === 'npm run build');
  assert.ok(buildStep, 'npm run build');
  assert.equal(buildStep.env?.['KB_BASE_PATH'], `\${{ steps.${pages.id}.outputs.base_path }}`);
  assert.equal(buildStep.env?.['KB_SITE_URL'], `\${{ steps.${pages.id}.outputs.origin }}`);
  assert.ok(build.indexOf(build.find((s) => s.run?.includes('npm ci'))!) < build.indexOf(buildStep));
  const archive = build.find((s) => s.run?.includes('KB_CONTENT_DIR='));
  assert.ok(archive?.if?.includes('KB_ARCHIVE_URL'), 'another archive by a documented variable');
  assert.deepEqual(uses('actions/upload-pages-artifact')?.with, { path: 'out' });
  assert.ok(build.indexOf(uses('actions/upload-pages-artifact')!) > build.indexOf(buildStep));
  const deploy = workflow.jobs['deploy']!;
  assert.equal(deploy.needs, 'build');
  assert.equal(deploy.environment?.name, 'github-pages');
  assert.ok(deploy.steps.some((s) => s.uses?.startsWith('actions/deploy-pages@')));
  // Values that come from repository variables reach the shell through the environment, never pasted into a script.
  for (const step of build) assert.ok(!step.run?.includes('${{'), `expression inside a run script: ${step.run}`);
});

/** The Dockerfile's stages: base image, name, and instructions. */
function stages(text: string): { from: string; name?: string; lines: string[] }[] {
  const out: { from: string; name?: string; lines: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)!.lines.push(line);
  }
  return out;
}

test('Dockerfile: builds with Node, serves out/ with the official nginx image and the generated snippet', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const [build, serve, ...rest] = stages(dockerfile);
  assert.equal(rest.length, 0, 'two stages');
  assert.match(build!.from, /^node:\d+/, 'the build stage is the official Node image');
  assert.match(serve!.from, /^nginx:[\w.-]+$/, 'the serving stage is the official nginx image');
  assert.ok(build!.lines.includes('RUN npm ci --no-audit --no-fund'));
  assert.ok(build!.lines.some((l) => /^RUN .*npm run build$/.test(l) && l.includes('KB_BASE_PATH="$KB_BASE_PATH"')));
  assert.ok(build!.lines.indexOf('COPY package.json package-lock.json ./') < build!.lines.indexOf('COPY . .'), 'dependencies cached apart from the sources');
  const copyOut = serve!.lines.find((l) => l.startsWith(`COPY --from=${build!.name} /app/out `));
  assert.equal(copyOut, `COPY --from=${build!.name} /app/out /usr/share/nginx/html\${KB_BASE_PATH}`, 'the export, under the base path');
  assert.ok(serve!.lines.includes('ARG KB_BASE_PATH='), 'the base path reaches the serving stage');
  // The snippet's root is where the export is copied.
  assert.match(nginxSnippet(''), /^root \/usr\/share\/nginx\/html;$/m);
  const copySnippet = serve!.lines.find((l) => l.startsWith(`COPY --from=${build!.name} /app/out/nginx.conf `));
  const snippetPath = copySnippet?.split(/\s+/)[3];
  assert.ok(snippetPath?.startsWith('/etc/nginx/') && !snippetPath.startsWith('/etc/nginx/conf.d/'), 'the snippet is outside conf.d/ (included at http level)');
  const server = /^RUN printf '([^']*)' > \/etc\/nginx\/conf\.d\/default\.conf$/m.exec(dockerfile);
  assert.ok(server, 'the default server is replaced by one including the snippet');
  assert.ok(server[1]!.includes(`include ${snippetPath};`));
  const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const heavy of ['node_modules', '.next', 'out', '.cache', '.git']) assert.ok(ignore.includes(heavy), `.dockerignore: ${heavy}`);
});

test('Dockerfile: the server block it writes around the snippet passes nginx -t', { skip: skipUnlessCI(nginxMissingMessage()) }, () => {
  requireUnderCI(nginxMissingMessage());
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const server = /^RUN printf '([^']*)' > \/etc\/nginx\/conf\.d\/default\.conf$/m.exec(dockerfile)![1]!.replace(/\\n/g, '\n');
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'kbview-nginx-t-'));
  try {
    mkdirSync(path.join(prefix, 'tmp'));
    for (const basePath of ['', '/kb-archive']) {
      writeFileSync(path.join(prefix, 'kbview.conf'), nginxSnippet(basePath));
      // The official image's nginx.conf includes conf.d/*.conf inside http { } (nginx -t binds no port).
      const serverBlock = server.replace('include /etc/nginx/kbview.conf;', `include ${path.join(prefix, 'kbview.conf')};`);
      const tmp = path.join(prefix, 'tmp');
      writeFileSync(
        path.join(prefix, 'nginx.conf'),
        `pid ${path.join(prefix, 'nginx.pid')};\nerror_log ${path.join(prefix, 'error.log')};\nevents {}\nhttp {\n include /etc/nginx/mime.types;\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((n) => ` ${n}_temp_path ${tmp};`).join('\n')}\n${serverBlock}\n}\n`,
      );
      const result = spawnSync(NGINX, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${basePath || '/'}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\[warn\]/, `${basePath || '/'}: ${result.stderr}`);
    }
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
