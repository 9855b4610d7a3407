import { useShallow } from 'zustand/react/shallow'
import { formatDuration } from '../core/format'
import { missingImageFix } from '../core/image-fix'
import { useActions } from '../stores/actions-store'
import { useFleet } from '../stores/fleet-store'
import { Spinner } from './spinner'

/**
 * Shown when a service's image is missing. For the demo image: a button that builds it, with
 * progress. For any other image the demo build would not help, so it says how to get that image.
 */
export function ImageBuildControl({ image }: { image: string }): React.JSX.Element {
  const images = useFleet(useShallow((s) => s.snapshot?.services.map((v) => v.image) ?? []))
  const fix = missingImageFix(image, images)
  if (fix.kind === 'docker') {
    return (
      <div className="image-build" data-testid="image-build" data-fix={fix.kind}>
        <div className="image-build-text">
          The image <span className="mono">{image}</span> is not on this machine, and <em>Build demo image</em> would not
          make it (it builds only the bundled demo backend). Get it with Docker, then Scale again:
        </div>
        <ul className="image-build-commands">
          <li>
            <code>{fix.pull}</code> <span className="muted">from a registry, or</span>
          </li>
          <li>
            <code>{fix.build}</code> <span className="muted">from the folder with its Dockerfile</span>
          </li>
        </ul>
      </div>
    )
  }
  return <DemoImageBuild image={image} />
}

function DemoImageBuild({ image }: { image: string }): React.JSX.Element {
  const build = useActions((s) => s.imageBuild)
  const start = useActions((s) => s.buildDemoImage)
  const running = build.status === 'running'

  return (
    <div className="image-build" data-testid="image-build" data-fix="build-demo">
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
