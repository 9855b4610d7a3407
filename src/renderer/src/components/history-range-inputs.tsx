import { useEffect, useState } from 'react'
import { customRangeError, fromDatetimeLocal, toDatetimeLocal } from '../core/history-range'
import { useHistory } from '../stores/history-store'

/**
 * Two datetime-local inputs for a custom range. They show the current range (whatever set it)
 * until the user edits them; "Apply" sends the edit, or says what is wrong with it.
 */
export function HistoryRangeInputs(): React.JSX.Element {
  const range = useHistory((s) => s.range)
  const setRange = useHistory((s) => s.setRange)
  const [from, setFrom] = useState(() => toDatetimeLocal(range.from))
  const [to, setTo] = useState(() => toDatetimeLocal(range.to))
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    setFrom(toDatetimeLocal(range.from))
    setTo(toDatetimeLocal(range.to))
    setError(null)
  }, [range.from, range.to])

  const apply = (e: React.FormEvent): void => {
    e.preventDefault()
    const a = fromDatetimeLocal(from)
    const b = fromDatetimeLocal(to)
    const problem = customRangeError(a, b, Date.now())
    setError(problem)
    if (problem === null) setRange({ from: a as number, to: b as number })
  }

  return (
    <form className="history-custom" onSubmit={apply}>
      <input
        type="datetime-local"
        className="input"
        aria-label="From"
        data-testid="history-from"
        value={from}
        onChange={(e) => setFrom(e.target.value)}
      />
      <span className="muted">→</span>
      <input
        type="datetime-local"
        className="input"
        aria-label="To"
        data-testid="history-to"
        value={to}
        onChange={(e) => setTo(e.target.value)}
      />
      <button type="submit" className="btn btn-sm" data-testid="btn-history-apply">
        Apply
      </button>
      {error ? <span className="text-error form-error">{error}</span> : null}
    </form>
  )
}
