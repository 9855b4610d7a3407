import { useId } from 'react'
import { formatClock, formatRate } from '../core/format'
import { buildLoadProfile, loadKinds, type LoadForm } from '../core/load-form'
import { useFleet } from '../stores/fleet-store'
import { useLoad } from '../stores/load-store'
import { LoadProfileFields } from './load-profile-fields'
import { LoadStats } from './load-stats'
import { Spinner } from './spinner'

const KIND_LABEL = { constant: 'Constant', step: 'Step', ramp: 'Ramp', trace: 'Trace replay' } as const

/**
 * The built-in traffic generator: a profile (constant, step, ramp or a replayed trace) sent
 * through the proxy, so the charts and the autoscaler have something to react to.
 */
export function LoadPanel(): React.JSX.Element {
  const load = useFleet((s) => s.snapshot?.load)
  const proxyUp = useFleet((s) => s.snapshot?.proxy.url !== null)
  const pending = useLoad((s) => s.pending)
  const error = useLoad((s) => s.error)
  const start = useLoad((s) => s.start)
  const stop = useLoad((s) => s.stop)
  const reject = useLoad((s) => s.reject)
  const form = useLoad((s) => s.form)
  const trace = useLoad((s) => s.trace)
  const setForm = useLoad((s) => s.setForm)
  const setTrace = useLoad((s) => s.setTrace)
  const running = load?.running === true
  const fieldErrorId = useId()
  // Checked as the user types: a value over a limit is marked at once, and Start waits for a fix.
  const built = buildLoadProfile(form, trace)
  const fieldErrors = built.ok || running ? {} : built.fields
  const fieldProblems = Object.values(fieldErrors)

  const onStart = (e: React.FormEvent): void => {
    e.preventDefault()
    if (!built.ok) reject(built.error)
    else void start(built.profile, built.path)
  }

  return (
    <section className="section load-section">
      <div className="section-head">
        <h2>Load generator</h2>
        <span className={`pill ${running ? 'tone-busy' : 'tone-idle'}`} data-testid="load-status" data-running={running}>
          {running ? <Spinner label="Sending" /> : <span className="dot" aria-hidden="true" />}
          {running ? `sending ${load?.profile ?? ''}` : 'idle'}
        </span>
      </div>
      <form className="card load-panel" onSubmit={onStart}>
        <div className="load-row">
          <label className="field">
            <span className="field-label">Profile</span>
            <select
              className="input select"
              data-testid="load-kind"
              // While a run is on, the kind it runs (possibly started elsewhere), not the form's.
              value={running && load?.profile ? load.profile : form.kind}
              disabled={running}
              onChange={(e) => setForm({ ...form, kind: e.target.value as LoadForm['kind'] })}
            >
              {loadKinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </select>
          </label>
          {running && load ? (
            <div className="load-running sub" data-testid="load-running">
              Sending since {load.startedAt !== null ? formatClock(load.startedAt) : '—'} · target now{' '}
              {formatRate(Math.round(load.targetRps * 10) / 10)} req/s. Stop it to change the profile.
            </div>
          ) : (
            <>
              <LoadProfileFields
                form={form}
                trace={trace}
                disabled={running}
                errors={fieldErrors}
                errorId={fieldErrorId}
                onChange={setForm}
                onTrace={setTrace}
              />
              <label className="field">
                <span className="field-label">Duration</span>
                <span className="input-with-unit">
                  <input
                    className={`input input-num${fieldErrors.durationSeconds ? ' input-invalid' : ''}`}
                    type="number"
                    min={1}
                    max={1800}
                    step="any"
                    data-testid="load-duration"
                    value={form.durationSeconds}
                    aria-invalid={fieldErrors.durationSeconds !== undefined}
                    aria-describedby={fieldErrors.durationSeconds ? fieldErrorId : undefined}
                    onChange={(e) => setForm({ ...form, durationSeconds: e.target.value })}
                  />
                  <span className="unit">s</span>
                </span>
              </label>
              <label className="field" title="Path and query sent through the proxy; the demo backend burns CPU with /?work=5 (ms per request)">
                <span className="field-label">Path</span>
                <input
                  className={`input input-path mono${fieldErrors.path ? ' input-invalid' : ''}`}
                  data-testid="load-path"
                  value={form.path}
                  spellCheck={false}
                  aria-invalid={fieldErrors.path !== undefined}
                  aria-describedby={fieldErrors.path ? fieldErrorId : undefined}
                  onChange={(e) => setForm({ ...form, path: e.target.value })}
                />
              </label>
              {fieldProblems.length > 0 ? (
                <div className="load-field-errors text-error form-error" id={fieldErrorId} data-testid="load-field-error" role="alert">
                  {fieldProblems.join('; ')}
                </div>
              ) : null}
            </>
          )}
        </div>
        <div className="load-actions">
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="btn-load-start"
            disabled={running || pending !== null || !proxyUp || fieldProblems.length > 0}
            title={!proxyUp ? 'The proxy is not listening' : (fieldProblems[0] ?? 'Send this traffic through the proxy')}
          >
            {pending === 'start' ? <Spinner label="Starting" /> : null}
            Start
          </button>
          <button type="button" className="btn" data-testid="btn-load-stop" disabled={!running || pending !== null} onClick={() => void stop()}>
            {pending === 'stop' ? <Spinner label="Stopping" /> : null}
            Stop
          </button>
          {error ? (
            <span className="text-error form-error" data-testid="load-error">
              {error.message} {error.fromForm ? null : <span className="code">{error.code}</span>}
            </span>
          ) : null}
        </div>
        {load ? <LoadStats load={load} /> : null}
      </form>
    </section>
  )
}
