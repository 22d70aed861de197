// The VS Code workbench as a user sees it: commands, Quick Open, the Problems
// and Output panels, hovers and quick fixes. Every method acts through the UI
// (keyboard, mouse) and reads back what is on screen; selectors live here only,
// so a VS Code upgrade that renames a class is fixed in one file.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from './wait.mjs';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
const ACTIVE_EDITOR = '.part.editor .editor-group-container.active .editor-container .monaco-editor';
const PANEL = '.part.panel';
const HOVER = '.monaco-hover:not(.hidden)';
const ACTION_WIDGET = '.action-widget';

export class Workbench {
  /**
   * @param {import('playwright-core').Page} page
   * @param {{ artifacts: string, timeout?: number }} options
   */
  constructor(page, { artifacts, timeout = Number(process.env.E2E_TIMEOUT) || 30_000 }) {
    this.page = page;
    this.artifacts = artifacts;
    this.timeout = timeout;
    this.shots = 0;
    this.consoleLog = join(artifacts, 'browser-console.log');
    page.on('console', (message) => appendFileSync(this.consoleLog, `[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => appendFileSync(this.consoleLog, `[pageerror] ${error.stack ?? error.message}\n`));
  }

  /**
   * Opens code-server on a folder and waits until the Explorer shows it and the
   * workspace trust state is settled: a fresh folder with the trust prompt off opens in
   * Restricted Mode, whose status bar item appears a moment after the Explorer.
   */
  async open(url, folder) {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await this.waitFor('the workbench to load and the Explorer to list the workspace', () =>
      this.page.locator('.explorer-folders-view .monaco-list-row').first().isVisible(),
    { timeout: 120_000 });
    // A red run says what the status bar showed instead (last seen: its items' texts). 60 s: once, in CI,
    // it had not appeared 30 s after the Explorer (cause unknown; never seen here).
    await this.waitFor('the status bar to show "Restricted Mode" (a fresh, untrusted folder)', async () => ((await this.isRestricted()) ? true : this.statusBarTexts()), {
      timeout: 60_000,
      accept: (seen) => seen === true,
      describe: (seen) => `status bar items: ${JSON.stringify(seen)}`,
    });
  }

  /** The visible status bar items' texts (their ids where they have no text). */
  async statusBarTexts() {
    return this.page.locator('.part.statusbar .statusbar-item').evaluateAll((items) =>
      items.filter((item) => item.getBoundingClientRect().width > 0).map((item) => (item.textContent ?? '').trim() || item.id));
  }

  /** waitUntil with this workbench's default timeout; each wait is timed in steps.log. */
  async waitFor(what, probe, options = {}) {
    const start = Date.now();
    try {
      return await waitUntil(what, probe, { timeout: this.timeout, ...options });
    } finally {
      this.trace(`${Date.now() - start} ms waiting for ${what}`);
    }
  }

  /** One line in the artefacts' steps.log, to see where a run spends its time. */
  trace(line) {
    appendFileSync(join(this.artifacts, 'steps.log'), `${new Date().toISOString().slice(11, 23)} ${line}\n`);
  }

  /** A numbered full-window screenshot in the artefacts directory; returns its path. */
  async screenshot(name) {
    this.shots += 1;
    const file = join(this.artifacts, `${String(this.shots).padStart(2, '0')}-${name}.png`);
    this.trace(`screenshot ${file}`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A screenshot of one region (e.g. the editor with its widgets), for the docs. */
  async screenshotClip(name, clip) {
    const file = join(this.artifacts, `${name}.png`);
    await this.page.screenshot({ path: file, clip });
    return file;
  }

  // --- commands and Quick Open -------------------------------------------------

  /** Runs a command from the Command Palette by its label (e.g. "Developer: Show Running Extensions"). */
  async runCommand(label) {
    this.trace(`command: ${label}`);
    await this.closeWidgets();
    await this.page.keyboard.press('F1');
    await this.quickInputVisible();
    await this.fillQuickInput(`>${label}`);
    await this.pickQuickInputRow(`the command "${label}" in the Command Palette`, (aria) => aria === label || aria.startsWith(`${label},`));
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits until its tab is active. */
  async openFile(relativePath) {
    const name = relativePath.split('/').pop();
    if ((await this.activeTabName()) === name) return;
    await this.closeWidgets();
    await this.page.keyboard.press('Control+P');
    await this.quickInputVisible();
    // Quick Open's fuzzy matcher does not match a leading dot, so ".provenance.yml" is typed without it.
    await this.fillQuickInput(relativePath.replace(/^\./, ''));
    await this.pickQuickInputRow(`"${relativePath}" in Quick Open`, (aria) => aria.startsWith(`${name},`));
    await this.waitFor(`the editor tab "${name}" to become active`, () => this.activeTabName(), { accept: (tab) => tab === name });
    await this.waitFor(`the editor of "${name}" to render its text`, () => this.page.locator(`${ACTIVE_EDITOR} .view-line`).first().isVisible());
  }

  async activeTabName() {
    return this.page.evaluate(() => document.querySelector('.part.editor .editor-group-container.active .tab.active')?.getAttribute('aria-label') ?? null);
  }

  /**
   * Puts `text` into the quick input box as one input event (typing it key by key
   * refilters the list on every key, seconds per command on a small machine).
   */
  async fillQuickInput(text) {
    await this.page.locator(`${QUICK_INPUT} input`).first().fill(text);
  }

  async quickInputVisible() {
    await this.waitFor('the quick input box to open', () => this.page.locator(`${QUICK_INPUT} input`).first().isVisible());
  }

  /** Waits for a row matching `match(ariaLabel)`, moves the keyboard focus onto it and accepts it. */
  async pickQuickInputRow(what, match) {
    const rows = () => this.page.locator(QUICK_INPUT_ROWS).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    await this.waitFor(what, rows, { accept: (labels) => labels.some(match), describe: (labels) => `rows ${JSON.stringify(labels)}` });
    await this.focusListRow(QUICK_INPUT_ROWS, match, what);
    const input = this.page.locator(`${QUICK_INPUT} input`).first();
    const typed = await input.inputValue();
    await this.page.keyboard.press('Enter');
    // Accepted when the box closes, or when it turns into the next picker (a command may open one).
    await this.waitFor(`the quick input box to accept ${what}`, async () =>
      !(await this.page.locator(QUICK_INPUT).first().isVisible()) || (await input.inputValue()) !== typed);
  }

  /** Arrow-keys through a list until the focused row's aria-label satisfies `match`. */
  async focusListRow(rowSelector, match, what) {
    const state = () => this.page.evaluate((selector) => {
      const rows = [...document.querySelectorAll(selector)].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
      return { labels: rows.map((r) => r.getAttribute('aria-label') ?? ''), focused: rows.findIndex((r) => r.classList.contains('focused')) };
    }, rowSelector);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { labels, focused } = await state();
      if (focused >= 0 && match(labels[focused])) return;
      const target = labels.findIndex(match);
      if (target < 0) break;
      const moves = focused < 0 ? target + 1 : target - focused;
      for (let i = 0; i < Math.abs(moves); i++) await this.page.keyboard.press(moves > 0 ? 'ArrowDown' : 'ArrowUp');
    }
    const { labels, focused } = await state();
    throw new Error(`Could not move the keyboard focus to ${what} (focused: ${JSON.stringify(labels[focused])}, rows: ${JSON.stringify(labels)})`);
  }

  /** Escape out of hovers, menus and the quick input, back to the editor. */
  async closeWidgets() {
    for (let i = 0; i < 3; i++) {
      const open = await this.page.evaluate(({ quickInput, hover, actions }) => {
        const visible = (sel) => [...document.querySelectorAll(sel)].some((e) => e.getBoundingClientRect().height > 0 && getComputedStyle(e).display !== 'none');
        return visible(quickInput) || visible(hover) || visible(actions);
      }, { quickInput: QUICK_INPUT, hover: HOVER, actions: ACTION_WIDGET });
      if (!open) return;
      await this.page.keyboard.press('Escape');
    }
  }

  // --- the editor ----------------------------------------------------------------

  /** The text the active editor shows, visual lines in order (wrapped lines come out split). */
  async editorText() {
    return this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root) =>
      [...root.querySelectorAll('.view-line')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line) => line.textContent.replace(/\u00a0/g, ' '))
        .join('\n'));
  }

  /** True when the active editor shows `text` (whitespace and line wrapping ignored). */
  async editorShows(text) {
    const squash = (s) => s.replace(/\s+/g, '');
    return squash(await this.editorText()).includes(squash(text));
  }

  /** Screen coordinates of the middle of the first visible occurrence of `text` in the active editor. */
  async locateText(text) {
    const point = await this.page.locator(`${ACTIVE_EDITOR} .view-lines`).first().evaluate((root, wanted) => {
      for (const line of root.querySelectorAll('.view-line')) {
        const pieces = [];
        let joined = '';
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          pieces.push({ node, start: joined.length });
          joined += node.data;
        }
        const index = joined.replace(/\u00a0/g, ' ').indexOf(wanted);
        if (index < 0) continue;
        const at = (offset) => {
          const piece = pieces.findLast((p) => p.start <= offset);
          return [piece.node, offset - piece.start];
        };
        const range = document.createRange();
        range.setStart(...at(index));
        range.setEnd(...at(index + wanted.length - 1));
        const box = range.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      return null;
    }, text);
    if (!point) throw new Error(`"${text}" is not visible in the active editor:\n${await this.editorText()}`);
    return point;
  }

  /** Clicks into the active editor on `text`, leaving the cursor there. */
  async clickText(text) {
    await this.closeWidgets();
    const { x, y } = await this.locateText(text);
    await this.page.mouse.click(x, y);
  }

  /**
   * Hovers the mouse over `text` and waits for a hover that contains `expected`.
   * Monaco starts a hover on mouse movement; if it did not show (the extension host was
   * still busy), the mouse leaves and comes back, until the timeout.
   * @returns {Promise<string>} the hover's text
   */
  async hover(text, expected) {
    await this.closeWidgets();
    const deadline = Date.now() + this.timeout;
    let lastSeen = '(no hover)';
    while (Date.now() < deadline) {
      const { x, y } = await this.locateText(text);
      await this.page.mouse.move(x, y - 60); // off the text (two lines up), then onto it
      await this.page.mouse.move(x, y, { steps: 4 });
      try {
        return await this.waitFor(`a hover over "${text}" containing "${expected}"`, () => this.visibleHoverText(), {
          timeout: Math.min(5_000, Math.max(deadline - Date.now(), 1)),
          accept: (shown) => shown.includes(expected),
        });
      } catch (error) {
        lastSeen = error.last || '(no hover)';
      }
    }
    throw new Error(`Timed out after ${this.timeout / 1000}s waiting for a hover over "${text}" containing "${expected}" (last hover seen: ${JSON.stringify(lastSeen)})`);
  }

  async visibleHoverText() {
    return this.page.evaluate((selector) =>
      [...document.querySelectorAll(selector)]
        .filter((e) => e.getBoundingClientRect().height > 0)
        .map((e) => e.innerText)
        .join('\n---\n'), HOVER);
  }

  /** Bounding box of the visible hover (for screenshots). */
  async hoverBox() {
    return this.page.locator(HOVER).first().boundingBox();
  }

  /**
   * Puts the cursor on `text`, opens the Quick Fix menu (Ctrl+.), waits for `title`,
   * calls `beforeApply` (e.g. to take a screenshot of the open menu), then applies it.
   */
  async quickFix(text, title, beforeApply = async () => {}) {
    await this.clickText(text);
    // Park the mouse off the text: with the pointer on a word, holding Ctrl turns it into a link.
    const editor = await this.editorBox();
    await this.page.mouse.move(editor.x + editor.width - 8, editor.y + editor.height - 8);
    await this.closeWidgets();
    await this.page.keyboard.press('Control+.');
    const rows = `${ACTION_WIDGET} .monaco-list-row`;
    const titles = () => this.page.locator(rows).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')).filter(Boolean));
    await this.waitFor(`the Quick Fix menu on "${text}" to offer "${title}"`, titles, {
      accept: (shown) => shown.includes(title),
      describe: (shown) => `actions ${JSON.stringify(shown)}`,
    });
    await beforeApply();
    await this.focusListRow(rows, (label) => label === title, `the quick fix "${title}"`);
    await this.page.keyboard.press('Enter');
    await this.waitFor('the Quick Fix menu to close', async () => !(await this.page.locator(ACTION_WIDGET).first().isVisible()));
  }

  /** Bounding box of the open Quick Fix menu. */
  async actionWidgetBox() {
    return this.page.locator(ACTION_WIDGET).first().boundingBox();
  }

  async editorBox() {
    return this.page.locator(ACTIVE_EDITOR).first().boundingBox();
  }

  /** Replace All through the editor's Find/Replace widget (Ctrl+H), then close it. */
  async replaceAll(find, replacement) {
    await this.closeWidgets();
    await this.page.keyboard.press('Control+H');
    const widget = `${ACTIVE_EDITOR} .find-widget.visible`;
    await this.waitFor('the Find/Replace widget to open', () => this.page.locator(widget).first().isVisible());
    await this.page.locator(`${widget} .find-part textarea`).first().fill(find);
    await this.page.locator(`${widget} .replace-part textarea`).first().fill(replacement);
    await this.waitFor(`the Find widget to find "${find}"`, () => this.page.locator(`${widget} .matchesCount`).first().textContent(), {
      accept: (count) => /^1 of/.test(count ?? ''),
    });
    await this.page.locator(`${widget} .replace-part textarea`).first().focus();
    await this.page.keyboard.press('Control+Alt+Enter'); // Replace All
    await this.waitFor(`the editor to show "${replacement}"`, () => this.editorShows(replacement));
    await this.page.keyboard.press('Escape');
  }

  /**
   * Pastes `text` at the end of the active editor's document and waits until the editor
   * shows `shown` (a part of it). The paste event carries the text itself, so no clipboard
   * permission is needed; typing it (keyboard.insertText) takes minutes for 100 KB.
   */
  async pasteAtEnd(text, shown) {
    await this.closeWidgets();
    await this.page.keyboard.press('Control+End');
    await this.page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.setData('text/plain', data);
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, text);
    await this.waitFor(`the editor to show "${shown}"`, () => this.editorShows(shown));
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save() {
    await this.page.keyboard.press('Control+S');
    await this.waitFor('the active editor to be saved', async () =>
      !(await this.page.locator('.part.editor .editor-group-container.active .tab.active.dirty').count()));
  }

  /** Reverts every editor with unsaved changes (File: Revert File), so no edit outlives its scenario. */
  async revertDirtyEditors() {
    await this.closeWidgets();
    const dirty = this.page.locator('.part.editor .tab.dirty');
    for (let i = 0; i < 10 && (await dirty.count()) > 0; i++) {
      await dirty.first().click();
      await this.runCommand('File: Revert File');
    }
    await this.waitFor('no editor to have unsaved changes', async () => (await dirty.count()) === 0);
  }

  /** Hides the panel (Problems, Output), giving the editor the window's height; problems() opens it again. */
  async hidePanel() {
    if (!(await this.page.locator(PANEL).first().isVisible())) return;
    await this.runCommand('View: Hide Panel');
    await this.waitFor('the panel to close', async () => !(await this.page.locator(PANEL).first().isVisible()));
  }

  /** The channel the Output panel shows ("Provenance"), or undefined while the panel is hidden or shows another view. */
  async shownOutputChannel() {
    const select = this.page.locator(`${PANEL} .title select.monaco-select-box`);
    if (!(await this.page.locator(PANEL).first().isVisible()) || !(await select.count())) return undefined;
    const visible = await select.first().isVisible();
    return visible ? select.first().evaluate((box) => box.options[box.selectedIndex]?.text) : undefined;
  }

  /** The status bar's cursor item, e.g. "Ln 9, Col 13 (12 selected)". */
  async cursorStatus() {
    const item = this.page.locator('.part.statusbar [id="status.editor.selection"]');
    return (await item.count()) ? ((await item.first().textContent()) ?? '').trim() : '';
  }

  /** Labels (aria) of the rows the open quick pick lists. */
  async quickPickRows() {
    return this.page.locator(QUICK_INPUT_ROWS).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  /** Bounding box of the quick input widget (for screenshots). */
  async quickInputBox() {
    return this.page.locator(QUICK_INPUT).first().boundingBox();
  }

  async undo() {
    await this.page.keyboard.press('Control+Z');
  }

  // --- the Problems panel --------------------------------------------------------

  /** Opens the Problems panel and returns every marker it lists, as { file, severity, message, source, code, line, column }. */
  async problems() {
    if (!(await this.page.locator(`${PANEL} .markers-panel`).first().isVisible())) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    }
    const rows = await this.collectRows(`${PANEL} .markers-panel .monaco-list`, {
      level: '@aria-level',
      aria: '@aria-label',
      message: '.marker-message',
      source: '.marker-source',
      code: '.marker-code',
      position: '.marker-line',
    });
    const markers = [];
    let file = '';
    for (const row of rows) {
      if (row.level === '1') {
        file = /in file (.+?) of folder/.exec(row.aria)?.[1] ?? row.aria;
        continue;
      }
      if (row.level !== '2') continue; // level 3: a marker's related information ("The passage in …")
      const position = /Ln (\d+), Col (\d+)/.exec(row.position);
      markers.push({
        file,
        severity: /^(\w+):/.exec(row.aria)?.[1]?.toLowerCase() ?? '',
        message: row.message,
        source: row.source,
        code: row.code,
        line: position ? Number(position[1]) : 0,
        column: position ? Number(position[2]) : 0,
      });
    }
    return markers;
  }

  /**
   * Reads every row of a (virtualised) Monaco list or tree, scrolling it with the
   * mouse wheel until no new rows appear. `fields` maps a name to "@attribute" or to
   * a CSS selector inside the row whose text is wanted.
   */
  async collectRows(listSelector, fields) {
    const list = this.page.locator(listSelector).first();
    const seen = new Map();
    for (let round = 0; round < 50; round++) {
      const rows = await list.evaluate((root, wanted) =>
        [...root.querySelectorAll('.monaco-list-row')].map((row) => {
          const value = {};
          for (const [name, how] of Object.entries(wanted)) {
            value[name] = how.startsWith('@') ? row.getAttribute(how.slice(1)) ?? '' : row.querySelector(how)?.textContent?.trim() ?? '';
          }
          return { index: Number(row.dataset.index), value };
        }), fields);
      const before = seen.size;
      for (const { index, value } of rows) seen.set(index, value);
      if (round > 0 && seen.size === before) break;
      const box = await list.boundingBox();
      if (!box) break;
      await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
      await this.page.mouse.wheel(0, Math.max(box.height - 30, 60));
      await this.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    }
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }

  /** Wheels a list until the row with this aria-label is fully in view (for screenshots). */
  async revealRow(listSelector, ariaLabel) {
    const list = this.page.locator(listSelector).first();
    for (let i = 0; i < 30; i++) {
      const where = await list.evaluate((root, label) => {
        const row = [...root.querySelectorAll('.monaco-list-row')].find((r) => r.getAttribute('aria-label') === label);
        const view = root.getBoundingClientRect();
        if (!row) return 'up'; // rows are rendered only near the viewport; it is above after a full scroll down
        const box = row.getBoundingClientRect();
        return box.top < view.top ? 'up' : box.bottom > view.bottom ? 'down' : 'visible';
      }, ariaLabel);
      if (where === 'visible') return;
      const box = await list.boundingBox();
      await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
      await this.page.mouse.wheel(0, where === 'up' ? -60 : 60);
      await this.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    }
  }

  // --- the Output panel, Running Extensions, workspace trust ---------------------

  /** Shows an Output channel by name and returns its visible text; fails if there is no such channel. */
  async outputChannel(name) {
    await this.runCommand('Output: Show Output Channels...');
    await this.quickInputVisible();
    await this.fillQuickInput(name);
    await this.pickQuickInputRow(`an Output channel named "${name}" (the channel the extension creates when it activates)`, (aria) => aria === name);
    const text = () => this.page.locator(`${PANEL} .monaco-editor .view-lines`).first().evaluate((root) =>
      [...root.querySelectorAll('.view-line')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line) => line.textContent.replace(/\u00a0/g, ' '))
        .join('\n'));
    return this.waitFor(`the Output channel "${name}" to show some text`, text, { accept: (shown) => shown.trim().length > 0 });
  }

  /**
   * The Running Extensions editor's row for one extension: { name, activation, message }.
   * `activation` reads like "Activation: 455ms" once activate() has returned; a failed
   * activation stays at "Activating...".
   */
  async runningExtension(extensionName) {
    // The editor follows activation live; open it only once.
    if ((await this.activeTabName()) !== 'Running Extensions') await this.runCommand('Developer: Show Running Extensions');
    const list = '.runtime-extensions-editor .monaco-list';
    await this.waitFor('the Running Extensions editor to list extensions', () => this.page.locator(`${list} .monaco-list-row`).first().isVisible());
    const rows = await this.collectRows(list, { id: '@aria-label', name: '.name', activation: '.activation-time', message: '.msg' });
    const row = rows.find((r) => r.id === extensionName) ?? null;
    if (row) await this.revealRow(list, extensionName);
    return row;
  }

  async closeActiveEditor() {
    await this.runCommand('View: Close Editor');
  }

  /** True while the status bar shows the "Restricted Mode" indicator. */
  async isRestricted() {
    const item = this.page.locator('.part.statusbar [id="status.workspaceTrust"]');
    return (await item.count()) > 0 && (await item.first().isVisible()) && /Restricted Mode/.test((await item.first().textContent()) ?? '');
  }

  /** Trusts the workspace through "Workspaces: Manage Workspace Trust" and its Trust button. */
  async trustWorkspace() {
    await this.runCommand('Workspaces: Manage Workspace Trust');
    const button = this.page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ });
    await this.waitFor('the Workspace Trust editor to offer "Trust"', () => button.first().isVisible());
    await button.first().click();
    await this.waitFor('the status bar to drop its "Restricted Mode" indicator', async () => !(await this.isRestricted()));
    await this.closeActiveEditor();
  }
}
