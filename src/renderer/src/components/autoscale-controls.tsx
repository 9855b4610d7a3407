import { useId, useState } from 'react'
import { autoscaleModes, type AutoscaleMode } from '../../../shared/autoscale'
import type { ServiceView } from '../../../shared/types'
import { autoscaleFormOf, formDiffers, readAutoscaleForm, type AutoscaleForm } from '../core/autoscale-form'
import { useAutoscale } from '../stores/autoscale-store'
import { AutoscaleStatus } from './autoscale-status'
import { Spinner } from './spinner'

const MODE_LABEL: Record<AutoscaleMode, string> = {
  off: 'Off',
  reactive: 'Reactive',
  predictive: 'Predictive',
  hybrid: 'Hybrid'
}

const MODE_TITLE: Record<AutoscaleMode, string> = {
  off: 'No automatic scaling',
  reactive: 'Scale on the measured rate (like the Kubernetes HPA)',
  predictive: 'Scale ahead of the forecast rate, one cold start early',
  hybrid: 'The larger of reactive and predictive'
}

/**
 * Mode, replica bounds and capacity per replica for one service. The fields show what the engine
 * runs until the user edits one; Apply sends the edit, and the next snapshot shows it applied.
 */
export function AutoscaleControls({ service }: { service: ServiceView }): React.JSX.Element {
  const name = service.name
  const view = service.autoscale
  const apply = useAutoscale((s) => s.apply)
  const clearApply = useAutoscale((s) => s.clearApply)
  const state = useAutoscale((s) => s.applies[name])
  // null = follow the engine; an object = the user's unapplied edit.
  const [draft, setDraft] = useState<AutoscaleForm | null>(null)
  const errorId = useId()
  const form = draft ?? autoscaleFormOf(view)
  // An edit is checked as it is typed; an engine refusal goes with the next edit (it was about the old values).
  const edit = (patch: Partial<AutoscaleForm>): void => {
    setDraft({ ...form, ...patch })
    clearApply(name)
  }
  const read = readAutoscaleForm(form, service.maxReplicas)
  const problem = draft !== null && !read.ok ? read : null
  const running = state?.status === 'running'

  const onApply = (e: React.FormEvent): void => {
    e.preventDefault()
    if (!read.ok) return
    void apply({ service: name, ...read.settings }).then(() => {
      if (useAutoscale.getState().applies[name]?.status === 'done') setDraft(null)
    })
  }

  const error = problem?.error ?? (state?.status === 'failed' ? state.error.message : null)
  const changed = draft !== null && formDiffers(draft, view)
  /** The field the error is about is marked and points at the message. */
  const fieldProps = (field: keyof AutoscaleForm) => ({
    className: `input input-num${problem?.field === field ? ' input-invalid' : ''}`,
    'aria-invalid': problem?.field === field,
    'aria-describedby': problem?.field === field ? errorId : undefined
  })

  return (
    <form className="autoscale" onSubmit={onApply} data-testid="autoscale-controls" data-mode={view.mode}>
      <div className="autoscale-head">
        <span className="field-label">Autoscale</span>
        <select
          className="input select"
          data-testid="autoscale-mode"
          value={form.mode}
          title={MODE_TITLE[form.mode]}
          onChange={(e) => edit({ mode: e.target.value as AutoscaleMode })}
        >
          {autoscaleModes.map((m) => (
            <option key={m} value={m} title={MODE_TITLE[m]}>
              {MODE_LABEL[m]}
            </option>
          ))}
        </select>
        <span className={`badge ${view.mode === 'off' ? '' : 'badge-ok'}`} data-testid="autoscale-active-mode" title="What the engine runs now">
          {view.mode === 'off' ? 'off' : `${view.mode} on`}
        </span>
      </div>
      <div className="autoscale-fields">
        <label className="field">
          <span className="field-label">Min</span>
          <input
            {...fieldProps('minReplicas')}
            type="number"
            min={0}
            max={service.maxReplicas}
            step={1}
            data-testid="autoscale-min"
            value={form.minReplicas}
            onChange={(e) => edit({ minReplicas: e.target.value })}
          />
        </label>
        <label className="field">
          <span className="field-label">Max</span>
          <input
            {...fieldProps('maxReplicas')}
            type="number"
            min={1}
            max={service.maxReplicas}
            step={1}
            data-testid="autoscale-max"
            value={form.maxReplicas}
            onChange={(e) => edit({ maxReplicas: e.target.value })}
          />
        </label>
        <label className="field" title="Requests per second one replica serves well: the predictive policy runs ceil(forecast / capacity) replicas">
          <span className="field-label">Capacity</span>
          <span className="input-with-unit">
            <input
              {...fieldProps('capacityRps')}
              type="number"
              min={0.1}
              step="any"
              data-testid="autoscale-capacity"
              value={form.capacityRps}
              onChange={(e) => edit({ capacityRps: e.target.value })}
            />
            <span className="unit">req/s per replica</span>
          </span>
        </label>
        <button
          type="submit"
          className="btn btn-sm btn-apply"
          data-testid="btn-autoscale-apply"
          disabled={running || problem !== null}
          title={problem?.error}
        >
          {running ? <Spinner label="Applying" /> : null}
          Apply
        </button>
        {changed ? (
          <button
            type="button"
            className="link-btn"
            onClick={() => {
              setDraft(null)
              clearApply(name)
            }}
            title="Discard the edit"
          >
            reset
          </button>
        ) : null}
      </div>
      {error ? (
        <div className="text-error form-error" id={errorId} data-testid="autoscale-error" role="alert">
          {error} {state?.status === 'failed' && !problem ? <span className="code">{state.error.code}</span> : null}
        </div>
      ) : null}
      <AutoscaleStatus view={view} />
    </form>
  )
}
