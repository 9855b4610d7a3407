/** Oldest Node with node:sqlite built in, unflagged (the history store needs it). */
export const MIN_NODE = [22, 13, 0] as const

/** Null when `version` (e.g. "22.20.0") is new enough, else what is needed and what to run. */
export function nodeTooOld(version: string, execPath: string): string | null {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10))
  for (let i = 0; i < MIN_NODE.length; i++) {
    const v = Number.isFinite(parts[i]) ? parts[i]! : 0
    if (v > MIN_NODE[i]!) return null
    if (v < MIN_NODE[i]!) return (
        `Prescal needs Node ${MIN_NODE.join('.')} or newer (for node:sqlite); ${execPath} is Node ${version}. ` +
        "`npm run headless` runs it with the project's own Node 22."
      )
  }
  return null
}
