#!/usr/bin/env node
// Entry point for `npx stepmigrate`. It runs the CLI compiled into dist/ by `npm install`
// (cli-build/build.js) while that build matches the sources, and the TypeScript sources
// through tsx otherwise: an edited .ts file runs as edited, at tsx's slower start.

// package.json's `engines` only warns; an older Node would fail later with a cryptic error
// (tsx's loader hooks and the SQL parser need 20.19).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`stepmigrate needs Node 20.19 or newer; this is Node ${process.versions.node}\n`);
  process.exit(2);
}

// pg asks at load whether it runs on Cloudflare Workers: by `navigator.userAgent`, which Node
// has had since 21, and without it by constructing a fetch Response, which on Node 20 loads
// undici first: about 20 ms of every command that talks to PostgreSQL. Node 20 gets the
// answer Node 21 and later give (nothing else we load reads `navigator`).
if (globalThis.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({ userAgent: `Node.js/${major}` }),
    configurable: true,
    writable: true,
  });
}

// `stepmigrate audit | head` closes our stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { loadEntry, LaunchError } = await import('../cli-build/launch.js');
try {
  const { main } = await loadEntry('main', 'cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof LaunchError)) throw error;
  process.stderr.write(`stepmigrate: ${error.message}\n`);
  process.exitCode = 64;
}
