// The oldest TLS every TLS sink speaks: Go's crypto/tls client default and
// docker/go-connections' tlsconfig minimum. Set on each connection rather than left to
// Node's default, which `node --tls-min-v1.0` or NODE_OPTIONS can lower for the process.
export const MIN_TLS_VERSION = 'TLSv1.2' as const;
