import fs from 'node:fs';

/**
 * The secret a file holds (a token, header values), as an operator writes one: a file
 * written by `echo` or an editor ends with a newline that is not part of the secret.
 * Throws a SecretFileError whose message is only what went wrong (Node's error code,
 * or "the file is empty"), for the caller to name the file and the option.
 */
export function readSecretFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SecretFileError((err as NodeJS.ErrnoException).code ?? (err as Error).message, false);
  }
  const value = text.trim();
  if (value === '') throw new SecretFileError('the file is empty', true);
  return value;
}

export class SecretFileError extends Error {
  constructor(
    message: string,
    /** Read, but nothing in it; else it could not be read. */
    readonly empty: boolean,
  ) {
    super(message);
    this.name = 'SecretFileError';
  }
}
