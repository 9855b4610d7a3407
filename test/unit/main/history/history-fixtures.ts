import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { BackendSampleRow } from '../../../../src/main/history/history-types'

/** Shared helpers for the history store tests (not a test file itself). */

export const T0 = Date.UTC(2025, 0, 6) // a Monday, 00:00 UTC: minute, hour and day aligned

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-history-test-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A deterministic sample: values derived from the tick so a test can recompute them. */
export function sample(backendId: string, tick: number, over: Partial<BackendSampleRow> = {}): BackendSampleRow {
  return {
    backendId,
    service: 'web',
    rps: 100 + (tick % 10),
    s2xx: 95 + (tick % 10),
    s3xx: 0,
    s4xx: 4,
    s5xx: tick % 7 === 0 ? 1 : 0,
    inFlight: 3,
    p50: 5 + (tick % 4) / 4,
    p95: 12.5,
    p99: 30 + (tick % 3),
    cpuPercent: 20 + (tick % 5) * 1.25,
    memoryBytes: 200 * 1024 * 1024 + tick * 4096,
    up: true,
    ...over
  }
}

/** Counts rows with a separate read-only connection (WAL lets it read while the store writes). */
export function countRows(path: string, sql: string): number {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    const row = db.prepare(sql).get() as Record<string, unknown> | undefined
    return Number(Object.values(row ?? {})[0] ?? 0)
  } finally {
    db.close()
  }
}

export function integrityCheck(path: string): string {
  const db = new DatabaseSync(path)
  try {
    const row = db.prepare('PRAGMA integrity_check').get() as { integrity_check?: string } | undefined
    return String(row?.integrity_check)
  } finally {
    db.close()
  }
}
