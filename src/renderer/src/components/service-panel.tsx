import { useState } from 'react'
import { MAX_REPLICAS } from '../../../shared/schemas'
import { describeService } from '../core/service-status'
import { useActions } from '../stores/actions-store'
import { selectLastScaleEvent, useEvents } from '../stores/events-store'
import { selectDocker, selectService, useFleet } from '../stores/fleet-store'
import { AutoscaleControls } from './autoscale-controls'
import { BalancingSelect } from './balancing-select'
import { ImageBuildControl } from './image-build-control'
import { ReplicaStepper } from './replica-stepper'
import { Spinner } from './spinner'
import { WhatIfPanel } from './what-if-panel'

/**
 * A service: image, replica counts, the stepper + Scale button with progress and outcome, its
 * autoscaling settings and the "what if" replay.
 */
export function ServicePanel({ name }: { name: string }): React.JSX.Element | null {
  const service = useFleet(selectService(name))
  const dockerUp = useFleet((s) => selectDocker(s)?.status === 'connected')
  const action = useActions((s) => s.scales[name])
  const imageMissing = useActions((s) => s.imageMissing[name] === true)
  const scale = useActions((s) => s.scale)
  const dismiss = useActions((s) => s.dismissScaleResult)
  const lastScaleEvent = useEvents(selectLastScaleEvent(name))
  // null = follow the engine's desired count; a number = what the user typed but has not applied.
  const [draft, setDraft] = useState<number | null>(null)

  if (!service) return null
  const status = describeService(service, action, lastScaleEvent)
  const target = draft ?? service.desired
  const disabledReason = !dockerUp ? 'Docker is not connected' : status.busy ? 'A scale operation is running' : null

  const onScale = (): void => {
    setDraft(null)
    void scale(name, target)
  }

  return (
    <article className={`card service-panel tone-border-${status.tone}`} data-testid="service-panel" data-service={name}>
      <div className="service-body">
        <div className="service-main">
          <div className="service-head">
            <div>
              <div className="service-name">{name}</div>
              <div className="service-image mono" title={service.image}>
                {service.image} <span className="muted">· port {service.containerPort}</span>
              </div>
            </div>
            <span className={`pill tone-${status.tone}`}>
              {status.busy ? <Spinner label="Scaling" /> : <span className="dot" aria-hidden="true" />}
              <span data-testid="service-status" data-phase={service.phase}>
                {status.label}
              </span>
            </span>
          </div>

          <dl className="service-counts">
            <Count label="Desired" value={service.desired} />
            <Count label="Running" value={service.running} />
            <Count label="Ready" value={service.ready} />
          </dl>

          <BalancingSelect service={name} value={service.balancing} />

          <div className="service-controls">
            <ReplicaStepper value={target} max={MAX_REPLICAS} disabled={status.busy} onChange={setDraft} />
            <button
              type="button"
              className="btn btn-primary"
              data-testid="btn-scale"
              disabled={disabledReason !== null}
              title={disabledReason ?? `Run ${target} replica${target === 1 ? '' : 's'} of ${name}`}
              onClick={onScale}
            >
              {action?.status === 'running' ? (
                <>
                  <Spinner label="Scaling" /> Scaling…
                </>
              ) : (
                'Scale'
              )}
            </button>
          </div>

          {status.detail ? (
            <div className={`service-detail text-${status.tone}`} data-testid="service-detail">
              <span>
                {status.detail} {status.code ? <span className="code">{status.code}</span> : null}
              </span>
              {action && action.status !== 'running' ? (
                <button type="button" className="link-btn" onClick={() => dismiss(name)} aria-label="Dismiss">
                  ✕
                </button>
              ) : null}
            </div>
          ) : null}

          {imageMissing ? <ImageBuildControl image={service.image} /> : null}
        </div>

        <div className="service-scaling">
          <AutoscaleControls service={service} />
          <WhatIfPanel service={name} />
        </div>
      </div>
    </article>
  )
}

function Count({ label, value }: { label: string; value: number }): React.JSX.Element {
  return (
    <div className="count">
      <dt>{label}</dt>
      <dd className="num">{value}</dd>
    </div>
  )
}
