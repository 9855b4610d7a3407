import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import 'uplot/dist/uPlot.min.css'
import './styles/app.css'
import { api } from './api'
import { App } from './app'
import { startBridgeFeed } from './stores/bridge-feed'

// Subscribed once for the page's lifetime, outside React so StrictMode's double effects cannot
// subscribe twice.
startBridgeFeed(api)

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>
)
