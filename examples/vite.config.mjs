// Vite's dev proxy with hop-by-hop: `configure` hands over Vite's http-proxy-3 server, and
// attach() installs the passes that filter every request on it (Expect: 100-continue and
// WebSocket handshakes too) and the listeners that filter the answers.
// Run: UPSTREAM=http://127.0.0.1:3000 npx vite --config examples/vite.config.mjs
import { defineConfig } from 'vite'
import { attach } from 'hop-by-hop'

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:3000'

export default defineConfig({
  server: {
    proxy: {
      '/api': {
        target: upstream,
        ws: true,
        configure: (proxy) => attach(proxy), // or attach(proxy, { trust: 'loopback' })
      },
    },
  },
})
