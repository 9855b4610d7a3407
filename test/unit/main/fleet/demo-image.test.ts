import { PassThrough, Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isPrescalError } from '../../../../src/shared/errors'
import { buildDemoImage } from '../../../../src/main/fleet/demo-image'
import {
  DemoImageError,
  demoDockerfile,
  followBuildStream,
  parseLddOutput
} from '../../../../resources/demo-backend/demo-image-core.mjs'

describe('parseLddOutput', () => {
  it('keeps library paths and the loader, drops vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f13)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f14)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f15)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f16)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f15)'
    ].join('\n')
    expect(parseLddOutput(out)).toEqual([
      '/lib/x86_64-linux-gnu/libdl.so.2',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2'
    ])
  })
  it('a static binary needs nothing', () => {
    expect(parseLddOutput('\tstatically linked\n')).toEqual([])
  })
  it('a missing library is an error', () => {
    expect(() => parseLddOutput('\tlibfoo.so.1 => not found\n')).toThrow(/libfoo\.so\.1 not found/)
  })
})

describe('demoDockerfile', () => {
  it('is FROM scratch with the entrypoint, port and label', () => {
    const df = demoDockerfile('/usr/local/bin/node', 3000)
    expect(df).toMatch(/^FROM scratch\n/)
    expect(df).toContain('ENTRYPOINT ["/usr/local/bin/node","/app/server.js"]')
    expect(df).toContain('ENV PORT=3000')
    expect(df).toContain('EXPOSE 3000')
    expect(df).toContain('LABEL prescal.demo=1')
  })
})

describe('followBuildStream', () => {
  it('reports stream lines (split across chunks) and resolves at the end', async () => {
    const s = new PassThrough()
    const lines: string[] = []
    const done = followBuildStream(s, (l) => lines.push(l))
    s.write('{"stream":"Step 1/2 : FROM scratch\\n"}\n{"str')
    s.write('eam":" ---> abc\\n"}\n{"aux":{"ID":"sha256:1"}}\n')
    s.end('{"stream":"Successfully tagged x:latest\\n"}')
    await done
    expect(lines).toEqual(['Step 1/2 : FROM scratch', '---> abc', 'Successfully tagged x:latest'])
  })
  it('rejects on an error message in the stream', async () => {
    const s = Readable.from(['{"stream":"Step 1/2\\n"}\n', '{"errorDetail":{"message":"COPY failed"},"error":"COPY failed: no such file"}\n'])
    const err = await followBuildStream(s, () => {}).catch((e) => e)
    expect(err).toBeInstanceOf(DemoImageError)
    expect(err.stage).toBe('build')
    expect(err.message).toMatch(/COPY failed: no such file/)
  })
  it('rejects when the stream closes without ending (aborted)', async () => {
    const s = new PassThrough()
    const p = followBuildStream(s, () => {})
    s.write('{"stream":"Step 1/2\\n"}\n')
    s.destroy()
    await expect(p).rejects.toThrow(/closed before the build finished/)
  })
})

describe.skipIf(process.platform !== 'linux')('buildDemoImage with a stand-in engine', () => {
  it('sends a tar context and maps a failed build to DOCKER_ERROR', async () => {
    let contextBytes = 0
    const engine = {
      async buildImage(file: NodeJS.ReadableStream, opts: Record<string, unknown>) {
        expect(opts['t']).toBe('unit-demo:test')
        for await (const chunk of file) contextBytes += (chunk as Buffer).length
        return Readable.from(['{"error":"no space left on device"}\n'])
      }
    }
    const progress: string[] = []
    const err = await buildDemoImage(engine, 'unit-demo:test', (l) => progress.push(l)).catch((e) => e)
    expect(isPrescalError(err, 'DOCKER_ERROR')).toBe(true)
    expect(err.message).toMatch(/Building unit-demo:test failed \(build\): image build failed: no space left on device/)
    // node binary + libraries: tens of MB at least.
    expect(contextBytes).toBeGreaterThan(10_000_000)
    expect(progress[0]).toMatch(/resolving shared libraries of /)
  })
})
