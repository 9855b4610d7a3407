import { describe, expect, it } from 'vitest'
import { CHART_PALETTE, ColorAssigner, hashString } from '../../../src/renderer/src/core/backend-colors'

describe('ColorAssigner', () => {
  it('gives an id the same color every time', () => {
    const colors = new ColorAssigner()
    const first = colors.colorOf('c:0123456789ab')
    colors.colorOf('s:127.0.0.1:9000')
    expect(colors.colorOf('c:0123456789ab')).toBe(first)
  })

  it('gives the same id the same color in a fresh assigner (stable across reloads)', () => {
    expect(new ColorAssigner().colorOf('c:feedbeef0001')).toBe(new ColorAssigner().colorOf('c:feedbeef0001'))
  })

  it('never repeats a color while the palette lasts, even when hashes collide', () => {
    const palette = ['red', 'green', 'blue']
    const colors = new ColorAssigner(palette)
    // Find three ids that hash to the same slot.
    const ids: string[] = []
    for (let i = 0; ids.length < 3; i++) if (hashString(`id${i}`) % 3 === 0) ids.push(`id${i}`)
    expect(new Set(ids.map((id) => colors.colorOf(id))).size).toBe(3)
  })

  it('frees a released color for the next id', () => {
    const colors = new ColorAssigner(['red', 'green'])
    const a = colors.colorOf('a')
    const b = colors.colorOf('b')
    colors.release('a')
    expect(colors.colorOf('c')).toBe(a)
    expect(colors.colorOf('b')).toBe(b)
  })

  it('falls back to sharing when the palette is exhausted', () => {
    const colors = new ColorAssigner(CHART_PALETTE)
    const used = Array.from({ length: CHART_PALETTE.length + 3 }, (_, i) => colors.colorOf(`b${i}`))
    expect(new Set(used.slice(0, CHART_PALETTE.length)).size).toBe(CHART_PALETTE.length)
    for (const c of used) expect(CHART_PALETTE).toContain(c)
  })

  it('gives twenty replicas twenty different colors', () => {
    const colors = new ColorAssigner()
    const ids = Array.from({ length: 20 }, (_, i) => `c:${hashString(`replica${i}`).toString(16).padStart(12, '0')}`)
    expect(new Set(ids.map((id) => colors.colorOf(id))).size).toBe(20)
  })

  it.each<{ desc: string; before: string[]; ids: string[]; expected: string[] }>([
    { desc: 'a free palette: one color each', before: [], ids: ['x', 'y', 'z'], expected: ['red', 'green', 'blue'] },
    { desc: 'past the palette: the least used color next', before: ['r', 'g', 'b'], ids: ['x', 'y'], expected: ['red', 'green'] },
    { desc: 'an id assigned earlier keeps its color', before: ['r'], ids: ['r', 'x'], expected: ['red', 'green'] }
  ])('sharing order: $desc', ({ before, ids, expected }) => {
    // A palette where every id prefers slot 0, so the order of slots is the one under test.
    const colors = new ColorAssigner(['red', 'green', 'blue'])
    const probe = (id: string): string => {
      for (let i = 0; ; i++) if (hashString(`${id}${i}`) % 3 === 0) return `${id}${i}`
    }
    for (const id of before) colors.colorOf(probe(id))
    expect(ids.map((id) => colors.colorOf(probe(id)))).toEqual(expected)
  })

  it('a fork avoids the colors in use and leaves the original untouched', () => {
    const palette = ['red', 'green', 'blue']
    const live = new ColorAssigner(palette)
    const a = live.colorOf('a')
    const fork = live.fork()
    expect(fork.colorOf('a')).toBe(a)
    const gone = ['g1', 'g2'].map((id) => fork.colorOf(id))
    expect(gone).not.toContain(a)
    expect(new Set(gone).size).toBe(2)
    // The original still has both other colors free for the next live backends.
    expect(new Set([live.colorOf('n1'), live.colorOf('n2')])).toEqual(new Set(palette.filter((c) => c !== a)))
  })
})

describe('hashString', () => {
  it.each([
    { input: '', expected: 0x811c9dc5 },
    { input: 'a', expected: 0xe40c292c },
    { input: 'foobar', expected: 0xbf9cf968 }
  ])('FNV-1a("$input")', ({ input, expected }) => {
    expect(hashString(input)).toBe(expected)
  })
})
