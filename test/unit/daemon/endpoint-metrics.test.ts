import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/daemon/metrics.js';
import { DeliveryStats, type Delivery } from '../../../src/router/delivery.js';
import type { DeliveryView } from '../../../src/router/router.js';

const delivery = { stats: new DeliveryStats(), checkpointWrites: 0 } as unknown as Delivery;

async function scrape(views: DeliveryView[]): Promise<string[]> {
  const registry = createMetrics({ ingest: () => [], deliveries: () => views, logPath: () => '/nonexistent/tslogs-test.log' });
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('tslogs_sink_endpoint_'));
}

describe('endpoint metrics', () => {
  it('give switches, the endpoint in use and health per endpoint, by position and address', async () => {
    const lines = await scrape([{
      containerId: 'b'.repeat(64), containerName: 'web', sink: 'syslog', delivery,
      endpoints: () => ({ addresses: ['tcp://a:601', 'udp://b:514'], inUse: 1, healthy: [false, true], switches: 3 }),
    }]);
    const base = 'container="bbbbbbbbbbbb",container_name="web",sink="syslog"';
    expect(lines).toEqual([
      `tslogs_sink_endpoint_switches_total{${base}} 3`,
      `tslogs_sink_endpoint_in_use{${base},endpoint="1",address="tcp://a:601"} 0`,
      `tslogs_sink_endpoint_in_use{${base},endpoint="2",address="udp://b:514"} 1`,
      `tslogs_sink_endpoint_healthy{${base},endpoint="1",address="tcp://a:601"} 0`,
      `tslogs_sink_endpoint_healthy{${base},endpoint="2",address="udp://b:514"} 1`,
    ]);
  });

  it('have no series for a sink with one endpoint', async () => {
    expect(await scrape([{ containerId: 'b'.repeat(64), containerName: 'web', sink: 'syslog', delivery }])).toEqual([]);
  });
});
