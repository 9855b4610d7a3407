/** A small inline busy indicator; labelled for screen readers. */
export function Spinner({ label = 'Working' }: { label?: string }): React.JSX.Element {
  return <span className="spinner" role="status" aria-label={label} />
}
