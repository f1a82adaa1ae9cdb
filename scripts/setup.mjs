#!/usr/bin/env node
// Setup for a fresh machine that has only Node, npm and Go: installs npm packages, builds the Temporal CLI
// from its Go module into a per-user cache (reused by every clone), and installs Debian's Chromium for the
// browser tests. Plain Node (no dependencies) because it runs before node_modules exists.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, symlinkSync, rmSync, statSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const quietIfReady = process.argv.includes('--quiet-if-ready');
const skipBrowser = process.argv.includes('--no-browser') || process.env.SETUP_SKIP_BROWSER === '1';

function say(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[setup] ERROR: ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: projectRoot, ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}`);
}

function commandOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Installs the locked versions when node_modules is missing or older than the lock file. Not `npm ci`: the
 * registry mirror here serves no other platforms' optional binaries (@swc/core-darwin-*, 404), so npm leaves them
 * out of the lock and `npm ci` then refuses it as out of sync. `npm install --no-save` installs the same locked
 * versions and leaves package-lock.json untouched.
 */
function ensureNodeModules() {
  const marker = join(projectRoot, 'node_modules', '.package-lock.json');
  const lock = join(projectRoot, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) {
    if (!quietIfReady) say('npm packages are installed');
    return;
  }
  say('installing npm packages (the versions in package-lock.json)...');
  const started = Date.now();
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund']);
  say(`npm packages installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A `go install`ed CLI reports `0.0.0-DEV (Server 1.29.1, ...)`, a released one its own version. */
function cliReports(path, version) {
  try {
    const reported = execFileSync(path, ['--version'], { encoding: 'utf8' });
    return reported.includes(version) || reported.includes('Server 1.29.');
  } catch {
    return false;
  }
}

/**
 * The Temporal CLI: TEMPORAL_CLI_PATH, then a `temporal` of the right version on PATH, then the per-user
 * cache, else `go install` into that cache. `.tools/temporal` in the project points at whichever is used.
 */
export function ensureTemporalCli() {
  let cli = process.env.TEMPORAL_CLI_PATH;
  if (cli) {
    if (!existsSync(cli)) fail(`TEMPORAL_CLI_PATH=${cli} does not exist`);
  } else {
    const onPath = commandOnPath('temporal');
    if (onPath && cliReports(onPath, TEMPORAL_CLI_VERSION)) cli = onPath;
  }
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'durable-payments', `temporal-v${TEMPORAL_CLI_VERSION}`);
  if (!cli) {
    cli = join(cacheDir, 'temporal');
    if (!existsSync(cli)) buildTemporalCli(cacheDir);
    else if (!quietIfReady) say(`Temporal CLI ${TEMPORAL_CLI_VERSION} found in ${cacheDir}`);
  }
  const link = join(projectRoot, '.tools', 'temporal');
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(cli, link);
  return cli;
}

function buildTemporalCli(cacheDir) {
  const go = commandOnPath('go');
  if (!go) {
    fail(
      'Go is missing, and it is needed once to build the Temporal CLI. Install Go (https://go.dev/dl/), ' +
        'or point TEMPORAL_CLI_PATH at an existing `temporal` binary of version ' + TEMPORAL_CLI_VERSION + '.',
    );
  }
  say(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} from its Go module, first run only, a few minutes...`);
  const started = Date.now();
  // Build into a scratch folder and move into place, so an interrupted build never leaves a half binary cached.
  const scratch = `${cacheDir}.partial-${process.pid}`;
  mkdirSync(scratch, { recursive: true });
  run(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: scratch, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
    cwd: scratch,
  });
  mkdirSync(cacheDir, { recursive: true });
  renameSync(join(scratch, 'temporal'), join(cacheDir, 'temporal'));
  rmSync(scratch, { recursive: true, force: true });
  say(`Temporal CLI built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${cacheDir}`);
}

/** Debian's Chromium drives the browser tests (a test tool's own browser download cannot work here). */
function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) {
    if (!quietIfReady) say(`Chromium found at ${chromium}`);
    return;
  }
  const aptGet = commandOnPath('apt-get');
  if (!aptGet) fail(`Chromium is missing at ${chromium} and apt-get is not available; install Chromium or set CHROMIUM_PATH`);
  say('installing Chromium from Debian packages for the browser tests, first run only...');
  const asRoot = process.getuid?.() === 0;
  const aptRun = (args) =>
    run(asRoot ? aptGet : 'sudo', asRoot ? args : ['-n', aptGet, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  aptRun(['update', '-qq']);
  aptRun(['install', '-y', '-qq', 'chromium']);
  say('Chromium installed');
}

function main() {
  const started = Date.now();
  ensureNodeModules();
  const cli = ensureTemporalCli();
  if (!skipBrowser) ensureChromium();
  writeFileSync(join(projectRoot, '.tools', 'setup-done'), JSON.stringify({ cli, at: new Date().toISOString() }));
  if (!quietIfReady) say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Temporal CLI: ${cli})`);
  else say(`setup checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();