import { AppHeader } from './components/app-header'
import { BackendsSection } from './components/backends-section'
import { ChartsSection } from './components/charts-section'
import { ConnectionBanner } from './components/connection-banner'
import { DockerNotice } from './components/docker-notice'
import { EventsSection } from './components/events-section'
import { LoadingState } from './components/loading-state'
import { ServicesSection } from './components/services-section'
import { selectHasSnapshot, useFleet } from './stores/fleet-store'

export function App(): React.JSX.Element {
  const hasSnapshot = useFleet(selectHasSnapshot)
  return (
    <div className="app">
      <div className="top">
        <AppHeader />
        <ConnectionBanner />
      </div>
      {hasSnapshot ? (
        <main className="dashboard">
          <DockerNotice />
          <ServicesSection />
          <BackendsSection />
          <div className="lower">
            <ChartsSection />
            <EventsSection />
          </div>
        </main>
      ) : (
        <LoadingState />
      )}
    </div>
  )
}
