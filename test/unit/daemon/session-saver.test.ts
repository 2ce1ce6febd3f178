import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionSaver, type SessionFiles } from '../../../src/daemon/session-file.js';
import { tslogsError } from '../../../src/errors.js';
import type { StartLoggingRequest } from '../../../src/protocol/messages.js';
import { containerInfo } from '../../helpers/container-info.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const request = (file: string): StartLoggingRequest => ({ File: file, Info: containerInfo() });

function failure(code: string): Error {
  const err = tslogsError('TSLOGS_STATE_WRITE', 'the session file', '/s/x.json', `${code}: failed`);
  err.cause = Object.assign(new Error(code), { code });
  return err;
}

/** SessionFiles whose save fails with `code` while `full` is true. */
function files(code = 'ENOSPC') {
  const saved: string[] = [];
  const state = { full: true };
  const fake = {
    save: (r: StartLoggingRequest) => {
      if (state.full) throw failure(code);
      saved.push(r.File);
    },
  } as unknown as SessionFiles;
  return { fake, saved, state };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('SessionSaver', () => {
  it('on a full disk warns, keeps the session, and saves it at the first retry after room came back', () => {
    const { fake, saved, state } = files();
    const log = recordingLogger();
    const saver = new SessionSaver(fake, 1000);
    saver.save(request('/run/a'), log);
    expect(log.messages()).toEqual([expect.stringMatching(/^cannot write the session file .*ENOSPC.*; the container logs on and its session is saved once there is room/)]);
    vi.advanceTimersByTime(3000);
    expect(saved).toEqual([]);
    state.full = false;
    vi.advanceTimersByTime(1000);
    expect(saved).toEqual(['/run/a']);
    vi.advanceTimersByTime(5000);
    expect(saved).toEqual(['/run/a']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats a full quota as a full disk, and any other failure as the start failing', () => {
    expect(() => new SessionSaver(files('EDQUOT').fake).save(request('/run/a'), recordingLogger())).not.toThrow();
    expect(() => new SessionSaver(files('EISDIR').fake).save(request('/run/a'), recordingLogger())).toThrow(/EISDIR/);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('drops a session that ended before there was room, and stops retrying', () => {
    const { fake, saved, state } = files();
    const saver = new SessionSaver(fake, 1000);
    saver.save(request('/run/a'), recordingLogger());
    saver.forget('/run/a');
    expect(vi.getTimerCount()).toBe(0);
    state.full = false;
    vi.advanceTimersByTime(2000);
    expect(saved).toEqual([]);
  });

  it('at shutdown tries once more and names each session the next start will not reopen', () => {
    const { fake } = files();
    const saver = new SessionSaver(fake, 1000);
    saver.save(request('/run/a'), recordingLogger());
    const log = recordingLogger();
    saver.flush(log);
    expect(log.messages()).toEqual(["the session for /run/a could not be saved (the store's disk is full): the next start will not reopen it"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
