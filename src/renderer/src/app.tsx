import { AppHeader } from './components/app-header'
import { BackendsSection } from './components/backends-section'
import { ChartsSection } from './components/charts-section'
import { ConnectionBanner } from './components/connection-banner'
import { DockerNotice } from './components/docker-notice'
import { EventsSection } from './components/events-section'
import { HistoryBanner } from './components/history-banner'
import { HistoryView } from './components/history-view'
import { LoadPanel } from './components/load-panel'
import { LoadingState } from './components/loading-state'
import { ProxyBanner } from './components/proxy-banner'
import { ServicesSection } from './components/services-section'
import { selectHasSnapshot, useFleet } from './stores/fleet-store'
import { useView } from './stores/view-store'

export function App(): React.JSX.Element {
  const hasSnapshot = useFleet(selectHasSnapshot)
  const view = useView((s) => s.view)
  return (
    <div className="app">
      <div className="top">
        <AppHeader />
        <ConnectionBanner />
        <ProxyBanner />
        <HistoryBanner />
      </div>
      {!hasSnapshot ? (
        <LoadingState />
      ) : view === 'history' ? (
        <main className="dashboard">
          <HistoryView />
        </main>
      ) : (
        <main className="dashboard">
          <DockerNotice />
          <div className="ops">
            <ServicesSection />
            <LoadPanel />
          </div>
          <BackendsSection />
          <div className="lower">
            <ChartsSection />
            <EventsSection />
          </div>
        </main>
      )}
    </div>
  )
}
