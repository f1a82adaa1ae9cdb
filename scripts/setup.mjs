#!/usr/bin/env node
// Setup for a fresh machine that has only Node, npm and Go: installs npm packages, builds the Temporal CLI
// from its Go module into a per-user cache (reused by every clone), and installs Debian's Chromium for the
// browser tests. Plain Node (no dependencies) because it runs before node_modules exists.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, symlinkSync, rmSync, statSync, renameSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.5.1';
/** The cluster topology (CLUSTER.md): versions that build with this machine's Go without replace directives. */
export const TEMPORAL_SERVER_VERSION = '1.32.1';
// The UI the CLI embeds (2.42.1): operators and the browser tests see the same Web UI on both topologies.
export const TEMPORAL_UI_SERVER_VERSION = '2.42.1';
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const quietIfReady = process.argv.includes('--quiet-if-ready');
const skipBrowser = process.argv.includes('--no-browser') || process.env.SETUP_SKIP_BROWSER === '1';
// Only the cluster topology (tests, bench, start:cluster) needs the server, its SQL tool, the UI server and
// PostgreSQL; `npm start` does not ask for them, so its cold setup stays the CLI alone.
const withCluster = process.argv.includes('--cluster');
const cacheRoot = () => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'durable-payments');

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
function findTemporalCli() {
  let cli = process.env.TEMPORAL_CLI_PATH;
  if (cli) {
    if (!existsSync(cli)) fail(`TEMPORAL_CLI_PATH=${cli} does not exist`);
    return cli;
  }
  const onPath = commandOnPath('temporal');
  if (onPath && cliReports(onPath, TEMPORAL_CLI_VERSION)) return onPath;
  const cached = join(cacheRoot(), `temporal-v${TEMPORAL_CLI_VERSION}`, 'temporal');
  return existsSync(cached) ? cached : undefined;
}

/** Before anything is built or linked: without Go, one message naming everything that would need it. */
function checkGoForBuilds() {
  const needed = [];
  if (!findTemporalCli()) needed.push(`the Temporal CLI ${TEMPORAL_CLI_VERSION}`);
  if (withCluster && missingClusterBinaries().length > 0) needed.push(`the Temporal server ${TEMPORAL_SERVER_VERSION} and its Web UI (cluster topology)`);
  if (needed.length === 0 || commandOnPath('go')) return;
  fail(
    `Go is missing, and it is needed once to build ${needed.join(' and ')}. Install Go (https://go.dev/dl/), or point ` +
      `TEMPORAL_CLI_PATH at an existing \`temporal\` binary of version ${TEMPORAL_CLI_VERSION}` +
      (withCluster ? ', and TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_UI_SERVER_PATH at existing binaries.' : '.'),
  );
}

export function ensureTemporalCli() {
  let cli = findTemporalCli();
  if (!cli) {
    const cacheDir = join(cacheRoot(), `temporal-v${TEMPORAL_CLI_VERSION}`);
    buildTemporalCli(cacheDir);
    cli = join(cacheDir, 'temporal');
  } else if (!quietIfReady) say(`Temporal CLI ${TEMPORAL_CLI_VERSION} found: ${cli}`);
  linkTool('temporal', cli);
  return cli;
}

function buildTemporalCli(cacheDir) {
  const go = requireGo('the Temporal CLI', `or point TEMPORAL_CLI_PATH at an existing \`temporal\` binary of version ${TEMPORAL_CLI_VERSION}.`);
  say(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} from its Go module, first run only, a few minutes...`);
  const started = Date.now();
  goInstall(go, [`github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], cacheDir, { temporal: 'temporal' });
  say(`Temporal CLI built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${cacheDir}`);
}

function requireGo(what, alternative) {
  const go = commandOnPath('go');
  if (!go) fail(`Go is missing, and it is needed once to build ${what}. Install Go (https://go.dev/dl/), ${alternative}`);
  return go;
}

/**
 * `go install` into a scratch folder, then each built binary renamed into the cache folder, so an interrupted build
 * never leaves a half binary cached. `renames` maps the name go gives a binary to the name it is cached under.
 */
function goInstall(go, packages, cacheDir, renames) {
  const scratch = `${cacheDir}.partial-${process.pid}`;
  mkdirSync(scratch, { recursive: true });
  run(go, ['install', ...packages], { env: { ...process.env, GOBIN: scratch, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' }, cwd: scratch });
  mkdirSync(cacheDir, { recursive: true });
  for (const [built, cached] of Object.entries(renames)) renameSync(join(scratch, built), join(cacheDir, cached));
  rmSync(scratch, { recursive: true, force: true });
}

function linkTool(name, target) {
  const link = join(projectRoot, '.tools', name);
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(target, link);
}

/**
 * The cluster's Go binaries, each cached per user by version: the Temporal server (all services in one binary)
 * with its SQL schema tool, and the Web UI server. An explicit path in the environment wins over the cache.
 */
const serverCacheDir = () => join(cacheRoot(), `temporal-server-v${TEMPORAL_SERVER_VERSION}`);
const uiCacheDir = () => join(cacheRoot(), `temporal-ui-server-v${TEMPORAL_UI_SERVER_VERSION}`);

/** Each cluster binary: an explicit path from the environment, else its place in the per-user cache. */
function clusterBinaries() {
  const wanted = [
    { name: 'temporal-server', env: 'TEMPORAL_SERVER_PATH', cached: join(serverCacheDir(), 'temporal-server') },
    { name: 'temporal-sql-tool', env: 'TEMPORAL_SQL_TOOL_PATH', cached: join(serverCacheDir(), 'temporal-sql-tool') },
    { name: 'temporal-ui-server', env: 'TEMPORAL_UI_SERVER_PATH', cached: join(uiCacheDir(), 'temporal-ui-server') },
  ];
  const resolved = {};
  for (const tool of wanted) {
    const explicit = process.env[tool.env];
    if (explicit && !existsSync(explicit)) fail(`${tool.env}=${explicit} does not exist`);
    resolved[tool.name] = explicit ?? tool.cached;
  }
  return { wanted, resolved };
}

function missingClusterBinaries() {
  const { resolved } = clusterBinaries();
  return Object.keys(resolved).filter((name) => !existsSync(resolved[name]));
}

export function ensureClusterBinaries() {
  const serverDir = serverCacheDir();
  const uiDir = uiCacheDir();
  const { wanted, resolved } = clusterBinaries();
  const missingServer = [wanted[0], wanted[1]].some((tool) => !existsSync(resolved[tool.name]));
  const missingUi = !existsSync(resolved['temporal-ui-server']);
  if (missingServer || missingUi) {
    const alternative = 'or set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_UI_SERVER_PATH to existing binaries.';
    const go = requireGo(`the Temporal server ${TEMPORAL_SERVER_VERSION} and its Web UI for the cluster topology`, alternative);
    if (missingServer) {
      say(`building the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool from their Go module for the cluster topology, first run only, about 10 minutes...`);
      const started = Date.now();
      goInstall(go, [`go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`], serverDir, {
        server: 'temporal-server',
        sql: 'temporal-sql-tool',
      });
      say(`Temporal server built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${serverDir}`);
    }
    if (missingUi) {
      say(`building the Temporal Web UI server ${TEMPORAL_UI_SERVER_VERSION} from its Go module, first run only, under a minute...`);
      const started = Date.now();
      goInstall(go, [`github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_SERVER_VERSION}`], uiDir, { server: 'temporal-ui-server' });
      say(`Temporal Web UI server built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached in ${uiDir}`);
    }
  } else if (!quietIfReady) {
    say(`Temporal server ${TEMPORAL_SERVER_VERSION}, SQL tool and Web UI server ${TEMPORAL_UI_SERVER_VERSION} found`);
  }
  for (const tool of wanted) linkTool(tool.name, resolved[tool.name]);
  linkTool('postgres-bin', ensurePostgres());
}

/** Debian's PostgreSQL server binaries (initdb, postgres, pg_dump); installed with apt-get when missing. */
function findPostgresBinDir() {
  if (process.env.POSTGRES_BIN_DIR) return existsSync(join(process.env.POSTGRES_BIN_DIR, 'postgres')) ? process.env.POSTGRES_BIN_DIR : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'postgres')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

function ensurePostgres() {
  const found = findPostgresBinDir();
  if (found) {
    if (!quietIfReady) say(`PostgreSQL found in ${found}`);
    return found;
  }
  if (process.env.POSTGRES_BIN_DIR) fail(`POSTGRES_BIN_DIR=${process.env.POSTGRES_BIN_DIR} holds no \`postgres\` binary`);
  say('installing PostgreSQL from Debian packages for the cluster topology, first run only...');
  aptInstall('postgresql', 'PostgreSQL is missing (no /usr/lib/postgresql/*/bin/postgres); install Debian\'s postgresql or set POSTGRES_BIN_DIR');
  const installed = findPostgresBinDir();
  if (!installed) fail('apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres was found');
  say(`PostgreSQL installed in ${installed}`);
  return installed;
}

function aptInstall(pkg, missingMessage) {
  const aptGet = commandOnPath('apt-get');
  if (!aptGet) fail(`${missingMessage}, and apt-get is not available`);
  const asRoot = process.getuid?.() === 0;
  const aptRun = (args) =>
    run(asRoot ? aptGet : 'sudo', asRoot ? args : ['-n', aptGet, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  aptRun(['update', '-qq']);
  aptRun(['install', '-y', '-qq', pkg]);
}

/** Debian's Chromium drives the browser tests (a test tool's own browser download cannot work here). */
function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) {
    if (!quietIfReady) say(`Chromium found at ${chromium}`);
    return;
  }
  say('installing Chromium from Debian packages for the browser tests, first run only...');
  aptInstall('chromium', `Chromium is missing at ${chromium}; install Chromium or set CHROMIUM_PATH`);
  say('Chromium installed');
}

function main() {
  const started = Date.now();
  checkGoForBuilds();
  ensureNodeModules();
  const cli = ensureTemporalCli();
  if (withCluster) ensureClusterBinaries();
  if (!skipBrowser) ensureChromium();
  writeFileSync(join(projectRoot, '.tools', 'setup-done'), JSON.stringify({ cli, at: new Date().toISOString() }));
  if (!quietIfReady) say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Temporal CLI: ${cli})`);
  else say(`setup checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();