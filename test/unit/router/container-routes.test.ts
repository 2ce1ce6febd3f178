// Routes named in log opt 'sinks' (README "Routes"): a route configures one sink for
// the container; a sink kind is configured by a route or by the container, never both.
import { describe, expect, it } from 'vitest';
import { parseContainerOptions } from '../../../src/router/container-options.js';
import { type RouteTable, validateRoutes } from '../../../src/router/routes.js';
import { BUILTIN_SINKS } from '../../../src/sinks/registry.js';
import { silentLogger } from '../../../src/util/log.js';
import { containerInfo } from '../../helpers/container-info.js';

const ROUTES: RouteTable = validateRoutes(
  new Map(Object.entries<Record<string, string>>({
    'prod-splunk': { 'splunk-url': 'http://127.0.0.1:8088', 'splunk-token': 't', 'splunk-format': 'raw' },
    'other-splunk': { 'splunk-url': 'http://127.0.0.1:8089', 'splunk-token': 't' },
    'audit-syslog': { 'syslog-address': 'udp://127.0.0.1:514' },
  })),
  BUILTIN_SINKS,
  '/etc/tslogs/routes.json',
);

const parse = (config: Record<string, string>, routes = ROUTES) => parseContainerOptions(containerInfo({ Config: config, ContainerName: '/web' }), BUILTIN_SINKS, silentLogger, 'h', routes);
const errorOf = (config: Record<string, string>, routes = ROUTES) => {
  try {
    parse(config, routes);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('parsed');
};

describe('routes in log opt sinks', () => {
  it('enable the sinks of the routes, with the container\'s tag and router options', () => {
    const options = parse({ sinks: 'prod-splunk,audit-syslog', tag: '{{.Name}}', 'gelf-address': 'udp://127.0.0.1:12201', 'sink-retry-min': '5ms' });
    expect(options.sinks.map((s) => [s.definition.name, s.route?.name])).toEqual([['gelf', undefined], ['splunk', 'prod-splunk'], ['syslog', 'audit-syslog']]);
    expect(options.sinks[1]!.options).toMatchObject({ events: { format: 'raw', tag: 'web' } });
    expect(options.router.retryMinMs).toBe(5);
  });

  it('refuse an unknown name, listing the sinks and the routes', () => {
    expect(errorOf({ sinks: 'prod-splunkk' })).toBe("unknown sink or route 'prod-splunkk' in log opt 'sinks' (sinks: splunk, fluentd, gelf, syslog, nats, otlp, loki; routes: prod-splunk, other-splunk, audit-syslog)");
    // Without routes, the message is the one before routes existed.
    expect(errorOf({ sinks: 'prod-splunk' }, new Map())).toBe("unknown sink 'prod-splunk' in log opt 'sinks' (tslogs has: splunk, fluentd, gelf, syslog, nats, otlp, loki)");
  });

  it('refuse two configurations of one sink kind: a delivery and its checkpoint are per kind', () => {
    expect(errorOf({ sinks: 'prod-splunk,other-splunk' })).toBe("log opt 'sinks': route 'other-splunk' is a splunk sink, and route 'prod-splunk' configures the splunk sink too: a container has one sink of each kind, remove one of them");
    expect(errorOf({ sinks: 'prod-splunk', 'splunk-url': 'http://127.0.0.1:1', 'splunk-token': 'x' })).toBe("log opt 'sinks': route 'prod-splunk' is a splunk sink, and this container's splunk-url configures the splunk sink too: a container has one sink of each kind, remove one of them");
    expect(errorOf({ sinks: 'audit-syslog,syslog' })).toBe("log opt 'sinks': route 'audit-syslog' is a syslog sink, and log opt 'sinks' listing syslog configures the syslog sink too: a container has one sink of each kind, remove one of them");
  });

  it('refuse a container option of the route\'s sink: the route owns that sink', () => {
    expect(errorOf({ sinks: 'prod-splunk', 'splunk-index': 'main' })).toBe("log opt 'splunk-index' belongs to the splunk sink, which route 'prod-splunk' configures: set it in the routes file, or configure the splunk sink on the container instead of the route");
  });
});
