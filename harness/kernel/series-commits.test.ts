// The series is applied once per run and remembered per workspace: a tiny git repository stands in for the
// kernel tree (the rule is git's and ours, not the kernel's), and the real loadSeries reads the patches.
import t from 'tap';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createContext } from '../util/context.js';
import { commitSeries, type ResolvedBase } from './source.js';
import { loadSeriesInputs } from './series.js';
import type { Workspace } from './workspace.js';

function patchFile(dir: string, name: string, n: number, total: number, from: string, to: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001`,
      `From: Test Author <author@example.org>`,
      `Date: Wed, 25 Nov 2026 10:00:0${n} +0000`,
      `Subject: [PATCH ${n}/${total}] change ${from} to ${to}`,
      `Message-Id: <series-commits-${n}@example.org>`,
      '',
      `Change ${from} to ${to}.`,
      '',
      '---',
      'diff --git a/file.txt b/file.txt',
      '--- a/file.txt',
      '+++ b/file.txt',
      '@@ -1 +1 @@',
      `-${from}`,
      `+${to}`,
      '-- ',
      '2.39.5',
      '',
    ].join('\n'),
  );
  return path;
}

function tinyWorkspace(): { ws: Workspace; base: ResolvedBase; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'sea-series-commits-'));
  const src = join(root, 'src');
  mkdirSync(src);
  const g = (...args: string[]) => execFileSync('git', ['-C', src, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
  g('init', '-q');
  writeFileSync(join(src, 'file.txt'), 'one\n');
  g('add', 'file.txt');
  g('commit', '-q', '-m', 'base');
  const commit = g('rev-parse', 'HEAD');
  const ws = { root, src, build: join(root, 'build'), logs: join(root, 'logs'), lockPath: join(root, 'lock'), toolchain: { gcc: 'test' } } as unknown as Workspace;
  return { ws, base: { commit, userCommit: null, description: 'tiny tree', debianSource: null }, dir: root };
}

t.test('applied once, then remembered: the same commits, nothing applied again', async (t) => {
  const { ws, base, dir } = tinyWorkspace();
  const ctx = createContext({ cacheDir: dir });
  const series = await loadSeriesInputs([patchFile(dir, 'a.patch', 1, 2, 'one', 'two'), patchFile(dir, 'b.patch', 2, 2, 'two', 'three')]);
  const first = await commitSeries(ctx, ws, base, series);
  t.equal(first.appliedNow, true, 'the first call applies the series');
  t.equal(first.applied, 2);
  t.equal(first.total, 2);
  t.ok(first.tree, 'every patch applied: the tree is known');
  const second = await commitSeries(ctx, ws, base, series);
  t.equal(second.appliedNow, false, 'the second call applies nothing');
  t.equal(second.commit, first.commit);
  t.equal(second.tree, first.tree);
  const file = execFileSync('git', ['-C', ws.src, 'show', `${first.commit}:file.txt`], { encoding: 'utf8' });
  t.equal(file, 'three\n', 'the commits hold both patches');
});

t.test('a patch that does not apply: the commits stop before it, and no tree is claimed', async (t) => {
  const { ws, base, dir } = tinyWorkspace();
  const ctx = createContext({ cacheDir: dir });
  const series = await loadSeriesInputs([patchFile(dir, 'a.patch', 1, 2, 'one', 'two'), patchFile(dir, 'b.patch', 2, 2, 'not-there', 'x')]);
  const made = await commitSeries(ctx, ws, base, series);
  t.equal(made.applied, 1);
  t.equal(made.total, 2);
  t.equal(made.tree, null);
  t.not(made.commit, base.commit);
});

t.test('no series: the base itself, nothing applied', async (t) => {
  const { ws, base, dir } = tinyWorkspace();
  const made = await commitSeries(createContext({ cacheDir: dir }), ws, base, []);
  t.same({ commit: made.commit, applied: made.applied, appliedNow: made.appliedNow }, { commit: base.commit, applied: 0, appliedNow: false });
});
