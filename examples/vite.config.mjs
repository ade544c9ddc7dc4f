// Vite's dev proxy: `configure` hands over Vite's http-proxy-3 server, and attach() filters every
// request on it (Expect: 100-continue and WebSocket handshakes too) and every answer.
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
