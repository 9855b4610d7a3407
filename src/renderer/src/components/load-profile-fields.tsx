import { useState } from 'react'
import { tracePlaySeconds, type LoadField, type LoadFieldErrors, type LoadForm } from '../core/load-form'
import { formatCount, formatDuration, formatRate } from '../core/format'
import { parseTraceCsv, type ParsedTrace } from '../core/trace-csv'

/**
 * The parameters of the chosen profile kind, each with its unit. A field with a problem in
 * `errors` is marked invalid and described by the element `errorId` (the panel's message line).
 */
export function LoadProfileFields({
  form,
  trace,
  disabled,
  errors,
  errorId,
  onChange,
  onTrace
}: {
  form: LoadForm
  trace: ParsedTrace | null
  disabled: boolean
  errors: LoadFieldErrors
  errorId: string
  onChange(form: LoadForm): void
  onTrace(trace: ParsedTrace | null): void
}): React.JSX.Element {
  const [fileError, setFileError] = useState<string | null>(null)
  const field = (key: LoadField, label: string, unit: string, testId?: string, title?: string): React.JSX.Element => (
    <label className="field" title={title}>
      <span className="field-label">{label}</span>
      <span className="input-with-unit">
        <input
          className={`input input-num${errors[key] ? ' input-invalid' : ''}`}
          type="number"
          min={0}
          step="any"
          data-testid={testId}
          value={form[key]}
          disabled={disabled}
          aria-invalid={errors[key] !== undefined}
          aria-describedby={errors[key] ? errorId : undefined}
          onChange={(e) => onChange({ ...form, [key]: e.target.value })}
        />
        <span className="unit">{unit}</span>
      </span>
    </label>
  )

  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) {
      onTrace(null)
      setFileError(null)
      return
    }
    const parsed = parseTraceCsv(await file.text())
    if (!parsed.ok) {
      onTrace(null)
      setFileError(`${file.name}: ${parsed.error}`)
      return
    }
    setFileError(null)
    onTrace(parsed.trace)
    // Play the whole trace by default (within the generator's 30 min limit).
    const seconds = tracePlaySeconds(parsed.trace, Number(form.compression))
    if (Number.isFinite(seconds)) onChange({ ...form, durationSeconds: String(Math.min(1800, Math.max(1, seconds))) })
  }

  switch (form.kind) {
    case 'constant':
      return field('rps', 'Rate', 'req/s', 'load-rps')
    case 'step':
      return (
        <>
          {field('lowRps', 'Low', 'req/s', 'load-low-rps')}
          {field('highRps', 'High', 'req/s', 'load-high-rps')}
          {field('lowSeconds', 'Low for', 's', undefined, 'Length of each low phase')}
          {field('highSeconds', 'High for', 's', undefined, 'Length of each high phase')}
        </>
      )
    case 'ramp':
      return (
        <>
          {field('fromRps', 'From', 'req/s', 'load-from-rps')}
          {field('toRps', 'To', 'req/s', 'load-to-rps')}
        </>
      )
    case 'trace':
      return (
        <>
          <label className="field field-file" title="CSV with timestamp,requests rows (ISO-8601 or unix seconds)">
            <span className="field-label">Trace CSV</span>
            <input type="file" accept=".csv,text/csv" className="input-file" data-testid="load-trace-file" disabled={disabled} onChange={(e) => void onFile(e.target.files?.[0])} />
          </label>
          {/* Factors, not clear buttons: the unit says what the number multiplies. */}
          {field('compression', 'Compression', '× faster', 'load-compression', 'Trace time per wall time: 60 plays one trace minute per second')}
          {field('multiplier', 'Multiplier', '× rates', 'load-multiplier', 'Scales the trace rates to this machine: 2 sends twice the requests')}
          <div className="load-trace-info sub" data-testid="load-trace-info">
            {fileError ? (
              <span className="text-error">{fileError}</span>
            ) : trace ? (
              <>
                {formatCount(trace.points.length)} rows · step {formatDuration(trace.stepMs)} · peak{' '}
                {formatRate(Math.round(trace.peakRps * Number(form.multiplier || 0) * 10) / 10)} req/s · plays in{' '}
                {formatDuration(tracePlaySeconds(trace, Number(form.compression)) * 1000)}
              </>
            ) : (
              'timestamp,requests per row'
            )}
          </div>
        </>
      )
  }
}
