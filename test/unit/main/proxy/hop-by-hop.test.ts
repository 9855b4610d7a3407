import { describe, expect, it } from 'vitest'
import { buildResponseHeaders, buildUpstreamRequestHeaders, hostCount, requestTarget } from '../../../../src/main/proxy/hop-by-hop'

const info = { clientAddress: '127.0.0.1', fallbackHost: '127.0.0.1:8080' }
const tail = (host: string | undefined, xff = '127.0.0.1'): string[] => [
  'X-Forwarded-For',
  xff,
  'X-Forwarded-Proto',
  'http',
  ...(host === undefined ? [] : ['X-Forwarded-Host', host])
]

describe('buildUpstreamRequestHeaders', () => {
  it.each([
    {
      desc: 'keeps end-to-end headers in order and case, adds X-Forwarded-*',
      raw: ['Host', 'example.test', 'Accept', '*/*', 'X-Custom', '1'],
      expected: ['Host', 'example.test', 'Accept', '*/*', 'X-Custom', '1', ...tail('example.test')]
    },
    {
      desc: 'removes every standard hop-by-hop header',
      raw: [
        'Host', 'h', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'X-T',
        'Transfer-Encoding', 'chunked', 'Upgrade', 'websocket', 'Proxy-Authorization', 'Basic x',
        'Proxy-Connection', 'keep-alive', 'Accept', 'a'
      ],
      expected: ['Host', 'h', 'Accept', 'a', ...tail('h')]
    },
    {
      desc: 'removes headers named by Connection, whatever their case, across several Connection headers',
      raw: ['Host', 'h', 'connection', 'X-Hop-One, close', 'x-hop-one', '1', 'CONNECTION', ' x-hop-two ', 'X-Hop-Two', '2', 'X-Keep', 'k'],
      expected: ['Host', 'h', 'X-Keep', 'k', ...tail('h')]
    },
    {
      desc: 'appends the client address to an existing X-Forwarded-For list (several headers merged)',
      raw: ['Host', 'h', 'X-Forwarded-For', '203.0.113.9, 10.1.1.1', 'X-Forwarded-For', '10.2.2.2'],
      expected: ['Host', 'h', ...tail('h', '203.0.113.9, 10.1.1.1, 10.2.2.2, 127.0.0.1')]
    },
    {
      desc: 'replaces client-sent X-Forwarded-Proto and X-Forwarded-Host',
      raw: ['Host', 'real.test', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'spoofed.test'],
      expected: ['Host', 'real.test', ...tail('real.test')]
    },
    {
      desc: 'keeps repeated end-to-end headers (cookies) as separate fields',
      raw: ['Host', 'h', 'Cookie', 'a=1', 'Cookie', 'b=2'],
      expected: ['Host', 'h', 'Cookie', 'a=1', 'Cookie', 'b=2', ...tail('h')]
    },
    {
      desc: 'adds Host (the proxy address) when the client sent none, and no X-Forwarded-Host',
      raw: ['Accept', '*/*'],
      expected: ['Accept', '*/*', 'Host', '127.0.0.1:8080', ...tail(undefined)]
    }
  ])('$desc', ({ raw, expected }) => {
    expect(buildUpstreamRequestHeaders(raw, info)).toEqual(expected)
  })

  it('keeps an existing X-Forwarded-For when the client address is unknown', () => {
    const out = buildUpstreamRequestHeaders(['Host', 'h', 'X-Forwarded-For', '10.0.0.1'], {
      clientAddress: undefined,
      fallbackHost: 'x'
    })
    expect(out).toEqual(['Host', 'h', 'X-Forwarded-For', '10.0.0.1', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'h'])
  })

  it('sends the authority of an absolute-form target as the Host, dropping the client\'s', () => {
    const out = buildUpstreamRequestHeaders(['Host', 'good.example', 'Accept', '*/*'], { ...info, authority: 'other.example:81' })
    expect(out).toEqual(['Accept', '*/*', 'Host', 'other.example:81', ...tail('other.example:81')])
  })
})

describe('requestTarget', () => {
  it.each([
    ['/a/b?c=1', '/a/b?c=1', null],
    ['*', '*', null],
    ['http://other.example:81/p?q=1', '/p?q=1', 'other.example:81'],
    ['HTTP://Other.Example', '/', 'Other.Example'],
    ['http://h?x=1', '/?x=1', 'h'],
    ['https://h/p#frag', '/p', 'h'],
    ['http://user:pw@other.example/x', '/x', 'other.example']
  ])('%s goes upstream as %s with authority %s', (url, path, authority) => {
    expect(requestTarget(url)).toEqual({ path, authority })
  })
})

describe('hostCount', () => {
  it('counts Host lines whatever their case', () => {
    expect(hostCount(['Accept', '*/*'])).toBe(0)
    expect(hostCount(['Host', 'a', 'host', 'b', 'X', 'y'])).toBe(2)
  })
})

describe('buildResponseHeaders', () => {
  it.each([
    {
      desc: 'strips hop-by-hop and Connection-named headers',
      raw: [
        'Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Resp-Hop', 'X-Resp-Hop', '1', 'Keep-Alive', 'timeout=5',
        'Transfer-Encoding', 'chunked', 'Trailer', 'X-T', 'Proxy-Connection', 'close', 'Upgrade', 'h2c'
      ],
      expected: ['Content-Type', 'text/plain']
    },
    {
      desc: 'preserves several Set-Cookie fields and their order',
      raw: ['Set-Cookie', 'a=1; Path=/', 'Content-Length', '2', 'Set-Cookie', 'b=2; HttpOnly'],
      expected: ['Set-Cookie', 'a=1; Path=/', 'Content-Length', '2', 'Set-Cookie', 'b=2; HttpOnly']
    },
    { desc: 'empty stays empty', raw: [], expected: [] }
  ])('$desc', ({ raw, expected }) => {
    expect(buildResponseHeaders(raw)).toEqual(expected)
  })
})
