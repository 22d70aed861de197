/**
 * The status bar item: what the server is doing, and the way back when it
 * stopped (clicking a stopped or crashed server restarts it).
 */
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'ready' | 'stopped' | 'crashed' | 'disabled';

const LOOKS: Record<ServerState, { icon: string; tooltip: string; command: string; error?: boolean }> = {
  starting: { icon: '$(loading~spin)', tooltip: 'Provenance: starting the server…', command: 'provenance.showOutput' },
  ready: { icon: '$(check)', tooltip: 'Provenance: checking quotations. Click for the server log.', command: 'provenance.showOutput' },
  stopped: { icon: '$(debug-stop)', tooltip: 'Provenance: the server is stopped. Click to restart it.', command: 'provenance.restartServer' },
  crashed: { icon: '$(error)', tooltip: 'Provenance: the server crashed and was not restarted. Click to restart it.', command: 'provenance.restartServer', error: true },
  disabled: { icon: '$(circle-slash)', tooltip: 'Provenance is disabled (setting provenance.enable).', command: 'workbench.action.openSettings' },
};

export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('provenance.status', vscode.StatusBarAlignment.Right, 100);
  state: ServerState = 'stopped';

  constructor() {
    this.item.name = 'Provenance';
    this.set('starting');
    this.item.show();
  }

  set(state: ServerState): void {
    this.state = state;
    const look = LOOKS[state];
    this.item.text = `${look.icon} Provenance`;
    this.item.tooltip = look.tooltip;
    this.item.command = state === 'disabled' ? { title: 'Open settings', command: look.command, arguments: ['provenance.enable'] } : look.command;
    this.item.backgroundColor = look.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
