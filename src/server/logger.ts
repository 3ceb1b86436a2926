import pino, { type Logger } from 'pino';

/**
 * Logs are JSON lines with personal data and secrets redacted: never the ID+ key, webhook secrets,
 * Authorization headers, or a person's name, birth date, national id, address, phone or e-mail.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.idPlusKey',
  '*.apiKey',
  '*.secret',
  '*.password',
  '*.firstName',
  '*.surName',
  '*.fullName',
  '*.dob',
  '*.nationalId',
  '*.ssn',
  '*.email',
  '*.mobileNumber',
  '*.phoneNumber',
  '*.physicalAddress',
  '*.physicalAddress2',
  '*.address',
  '*.input',
  '*.payload',
];

/** `/s/<id>/<signature>` → `/s/<id>/…`: the signature is what makes a session URL private. */
export function redactUrl(url: string): string {
  return url.replace(/^(\/s\/[^/]+\/)[^/?]+/, '$1…').replace(/^(\/webhooks\/socure\/)[^/?]+/, '$1…');
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    options.destination,
  );
}
