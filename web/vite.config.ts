import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getIntrospectedSchema, minifyIntrospectionQuery } from '@urql/introspection';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * `virtual:schema-introspection`: the public schema (schema/schema.graphql), minified for urql's
 * normalised cache, so it knows which types are entities and how interfaces resolve.
 */
function schemaIntrospection(): Plugin {
  const id = 'virtual:schema-introspection';
  const schemaFile = here('../schema/schema.graphql');
  return {
    name: 'driftless-schema-introspection',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      this.addWatchFile(schemaFile);
      const introspection = minifyIntrospectionQuery(getIntrospectedSchema(readFileSync(schemaFile, 'utf8')), { includeEnums: true });
      return `export default ${JSON.stringify(introspection)};`;
    },
  };
}

/**
 * Two pages, built into the server's static files (dist/web, served by server/http/web-pages.ts):
 * the dashboard (index.html, every client-side route) and GraphiQL (graphiql.html, at /graphql).
 * Everything they need is bundled: no CDN, no font or icon host.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react(), schemaIntrospection()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // Monaco (GraphiQL's editor) is one large chunk; it loads only on /graphql.
    chunkSizeWarningLimit: 4096,
    // Fonts and icons as files, never data: URIs, so the pages' CSP can say font-src 'self'.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { dashboard: here('index.html'), graphiql: here('graphiql.html') },
      // GraphiQL's packages mark modules "use no memo" for the React compiler, which bundling drops
      // harmlessly; say nothing about it on every build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
  // `npx vite --config web/vite.config.ts` serves the sources with hot reload against a server
  // started with `npm start` (DRIFTLESS_DEV_API changes where it is).
  // GraphiQL imports Monaco's workers with `?worker`, which only Vite itself (not its dependency
  // pre-bundler) understands.
  optimizeDeps: { exclude: ['graphiql', '@graphiql/react'] },
  server: { proxy: { '/graphql': { target: process.env.DRIFTLESS_DEV_API ?? 'http://127.0.0.1:4000', ws: true } } },
});
