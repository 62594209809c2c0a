#!/usr/bin/env node
'use strict';
// Launcher for sitectl. Runs the esbuild bundle (dist/apps/cli/sitectl.cjs,
// built by `nx run cli:build`) when it is newer than every source file it was
// built from; otherwise runs the TypeScript source through @swc-node/register,
// so `npx sitectl` in the repo never runs stale code. SITECTL_FROM_SOURCE=1
// forces the source (e.g. to debug with breakpoints in .ts files).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const bundle = path.join(root, 'dist', 'apps', 'cli', 'sitectl.cjs');
const sourceDirs = [
  path.join(root, 'apps', 'cli', 'src'),
  path.join(root, 'libs', 'contracts', 'src'),
];

/** Newest modification time under `dir`, ignoring unit tests (not part of the bundle). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `bundlePath` exists and no file under `dirs` changed after it was written. */
function bundleIsFresh(bundlePath, dirs) {
  let built;
  try {
    built = fs.statSync(bundlePath).mtimeMs;
  } catch {
    return false;
  }
  return dirs.every((dir) => !fs.existsSync(dir) || newestMtime(dir) <= built);
}

function main() {
  if (process.env.SITECTL_FROM_SOURCE !== '1' && bundleIsFresh(bundle, sourceDirs)) {
    // Stacks are printed only with SITECTL_DEBUG=1; then map them back to the .ts sources.
    if (process.env.SITECTL_DEBUG === '1') process.setSourceMapsEnabled(true);
    require(bundle);
    return;
  }
  process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.base.json');
  require('@swc-node/register');
  require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
}

if (require.main === module) main();

module.exports = { bundleIsFresh };
