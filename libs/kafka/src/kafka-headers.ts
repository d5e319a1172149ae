import { type IHeaders } from 'kafkajs';
import { Headers } from '@app/contracts';

/** A header's value as text: the first one when repeated, undefined when absent. */
export const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.toString();
};

/** Every header of a record as text (first value when repeated). */
export const decodeHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const decoded: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const text = headerText(headers, name);
    if (text !== undefined) decoded[name] = text;
  }
  return decoded;
};

/** Where a dead-lettered record came from and why it failed: the `dlq-*` context headers. */
export interface DeadLetterContext {
  topic: string;
  /** Absent when the record never was on the topic (the extractor dead-letters before producing). */
  partition?: number;
  offset?: string;
  errorClass: string;
  errorMessage: string;
  reason: string;
  attempts: number;
  failedAt?: Date;
}

const MAX_ERROR_MESSAGE_CHARS = 2000;

/** The one builder of DLQ context headers (names in `Headers`, lowercase-kebab). */
export function deadLetterHeaders(context: DeadLetterContext): Record<string, string> {
  const headers: Record<string, string> = { [Headers.dlqOriginalTopic]: context.topic };
  if (context.partition !== undefined) headers[Headers.dlqOriginalPartition] = String(context.partition);
  if (context.offset !== undefined) headers[Headers.dlqOriginalOffset] = context.offset;
  headers[Headers.dlqErrorClass] = context.errorClass;
  headers[Headers.dlqErrorMessage] = context.errorMessage.slice(0, MAX_ERROR_MESSAGE_CHARS);
  headers[Headers.dlqErrorReason] = context.reason;
  headers[Headers.dlqFailedAt] = (context.failedAt ?? new Date()).toISOString();
  headers[Headers.dlqAttempts] = String(context.attempts);
  return headers;
}
