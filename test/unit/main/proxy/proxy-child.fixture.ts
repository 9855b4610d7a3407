// Runs a ProxyServer alone in a child process so its memory can be measured cleanly.
// argv: backendPort workers. IPC: sends { port } once listening; answers 'rss' with { rss }.
import { BackendPool } from '../../../../src/main/proxy/backend-pool'
import { ProxyServer } from '../../../../src/main/proxy/proxy-server'

const backendPort = Number(process.argv[2])
const workers = Number(process.argv[3] ?? 0)
const pool = new BackendPool()
pool.upsert({ id: 'sink', host: '127.0.0.1', port: backendPort })
pool.setReady('sink', true)
const proxy = new ProxyServer({ host: '127.0.0.1', port: 0, pool, upstreamTimeoutMs: 30_000, workers })
const ticker = setInterval(() => proxy.takeTick(), 1_000)

void proxy.start().then(({ port }) => process.send?.({ port }))
process.on('message', (m) => {
  if (m === 'rss') process.send?.({ rss: process.memoryUsage().rss })
  if (m === 'stop') {
    clearInterval(ticker)
    void proxy.close(500).then(() => process.exit(0))
  }
})
