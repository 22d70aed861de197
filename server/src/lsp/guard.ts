/**
 * Handlers never throw into the connection. A failing request is logged with
 * its stack and answered with an error response (the honest answer: "this
 * failed", not "there is nothing here"); a failing notification is logged.
 * Either way the server lives on and the next message is handled normally.
 *
 * `PROVENANCE_TEST_FAULTS=hover,didOpen` makes the named handlers throw, so
 * tests can prove that (hidden: not a setting, read from the environment only).
 *
 * A cancelled request is answered with RequestCancelled at once, even while
 * its handler still waits (for the workspace to load, or for a check of the
 * piece to finish); whatever the handler computes after that is dropped.
 */
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { Log } from './session';

export interface Guard {
  request<P, R, E = void>(name: string, handler: (params: P, token: CancellationToken) => R | Promise<R>): (params: P, token: CancellationToken) => Promise<R | ResponseError<E>>;
  notification<P>(name: string, handler: (params: P) => void | Promise<void>): (params: P) => void;
}

export function createGuard(log: () => Log, faults: ReadonlySet<string>): Guard {
  const injectFault = (name: string) => {
    if (faults.has(name)) throw new Error(`injected test fault in ${name} (PROVENANCE_TEST_FAULTS)`);
  };
  const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? err.message) : String(err));
  return {
    request(name, handler) {
      return async (params, token) => {
        if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
        const whenCancelled = cancelled(name, token);
        try {
          injectFault(name);
          const answer = Promise.resolve(handler(params, token));
          // Once cancelled, a late failure of the handler has nobody to go to.
          answer.catch(() => undefined);
          return await Promise.race([answer, whenCancelled.answer]);
        } catch (err) {
          if (err instanceof ResponseError) return err;
          if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
          log().error(`${name} failed: ${describe(err)}`);
          return new ResponseError(ErrorCodes.InternalError, `Provenance: ${name} failed (${(err as Error)?.message ?? err}); the server log has the details.`);
        } finally {
          whenCancelled.dispose();
        }
      };
    },
    notification(name, handler) {
      return (params) => {
        try {
          injectFault(name);
          const result = handler(params);
          if (result) result.catch((err: unknown) => log().error(`${name} failed: ${describe(err)}`));
        } catch (err) {
          log().error(`${name} failed: ${describe(err)}`);
        }
      };
    },
  };
}

/** An answer that settles with RequestCancelled when the token is cancelled (never otherwise). */
function cancelled(name: string, token: CancellationToken): { answer: Promise<ResponseError<never>>; dispose(): void } {
  let dispose = () => {};
  const answer = new Promise<ResponseError<never>>((resolve) => {
    const subscription = token.onCancellationRequested(() => resolve(new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`)));
    dispose = () => subscription.dispose();
  });
  return { answer, dispose };
}

/** Names of handlers that should throw, from `PROVENANCE_TEST_FAULTS` (comma-separated). */
export function faultsFromEnvironment(env: NodeJS.ProcessEnv): Set<string> {
  return new Set((env.PROVENANCE_TEST_FAULTS ?? '').split(',').map((name) => name.trim()).filter(Boolean));
}
