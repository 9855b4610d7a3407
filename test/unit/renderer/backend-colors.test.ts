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
