import { describe, expect, it } from 'vitest'
import { BackendPool } from '../../../../src/main/proxy/backend-pool'

const member = (id: string, port = 3000) => ({ id, host: '127.0.0.1', port })

describe('BackendPool', () => {
  it('new members are up but not ready, so not eligible', () => {
    const pool = new BackendPool()
    pool.upsert(member('a'))
    expect(pool.has('a')).toBe(true)
    expect(pool.isEligible('a')).toBe(false)
    pool.setReady('a', true)
    expect(pool.isEligible('a')).toBe(true)
  })

  it.each([
    { desc: 'up, ready', up: true, ready: true, draining: false, eligible: true },
    { desc: 'down', up: false, ready: true, draining: false, eligible: false },
    { desc: 'not ready', up: true, ready: false, draining: false, eligible: false },
    { desc: 'draining', up: true, ready: true, draining: true, eligible: false }
  ])('eligibility: $desc', ({ up, ready, draining, eligible }) => {
    const pool = new BackendPool()
    pool.upsert(member('a'))
    pool.setUp('a', up)
    pool.setReady('a', ready)
    pool.setDraining('a', draining)
    expect(pool.isEligible('a')).toBe(eligible)
    expect(pool.eligible().map((m) => m.id)).toEqual(eligible ? ['a'] : [])
  })

  it('eligible() keeps insertion order and follows changes', () => {
    const pool = new BackendPool()
    for (const id of ['c', 'a', 'b']) {
      pool.upsert(member(id))
      pool.setReady(id, true)
    }
    expect(pool.eligible().map((m) => m.id)).toEqual(['c', 'a', 'b'])
    pool.setUp('a', false)
    expect(pool.eligible().map((m) => m.id)).toEqual(['c', 'b'])
    pool.remove('c')
    expect(pool.eligible().map((m) => m.id)).toEqual(['b'])
    // The returned array is the caller's: mutating it does not change the pool.
    pool.eligible().pop()
    expect(pool.eligible().map((m) => m.id)).toEqual(['b'])
  })

  it('an address change keeps the flags and shows the new address', () => {
    const pool = new BackendPool()
    pool.upsert(member('a', 3000))
    pool.setReady('a', true)
    pool.upsert(member('a', 3001))
    expect(pool.isEligible('a')).toBe(true)
    expect(pool.eligible()[0]?.port).toBe(3001)
  })

  it('flags for unknown ids are ignored', () => {
    const pool = new BackendPool()
    pool.setReady('ghost', true)
    pool.setUp('ghost', false)
    expect(pool.has('ghost')).toBe(false)
    expect(pool.isEligible('ghost')).toBe(false)
  })

  it('counts in flight and never goes below zero', () => {
    const pool = new BackendPool()
    pool.acquire('a')
    pool.acquire('a')
    expect(pool.inFlight('a')).toBe(2)
    pool.release('a')
    pool.release('a')
    pool.release('a')
    expect(pool.inFlight('a')).toBe(0)
    pool.acquire('a')
    expect(pool.inFlight('a')).toBe(1)
  })

  it('waitForIdle resolves true at once when idle', async () => {
    await expect(new BackendPool().waitForIdle('a', 10_000)).resolves.toBe(true)
  })

  it('waitForIdle resolves true when the last request ends, and clears its timer', async () => {
    const pool = new BackendPool()
    pool.acquire('a')
    pool.acquire('a')
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const waiting = pool.waitForIdle('a', 10_000)
    const second = pool.waitForIdle('a', 10_000)
    pool.release('a')
    let settled = false
    void waiting.then(() => (settled = true))
    await Promise.resolve()
    expect(settled).toBe(false)
    pool.release('a')
    await expect(waiting).resolves.toBe(true)
    await expect(second).resolves.toBe(true)
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(timersBefore)
  })

  it('waitForIdle resolves false on timeout, and a later release does not throw', async () => {
    const pool = new BackendPool()
    pool.acquire('a')
    const started = Date.now()
    await expect(pool.waitForIdle('a', 30)).resolves.toBe(false)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    pool.release('a')
    expect(pool.inFlight('a')).toBe(0)
  })

  it('in-flight survives removal and re-adding of the member', () => {
    const pool = new BackendPool()
    pool.upsert(member('a'))
    pool.acquire('a')
    pool.remove('a')
    expect(pool.inFlight('a')).toBe(1)
    pool.upsert(member('a'))
    expect(pool.inFlight('a')).toBe(1)
    pool.release('a')
    expect(pool.inFlight('a')).toBe(0)
  })
})
