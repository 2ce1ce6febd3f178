import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logConfigFromHostConfig, parseDockerContainer, readDockerContainer, readRunning } from '../../../src/sidecar/docker-metadata.js';
import { ownContainerId } from '../../../src/sidecar/self-container.js';
import { tmpDir } from '../../helpers/tmp.js';

// Written by Docker 20.10.24 for:
//   docker run -d --log-driver json-file --log-opt max-size=10k --log-opt max-file=3 \
//     --label com.example.team=payments --label tslogs.enable=true -e APP_MODE=staging \
//     tslogs-bb:latest sh -c 'echo hi; sleep 1'
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const config = fs.readFileSync(path.join(FIXTURES, 'config.v2.json'), 'utf8');
const hostConfig = fs.readFileSync(path.join(FIXTURES, 'hostconfig.json'), 'utf8');
const ID = '8d33e045613a480c041f2273c3548783d751e8a13dcb5fbf5a1d97ef619dfa65';

describe("Docker's per-container files", () => {
  it('gives the logger.Info dockerd would give a log driver, the state and the json-file options', () => {
    const c = parseDockerContainer(ID, config, hostConfig);
    expect(c.info).toEqual({
      Config: {},
      ContainerID: ID,
      ContainerName: '/tslogs-sidecar-fixture-15373',
      ContainerEntrypoint: 'sh',
      ContainerArgs: ['-c', 'echo hi; sleep 1'],
      ContainerImageID: 'sha256:5b24e84df796db73335f645e1827db0d2b66f2f5cb2520a0d95506d291d8a291',
      ContainerImageName: 'tslogs-bb:latest',
      ContainerCreated: '2026-11-28T22:15:58.077272971Z',
      ContainerEnv: ['APP_MODE=staging'],
      ContainerLabels: { 'com.example.team': 'payments', 'tslogs.enable': 'true' },
      LogPath: `/var/lib/docker/containers/${ID}/${ID}-json.log`,
      DaemonName: 'docker',
    });
    expect(c.running).toBe(false);
    expect(c.logDriver).toBe('json-file');
    expect(c.maxFile).toBe(3);
  });

  it('reads State.Running and tolerates null labels and env', () => {
    const parsed = JSON.parse(config) as Record<string, any>;
    parsed.State.Running = true;
    parsed.Config.Labels = null;
    parsed.Config.Env = null;
    const c = parseDockerContainer(ID, JSON.stringify(parsed), hostConfig);
    expect(c.running).toBe(true);
    expect(c.info.ContainerLabels).toEqual({});
    expect(c.info.ContainerEnv).toBeNull();
  });

  it("takes Docker's max-file default (1) and the driver name from hostconfig.json", () => {
    expect(logConfigFromHostConfig({ LogConfig: { Type: 'json-file', Config: {} } })).toEqual({ logDriver: 'json-file', maxFile: 1 });
    expect(logConfigFromHostConfig({ LogConfig: { Type: 'local', Config: { 'max-file': '7' } } })).toEqual({ logDriver: 'local', maxFile: 7 });
    expect(logConfigFromHostConfig({})).toEqual({ logDriver: '', maxFile: 1 });
  });

  it('reads a directory: undefined until both files exist (a container being created)', () => {
    const dir = tmpDir();
    expect(readDockerContainer(dir, ID)).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'config.v2.json'), config);
    expect(readDockerContainer(dir, ID)).toBeUndefined();
    expect(readRunning(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, 'hostconfig.json'), hostConfig);
    expect(readDockerContainer(dir, ID)?.maxFile).toBe(3);
    fs.writeFileSync(path.join(dir, 'hostconfig.json'), '{');
    expect(() => readDockerContainer(dir, ID)).toThrow();
  });

  it("finds its own container's ID in /proc/self/mountinfo (as seen inside a Docker 20.10 container)", () => {
    const dir = tmpDir();
    const own = 'b99bb1ad00cf774e1d3cadff431755b95578683deff653856d2ea3006f6531ba';
    fs.writeFileSync(path.join(dir, 'mountinfo'), [
      '314 261 0:62 / / rw,relatime master:163 - overlay overlay rw',
      `343 314 254:0 /var/lib/docker/containers/${own}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw`,
      `345 314 254:0 /var/lib/docker/containers/${own}/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw`,
      '',
    ].join('\n'));
    expect(ownContainerId(path.join(dir, 'mountinfo'))).toBe(own);
    fs.writeFileSync(path.join(dir, 'host'), '25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n');
    expect(ownContainerId(path.join(dir, 'host'))).toBeUndefined();
  });
});
