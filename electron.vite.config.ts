import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    define: {
      __DEMO_SERVER_SOURCE__: JSON.stringify(readFileSync(resolve(__dirname, 'resources/demo-backend/server.js'), 'utf8'))
    },
    build: {
      rollupOptions: {
        // headless.ts is the plain-Node entry: the same engine without Electron.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless.ts'),
          // Proxy threads load this file by name (worker_threads), so it is its own entry.
          'proxy-worker': resolve(__dirname, 'src/main/proxy/proxy-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload can require nothing but 'electron': bundle everything into it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    }
  }
})
