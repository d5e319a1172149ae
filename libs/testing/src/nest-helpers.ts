import { type INestApplication } from '@nestjs/common';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** Base URL of a Nest app that listens on a random port (`app.listen(0, '127.0.0.1')`). */
export const listeningUrl = (app: INestApplication): string => {
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
};

/** A Nest app a test started: the app, its base URL and how to stop it. */
export interface RunningApp {
  app: INestApplication;
  url: string;
  close: () => Promise<void>;
}

/** Makes the app listen on a random local port (as the suites' services do). */
export async function listenLocally(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app), close: () => app.close() };
}
