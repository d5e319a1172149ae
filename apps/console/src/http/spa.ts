import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, type Request, type Response } from 'express';

/** Where `vite build` wrote the SPA: dist/console-web, seen from the compiled or the TypeScript sources. */
export function webAssetsDir(): string | undefined {
  // this file is apps/console/src/http/spa.ts (or dist/apps/console/src/http/spa.js)
  const up = resolve(__dirname, '..', '..', '..', '..');
  return [join(up, 'console-web'), join(up, 'dist', 'console-web')].find((dir) =>
    existsSync(join(dir, 'index.html')),
  );
}

const OWN_PATHS = /^\/(api|health|metrics)(\/|$)/;

/**
 * Security headers on every answer (no framing, no sniffing, scripts only from the console itself),
 * the SPA's files at `/`, and index.html for its client-side routes. /api, /health and /metrics are
 * Nest's.
 */
export function serveSpa(app: NestExpressApplication, dir: string | undefined): void {
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  if (!dir) {
    app.use((request: Request, response: Response, next: NextFunction) => {
      if (OWN_PATHS.test(request.path) || request.method !== 'GET') return next();
      response
        .status(503)
        .type('text/plain')
        .send('the console web assets are missing: run `npm run build`\n');
    });
    return;
  }
  app.useStaticAssets(dir, { index: false, maxAge: '1h', immutable: false });
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (OWN_PATHS.test(request.path) || (request.method !== 'GET' && request.method !== 'HEAD'))
      return next();
    response.status(200).type('html').setHeader('Cache-Control', 'no-cache').send(index);
  });
}
