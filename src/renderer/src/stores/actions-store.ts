/**
 * Commands the user started from this window and their outcome: container actions, scale calls
 * and the demo-image build. Each action disables its own button while it runs; a success is
 * shown briefly, a failure stays (with its code) until dismissed.
 */
import { create } from 'zustand'
import { api } from '../api'
import type { EngineEvent } from '../../../shared/types'
import { toErrorInfo, type ErrorInfo } from '../core/error-info'
import type { ScaleAction } from '../core/service-status'

/** How long a success message stays next to its button. */
const SUCCESS_VISIBLE_MS = 4000

export type ContainerActionKind = 'start' | 'stop' | 'restart' | 'remove'

export type ContainerAction =
  | { kind: ContainerActionKind; status: 'running'; token: number }
  | { kind: ContainerActionKind; status: 'done'; token: number; message: string }
  | { kind: ContainerActionKind; status: 'failed'; token: number; error: ErrorInfo }

export type ImageBuild =
  | { status: 'idle' }
  | { status: 'running'; progress: string | null }
  | { status: 'done'; image: string; tookMs: number }
  | { status: 'failed'; error: ErrorInfo }

interface ActionsState {
  /** By container id. */
  containers: Record<string, ContainerAction>
  /** By service name. */
  scales: Record<string, ScaleAction>
  /** Services whose last scale failed with IMAGE_MISSING (cleared when a scale succeeds or fails otherwise). */
  imageMissing: Record<string, true>
  imageBuild: ImageBuild
  runContainerAction(kind: ContainerActionKind, containerId: string): Promise<void>
  dismissContainerResult(containerId: string): void
  scale(service: string, replicas: number): Promise<void>
  dismissScaleResult(service: string): void
  buildDemoImage(): Promise<void>
  /** Engine events that update an action's state (image build lines, scale outcomes). */
  noteEvent(event: EngineEvent): void
}

const commands = {
  start: (id: string) => api.startContainer({ id }),
  stop: (id: string) => api.stopContainer({ id }),
  restart: (id: string) => api.restartContainer({ id }),
  remove: (id: string) => api.removeContainer({ id })
} satisfies Record<ContainerActionKind, (id: string) => Promise<{ message: string }>>

let nextToken = 1

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record
  return rest
}

export const useActions = create<ActionsState>((set, get) => ({
  containers: {},
  scales: {},
  imageMissing: {},
  imageBuild: { status: 'idle' },

  async runContainerAction(kind, containerId) {
    if (get().containers[containerId]?.status === 'running') return
    const token = nextToken++
    const update = (action: ContainerAction): void => {
      // A newer action on the same container owns the slot; a late reply must not overwrite it.
      if (get().containers[containerId]?.token !== token && action.status !== 'running') return
      set({ containers: { ...get().containers, [containerId]: action } })
    }
    update({ kind, status: 'running', token })
    try {
      const result = await commands[kind](containerId)
      update({ kind, status: 'done', token, message: result.message })
      setTimeout(() => {
        if (get().containers[containerId]?.token === token) {
          set({ containers: without(get().containers, containerId) })
        }
      }, SUCCESS_VISIBLE_MS)
    } catch (err) {
      update({ kind, status: 'failed', token, error: toErrorInfo(err) })
    }
  },

  dismissContainerResult(containerId) {
    set({ containers: without(get().containers, containerId) })
  },

  async scale(service, replicas) {
    if (get().scales[service]?.status === 'running') return
    const startedAt = Date.now()
    set({ scales: { ...get().scales, [service]: { status: 'running', replicas, startedAt } } })
    const isMine = (): boolean => {
      const current = get().scales[service]
      return current?.status === 'running' && current.startedAt === startedAt
    }
    try {
      const result = await api.scaleService({ service, replicas })
      if (!isMine()) return
      const done: ScaleAction = { status: 'done', replicas: result.replicas, ready: result.ready, tookMs: result.tookMs }
      set({ scales: { ...get().scales, [service]: done }, imageMissing: without(get().imageMissing, service) })
      setTimeout(() => {
        if (get().scales[service] === done) set({ scales: without(get().scales, service) })
      }, SUCCESS_VISIBLE_MS)
    } catch (err) {
      if (!isMine()) return
      const error = toErrorInfo(err)
      set({
        scales: { ...get().scales, [service]: { status: 'failed', replicas, error } },
        imageMissing: error.code === 'IMAGE_MISSING' ? { ...get().imageMissing, [service]: true } : without(get().imageMissing, service)
      })
    }
  },

  dismissScaleResult(service) {
    set({ scales: without(get().scales, service) })
  },

  async buildDemoImage() {
    if (get().imageBuild.status === 'running') return
    set({ imageBuild: { status: 'running', progress: null } })
    try {
      const result = await api.buildDemoImage({})
      // imageMissing stays until a scale succeeds, so the panel keeps showing the build result.
      set({ imageBuild: { status: 'done', image: result.image, tookMs: result.tookMs } })
    } catch (err) {
      set({ imageBuild: { status: 'failed', error: toErrorInfo(err) } })
    }
  },

  noteEvent(event) {
    if (event.kind === 'image.progress' && get().imageBuild.status === 'running') {
      set({ imageBuild: { status: 'running', progress: event.message } })
      return
    }
    const service = event.service
    if (service === undefined) return
    // A scale started elsewhere (another window, the autoscaler) can hit a missing image too. The
    // contract's events carry no error code yet; read one if the engine sends it, never the text.
    const code = 'code' in event ? event.code : undefined
    if (event.kind === 'scale.failed' && code === 'IMAGE_MISSING') {
      set({ imageMissing: { ...get().imageMissing, [service]: true } })
    } else if ((event.kind === 'scale.completed' || (event.kind === 'scale.failed' && code !== undefined)) && get().imageMissing[service]) {
      // The latest failure decides: one of another kind is not the image's, and the panel must not blame the image.
      set({ imageMissing: without(get().imageMissing, service) })
    }
  }
}))
