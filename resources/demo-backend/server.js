'use strict'
/**
 * Prescal demo backend: a dependency-free HTTP app (Node 20+, CommonJS) that runs inside a
 * container so a first run of Prescal shows real traffic, CPU and memory.
 *
 *   GET /            200 JSON { hostname, pid, work }; `?work=5` burns ~5 ms of CPU first
 *   GET /health      200 "ok"
 *   GET /metrics     Prometheus text: process_cpu_seconds_total, process_resident_memory_bytes,
 *                    demo_requests_total
 *   anything else    404
 *
 * PORT (default 3000) picks the listening port. SIGTERM/SIGINT close the server and exit 0 at once,
 * so `docker stop` does not wait for its 10 s kill timeout.
 */
const http = require('node:http')
const os = require('node:os')

const port = Number(process.env.PORT || 3000)
// Caps the CPU knob so one request cannot pin a core for minutes.
const MAX_WORK_MS = 1000
let requestsTotal = 0

function burnCpu(ms) {
  const until = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6))
  let x = 0
  while (process.hrtime.bigint() < until) x = (x + 1) % 1e9
  return x
}

function metricsText() {
  const cpu = process.cpuUsage()
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${cpuSeconds}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage().rss}`,
    '# HELP demo_requests_total Requests answered by this demo backend.',
    '# TYPE demo_requests_total counter',
    `demo_requests_total ${requestsTotal}`,
    ''
  ].join('\n')
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const server = http.createServer((req, res) => {
  requestsTotal++
  const url = new URL(req.url || '/', 'http://localhost')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
    return
  }
  if (url.pathname === '/') {
    const asked = Number(url.searchParams.get('work') || 0)
    const work = Number.isFinite(asked) && asked > 0 ? Math.min(asked, MAX_WORK_MS) : 0
    if (work > 0) burnCpu(work)
    send(res, 200, 'application/json', JSON.stringify({ hostname: os.hostname(), pid: process.pid, work }))
  } else if (url.pathname === '/health') {
    send(res, 200, 'text/plain; charset=utf-8', 'ok')
  } else if (url.pathname === '/metrics') {
    send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metricsText())
  } else {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n')
  }
})

server.listen(port, () => {
  console.log(`demo backend ${os.hostname()} listening on :${port}`)
})

function shutdown(signal) {
  console.log(`demo backend: ${signal}, closing`)
  server.close(() => process.exit(0))
  // Keep-alive clients would hold close() open; drop them so the exit is prompt.
  server.closeAllConnections()
  setTimeout(() => process.exit(0), 1000).unref()
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
