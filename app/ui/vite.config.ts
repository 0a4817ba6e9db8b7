// Builds the web UI into app/ui/dist, which the appliance serves at /. Everything is bundled (no CDN), and
// the output needs no inline script or eval, so that it runs under the server's content security policy.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { cameraValidatorPlugin } from './precompiledValidators.ts';

const appliance = new URL(process.env['PPIPE_URL'] ?? 'http://127.0.0.1:8080').origin;

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), cameraValidatorPlugin()],
  // `npx vite --config app/ui/vite.config.ts` serves the UI with hot reload against a running appliance.
  server: {
    proxy: {
      '/api': {
        target: appliance,
        ws: true,
        changeOrigin: true,
        // The appliance refuses requests whose Origin is not its own (CSRF guard): through this proxy they are.
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => request.setHeader('origin', appliance));
          proxy.on('proxyReqWs', (request) => request.setHeader('origin', appliance));
        },
      },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
});
