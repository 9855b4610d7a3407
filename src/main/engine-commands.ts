/**
 * The engine's answers to the contract's commands. Requests arrive already validated by their zod
 * schema; here they are checked against the engine's state (known service, managed container).
 */
import type { CommandHandlers } from '../shared/channels'
import type { ScaleResult } from '../shared/types'
import { PrescalError, toWireError } from '../shared/errors'
import { isMap, isSeq } from 'yaml'
import type { BalancingName } from '../shared/balancing'
import { setServiceKey, setTopKey, type ConfigEdit } from './config/config-writer'
import type { Engine } from './engine'
import type { FleetContainer } from './fleet/docker-fleet'
import type { HistoryStore } from './history/history-store'
import { demoImageTag } from '../shared/demo-image'
import { historyMetrics } from '../shared/history'

/** A container action's past tense (its success message) to the verb its failure message needs. */
const ACTION_OF: Record<string, string> = { started: 'start', restarted: 'restart', stopped: 'stop', removed: 'remove' }
/** One export travels as one message: past this size the CSV is cut and marked truncated. */
const MAX_CSV_BYTES = 64 * 1024 * 1024

export function createCommandHandlers(engine: Engine): CommandHandlers {
  const busy = engine.containerActions

  function managedContainer(id: string): FleetContainer {
    const c = engine.fleet.get(id)
    if (!c) {
      throw new PrescalError(
        'INVALID_ARGUMENT',
        `Container ${id.slice(0, 12)} is not one Prescal manages (no prescal.service label) or no longer exists.`
      )
    }
    // Shown (it carries the label) but not ours: the Prescal that runs its service would undo it.
    if (!engine.config.services.some((s) => s.name === c.service)) {
      throw new PrescalError(
        'INVALID_ARGUMENT',
        `${c.name} belongs to service "${c.service}", which this config does not name: start, stop or remove it from the Prescal that runs "${c.service}" (or with docker).`
      )
    }
    return c
  }

  /**
   * Runs one action per container at a time; a second click while one runs is refused, not queued.
   * Starts, stops and removes of a service's replica change the count the service keeps (see
   * EngineReplicas.userAction).
   */
  async function containerAction(id: string, verb: string, action: (c: FleetContainer) => Promise<void>) {
    const c = managedContainer(id)
    if (busy.has(c.id)) throw new PrescalError('CONFLICT', `${c.name}: another action is still running; wait for it.`)
    busy.add(c.id)
    try {
      await action(c)
      await engine.fleet.refresh().catch(() => {})
      engine.syncFleet()
      return { ok: true as const, message: `${c.name} ${verb}` }
    } catch (err) {
      const wire = toWireError(err)
      engine.events.add('container.action_failed', 'error', `Could not ${ACTION_OF[verb] ?? verb} ${c.name}: ${wire.message}`, {
        containerId: c.id,
        service: c.service
      })
      throw err
    } finally {
      busy.delete(c.id)
    }
  }

  /**
   * A stop, remove or restart from the dashboard: a stop or remove is counted at once (so the
   * keeper does not restart it), then the replica is drained and the action done. If Docker
   * refuses, the replica goes back into the pool (and is counted again).
   */
  async function drainThen(c: FleetContainer, action: 'stop' | 'remove' | 'restart', act: () => Promise<void>): Promise<void> {
    const undo = action === 'restart' ? () => undefined : engine.replicas.userAction(c, action)
    try {
      await engine.drain(c.id, engine.config.proxy.drainTimeoutMs)
      await act()
    } catch (err) {
      engine.undrain(c.id)
      undo()
      throw err
    }
  }

  function history(): HistoryStore {
    if (!engine.history) throw new PrescalError('INVALID_ARGUMENT', 'Metrics history is disabled (history.enabled: false in the config).')
    return engine.history
  }

  return {
    queryHistory: async (q) => history().query(q),
    historyEvents: async ({ from, to, limit }) => history().events(from, to, limit),
    historyBackends: async ({ from, to }) => history().backendsInRange(from, to),
    exportHistoryCsv: async (q) => {
      const chunks: string[] = []
      let bytes = 0
      let truncated = false
      history().exportCsv({ ...q, metrics: q.metrics ?? [...historyMetrics], maxPoints: 10_000 }, (chunk) => {
        if (truncated) return
        if (bytes + chunk.length > MAX_CSV_BYTES) {
          truncated = true
          return
        }
        chunks.push(chunk)
        bytes += chunk.length
      })
      const csv = chunks.join('')
      const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:]/g, '-').slice(0, 19)
      return {
        filename: `prescal-history_${stamp(q.from)}_${stamp(q.to)}.csv`,
        csv,
        rows: Math.max(0, csv.split('\n').length - 2),
        truncated
      }
    },
    getSnapshot: async () => engine.snapshot(),
    getEvents: async ({ limit }) => engine.events.recent(limit),
    getRecentSeries: async ({ seconds }) => engine.recentSeries(seconds),

    startContainer: ({ id }) =>
      containerAction(id, 'started', async (c) => {
        await engine.fleet.startContainer(c.id)
        engine.replicas.userAction(c, 'start')
      }),
    restartContainer: ({ id }) =>
      containerAction(id, 'restarted', (c) => drainThen(c, 'restart', () => engine.fleet.restartContainer(c.id))),
    // Take the backend out of the pool before stopping it, so no request is sent to a dying process.
    stopContainer: ({ id }) => containerAction(id, 'stopped', (c) => drainThen(c, 'stop', () => engine.fleet.stopContainer(c.id))),
    removeContainer: ({ id }) => containerAction(id, 'removed', (c) => drainThen(c, 'remove', () => engine.fleet.removeContainer(c.id))),

    scaleService: ({ service, replicas }) => scaleServiceTo(engine, service, replicas),

    setAutoscale: async (req) => {
      engine.autoscale.set(req)
      const saved: Record<string, unknown> = { mode: req.mode }
      for (const k of ['minReplicas', 'maxReplicas', 'capacityRps'] as const) if (req[k] !== undefined) saved[k] = req[k]
      engine.saveSetting(`${req.service} autoscale`, (doc) => {
        for (const [k, v] of Object.entries(saved)) setServiceKey(req.service, ['autoscale', k], v)(doc)
      })
      const ready = engine.snapshot().services.find((s) => s.name === req.service)?.ready ?? 0
      return engine.autoscale.view(req.service, ready)
    },
    setBalancing: async ({ service, strategy }) => {
      if (service !== null && !engine.config.services.some((s) => s.name === service)) {
        const known = engine.config.services.map((s) => s.name).join(', ') || 'none'
        throw new PrescalError('INVALID_ARGUMENT', `Unknown service "${service}" (configured: ${known}).`)
      }
      // Before the change: services that follow proxy.balancing keep what they have now.
      const edit = service === null ? staticBalancingEdit(engine, strategy) : setServiceKey(service, ['balancing'], strategy)
      engine.setBalancing(service, strategy)
      const what = service === null ? 'static backends' : service
      const message = `${what}: requests now spread by ${strategy}; ${engine.saveSetting(`${what} balancing`, edit)}`
      engine.events.add('proxy.balancing', 'info', message, service === null ? {} : { service })
      return { ok: true as const, message }
    },
    whatIf: async (req) => engine.autoscale.whatIf(req),
    startLoad: async ({ profile, path }) => engine.autoscale.startLoad(profile, path),
    stopLoad: () => engine.autoscale.stopLoad(),

    buildDemoImage: async () => {
      const started = Date.now()
      const tag = demoImageTag(engine.config.services.map((s) => s.image))
      try {
        await engine.fleet.buildDemoImage(tag, (line) => engine.events.add('image.progress', 'info', line))
      } catch (err) {
        engine.events.add('image.failed', 'error', `Building ${tag} failed: ${toWireError(err).message}`)
        throw err
      }
      engine.events.add('image.built', 'info', `Built ${tag}`)
      return { image: tag, tookMs: Date.now() - started }
    }
  }
}

/**
 * Scales a configured service, recording the request, progress and outcome as events and in the
 * service's state. `reason` says who asked (the autoscaler's decision text, a restore); manual
 * scales have none. A manual scale leaves the service exactly `replicas` running containers, so it
 * starts or removes every stopped one; an automatic one leaves replicas the user stopped alone.
 */
export async function scaleServiceTo(engine: Engine, service: string, replicas: number, reason?: string): Promise<ScaleResult> {
  const spec = engine.config.services.find((s) => s.name === service)
  if (!spec) {
    const known = engine.config.services.map((s) => s.name).join(', ') || 'none'
    throw new PrescalError('INVALID_ARGUMENT', `Unknown service "${service}" (configured: ${known}).`)
  }
  if (replicas > spec.maxReplicas) {
    throw new PrescalError(
      'INVALID_ARGUMENT',
      `${service} may run at most ${spec.maxReplicas} replicas, not ${replicas}: raise services[].maxReplicas in the config to allow more.`
    )
  }
  const state = engine.serviceStates.get(service)!
  const was = state.desired
  state.desired = replicas
  state.phase = 'scaling'
  state.message = `scaling to ${replicas}`
  const change = was === replicas ? `to ${replicas}` : `from ${was} to ${replicas}`
  engine.events.add('scale.requested', 'info', `Scale ${service} ${change} requested${reason ? ` (${reason})` : ''}`, { service })
  try {
    const result = await engine.scaler.scale(
      {
        name: spec.name,
        image: spec.image,
        containerPort: spec.containerPort,
        env: spec.env,
        readyPath: spec.readyPath,
        readyTimeoutMs: spec.readyTimeoutMs
      },
      replicas,
      (msg) => {
        state.message = msg
        engine.events.add('scale.progress', 'info', `${service}: ${msg}`, { service })
      },
      { spare: reason === undefined ? new Set() : engine.replicas.userStopped() }
    )
    await engine.fleet.refresh().catch(() => {})
    engine.syncFleet()
    if (state.desired === replicas) {
      state.phase = 'idle'
      state.message = null
    }
    engine.events.add('scale.completed', 'info', `${service} scaled to ${replicas} in ${(result.tookMs / 1000).toFixed(1)} s`, { service })
    return result
  } catch (err) {
    const wire = toWireError(err)
    state.phase = 'failed'
    state.message = wire.message
    engine.events.add('scale.failed', 'error', `Scaling ${service} to ${replicas} failed: ${wire.message}`, { service, code: wire.code })
    throw err
  }
}

/**
 * The static backends' strategy is `proxy.balancing`, which is also the default of every
 * service without its own `balancing`; such a service whose strategy differs from the new one
 * gets its current one written down, so saving changes nothing but the static backends.
 */
function staticBalancingEdit(engine: Engine, strategy: BalancingName): ConfigEdit {
  const pinned = engine.config.services
    .map((s) => ({ name: s.name, now: engine.balancingOf(s.name) }))
    .filter((s) => s.now !== strategy)
  return (doc) => {
    const services = doc.get('services')
    if (isSeq(services)) {
      for (const item of services.items) {
        if (!isMap(item) || item.has('balancing')) continue
        const now = pinned.find((p) => p.name === item.get('name'))?.now
        if (now !== undefined) item.set('balancing', now)
      }
    }
    setTopKey(['proxy', 'balancing'], strategy)(doc)
  }
}
