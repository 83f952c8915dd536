#!/usr/bin/env node
// The npm registry mirror reachable here lacks some platforms' builds of optional native packages
// (msgpackr-extract for darwin, win32 and linux-arm). `npm install` then leaves them out of the lock file and
// `npm ci` refuses the lock as out of sync. This records each one as npm would — optional, limited to its
// platform — so `npm ci` skips it on this platform instead of stopping. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const platform = { darwin: ['darwin'], win32: ['win32'], linux: ['linux'] };
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `node_modules/${name}`;
    if (lock.packages[where] || lock.packages[`${path}/${where}`]) continue;
    const match = /-(darwin|win32|linux)-([a-z0-9]+)$/.exec(name);
    if (!match) continue;
    lock.packages[where] = { version, cpu: [match[2]], license: entry.license, optional: true, os: platform[match[1]] };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: recorded ${added} optional platform package(s)`);
