import { type ServerResponse } from 'node:http';
import { sendJson } from '@app/sandbox-catalog';

/** Request bodies over this are refused. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A JSON answer with the content type WDT's gateway sends. */
export const sendWdt = (response: ServerResponse, status: number, body: unknown): void =>
  sendJson(response, status, body, { 'Content-Type': 'application/json; charset=utf-8' });
