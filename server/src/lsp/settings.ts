/**
 * Editor settings (`provenance.*`), read per resource through
 * `workspace/configuration` so a folder can differ from its neighbour. Clients
 * without that request get the settings pushed with `didChangeConfiguration`
 * or given in `initializationOptions`. Settings are plain data: nothing here
 * runs code from the workspace.
 */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_TIME_BUDGET_MS } from '../node/budget';

export type RunMode = 'onType' | 'onSave';

export interface Settings {
  /** false: this resource is not checked at all. */
  enable: boolean;
  /** When a piece is checked: while typing (debounced) or when saved. */
  run: RunMode;
  /** Time budget of one check (ms), after which it is stopped and reported; 0 = none. */
  timeBudgetMs: number;
}

export const DEFAULT_SETTINGS: Settings = { enable: true, run: 'onType', timeBudgetMs: DEFAULT_TIME_BUDGET_MS };

/** How long to wait for a client that never answers `workspace/configuration`. */
const CONFIGURATION_TIMEOUT_MS = 2000;

/** Reads what it understands of an untrusted settings object; anything else keeps the default. */
export function parseSettings(value: unknown, base: Settings = DEFAULT_SETTINGS): Settings {
  const raw = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return {
    enable: typeof raw.enable === 'boolean' ? raw.enable : base.enable,
    run: raw.run === 'onSave' || raw.run === 'onType' ? raw.run : base.run,
    // `timeBudget` is in seconds, as the user writes it.
    timeBudgetMs: typeof raw.timeBudget === 'number' && Number.isFinite(raw.timeBudget) && raw.timeBudget >= 0 ? Math.round(raw.timeBudget * 1000) : base.timeBudgetMs,
  };
}

export class SettingsStore {
  /** Bumped whenever settings may have changed: cached check results keyed on it go stale. */
  generation = 0;
  private readonly cache = new Map<string, Promise<Settings>>();
  private global: Settings;

  constructor(
    private readonly connection: Connection,
    /** The client answers `workspace/configuration`. */
    private readonly canAsk: boolean,
    initializationOptions: unknown,
    private readonly log: (message: string) => void,
  ) {
    const options = initializationOptions as { settings?: unknown; provenance?: unknown } | undefined;
    this.global = parseSettings(options?.provenance ?? options?.settings);
  }

  /** Settings for a document; asked once per resource and cached until the next change. */
  for(uri: string): Promise<Settings> {
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.canAsk ? this.request(uri) : Promise.resolve(this.global);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** `workspace/didChangeConfiguration`: pushed settings (if any) replace the global ones; everything is re-read. */
  changed(pushed: unknown): void {
    const section = pushed && typeof pushed === 'object' ? (pushed as Record<string, unknown>).provenance : undefined;
    if (section !== undefined) this.global = parseSettings(section);
    this.cache.clear();
    this.generation++;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async request(uri: string): Promise<Settings> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), CONFIGURATION_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'provenance' }), timeout]);
      return parseSettings(answer, this.global);
    } catch (err) {
      this.log(`Reading settings for ${uri} failed, using defaults: ${(err as Error).message}`);
      return this.global;
    } finally {
      clearTimeout(timer);
    }
  }
}
