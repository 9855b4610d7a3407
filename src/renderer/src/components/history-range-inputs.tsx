import { useEffect, useState } from 'react'
import { customRangeError, formatRangeInput, parseRangeInput } from '../core/history-range'
import { useHistory } from '../stores/history-store'

const FORMAT_HINT = 'A time like "4 Dec 08:22" (local time; add the year for another year, or just "08:22" for today)'

/**
 * Two text inputs for a custom range, written like the rest of the app ("4 Dec 08:22"). They show
 * the current range (whatever set it) until the user edits them; "Apply" sends the edit, or says
 * what is wrong with it.
 */
export function HistoryRangeInputs(): React.JSX.Element {
  const range = useHistory((s) => s.range)
  const setRange = useHistory((s) => s.setRange)
  const [from, setFrom] = useState(() => formatRangeInput(range.from, Date.now()))
  const [to, setTo] = useState(() => formatRangeInput(range.to, Date.now()))
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const now = Date.now()
    setFrom(formatRangeInput(range.from, now))
    setTo(formatRangeInput(range.to, now))
    setError(null)
  }, [range.from, range.to])

  const apply = (e: React.FormEvent): void => {
    e.preventDefault()
    const now = Date.now()
    const a = parseRangeInput(from, now)
    const b = parseRangeInput(to, now)
    const unreadable = a === null && from.trim() !== '' ? from : b === null && to.trim() !== '' ? to : null
    const problem = unreadable !== null ? `"${unreadable.trim()}" is not a time: write it like "4 Dec 08:22".` : customRangeError(a, b, now)
    setError(problem)
    if (problem === null) setRange({ from: a as number, to: b as number })
  }

  return (
    <form className="history-custom" onSubmit={apply}>
      <input
        type="text"
        className="input history-time-input num"
        aria-label="From"
        title={FORMAT_HINT}
        placeholder="4 Dec 08:00"
        spellCheck={false}
        data-testid="history-from"
        value={from}
        onChange={(e) => setFrom(e.target.value)}
      />
      <span className="muted">→</span>
      <input
        type="text"
        className="input history-time-input num"
        aria-label="To"
        title={FORMAT_HINT}
        placeholder="4 Dec 09:00"
        spellCheck={false}
        data-testid="history-to"
        value={to}
        onChange={(e) => setTo(e.target.value)}
      />
      <button type="submit" className="btn btn-sm" data-testid="btn-history-apply">
        Apply
      </button>
      {error ? <span className="text-error form-error" data-testid="history-range-error">{error}</span> : null}
    </form>
  )
}
