// --since/--until against the docker CLI's own rules: every row was produced by
// /usr/bin/docker 20.10.24 (`docker logs --since=V c` against a fake engine recording the
// query; TZ=UTC), then read as dockerd reads the query value (seconds[.fraction]).
import { describe, expect, it } from 'vitest';
import { goParse, parseTimeArg, parseUnixTimestamp } from '../../../src/cli/time-arg.js';

const show = (t: { sec: number; nsec: number }): string => `${t.sec}.${String(t.nsec).padStart(9, '0')}`;
const attempt = (value: string, now = 0, offset = 0): string => {
  try {
    return show(parseTimeArg('since', value, now, offset));
  } catch (err) {
    return 'ERR ' + (err as Error).message;
  }
};

const DOCKER_UTC: [string, string][] = [
  ["0", "0.000000000"],
  ["1.5", "1.500000000"],
  ["-1.5", "ERR invalid value for \"since\": parsing time \"-1.5\" as \"2006-01-02T15:04:05.999999999\": cannot parse \"-1.5\" as \"2006\""],
  ["1e3", "ERR invalid value for \"since\": failed to parse value as time or duration: \"1e3\""],
  ["+5", "5.000000000"],
  ["5.", "ERR invalid value for \"since\": failed to parse value as time or duration: \"5.\""],
  ["1700000000", "1700000000.000000000"],
  ["1700000000.123", "1700000000.123000000"],
  ["1700000000.1234567891", "1700000000.123456789"],
  ["abc", "ERR invalid value for \"since\": failed to parse value as time or duration: \"abc\""],
  ["2023-01-02", "1672617600.000000000"],
  ["2023-01-02Z", "1672617600.000000000"],
  ["2023-01-02+01:00", "1672614000.000000000"],
  ["2023-01-02T15", "1672671600.000000000"],
  ["2023-01-02T15:04", "1672671840.000000000"],
  ["2023-01-02T15:04:05", "1672671845.000000000"],
  ["2023-01-02T15:04:05.5", "1672671845.500000000"],
  ["2023-01-02T15:04:05Z", "1672671845.000000000"],
  ["2023-01-02T15:04:05.123456789Z", "1672671845.123456789"],
  ["2023-01-02T15:04:05.1234567891Z", "ERR invalid value for \"since\": parsing time \"2023-01-02T15:04:05.1234567891Z\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"1Z\" as \"Z07:00\""],
  ["2023-01-02T15:04:05+02:00", "1672664645.000000000"],
  ["2023-01-02T15:04:05-02:00", "1672679045.000000000"],
  ["2023-01-02T15Z", "1672671600.000000000"],
  ["2023-01-02T15:04Z", "1672671840.000000000"],
  ["2023-01-02T15+01:00", "1672668000.000000000"],
  ["2023-01-02t15:04:05Z", "ERR invalid value for \"since\": parsing time \"2023-01-02t15:04:05Z\" as \"2006-01-02Z07:00\": cannot parse \":05Z\" as \"Z07:00\""],
  ["2023-01-02T15:04:05z", "ERR invalid value for \"since\": parsing time \"2023-01-02T15:04:05z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"z\" as \"Z07:00\""],
  ["2023-13-02", "ERR invalid value for \"since\": parsing time \"2023-13-02\": month out of range"],
  ["2023-02-30", "ERR invalid value for \"since\": parsing time \"2023-02-30\": day out of range"],
  ["2023-1-02", "ERR invalid value for \"since\": parsing time \"2023-1-02\" as \"2006-01-02\": cannot parse \"1-02\" as \"01\""],
  ["2023-01-02T5:04:05Z", "1672635845.000000000"],
  ["2023-01-02T24:00:00Z", "ERR invalid value for \"since\": parsing time \"2023-01-02T24:00:00Z\": hour out of range"],
  ["2023-01-02T15:04:05,5Z", "1672671845.500000000"],
  ["2023-01-02T15:04:05.Z", "ERR invalid value for \"since\": parsing time \"2023-01-02T15:04:05.Z\" as \"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \".Z\" as \"Z07:00\""],
  ["2023-01-02T15:04:05.5+01:00", "1672668245.500000000"],
  ["2023-01-02 15:04:05", "ERR invalid value for \"since\": parsing time \"2023-01-02 15:04:05\": extra text: \" 15:04:05\""],
  ["2023-01-02T15:4:05", "ERR invalid value for \"since\": parsing time \"2023-01-02T15:4:05\" as \"2006-01-02T15:04:05\": cannot parse \"4:05\" as \"04\""],
  ["2023-01-02Tx", "ERR invalid value for \"since\": parsing time \"2023-01-02Tx\" as \"2006-01-02T15\": cannot parse \"x\" as \"15\""],
  ["1h-", "ERR invalid value for \"since\": parsing time \"1h-\" as \"2006-01-02\": cannot parse \"1h-\" as \"2006\""],
  ["99999999999999999999", "ERR invalid value for \"since\": failed to parse value as time or duration: \"99999999999999999999\""],
  ["2023-01-02T15:04:05.123", "1672671845.123000000"],
];

describe('parseTimeArg: what docker logs --since accepts, and the time dockerd then uses', () => {
  it.each(DOCKER_UTC)('%j → %s', (value, expected) => {
    expect(attempt(value)).toBe(expected);
  });

  it('takes Go durations back from now, in whole seconds (not "0")', () => {
    const now = 1795904073_456;
    expect(attempt('10m', now)).toBe('1795903473.000000000');
    expect(attempt('1h30m', now)).toBe('1795898673.000000000');
    expect(attempt('1.5h', now)).toBe('1795898673.000000000');
    expect(attempt('-10m', now)).toBe('1795904673.000000000');
    expect(attempt('90s', now)).toBe('1795903983.000000000');
    expect(attempt('0', now)).toBe('0.000000000');
  });

  it("reads times without a zone in the local zone, with the offset it has now (Go's FixedZone(reference.Zone()))", () => {
    // Asia/Kolkata (+05:30) and America/New_York in November (-05:00, even for a June date), from docker itself.
    expect(attempt('2023-01-02', 0, 19800)).toBe('1672597800.000000000');
    expect(attempt('2023-01-02T15', 0, 19800)).toBe('1672651800.000000000');
    expect(attempt('2023-01-02T15:04:05.5', 0, 19800)).toBe('1672652045.500000000');
    expect(attempt('2023-06-02T15:04:05', 0, -18000)).toBe('1685736245.000000000');
    expect(attempt('2023-01-02Z', 0, -18000)).toBe('1672617600.000000000');
    expect(attempt('2023-01-02T15:04:05+02:00', 0, 19800)).toBe('1672664645.000000000');
  });

  it('names the flag in the message', () => {
    expect(() => parseTimeArg('until', 'x')).toThrow('invalid value for "until": failed to parse value as time or duration: "x"');
  });
});

describe("dockerd's parseTimestamp and Go's layouts", () => {
  it('scales fractions to nanoseconds and truncates beyond nine digits', () => {
    expect(parseUnixTimestamp('1.05')).toEqual({ sec: 1, nsec: 50_000_000 });
    expect(parseUnixTimestamp('12.1234567891')).toEqual({ sec: 12, nsec: 123_456_789 });
    expect(parseUnixTimestamp('+7')).toEqual({ sec: 7, nsec: 0 });
    expect(parseUnixTimestamp('7.')).toBeUndefined();
    expect(parseUnixTimestamp('1e3')).toBeUndefined();
  });

  it('handles years below 100 and leap days', () => {
    expect(goParse('2006-01-02', '2024-02-29', 0)).toEqual({ sec: Date.UTC(2024, 1, 29) / 1000, nsec: 0 });
    expect(() => goParse('2006-01-02', '2023-02-29', 0)).toThrow('day out of range');
    const d = new Date(0);
    d.setUTCFullYear(50, 2, 1);
    expect(goParse('2006-01-02', '0050-03-01', 0)).toEqual({ sec: d.getTime() / 1000, nsec: 0 });
  });
});
