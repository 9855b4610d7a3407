// The demo backend's source is embedded in the main bundle with Vite's `?raw` import, so building
// the demo image needs no resources folder at run time (packaged app, headless mode, tests alike).
declare module '*/demo-backend/server.js?raw' {
  const source: string
  export default source
}
