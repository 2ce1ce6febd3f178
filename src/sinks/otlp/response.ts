// What an OTLP/HTTP receiver answers, read without a protobuf library: the
// ExportLogsServiceResponse of a success (partial_success = 1: rejected_log_records = 1,
// error_message = 2) and the google.rpc.Status of a failure (message = 2), in the
// encoding the response's Content-Type names. Anything unreadable counts as empty:
// the status code alone then decides.

export interface ExportResponse {
  rejected: number;
  message: string;
}

type Field = { field: number; varint: number } | { field: number; bytes: Buffer };

/** The top-level fields of a protobuf message; undefined when it does not parse. */
function fields(buf: Buffer): Field[] | undefined {
  const out: Field[] = [];
  let p = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 1; p < buf.length && shift < 2 ** 70; shift *= 128) {
      const b = buf[p++]!;
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
    }
    return undefined;
  };
  while (p < buf.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return undefined;
      out.push({ field, varint: v });
    } else if (wire === 2) {
      const n = varint();
      if (n === undefined || p + n > buf.length) return undefined;
      out.push({ field, bytes: buf.subarray(p, p + n) });
      p += n;
    } else if (wire === 1 || wire === 5) {
      p += wire === 1 ? 8 : 4;
    } else return undefined;
  }
  return p === buf.length ? out : undefined;
}

const bytesOf = (fs: Field[] | undefined, field: number): Buffer | undefined => {
  const f = fs?.find((x) => x.field === field && 'bytes' in x);
  return f !== undefined && 'bytes' in f ? f.bytes : undefined;
};
const varintOf = (fs: Field[] | undefined, field: number): number => {
  const f = fs?.find((x) => x.field === field && 'varint' in x);
  return f !== undefined && 'varint' in f ? f.varint : 0;
};

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isJson = (contentType: string | undefined): boolean => contentType !== undefined && /\bjson\b/i.test(contentType);

/** partial_success of a 2xx answer (int64 counts come as strings or numbers in JSON). */
export function readExportResponse(body: Buffer, contentType: string | undefined): ExportResponse {
  if (isJson(contentType)) {
    const partial = parseJson(body)?.partialSuccess as Record<string, unknown> | undefined;
    const rejected = Number(partial?.rejectedLogRecords ?? 0);
    return { rejected: Number.isFinite(rejected) && rejected > 0 ? rejected : 0, message: typeof partial?.errorMessage === 'string' ? partial.errorMessage : '' };
  }
  const partial = fields(bytesOf(fields(body), 1) ?? Buffer.alloc(0));
  return { rejected: varintOf(partial, 1), message: bytesOf(partial, 2)?.toString('utf8') ?? '' };
}

/** Status.message of a failure, or a text body's start; '' when there is none. */
export function readFailureMessage(body: Buffer, contentType: string | undefined, maxChars: number): string {
  if (isJson(contentType)) {
    const message = parseJson(body)?.message;
    return typeof message === 'string' ? message.slice(0, maxChars) : body.toString('utf8', 0, maxChars);
  }
  if (contentType !== undefined && /^text\//i.test(contentType)) return body.toString('utf8', 0, maxChars).trim();
  return bytesOf(fields(body), 2)?.toString('utf8').slice(0, maxChars) ?? '';
}
