// code-server (VS Code 1.100 in a browser) as a disposable editor: package the
// extension, install it into a fresh extensions directory, serve a copy of a
// workspace on a free 127.0.0.1 port, and tear everything down afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { codeServerPath, repoRoot } from './env.mjs';
import { waitUntil } from './wait.mjs';

/** The user settings every session starts from: no welcome page, no trust prompt, nothing that phones home. */
export const baseSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Light Modern',
  'security.workspace.trust.startupPrompt': 'never', // the folder opens in Restricted Mode until trusted
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'editor.hover.delay': 200,
  // Cards open below the line, where the editor has room for them (the screenshots show whole cards).
  'editor.hover.above': false,
  'editor.minimap.enabled': false,
  'chat.commandCenter.enabled': false,
};

/** Runs a command to completion; throws with its output when it fails. */
function run(command, args, { cwd = repoRoot, log, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (log) writeFileSync(log, output);
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}):\n${output.slice(-4000)}`);
  }
  return output;
}

/**
 * The .vsix under test: $E2E_VSIX when given (to iterate quickly), else the result of
 * `npm run package` (dist/provenance.vsix), reused when it is newer than every input.
 */
export async function packageExtension(artifacts) {
  if (process.env.E2E_VSIX) return resolve(process.env.E2E_VSIX);
  const vsix = join(repoRoot, 'dist', 'provenance.vsix');
  // Test files may run in parallel (node --test): one packages at a time, and one that
  // waited for another's packaging uses its result instead of rebuilding dist/ under it.
  const lock = join(repoRoot, 'dist', '.e2e-package.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const asked = Date.now();
  let waited = false;
  await waitUntil('the lock on `npm run package` (held by another e2e test file)', () => {
    try {
      mkdirSync(lock);
      return true;
    } catch {
      waited = true;
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true }); // stale
      return false;
    }
  }, { timeout: 5 * 60_000, interval: 500 });
  try {
    if (waited && existsSync(vsix) && statSync(vsix).mtimeMs > asked) return vsix;
    // The next test file of the same run (or a rerun) need not package again what nothing changed since.
    if (existsSync(vsix) && statSync(vsix).mtimeMs > newestInput()) return vsix;
    run('npm', ['run', 'package'], { log: join(artifacts, 'npm-run-package.log') });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(vsix)) throw new Error(`\`npm run package\` succeeded but ${vsix} does not exist`);
  return vsix;
}

/** What `npm run package` reads: the sources, the manifest and build script, the files it ships. */
const packageInputs = ['client/src', 'server/src', 'docs/rules', 'schemas', 'syntaxes', 'package.json', 'package-lock.json', 'esbuild.mjs', 'tsconfig.base.json', '.vscodeignore', 'README.md', 'LICENSE'];

/** Modification time (ms) of the newest file among the packaging inputs. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of packageInputs) visit(join(repoRoot, input));
  return newest;
}

export class CodeServer {
  /**
   * A fresh sandbox (user data, extensions, workspace copy) under the OS temp directory.
   * @param {{ artifacts: string, workspace: string, settings?: object }} options
   *   workspace: the folder to copy (e.g. examples/harbour-ferry)
   */
  constructor({ artifacts, workspace, settings = {} }) {
    this.bin = codeServerPath();
    this.artifacts = artifacts;
    this.root = mkdtempSync(join(tmpdir(), 'provenance-e2e-'));
    this.userData = join(this.root, 'user-data');
    this.extensions = join(this.root, 'extensions');
    this.workspace = join(this.root, 'workspace');
    this.config = join(this.root, 'code-server.yaml');
    mkdirSync(join(this.userData, 'User'), { recursive: true });
    mkdirSync(this.extensions, { recursive: true });
    cpSync(workspace, this.workspace, { recursive: true });
    writeFileSync(join(this.userData, 'User', 'settings.json'), JSON.stringify({ ...baseSettings, ...settings }, null, 2));
    writeFileSync(this.config, 'auth: none\n'); // keeps code-server from writing ~/.config/code-server/config.yaml
    this.env = {
      ...process.env,
      XDG_CONFIG_HOME: join(this.root, 'xdg-config'),
      XDG_DATA_HOME: join(this.root, 'xdg-data'),
    };
    this.process = null;
  }

  /** `code-server --install-extension`; returns the installed extension's directory. */
  installExtension(vsix) {
    run(this.bin, ['--config', this.config, '--user-data-dir', this.userData, '--extensions-dir', this.extensions, '--install-extension', vsix, '--force'], {
      log: join(this.artifacts, 'install-extension.log'),
      env: this.env,
    });
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const prefix = `${manifest.publisher}.${manifest.name}-`.toLowerCase();
    const installed = readdirSync(this.extensions).find((name) => name.toLowerCase().startsWith(prefix));
    if (!installed) throw new Error(`--install-extension reported success but no ${prefix}* directory is in ${this.extensions}`);
    return join(this.extensions, installed);
  }

  /** Serves the workspace on a free port and waits until code-server says it is listening. */
  async start() {
    const port = await freePort();
    const args = [
      '--config', this.config,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', this.userData,
      '--extensions-dir', this.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      // Workspace trust stays ON: the folder opens in Restricted Mode, as a stranger's repository would.
      this.workspace,
    ];
    const log = createWriteStream(join(this.artifacts, 'code-server.log'));
    let output = '';
    // detached: code-server and its children (extension host, language server) form one
    // process group that stop() ends by its id.
    this.process = spawn(this.bin, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        log.write(chunk);
      });
    }
    let exited = null;
    this.process.on('exit', (code, signal) => { exited = code ?? signal; });
    await waitUntil(`code-server to listen on 127.0.0.1:${port}`, () => {
      if (exited !== null) throw new Error(`code-server exited (${exited}):\n${output.slice(-2000)}`);
      return output.includes('HTTP server listening');
    }, { timeout: 60_000, describe: () => output.slice(-500) });
    if (exited !== null) throw new Error(`code-server exited (${exited}):\n${output.slice(-2000)}`);
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  /** Error lines of the extension host logs (evidence for a failed activation). */
  extensionHostErrors() {
    const lines = [];
    for (const file of walk(join(this.userData, 'logs'))) {
      if (!/exthost/i.test(file) || !file.endsWith('.log')) continue;
      const text = readFileSync(file, 'utf8').split('\n');
      text.forEach((line, i) => {
        if (/\[error\]/.test(line)) lines.push(line, ...text.slice(i + 1, i + 3).filter((l) => /^\s+at /.test(l)));
      });
    }
    return lines.join('\n');
  }

  /** The text of this session's log files named `name` (e.g. "Provenance.log", the extension's Output channel), joined. */
  logText(name) {
    return [...walk(join(this.userData, 'logs'))].filter((file) => file.endsWith(`/${name}`)).map((file) => readFileSync(file, 'utf8')).join('\n');
  }

  /** Ends code-server's process group, keeps its logs in the artefacts, removes the sandbox. */
  async stop() {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      try { process.kill(-this.process.pid, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(-this.process.pid, 'SIGKILL'); } catch { /* gone */ } }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    const logs = join(this.userData, 'logs');
    if (existsSync(logs)) cpSync(logs, join(this.artifacts, 'vscode-logs'), { recursive: true });
    if (!process.env.E2E_KEEP) rmSync(this.root, { recursive: true, force: true });
  }
}

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
