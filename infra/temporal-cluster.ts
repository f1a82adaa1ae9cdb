import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { stopProcess } from './child-process';
import { findStablePorts } from './free-port';
import { waitForTemporal } from './wait-for-temporal';
import { startPostgres, type RunningPostgres } from './postgres-instance';
import { SEARCH_ATTRIBUTE_TYPES } from './search-attribute-types';
import { dynamicConfigFileText, serverDynamicConfig } from './temporal-dynamic-config';
import type { RunningTemporal } from './temporal-topology';

export interface ClusterOptions {
  /** PostgreSQL data, server and UI configuration, logs; kept across restarts so payments resume. */
  dataDir: string;
  namespace?: string;
  /** Fixed ports (start:cluster prints stable URLs); free ports are picked when absent. */
  port?: number;
  uiPort?: number;
  postgresPort?: number;
  /** Fixed when the database is created; the server refuses a different number later. */
  historyShards?: number;
  /** Codec endpoint the Web UI calls to decode payloads (our API's /codec). */
  uiCodecEndpoint?: string;
  /** Namespace retention, the length of workflow-ID dedupe for finished workflows. */
  retentionHours?: number;
  startTimeoutMs?: number;
}

export interface RunningCluster extends RunningTemporal {
  topology: 'cluster';
  port: number;
  uiPort: number;
  dataDir: string;
  postgres: RunningPostgres;
  /** PostgreSQL fast shutdown and start on the same data, with the Temporal server left running. */
  restartPostgres(): Promise<void>;
}

const projectRoot = resolve(__dirname, '..');
const DATABASES = { temporal: 'postgresql/v12/temporal', temporal_visibility: 'postgresql/v12/visibility' } as const;

function tool(name: 'temporal-server' | 'temporal-sql-tool' | 'temporal-ui-server', envName: string): string {
  const path = process.env[envName] ?? join(projectRoot, '.tools', name);
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}: run \`npm run setup -- --cluster\` (it builds it once per user) or set ${envName}`);
  return path;
}

/**
 * The production topology on one machine: PostgreSQL in a project folder, the `temporal` and
 * `temporal_visibility` databases migrated by the SQL tool, the Temporal server (all services, several history
 * shards, SQL visibility), the namespace with our search attributes, and the Web UI server with our codec endpoint.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const namespace = options.namespace ?? 'default';
  const logDir = join(options.dataDir, 'logs');
  const configDir = join(options.dataDir, 'config');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });
  const postgres = await startPostgres({ dataDir: join(options.dataDir, 'postgres'), port: options.postgresPort, logFile: join(logDir, 'postgres.log') });
  try {
    migrateDatabases(postgres, join(options.dataDir, `schemas-migrated`));
    // Picked together so that none repeats; the server's own services take the last nine.
    const [freePort, freeUiPort, ...servicePorts] = (await findStablePorts(11)).filter((candidate) => candidate !== options.port && candidate !== options.uiPort);
    const port = options.port ?? (freePort as number);
    const uiPort = options.uiPort ?? (freeUiPort as number);
    const { file: serverConfig, metricsPort } = writeServerConfig(configDir, postgres, port, servicePorts, options.historyShards ?? 4);
    const address = `127.0.0.1:${port}`;
    const launchServer = async (): Promise<ChildProcess> => {
      const child = spawnLogged(tool('temporal-server', 'TEMPORAL_SERVER_PATH'), ['--config-file', serverConfig, '--allow-no-auth', 'start'], join(logDir, 'temporal-server.log'));
      try {
        await waitForTemporal(child, address, options.startTimeoutMs ?? 60_000, (connection) => connection.workflowService.getSystemInfo({}));
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
      return child;
    };
    let server = await launchServer();
    await registerNamespace(address, namespace, options.retentionHours ?? 72);
    const uiConfigDir = writeUiConfig(configDir, address, uiPort, namespace, options.uiCodecEndpoint);
    const ui = spawnLogged(tool('temporal-ui-server', 'TEMPORAL_UI_SERVER_PATH'), ['--root', configDir, '--config', uiConfigDir, '--env', 'cluster', 'start'], join(logDir, 'ui-server.log'));
    const uiUrl = `http://127.0.0.1:${uiPort}`;
    await waitForUi(ui, uiUrl, 30_000);
    return {
      topology: 'cluster',
      address,
      namespace,
      uiUrl,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      port,
      uiPort,
      dataDir: options.dataDir,
      postgres,
      stop: async () => {
        await Promise.all([stopProcess(ui, 'SIGTERM', 5_000), stopProcess(server, 'SIGTERM', 10_000)]);
        await postgres.stop();
      },
      kill: () => stopProcess(server, 'SIGKILL', 5_000),
      restart: async () => {
        await stopProcess(server, 'SIGTERM', 10_000);
        server = await launchServer();
      },
      restartPostgres: () => postgres.restart(),
      processes: () => [
        { role: 'server', pid: server.pid ?? -1 },
        { role: 'postgres', pid: postgres.pid },
        { role: 'ui', pid: ui.pid ?? -1 },
      ],
      store: { kind: 'postgres', port: postgres.port, user: postgres.user, dataDir: postgres.dataDir, databases: Object.keys(DATABASES) },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

function spawnLogged(command: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Creates and migrates both databases once (the marker file names the schema versions the tool applied). */
function migrateDatabases(postgres: RunningPostgres, marker: string): void {
  if (existsSync(marker)) return;
  const sqlTool = tool('temporal-sql-tool', 'TEMPORAL_SQL_TOOL_PATH');
  const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: '127.0.0.1', SQL_PORT: String(postgres.port), SQL_USER: postgres.user, SQL_PASSWORD: '' };
  for (const [database, schema] of Object.entries(DATABASES)) {
    for (const args of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schema]]) {
      const result = spawnSync(sqlTool, ['--db', database, ...args], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`temporal-sql-tool --db ${database} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
    }
  }
  writeFileSync(marker, new Date().toISOString());
}

/** Server configuration as JSON (valid YAML): every service on loopback, PostgreSQL for both stores. */
function writeServerConfig(configDir: string, postgres: RunningPostgres, port: number, servicePorts: number[], historyShards: number): { file: string; metricsPort: number } {
  const [httpPort, historyPort, matchingPort, workerPort, metricsPort, frontendMembership, historyMembership, matchingMembership, workerMembership] = servicePorts;
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `127.0.0.1:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number | undefined, membershipPort: number | undefined, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  const dynamicConfigFile = join(configDir, 'dynamic-config.yaml');
  writeFileSync(dynamicConfigFile, dynamicConfigFileText(serverDynamicConfig('cluster')));
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: historyShards,
      datastores: { 'postgres-default': datastore('temporal', 20), 'postgres-visibility': datastore('temporal_visibility', 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${metricsPort}` } },
    },
    services: {
      frontend: rpc(port, frontendMembership, { httpPort }),
      history: rpc(historyPort, historyMembership),
      matching: rpc(matchingPort, matchingMembership),
      worker: rpc(workerPort, workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${port}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  const file = join(configDir, 'temporal-server.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return { file, metricsPort: metricsPort as number };
}

/** The UI server reads `<root>/<config>/<env>.yaml`; returns the config folder relative to the root. */
function writeUiConfig(configDir: string, address: string, uiPort: number, namespace: string, codecEndpoint: string | undefined): string {
  const folder = 'ui';
  mkdirSync(join(configDir, folder), { recursive: true });
  const config = {
    temporalGrpcAddress: address,
    host: '127.0.0.1',
    port: uiPort,
    enableUi: true,
    defaultNamespace: namespace,
    hideLogs: true,
    // Plain HTTP on loopback: the UI's cookies cannot be Secure here.
    cors: { cookieInsecure: true, allowOrigins: [] as string[] },
    codec: { endpoint: codecEndpoint ?? '' },
  };
  writeFileSync(join(configDir, folder, 'cluster.yaml'), JSON.stringify(config, null, 2));
  return folder;
}


/**
 * Registers the namespace (already there after a restart) and our search attributes. A new namespace takes a
 * moment to reach the operator service ("Namespace default is not found"): retried until it is there.
 */
async function registerNamespace(address: string, namespace: string, retentionHours: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retentionHours * 3_600_000) });
    } catch (error) {
      if (!String(error).includes('already exists') && !String(error).includes('ALREADY_EXISTS')) throw error;
    }
    const indexedValueType = temporal.api.enums.v1.IndexedValueType;
    const searchAttributes = Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, indexedValueType[`INDEXED_VALUE_TYPE_${type.toUpperCase()}` as keyof typeof indexedValueType]]),
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`could not register search attributes in namespace ${namespace}: ${String(error)}`, { cause: error });
        await new Promise((done) => setTimeout(done, 250));
      }
    }
  } finally {
    await connection.close();
  }
}

async function waitForUi(child: ChildProcess, uiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal ui-server exited with code ${child.exitCode} while starting (see its log)`);
    try {
      if ((await fetch(`${uiUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`temporal ui-server at ${uiUrl} was not healthy within ${timeoutMs} ms`);
}
