import { useView, type View } from '../stores/view-store'

const VIEWS: { value: View; label: string; title: string }[] = [
  { value: 'live', label: 'Live', title: 'The fleet now: follows every tick' },
  { value: 'history', label: 'History', title: 'Browse recorded metrics over a time range' }
]

/** Live | History switch in the header. */
export function ViewToggle(): React.JSX.Element {
  const view = useView((s) => s.view)
  const setView = useView((s) => s.setView)
  return (
    <div className="segmented view-toggle" role="tablist" aria-label="View">
      {VIEWS.map((v) => (
        <button
          key={v.value}
          type="button"
          role="tab"
          aria-selected={view === v.value}
          className={view === v.value ? 'active' : undefined}
          data-testid={`view-toggle-${v.value}`}
          title={v.title}
          onClick={() => setView(v.value)}
        >
          {v.label}
        </button>
      ))}
    </div>
  )
}
