import { useId, useState } from 'react'
import { readReplicaInput, replicaBoxValue, scaleNeedsConfirm } from '../core/replica-input'
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
  // null = show the engine's count (or the running scale's target); text = typed, not applied yet.
  const [draft, setDraft] = useState<string | null>(null)
  const [confirmingZero, setConfirmingZero] = useState(false)
  const errorId = useId()

  if (!service) return null
  const status = describeService(service, action, lastScaleEvent, imageMissing)
  const text = draft ?? String(replicaBoxValue(service, action))
  const input = readReplicaInput(text, service.maxReplicas)
  const disabledReason = !dockerUp ? 'Docker is not connected' : status.busy ? 'A scale operation is running' : input.ok ? null : input.error
  const replicasNow = Math.max(service.running, service.desired)

  const runScale = (replicas: number): void => {
    setDraft(null)
    setConfirmingZero(false)
    void scale(name, replicas)
  }
  const onScale = (): void => {
    if (!input.ok) return
    if (scaleNeedsConfirm(input.value, service)) setConfirmingZero(true)
    else runScale(input.value)
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
            <ReplicaStepper
              text={text}
              max={service.maxReplicas}
              disabled={status.busy || confirmingZero}
              invalid={!input.ok}
              errorId={errorId}
              onChange={(next) => {
                setDraft(next)
                setConfirmingZero(false)
              }}
            />
            {confirmingZero ? null : (
              <button
                type="button"
                className="btn btn-primary"
                data-testid="btn-scale"
                disabled={disabledReason !== null}
                title={disabledReason ?? (input.ok ? `Run ${input.value} replica${input.value === 1 ? '' : 's'} of ${name}` : undefined)}
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
            )}
          </div>
          {confirmingZero ? (
            <div className="btn-row confirm-row" data-testid="scale-zero-confirm">
              <span className="confirm-text">
                Remove all {replicasNow} replica{replicasNow === 1 ? '' : 's'} of {name}?
              </span>
              <button type="button" className="btn btn-sm btn-danger" data-testid="btn-scale-zero-confirm" onClick={() => runScale(0)}>
                Scale to 0
              </button>
              <button type="button" className="btn btn-sm" data-testid="btn-scale-zero-cancel" onClick={() => setConfirmingZero(false)}>
                Cancel
              </button>
            </div>
          ) : null}
          {!input.ok && !status.busy ? (
            <div className="text-error form-error replicas-error" id={errorId} data-testid="replicas-error" role="alert">
              {input.error}
            </div>
          ) : null}

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
