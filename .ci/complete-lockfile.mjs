#!/usr/bin/env node
// The npm registry these machines reach serves only the Linux builds of some native
// packages (@biomejs/cli-*, @swc/core-*, @unrs/resolver-binding-*, @dbmate/*, @squawk-cli/*). `npm install` then
// leaves the other platforms' optional builds out of package-lock.json, and `npm ci`
// refuses that lock as out of sync. This adds each missing platform build as an optional
// entry with the os/cpu/libc its name states, so `npm ci` skips it on this platform and a
// machine of that platform still installs it. Run it after any change to dependencies:
//   npm install && node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OS = new Set(['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony']);
const CPU = new Set(['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64']);
// `<package>-<os>-<cpu>[-abi]`, or a scope of platform builds: `@<tool>/<os>-<cpu>`.
const PLATFORM_BUILD =
  /^(?:@biomejs\/cli|@swc\/core|@unrs\/resolver-binding)-(.+)$|^@(?:dbmate|squawk-cli)\/(.+)$/;

function platformOf(name) {
  const match = PLATFORM_BUILD.exec(name);
  if (!match) return undefined;
  const [os, cpu, ...abi] = (match[1] ?? match[2]).split('-');
  if (!OS.has(os) || !CPU.has(cpu)) return undefined;
  const entry = { os: [os], cpu: [cpu] };
  if (abi.some((part) => part.includes('musl'))) entry.libc = ['musl'];
  else if (os === 'linux' && abi.some((part) => part.startsWith('gnu'))) entry.libc = ['glibc'];
  return entry;
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const platform = platformOf(name);
    if (!platform) {
      console.error(
        `complete-lockfile: ${name} (optional dependency of ${path || 'the project'}) is missing and is not a known platform build; run npm install`,
      );
      process.exitCode = 1;
      continue;
    }
    lock.packages[key] = { version, ...platform, dev: pkg.dev === true ? true : undefined, optional: true };
    added.push(`${name}@${version}`);
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(
  added.length > 0
    ? `complete-lockfile: added ${added.length} platform builds`
    : 'complete-lockfile: nothing to add',
);
