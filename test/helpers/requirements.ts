/**
 * One place deciding whether a suite that needs an outside facility (a Docker engine, a browser)
 * runs, skips loudly, or fails: with PRESCAL_REQUIRE_DOCKER=1 / PRESCAL_REQUIRE_BROWSER=1 (CI)
 * a missing facility is an error, never a silent skip.
 */
import Docker from 'dockerode'

export type Requirement = 'docker' | 'browser'

const requireEnv: Record<Requirement, string> = {
  docker: 'PRESCAL_REQUIRE_DOCKER',
  browser: 'PRESCAL_REQUIRE_BROWSER'
}

const hints: Record<Requirement, string> = {
  docker: 'start the engine (e.g. `dockerd > /var/log/dockerd.log 2>&1 &`) and check `docker info`',
  browser: 'install Debian\'s chromium (`apt-get install chromium`) or set PRESCAL_CHROMIUM'
}

/** True when a Docker engine (DOCKER_HOST or the default socket) answers a ping within 3 s. */
export async function dockerAvailable(): Promise<boolean> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(), 3000)
  try {
    const docker = new Docker()
    const options = { abortSignal: ac.signal }
    await (docker.ping as unknown as (o: typeof options) => Promise<unknown>).call(docker, options)
    return true
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Returns true when the suite should run. When the facility is missing: throws if its
 * PRESCAL_REQUIRE_* variable is 1, else warns on the console and returns false (skip).
 */
export function requireOrSkip(kind: Requirement, available: boolean): boolean {
  if (available) return true
  const variable = requireEnv[kind]
  if (process.env[variable] === '1') {
    throw new Error(`${variable}=1 but no ${kind} is available: ${hints[kind]}`)
  }
  console.warn(`SKIPPING ${kind} tests: no ${kind} available (${hints[kind]}); set ${variable}=1 to make this an error`)
  return false
}
