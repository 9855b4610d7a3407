import { formatDuration } from '../core/format'
import { useActions } from '../stores/actions-store'
import { Spinner } from './spinner'

/** Offered when a service's image is missing: builds the bundled demo image and shows progress. */
export function ImageBuildControl({ image }: { image: string }): React.JSX.Element {
  const build = useActions((s) => s.imageBuild)
  const start = useActions((s) => s.buildDemoImage)
  const running = build.status === 'running'

  return (
    <div className="image-build" data-testid="image-build">
      <div className="image-build-text">
        The image <span className="mono">{image}</span> is not on this machine. <em>Build demo image</em> builds the
        bundled demo backend locally (no registry needed); then scale again.
      </div>
      <div className="image-build-row">
        <button
          type="button"
          className="btn"
          data-testid="btn-build-image"
          disabled={running}
          onClick={() => void start()}
        >
          {running ? (
            <>
              <Spinner label="Building" /> Building…
            </>
          ) : (
            'Build demo image'
          )}
        </button>
        <span className="image-build-status" data-testid="image-build-status">
          {build.status === 'running' ? <span className="muted">{build.progress ?? 'Starting the build…'}</span> : null}
          {build.status === 'done' ? (
            <span className="text-ok">
              Built <span className="mono">{build.image}</span> in {formatDuration(build.tookMs)}
            </span>
          ) : null}
          {build.status === 'failed' ? (
            <span className="text-error">
              {build.error.message} <span className="code">{build.error.code}</span>
            </span>
          ) : null}
        </span>
      </div>
    </div>
  )
}
