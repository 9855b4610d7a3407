/** A deliberate "nothing here yet" panel: what is missing and how to get it. */
export function EmptyState({
  title,
  children,
  testId
}: {
  title: string
  children?: React.ReactNode
  testId?: string
}): React.JSX.Element {
  return (
    <div className="empty-state" data-testid={testId}>
      <div className="empty-title">{title}</div>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  )
}
