// The scenarios of test/e2e/ through the VS Code API, in an Extension Development Host
// started by @vscode/test-electron (which downloads VS Code: not possible on every
// machine, so this is not part of .ci/run). See test/vscode/README.md.
//
//   npm run test:vscode                       build, download VS Code (cached), run the suite
//   npm run test:vscode -- --code-server      run the same suite in code-server's extension host
//                                             (the e2e tools, no download: bash .ci/e2e.sh installs them)
//   VSCODE_TEST_VERSION=1.100.3|stable|insiders   which VS Code (default 1.100.3, as code-server 4.100.3)
//   VSCODE_TEST_CACHE=dir                     where downloads are kept (default ~/.cache/provenance-vscode-test)
//   PROVENANCE_SCENARIOS=hover,quick          only scenarios whose name contains one of these words
//   PROVENANCE_SKIP_BUILD=1                   use dist/ as it is
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const suiteEntry = join(here, 'suite', 'index.js');
const started = Date.now();

const expectations = await import(pathToFileURL(join(repoRoot, 'test', 'e2e', 'harbour-ferry.mjs')).href);
/** Expectations cross into the extension host as JSON; regular expressions as { regexp, flags }. */
const expectationsJson = JSON.stringify({ ...expectations }, (_, value) => (value instanceof RegExp ? { regexp: value.source, flags: value.flags } : value));

if (process.env.PROVENANCE_SKIP_BUILD !== '1') {
  const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const sandbox = mkdtempSync(join(tmpdir(), 'provenance-vscode-test-'));
const workspace = join(sandbox, 'workspace');
cpSync(join(repoRoot, 'examples', expectations.example), workspace, { recursive: true });
const userData = join(sandbox, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'git.enabled': false,
}, null, 2));

let failed = false;
try {
  if (process.argv.includes('--code-server')) await inCodeServer();
  else await inElectron();
} catch (error) {
  failed = true;
  console.error(error?.stack ?? error);
} finally {
  if (!process.env.PROVENANCE_KEEP) rmSync(sandbox, { recursive: true, force: true });
}
console.log(`${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);

/** The documented way: @vscode/test-electron downloads VS Code and starts it with this repository as the extension under development. */
async function inElectron() {
  const { runTests } = createRequire(import.meta.url)('@vscode/test-electron');
  await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? '1.100.3',
    cachePath: process.env.VSCODE_TEST_CACHE ?? join(homedir(), '.cache', 'provenance-vscode-test'),
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteEntry,
    extensionTestsEnv: { PROVENANCE_EXPECTATIONS: expectationsJson, PROVENANCE_SCENARIOS: process.env.PROVENANCE_SCENARIOS ?? '' },
    // The workspace first (VS Code opens it); no other extension, a throw-away profile.
    launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${userData}`, `--extensions-dir=${join(sandbox, 'extensions')}`],
  });
}

/**
 * Without a VS Code download: the same suite inside code-server's Node extension host
 * (VS Code 1.100). code-server has no --extensionTestsPath, so a throw-away loader
 * extension calls the suite's run() when the window has started and writes the report.
 */
async function inCodeServer() {
  const { CodeServer, packageExtension } = await import('../e2e/lib/code-server.mjs');
  const { Workbench } = await import('../e2e/lib/workbench.mjs');
  const { chromiumPath, loadPlaywright } = await import('../e2e/lib/env.mjs');
  const { waitUntil } = await import('../e2e/lib/wait.mjs');
  const artifacts = join(sandbox, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const report = join(sandbox, 'report.txt');

  const loader = join(sandbox, 'loader');
  mkdirSync(loader);
  writeFileSync(join(loader, 'package.json'), JSON.stringify({
    name: 'provenance-vscode-suite-loader',
    displayName: 'Provenance VS Code API suite (loader)',
    publisher: 'provenance-test',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.91.0' },
    activationEvents: ['onStartupFinished'],
    main: './loader.js',
  }, null, 2));
  writeFileSync(join(loader, 'loader.js'), [
    "'use strict';",
    '// Generated by test/vscode/run.mjs --code-server: runs the suite as --extensionTestsPath would.',
    `process.env.PROVENANCE_EXPECTATIONS = ${JSON.stringify(expectationsJson)};`,
    `process.env.PROVENANCE_SCENARIOS = ${JSON.stringify(process.env.PROVENANCE_SCENARIOS ?? '')};`,
    `process.env.PROVENANCE_TEST_REPORT = ${JSON.stringify(report)};`,
    'exports.activate = () => {',
    `  require(${JSON.stringify(suiteEntry)}).run().catch((error) => require('node:fs').appendFileSync(${JSON.stringify(report)}, \`FAILED: \${error.message}\\n\`));`,
    '};',
    '',
  ].join('\n'));
  writeFileSync(join(loader, 'README.md'), 'Runs the Provenance VS Code API suite inside code-server.\n');
  writeFileSync(join(loader, 'LICENSE'), 'MIT\n');
  const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
  const packed = spawnSync(vsce, ['package', '--allow-missing-repository', '--skip-license', '-o', join(sandbox, 'loader.vsix')], { cwd: loader, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`packaging the loader failed:\n${packed.stdout}${packed.stderr}`);

  const server = new CodeServer({
    artifacts,
    workspace: join(repoRoot, 'examples', expectations.example),
    // The loader declares no trust support; runTests also runs trusted (--disable-workspace-trust).
    settings: { 'security.workspace.trust.enabled': false },
  });
  let browser;
  try {
    server.installExtension(await packageExtension(artifacts));
    server.installExtension(join(sandbox, 'loader.vsix'));
    const url = await server.start();
    const { chromium } = loadPlaywright();
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    const workbench = new Workbench(page, { artifacts });
    // The extension host starts with the window; the suite runs from there and writes its report.
    await page.goto(`${url}/?folder=${encodeURIComponent(server.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await waitUntil('the suite (run by the loader extension in code-server) to write its report', () => existsSync(report) && /\d+ passed, \d+ failed|FAILED/.test(readFileSync(report, 'utf8')), { timeout: 5 * 60_000, interval: 500 });
    const text = readFileSync(report, 'utf8');
    console.log(text);
    await workbench.screenshot('after-suite').catch(() => {});
    if (!/ 0 failed/.test(text) || /FAILED/.test(text)) throw new Error('the VS Code API suite failed in code-server (report above)');
  } finally {
    await browser?.close();
    await server.stop();
  }
}
