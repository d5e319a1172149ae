import { type INestApplication } from '@nestjs/common';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** Base URL of a Nest app that listens on a random port (`app.listen(0, '127.0.0.1')`). */
export const listeningUrl = (app: INestApplication): string => {
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
};
