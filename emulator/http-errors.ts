import { type Response } from 'express';

export interface FieldError {
  fieldName: string;
  description: string;
}

/** Sends Bandwidth's error body `{type, description}` (plus `fieldErrors` for create-message 400s). */
export function sendError(
  res: Response,
  status: number,
  type: string,
  description: string,
  fieldErrors?: FieldError[],
): void {
  const body: Record<string, unknown> = { type, description };
  if (fieldErrors) body.fieldErrors = fieldErrors;
  res.status(status).json(body);
}

export const unauthorized = (res: Response): void => sendError(res, 401, 'unauthorized', 'Authentication Failed');
export const forbidden = (res: Response): void => sendError(res, 403, 'forbidden', 'Access Denied');

/**
 * 404 for a path Bandwidth does not serve. The real API answers with Spring Boot's default body; the spec declares
 * `{type, description}`. This body carries both, so either kind of client can read it.
 */
export function sendPathNotFound(res: Response, path: string, nowIso: string): void {
  res.status(404).json({
    type: 'not-found',
    description: 'Not Found',
    timestamp: nowIso,
    status: 404,
    error: 'Not Found',
    message: 'Not Found',
    path,
  });
}
