import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One process's CPU profile, reduced to what a note quotes: where its own time went. */
export interface CpuProfileSummary {
  /** `<topology>-<stack>-<role>`, the folder the profile was written to. */
  process: string;
  /** Sampled time that was not idle (ms). */
  busyMs: number;
  /** Self time by package (`@temporalio/worker`, `pino`, `node:internal`, `ours: api/`, `(garbage collector)`, …). */
  byPackage: { name: string; ms: number; percent: number }[];
  /** Self time by function, the hottest first. */
  topFrames: { frame: string; ms: number; percent: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const projectRoot = join(__dirname, '..');

/** The folder of `node --cpu-prof-dir` for one process of one stack. */
export function cpuProfileDir(root: string, stackName: string, role: string): string {
  return join(root, `${stackName}-${role}`);
}

/** Reads every profile under `root` (one folder per process) and sums self time by package and by function. */
export function summarizeCpuProfiles(root: string, topFrames = 12): CpuProfileSummary[] {
  if (!existsSync(root)) return [];
  const summaries: CpuProfileSummary[] = [];
  for (const folder of readdirSync(root).sort()) {
    if (!statSync(join(root, folder)).isDirectory()) continue;
    const files = readdirSync(join(root, folder)).filter((file) => file.endsWith('.cpuprofile'));
    if (!files.length) continue;
    const byFrame = new Map<string, number>();
    const byPackage = new Map<string, number>();
    let busyUs = 0;
    for (const file of files) {
      const profile = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as CpuProfile;
      const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
      profile.samples.forEach((id, index) => {
        const node = nodes.get(id);
        const us = profile.timeDeltas[index] ?? 0;
        if (!node || node.callFrame.functionName === '(idle)') return;
        busyUs += us;
        const frame = frameName(node);
        byFrame.set(frame, (byFrame.get(frame) ?? 0) + us);
        const owner = packageOf(node);
        byPackage.set(owner, (byPackage.get(owner) ?? 0) + us);
      });
    }
    const rank = (entries: Map<string, number>, limit: number) =>
      [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([name, us]) => ({ name, ms: Math.round(us / 1_000), percent: Math.round((1_000 * us) / Math.max(1, busyUs)) / 10 }));
    summaries.push({
      process: folder,
      busyMs: Math.round(busyUs / 1_000),
      byPackage: rank(byPackage, 12),
      topFrames: rank(byFrame, topFrames).map(({ name, ms, percent }) => ({ frame: name, ms, percent })),
    });
  }
  return summaries;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

/** A frame's file path, and the part after the last `node_modules/` when it is in a package. */
function locate(url: string): { path: string; inPackage?: string } {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  return modules >= 0 ? { path, inPackage: path.slice(modules + '/node_modules/'.length) } : { path };
}

function shortUrl(url: string): string {
  const { path, inPackage } = locate(url);
  if (inPackage !== undefined) return inPackage;
  return path.startsWith('/') ? relative(projectRoot, path) : path;
}

/** The npm package a frame belongs to, `node:` for Node's own JavaScript, `ours: <folder>/` for this project. */
function packageOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const { path, inPackage } = locate(url);
  if (inPackage !== undefined) {
    const [scope, name] = inPackage.split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? '?');
  }
  if (path.startsWith(projectRoot)) return `ours: ${relative(projectRoot, path).split('/')[0]}/`;
  return path;
}

/** The summaries as text tables, one per process. */
export function renderCpuProfiles(summaries: CpuProfileSummary[]): string {
  return summaries
    .map((summary) => {
      const packages = summary.byPackage.map((entry) => `  ${entry.percent.toFixed(1).padStart(5)}%  ${String(entry.ms).padStart(7)} ms  ${entry.name}`);
      const frames = summary.topFrames.map((entry) => `  ${entry.percent.toFixed(1).padStart(5)}%  ${String(entry.ms).padStart(7)} ms  ${entry.frame}`);
      return [`CPU profile ${summary.process}: ${summary.busyMs} ms busy`, ' by package (self time):', ...packages, ' hottest functions (self time):', ...frames].join('\n');
    })
    .join('\n\n');
}
