import { describe, expect, it } from 'vitest'
import { describeListenFailure } from '../../../../src/main/config/listen-failure'
import { PrescalError } from '../../../../src/shared/errors'

const sysError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}: x`), { code })
/** As the proxy reports it: PROXY_LISTEN_FAILED with the system error as its cause. */
const proxyError = (code: string): PrescalError =>
  new PrescalError('PROXY_LISTEN_FAILED', 'The proxy cannot listen on 127.0.0.1:4200: whatever', { cause: sysError(code) })

describe('describeListenFailure', () => {
  it.each([
    { desc: 'address in use', err: proxyError('EADDRINUSE'), want: /^The proxy is not running: 127\.0\.0\.1:4200 is already in use by another program/ },
    { desc: 'in use, system error without a wrapper', err: sysError('EADDRINUSE'), want: /already in use/ },
    { desc: 'privileged port', err: proxyError('EACCES'), want: /permission denied to listen on 127\.0\.0\.1:4200/ },
    { desc: 'address not on this machine', err: proxyError('EADDRNOTAVAIL'), want: /127\.0\.0\.1:4200 is not an address of this machine/ }
  ])('$desc: says what happened and to change listen in the named file', ({ err, want }) => {
    const message = describeListenFailure('127.0.0.1:4200', err, '/home/u/.config/prescal-desktop/config.yaml')
    expect(message).toMatch(want)
    expect(message).toContain('Change `listen` in /home/u/.config/prescal-desktop/config.yaml to a free address and port')
    expect(message).toMatch(/restart Prescal\.$/)
  })

  it('names "the config file" when the path is not known', () => {
    expect(describeListenFailure('127.0.0.1:4200', proxyError('EADDRINUSE'), null)).toContain('Change `listen` in the config file')
  })

  it('an unknown cause keeps the proxy\'s own message and names the file', () => {
    const err = new PrescalError('PROXY_LISTEN_FAILED', 'A proxy worker exited before listening.')
    expect(describeListenFailure('127.0.0.1:4200', err, '/etc/p.yaml')).toBe(
      'The proxy is not running: A proxy worker exited before listening. (config file: /etc/p.yaml)'
    )
  })
})
