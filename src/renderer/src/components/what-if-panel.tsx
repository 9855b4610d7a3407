import { useRef, useState } from 'react'
import { useAutoscale } from '../stores/autoscale-store'
import { Spinner } from './spinner'
import { WhatIfTable } from './what-if-table'

/**
 * "What if": replays the service's own recorded load (or a chosen `timestamp,requests` CSV)
 * through every policy and shows how each would have done. Optional capacity and cold start
 * override the service's settings for the replay only.
 */
export function WhatIfPanel({ service }: { service: string }): React.JSX.Element {
  const state = useAutoscale((s) => s.whatIfs[service])
  const run = useAutoscale((s) => s.runWhatIf)
  const clear = useAutoscale((s) => s.clearWhatIf)
  const [open, setOpen] = useState(false)
  const [capacity, setCapacity] = useState('')
  const [coldStart, setColdStart] = useState('')
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const fileRef = useRef<HTMLInputElement>(null)
  const running = state?.status === 'running'

  const onRun = (): void => {
    const cap = capacity.trim() === '' ? undefined : Number(capacity)
    const cold = coldStart.trim() === '' ? undefined : Number(coldStart)
    if (cap !== undefined && !(cap >= 0.1)) return setProblem('Capacity must be at least 0.1 req/s')
    if (cold !== undefined && !(cold >= 0 && cold <= 3600)) return setProblem('Cold start must be 0–3600 s')
    setProblem(null)
    void run({ service, capacityRps: cap, coldStartSeconds: cold, traceCsv: csv?.text })
  }

  const onFile = async (file: File | undefined): Promise<void> => {
    setCsv(file ? { name: file.name, text: await file.text() } : null)
  }

  return (
    <div className="what-if">
      <div className="what-if-head">
        <button type="button" className="btn btn-sm" data-testid="btn-what-if" disabled={running} onClick={onRun}>
          {running ? <Spinner label="Replaying" /> : null}
          What if…
        </button>
        <span className="sub">
          replay {csv ? <span className="mono">{csv.name}</span> : 'recorded load'} through every policy
        </span>
        <button type="button" className="link-btn what-if-options" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'fewer options' : 'options'}
        </button>
      </div>
      {open ? (
        <div className="what-if-options-row">
          <label className="field">
            <span className="field-label">Capacity</span>
            <input
              className="input input-num"
              type="number"
              min={0.1}
              step="any"
              placeholder="as set"
              value={capacity}
              onChange={(e) => setCapacity(e.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">Cold start s</span>
            <input
              className="input input-num"
              type="number"
              min={0}
              max={3600}
              step="any"
              placeholder="as used"
              value={coldStart}
              onChange={(e) => setColdStart(e.target.value)}
            />
          </label>
          <label className="field field-file">
            <span className="field-label">Trace CSV</span>
            <input ref={fileRef} type="file" accept=".csv,text/csv" className="input-file" onChange={(e) => void onFile(e.target.files?.[0])} />
          </label>
          {csv ? (
            <button
              type="button"
              className="link-btn"
              onClick={() => {
                setCsv(null)
                if (fileRef.current) fileRef.current.value = ''
              }}
            >
              use recorded load
            </button>
          ) : null}
        </div>
      ) : null}
      {problem ? <div className="text-error form-error">{problem}</div> : null}
      {state?.status === 'failed' ? (
        <div className="text-error form-error" data-testid="what-if-error">
          {state.error.message} <span className="code">{state.error.code}</span>
        </div>
      ) : null}
      {state?.status === 'done' ? <WhatIfTable result={state.result} onClose={() => clear(service)} /> : null}
    </div>
  )
}
