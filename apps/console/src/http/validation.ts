import { BadRequestException } from '@nestjs/common';

/** A required non-blank string of at most `max` characters, or 400 naming the field. */
export function requireText(value: unknown, name: string, max = 1000): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequestException(`${name} is required`);
  if (value.length > max) throw new BadRequestException(`${name} is longer than ${max} characters`);
  return value;
}

export function optionalText(value: unknown, name: string, max = 1000): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requireText(value, name, max);
}

/** A positive integer query parameter within [1, max], else the default. 400 when it is not a number. */
export function pageParam(
  value: unknown,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new BadRequestException(`${name} must be a positive integer`);
  return Math.min(parsed, max);
}

/** An ISO-8601 time with an offset (or Z), as a Date; 400 otherwise. */
export function isoTimeParam(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/([+-]\d{2}:\d{2}|Z)$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new BadRequestException(
      `${name} must be an ISO-8601 time with an offset, e.g. 2024-03-01T00:00:00+08:00`,
    );
  return new Date(value);
}
