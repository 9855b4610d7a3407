/**
 * Shared setup for the fleet's real-engine tests: unique service/image names per run, a listener
 * that records what the fleet reports, and cleanup of everything a run created (by label/tag).
 */
import { randomBytes } from 'node:crypto'
import Docker from 'dockerode'
import type { DockerView } from '../../../src/shared/types'
import type { FleetListener } from '../../../src/main/fleet/fleet-types'

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
}

export interface RecordedEvent {
  kind: 'started' | 'stopped' | 'removed'
  id: string
  name: string
  service: string
  at: number
}

export class RecordingListener implements FleetListener {
  changes = 0
  statuses: DockerView[] = []
  events: RecordedEvent[] = []
  onChange(): void {
    this.changes++
  }
  onStatus(view: DockerView): void {
    this.statuses.push(view)
  }
  onContainerEvent(kind: RecordedEvent['kind'], c: { id: string; name: string; service: string }): void {
    this.events.push({ kind, ...c, at: Date.now() })
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Removes every container labelled with this test's service, then the test's image tag. */
export async function cleanupEngine(service: string, imageTag: string | null): Promise<void> {
  const docker = new Docker()
  const list = await docker.listContainers({ all: true, filters: { label: [`prescal.service=${service}`] } })
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)))
  // Untags only when another tag (e.g. prescal-demo:latest) shares the image.
  if (imageTag) await docker.getImage(imageTag).remove().catch(() => undefined)
}

export async function waitForAsync(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
