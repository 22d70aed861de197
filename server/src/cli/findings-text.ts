/**
 * A check's findings as they go from a worker to the main thread and into the
 * results cache: the engine's findings JSON in UTF-8 bytes
 * (engine/findings-json.ts), in which a worker's findings kept per block pass
 * through as the bytes its checks cache held them in. The bytes transfer
 * between threads without a copy, the main thread decodes them once, and the
 * results cache writes them as they came.
 */
import type { Finding } from '../engine/types';
import { findingsJson, readFindingsJson } from '../engine/findings-json';

export function encodeFindings(findings: readonly Finding[]): Uint8Array {
  return findingsJson(findings);
}

/** The findings `encodeFindings` or a worker's check wrote; throws on bytes they did not write (a damaged cache file). */
export function decodeFindings(bytes: Uint8Array): Finding[] {
  return readFindingsJson(bytes);
}
