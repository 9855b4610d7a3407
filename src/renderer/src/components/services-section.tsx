import { useShallow } from 'zustand/react/shallow'
import { useFleet } from '../stores/fleet-store'
import { EmptyState } from './empty-state'
import { ServicePanel } from './service-panel'

/** One panel per configured service (image + replica count). */
export function ServicesSection(): React.JSX.Element {
  const names = useFleet(useShallow((s) => s.snapshot?.services.map((v) => v.name) ?? []))
  return (
    <section className="section">
      <div className="section-head">
        <h2>Services</h2>
        <span className="section-meta">{names.length === 1 ? '1 service' : `${names.length} services`}</span>
      </div>
      {names.length === 0 ? (
        <EmptyState title="No services configured" testId="services-empty">
          Add a <code>services:</code> entry (image, containerPort, replicas) to the config to run and scale containers
          from here.
        </EmptyState>
      ) : (
        <div className="service-grid">
          {names.map((name) => (
            <ServicePanel key={name} name={name} />
          ))}
        </div>
      )}
    </section>
  )
}
