import { splitNameTail } from '../core/format'

/**
 * A backend name that uses all the room it gets and, when cut, keeps its end: the ellipsis falls
 * inside the shared prefix ("prescal-dem…-2baba7"), never on the suffix that tells replicas apart.
 */
export function BackendName({
  name,
  className = '',
  withTitle = true
}: {
  name: string
  className?: string
  /** The full name as a tooltip; off where the container has a tooltip of its own. */
  withTitle?: boolean
}): React.JSX.Element {
  const { head, tail } = splitNameTail(name)
  return (
    <span className={`backend-name-text ${className}`} title={withTitle ? name : undefined}>
      <span className="backend-name-head">{head}</span>
      {tail ? <span className="backend-name-tail">{tail}</span> : null}
    </span>
  )
}
