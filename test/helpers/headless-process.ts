/**
 * Starts the built headless app (`out/main/headless.js`) as a real child process with its own
 * config and data dir, and reads the two lines it prints for scripts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface HeadlessApp {
  /** Empty when the proxy could not listen (only with `allowProxyFailure`). */
  proxyUrl: string
  /** What the app printed instead of a proxy address; null when the proxy listens. */
  proxyFailure: string | null
  dashboardUrl: string
  child: ChildProcess
  output(): string
  stop(): Promise<number | null>
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

export async function startHeadless(
  configYaml: string,
  opts: { timeoutMs?: number; allowProxyFailure?: boolean } = {}
): Promise<HeadlessApp> {
  const dir = mkdtempSync(join(tmpdir(), 'prescal-headless-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, configYaml)
  const child = spawn(process.execPath, [join(repoRoot, 'out/main/headless.js'), '--config', configPath, '--port', '0'], {
    env: { ...process.env, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))

  const deadline = Date.now() + (opts.timeoutMs ?? 20_000)
  let proxyUrl: string | undefined
  let proxyFailure: string | undefined
  let dashboardUrl: string | undefined
  while (!((proxyUrl || (opts.allowProxyFailure && proxyFailure)) && dashboardUrl)) {
    if (child.exitCode !== null) throw new Error(`headless exited with ${child.exitCode}:\n${out}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`headless did not print its addresses in time:\n${out}`)
    }
    proxyUrl = /Proxy listening on (http:\/\/\S+)/.exec(out)?.[1]
    proxyFailure = /Proxy not listening: (.*)/.exec(out)?.[1]
    dashboardUrl = /Dashboard: (http:\/\/\S+)/.exec(out)?.[1]
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    proxyUrl: proxyUrl ?? '',
    proxyFailure: proxyFailure ?? null,
    dashboardUrl,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}
