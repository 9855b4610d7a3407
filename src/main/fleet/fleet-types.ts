/**
 * The fleet's own view of containers, independent of dockerode's types. docker-fleet.ts maps
 * engine objects to these; everything else (scaler, engine, tests) only sees these.
 */
import type { ContainerState, DockerView } from '../../shared/types'

/** Labels Prescal reads and writes on containers. */
export const LABEL_SERVICE = 'prescal.service'
export const LABEL_PORT = 'prescal.port'
export const LABEL_MANAGED = 'prescal.managed'
/** The host port a replica was created with, so a stopped replica still reserves it. */
export const LABEL_HOST_PORT = 'prescal.host-port'
/** Which Prescal created a replica: the config file it ran with (see Engine). */
export const LABEL_INSTANCE = 'prescal.instance'

export interface FleetContainer {
  /** Full container id (64 hex). */
  id: string
  /** First 12 hex of the id, as `docker ps` shows it. */
  shortId: string
  name: string
  /** From label prescal.service. */
  service: string
  image: string
  state: ContainerState
  /** Host port publishing `containerPort` (127.0.0.1 preferred); null if none or not running. */
  hostPort: number | null
  /** From label prescal.port; else the first TCP port the container exposes; 0 when unknown. */
  containerPort: number
  /** Creation time, ms since the epoch. */
  createdAt: number
  /** From label prescal.instance; null for containers started by hand or by an older version. */
  instance: string | null
}

/** What DockerFleet tells its owner. Callbacks must not throw; they run on engine-event timing. */
export interface FleetListener {
  /** The container list changed (it was re-listed and differs from the previous one). */
  onChange(): void
  /** Connection status changed: connecting / connected / unavailable (with what to do). */
  onStatus(view: DockerView): void
  /** A labelled container started, stopped (died) or was removed; sent after the list was re-listed. */
  onContainerEvent(kind: 'started' | 'stopped' | 'removed', c: { id: string; name: string; service: string }): void
}

/** One replica to create: published on 127.0.0.1:hostPort, env PORT=containerPort plus `env`. */
export interface ReplicaSpec {
  service: string
  image: string
  containerPort: number
  env: Record<string, string>
  hostPort: number
}
