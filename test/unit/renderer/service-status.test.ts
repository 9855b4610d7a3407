import { describe, expect, it } from 'vitest'
import { clampReplicas, describeService, type ScaleAction } from '../../../src/renderer/src/core/service-status'
import type { EngineEvent, ServiceView } from '../../../src/shared/types'
import { autoscaleOff } from '../../fixtures/views/autoscale-view'

const svc = (over: Partial<ServiceView> = {}): ServiceView => ({
  name: 'demo',
  image: 'prescal-demo:latest',
  containerPort: 3000,
  desired: 3,
  maxReplicas: 20,
  running: 3,
  ready: 3,
  phase: 'idle',
  message: null,
  autoscale: autoscaleOff,
  balancing: 'round-robin',
  ...over
})
const scaleEvent: EngineEvent = { seq: 1, at: 1, kind: 'scale.progress', level: 'info', message: 'demo: 1/3 ready', service: 'demo' }

describe('describeService', () => {
  it.each<{ desc: string; service: ServiceView; action?: ScaleAction; event?: EngineEvent; tone: string; detail: string | null; code?: string; busy: boolean }>([
    { desc: 'all ready', service: svc(), tone: 'ok', detail: null, busy: false },
    { desc: 'fewer ready than desired', service: svc({ ready: 2 }), tone: 'warn', detail: null, busy: false },
    { desc: 'scaled to zero', service: svc({ desired: 0, running: 0, ready: 0 }), tone: 'idle', detail: 'Scaled to zero', busy: false },
    {
      desc: 'engine scaling with a message',
      service: svc({ phase: 'scaling', ready: 2, message: '2/3 ready' }),
      tone: 'busy',
      detail: '2/3 ready',
      busy: true
    },
    {
      desc: 'my call running, no snapshot message yet: latest scale event',
      service: svc({ ready: 0 }),
      action: { status: 'running', replicas: 3, startedAt: 1 },
      event: scaleEvent,
      tone: 'busy',
      detail: 'demo: 1/3 ready',
      busy: true
    },
    {
      desc: 'my call running, nothing known yet',
      service: svc({ desired: 1 }),
      action: { status: 'running', replicas: 4, startedAt: 1 },
      tone: 'busy',
      detail: 'Scaling to 4…',
      busy: true
    },
    {
      desc: 'my call failed: message and code, even while the engine still says scaling',
      service: svc({ phase: 'scaling' }),
      action: { status: 'failed', replicas: 2, error: { code: 'IMAGE_MISSING', message: 'Image x not found' } },
      tone: 'error',
      detail: 'Image x not found',
      code: 'IMAGE_MISSING',
      busy: true
    },
    { desc: 'engine reports failure', service: svc({ phase: 'failed', message: 'port exhausted' }), tone: 'error', detail: 'port exhausted', busy: false },
    {
      desc: 'my call resolved',
      service: svc(),
      action: { status: 'done', replicas: 3, ready: 3, tookMs: 1200 },
      tone: 'ok',
      detail: 'Scaled to 3 (3 ready)',
      busy: false
    }
  ])('$desc', ({ service, action, event, tone, detail, code, busy }) => {
    const status = describeService(service, action, event)
    expect(status.tone).toBe(tone)
    expect(status.detail).toBe(detail)
    expect(status.code).toBe(code ?? null)
    expect(status.busy).toBe(busy)
    expect(status.label).toBe(`${service.ready}/${service.desired} ready`)
  })
})

describe('describeService with the image missing', () => {
  // The engine's IMAGE_MISSING message offers "Build demo image" for any image; the panel shows the
  // fix that fits below, so the status names only what is missing.
  const engineText = 'Image myapp:dev not found: build it (Build demo image) or docker pull myapp:dev'
  it.each<{ desc: string; service: ServiceView; action?: ScaleAction; detail: string; code: string | null }>([
    {
      desc: 'my call failed with IMAGE_MISSING',
      service: svc({ image: 'myapp:dev', phase: 'failed', message: engineText }),
      action: { status: 'failed', replicas: 1, error: { code: 'IMAGE_MISSING', message: engineText } },
      detail: 'Image myapp:dev not found',
      code: 'IMAGE_MISSING'
    },
    {
      desc: 'a scale started elsewhere failed (only the engine message and the event code are known)',
      service: svc({ image: 'myapp:dev', phase: 'failed', message: engineText }),
      detail: 'Image myapp:dev not found',
      code: 'IMAGE_MISSING'
    },
    {
      desc: 'a later failure of another kind keeps its own message',
      service: svc({ image: 'myapp:dev' }),
      action: { status: 'failed', replicas: 1, error: { code: 'PORT_EXHAUSTED', message: 'no free port' } },
      detail: 'no free port',
      code: 'PORT_EXHAUSTED'
    }
  ])('$desc', ({ service, action, detail, code }) => {
    const status = describeService(service, action, undefined, true)
    expect(status.tone).toBe('error')
    expect(status.detail).toBe(detail)
    expect(status.code).toBe(code)
  })

  it('without the flag the engine message is shown as is', () => {
    const status = describeService(svc({ image: 'myapp:dev', phase: 'failed', message: engineText }), undefined, undefined)
    expect(status.detail).toBe(engineText)
  })
})

describe('clampReplicas', () => {
  it.each([
    [3, 3],
    [-1, 0],
    [25, 20],
    [2.6, 3],
    [Number.NaN, 0]
  ])('%s -> %s', (input, expected) => {
    expect(clampReplicas(input, 20)).toBe(expected)
  })
})
