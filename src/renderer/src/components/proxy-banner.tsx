import { selectProxy, useFleet } from '../stores/fleet-store'

/** Full-width error, in both views, while the proxy could not listen: nothing is served then. */
export function ProxyBanner(): React.JSX.Element | null {
  const proxy = useFleet(selectProxy)
  if (!proxy || proxy.url !== null || proxy.error === null) return null
  return (
    <div className="banner banner-error" role="alert" data-testid="proxy-banner">
      {proxy.error}
      <div className="banner-sub">The dashboard, containers and history keep working; no traffic is proxied until then.</div>
    </div>
  )
}
