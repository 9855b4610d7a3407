/**
 * The one place the engine's data enters the renderer: subscribes once to the snapshot and event
 * streams, fetches the initial state (snapshot, last 200 events, last 5 minutes of series), and
 * fetches it again after the connection to the engine comes back, to fill what was missed.
 */
import type { PrescalApi } from '../../../shared/channels'
import type { SeriesTick } from '../../../shared/types'
import { toErrorInfo } from '../core/error-info'
import { snapshotToTick } from '../core/series-window'
import { useActions } from './actions-store'
import { useConnection } from './connection-store'
import { useEvents } from './events-store'
import { useFleet } from './fleet-store'
import { useMetrics, WINDOW_SECONDS } from './metrics-store'

const INITIAL_EVENTS = 200
/** Ticks kept while the history request is in flight; far more than one round trip needs. */
const MAX_PENDING_TICKS = 60

/** Starts feeding the stores; returns the function that stops it (unsubscribes everything). */
export function startBridgeFeed(api: PrescalApi): () => void {
  // Snapshots that arrive while the history is loading are replayed after it, in order.
  let pending: SeriesTick[] | null = []
  let loadGeneration = 0

  const offSnapshot = api.on('snapshot', (snapshot) => {
    useFleet.getState().setSnapshot(snapshot)
    useMetrics.getState().rememberNames(snapshot.backends)
    const tick = snapshotToTick(snapshot)
    if (pending) {
      pending.push(tick)
      if (pending.length > MAX_PENDING_TICKS) pending.shift()
    } else {
      useMetrics.getState().append(tick)
    }
  })

  const offEvent = api.on('event', (event) => {
    useEvents.getState().add([event])
    useActions.getState().noteEvent(event)
  })

  async function load(): Promise<void> {
    const generation = ++loadGeneration
    pending = pending ?? []
    const [snapshot, events, series] = await Promise.allSettled([
      api.getSnapshot({}),
      api.getEvents({ limit: INITIAL_EVENTS }),
      api.getRecentSeries({ seconds: WINDOW_SECONDS })
    ])
    // A reconnect started a newer load; its results win.
    if (generation !== loadGeneration) return
    if (snapshot.status === 'fulfilled') {
      useFleet.getState().setSnapshot(snapshot.value)
      useMetrics.getState().rememberNames(snapshot.value.backends)
    } else if (!useFleet.getState().snapshot) {
      useFleet.getState().setLoadError(toErrorInfo(snapshot.reason))
    }
    if (events.status === 'fulfilled') {
      useEvents.getState().add(events.value)
      // Replayed oldest first so the newest outcome per service wins (e.g. image still missing).
      const noteEvent = useActions.getState().noteEvent
      for (const e of [...events.value].sort((a, b) => a.at - b.at || a.seq - b.seq)) {
        if (e.kind !== 'image.progress') noteEvent(e)
      }
    }
    const history = series.status === 'fulfilled' ? series.value : []
    useMetrics.getState().reset([...history, ...(pending ?? [])])
    pending = null
  }

  const offConnection = useConnection.subscribe((state, previous) => {
    // Only a *re*connection: the first connection delivers the requests load() already queued.
    if (state.state === 'open' && previous.state === 'closed') void load()
  })
  void load()

  return () => {
    offSnapshot()
    offEvent()
    offConnection()
  }
}
