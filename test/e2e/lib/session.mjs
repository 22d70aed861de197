// One editor session: the packaged extension installed into a fresh code-server,
// a copy of an example workspace, and a headless Chromium on the workbench.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyBreak } from './break.mjs';
import { CodeServer, packageExtension } from './code-server.mjs';
import { chromiumPath, loadPlaywright, repoRoot } from './env.mjs';
import { Workbench } from './workbench.mjs';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Session {
  /**
   * @param {{ artifacts: string, example: string, settings?: object, publishDocs?: boolean, log?: (line: string) => void }} options
   *   example: folder under examples/ to open; publishDocs: false keeps this session's screenshots out of docs/images/
   */
  static async start({ artifacts, example, settings, publishDocs = true, log = () => {} }) {
    const session = new Session();
    session.artifacts = artifacts;
    session.publishDocs = publishDocs;
    session.example = example;
    session.manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    try {
      let t = Date.now();
      const vsix = await packageExtension(artifacts);
      log(`packaged ${vsix} in ${Date.now() - t} ms`);

      session.server = new CodeServer({ artifacts, workspace: join(repoRoot, 'examples', example), settings });
      t = Date.now();
      session.installedDir = session.server.installExtension(vsix);
      log(`installed into ${session.installedDir} in ${Date.now() - t} ms`);
      const broken = applyBreak(session.installedDir);
      if (broken) log(`E2E_BREAK=${broken}: the installed copy is deliberately broken`);

      t = Date.now();
      const url = await session.server.start();
      log(`code-server listening at ${url} in ${Date.now() - t} ms`);

      const { chromium } = loadPlaywright();
      session.browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, headless: true });
      const context = await session.browser.newContext({ viewport: { width: 1280, height: 860 } });
      session.page = await context.newPage();
      session.workbench = new Workbench(session.page, { artifacts });
      t = Date.now();
      await session.workbench.open(url, session.server.workspace);
      log(`workbench ready in ${Date.now() - t} ms`);
      return session;
    } catch (error) {
      // The window as it was when starting failed (a workbench that loaded but never settled).
      if (session.workbench) await session.workbench.screenshot('session-start--FAILED').catch(() => {});
      await session.close();
      throw error;
    }
  }

  /** Absolute path of a file in the session's workspace copy. */
  path(relative) {
    return join(this.server.workspace, relative);
  }

  /** The workspace file's text as it is on disk. */
  read(relative) {
    return readFileSync(this.path(relative), 'utf8');
  }

  /**
   * 1-based line number of the first line that contains `text`, in the example as
   * committed (scenarios undo their edits, so lines do not move; the copy on disk may
   * briefly differ, e.g. after a quick fix that VS Code saves by itself).
   */
  lineOf(relative, text) {
    const original = readFileSync(join(repoRoot, 'examples', this.example, relative), 'utf8');
    const index = original.split('\n').findIndex((line) => line.includes(text));
    if (index < 0) throw new Error(`"${text}" is not in examples/${this.example}/${relative}`);
    return index + 1;
  }

  /**
   * Puts back every file of the workspace copy that differs from the committed example
   * (e.g. one a failed scenario changed and VS Code saved); returns the restored paths.
   * Open editors without unsaved changes follow the disk by themselves.
   */
  restoreWorkspace() {
    const original = join(repoRoot, 'examples', this.example);
    const restored = [];
    for (const relative of readdirSync(original, { recursive: true })) {
      const from = join(original, relative);
      if (!statSync(from).isFile()) continue;
      const to = this.path(relative);
      const want = readFileSync(from);
      if (existsSync(to) && readFileSync(to).equals(want)) continue;
      writeFileSync(to, want);
      restored.push(relative);
    }
    return restored;
  }

  /** Copies an artefact screenshot to docs/images/ when E2E_UPDATE_DOCS=1. */
  publish(file, name) {
    if (process.env.E2E_UPDATE_DOCS !== '1' || !this.publishDocs) return;
    const dir = join(repoRoot, 'docs', 'images');
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, join(dir, name));
  }

  async close() {
    await this.browser?.close().catch(() => {});
    await this.server?.stop();
  }
}
