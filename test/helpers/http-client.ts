import { Agent, request } from 'node:http'

export interface HttpResult {
  status: number
  body: string
  error?: string
}

/** One GET with a keep-alive agent; network errors come back as status 0 with the error text. */
export function httpGet(url: string, agent?: Agent, timeoutMs = 10_000): Promise<HttpResult> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', (err) => resolve({ status: 0, body, error: err.message }))
    })
    req.on('timeout', () => req.destroy(new Error('client timeout')))
    req.on('error', (err) => resolve({ status: 0, body: '', error: err.message }))
    req.end()
  })
}

/** Open-loop load: `rps` requests per second for `durationMs`, each awaited independently. */
export async function steadyLoad(url: string, rps: number, durationMs: number, agent?: Agent): Promise<HttpResult[]> {
  return runLoad(url, rps, durationMs, agent, { stopped: false })
}

/**
 * Open-loop load that runs until `stop()` (or `maxMs`), for a test that must keep traffic flowing
 * until something it waits for has happened. `stop()` resolves with every request's result.
 */
export function startLoad(url: string, rps: number, agent?: Agent, maxMs = 120_000): { stop(): Promise<HttpResult[]> } {
  const flag = { stopped: false }
  const done = runLoad(url, rps, maxMs, agent, flag)
  return {
    stop() {
      flag.stopped = true
      return done
    }
  }
}

async function runLoad(url: string, rps: number, durationMs: number, agent: Agent | undefined, flag: { stopped: boolean }): Promise<HttpResult[]> {
  const pending: Promise<HttpResult>[] = []
  const started = Date.now()
  const total = Math.round((rps * durationMs) / 1000)
  for (let i = 0; i < total && !flag.stopped; i++) {
    const due = started + (i * 1000) / rps
    const wait = due - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    pending.push(httpGet(url, agent))
  }
  return Promise.all(pending)
}
