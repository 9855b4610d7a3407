import { describe, expect, it } from 'vitest'
import type { FleetContainer } from '../../../../src/main/fleet/fleet-types'
import { MAX_RESTORE_BACKOFF_MS, RESTORE_INTERVAL_MS, ReplicaKeeper, type KeptService } from '../../../../src/main/state/replica-keeper'

const c = (id: string, state: FleetContainer['state'], service = 'web'): FleetContainer => ({
  id,
  shortId: id,
  name: `prescal-${service}-${id}`,
  service,
  image: 'img',
  state,
  hostPort: state === 'running' ? 3000 : null,
  containerPort: 3000,
  createdAt: 0,
  instance: null
})
const web = (desired: number, phase: KeptService['phase'] = 'idle'): KeptService => ({ name: 'web', desired, phase })
const none = new Set<string>()

describe('ReplicaKeeper.plan', () => {
  it.each([
    {
      desc: 'replicas that stopped without being asked (engine restart): restore',
      services: [web(2)],
      list: [c('a', 'exited'), c('b', 'exited')],
      want: [{ kind: 'restore', service: 'web', desired: 2, running: 0, stopped: 2, vanished: 0 }]
    },
    {
      desc: 'one crashed, one runs: restore',
      services: [web(2)],
      list: [c('a', 'running'), c('b', 'dead')],
      want: [{ kind: 'restore', service: 'web', desired: 2, running: 1, stopped: 1, vanished: 0 }]
    },
    { desc: 'at the desired count: nothing', services: [web(2)], list: [c('a', 'running'), c('b', 'running'), c('x', 'exited')], want: [] },
    {
      desc: 'short but nothing stopped (removed outside, or a failed scale cleaned up): nothing to start',
      services: [web(2)],
      list: [c('a', 'running')],
      want: []
    },
    {
      desc: 'started by hand: desired follows',
      services: [web(2)],
      list: [c('a', 'running'), c('b', 'running'), c('c', 'running')],
      want: [{ kind: 'follow', service: 'web', desired: 3, was: 2 }]
    },
    {
      desc: 'started by hand after a failed scale: follows too',
      services: [web(1, 'failed')],
      list: [c('a', 'running'), c('b', 'running')],
      want: [{ kind: 'follow', service: 'web', desired: 2, was: 1 }]
    },
    { desc: 'while a scale runs: nothing', services: [web(3, 'scaling')], list: [c('a', 'exited'), c('b', 'running'), c('c', 'running'), c('d', 'running'), c('e', 'running')], want: [] },
    {
      desc: 'other services are counted apart',
      services: [web(1), { name: 'api', desired: 1, phase: 'idle' as const }],
      list: [c('a', 'running'), c('b', 'exited', 'api'), c('c', 'running', 'other')],
      want: [{ kind: 'restore', service: 'api', desired: 1, running: 0, stopped: 1, vanished: 0 }]
    }
  ])('$desc', ({ services, list, want }) => {
    expect(new ReplicaKeeper(() => 0).plan(services, list, none)).toEqual(want)
  })

  it('waits while a dashboard action on one of the service\'s containers is in flight', () => {
    const keeper = new ReplicaKeeper(() => 0)
    const list = [c('a', 'exited'), c('b', 'running')]
    expect(keeper.plan([web(2)], list, new Set(['a']))).toEqual([])
    expect(keeper.plan([web(2)], list, none)).toHaveLength(1)
  })

  it('replaces a replica removed outside the app (seen, then gone), but not one a scale or dashboard action removed', () => {
    const keeper = new ReplicaKeeper(() => 0)
    expect(keeper.plan([web(3)], [c('a', 'running'), c('b', 'running'), c('c', 'running')], none)).toEqual([])
    // docker rm -f c
    expect(keeper.plan([web(3)], [c('a', 'running'), c('b', 'running')], none)).toEqual([
      { kind: 'restore', service: 'web', desired: 3, running: 2, stopped: 0, vanished: 1 }
    ])
    // Removed while a scale runs (a scale down): the scale's business.
    expect(keeper.plan([web(1, 'scaling')], [c('a', 'running')], none)).toEqual([])
    expect(keeper.plan([web(1)], [c('a', 'running')], none)).toEqual([])
    // Removed from the dashboard: desired went down with it, nothing is short.
    keeper.plan([web(2)], [c('a', 'running'), c('d', 'running')], none)
    keeper.plan([web(2)], [c('a', 'running'), c('d', 'running')], new Set(['d']))
    expect(keeper.plan([web(1)], [c('a', 'running')], none)).toEqual([])
  })

  it('does not retry a scale that fell short with nothing removed (a failed scale cleaned up)', () => {
    const keeper = new ReplicaKeeper(() => 0)
    expect(keeper.plan([web(3, 'scaling')], [c('a', 'running'), c('b', 'created')], none)).toEqual([])
    expect(keeper.plan([web(3, 'failed')], [c('a', 'running')], none)).toEqual([])
    expect(keeper.plan([web(3, 'failed')], [c('a', 'running')], none)).toEqual([])
  })

  it('keeps a removal it could not act on yet (restore backoff) for the next due plan', () => {
    let now = 0
    const keeper = new ReplicaKeeper(() => now)
    keeper.plan([web(2)], [c('a', 'running'), c('b', 'exited')], none) // restore b, at t=0
    keeper.plan([web(2)], [c('a', 'running'), c('b', 'running')], none)
    expect(keeper.plan([web(2)], [c('a', 'running')], none)).toEqual([]) // b removed, restore not due yet
    now = RESTORE_INTERVAL_MS
    expect(keeper.plan([web(2)], [c('a', 'running')], none)).toEqual([
      { kind: 'restore', service: 'web', desired: 2, running: 1, stopped: 0, vanished: 1 }
    ])
  })

  it('never restores a replica the user stopped, until it runs again or is gone', () => {
    const keeper = new ReplicaKeeper(() => 0)
    keeper.noteUserStop('a')
    // The dashboard stop also lowered desired to 1; then b crashes: only b counts as stopped.
    expect(keeper.plan([web(1)], [c('a', 'exited'), c('b', 'exited')], none)).toEqual([
      { kind: 'restore', service: 'web', desired: 1, running: 0, stopped: 1, vanished: 0 }
    ])
    expect(keeper.userStopped()).toEqual(new Set(['a']))
    // Started again by hand: forgotten (desired follows instead).
    expect(keeper.plan([web(0)], [c('a', 'running')], none)).toEqual([{ kind: 'follow', service: 'web', desired: 1, was: 0 }])
    expect(keeper.userStopped().size).toBe(0)
  })

  it('restores one service at most every RESTORE_INTERVAL_MS, doubling after each failure up to the cap', () => {
    let now = 0
    const keeper = new ReplicaKeeper(() => now)
    const list = [c('a', 'exited')]
    const due = (): boolean => keeper.plan([web(1)], list, none).length > 0
    expect(due()).toBe(true)
    keeper.restoreDone('web', false)
    const waits: number[] = []
    for (let i = 0; i < 8; i++) {
      const from = now
      now += RESTORE_INTERVAL_MS / 2
      while (!due()) now += RESTORE_INTERVAL_MS / 2
      waits.push(now - from)
      keeper.restoreDone('web', false)
    }
    expect(waits.slice(0, 4)).toEqual([20_000, 40_000, 80_000, 160_000])
    expect(waits.at(-1)).toBe(MAX_RESTORE_BACKOFF_MS)
    // A success resets it: the next crash waits only the interval.
    keeper.restoreDone('web', true)
    now += RESTORE_INTERVAL_MS - 1
    expect(due()).toBe(false)
    now += 1
    expect(due()).toBe(true)
  })
})
