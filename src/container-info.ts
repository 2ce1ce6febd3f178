// The `Info` object of a /LogDriver.StartLogging request (Docker's logger.Info
// as encoded by encoding/json), field names kept as they appear on the wire.

export interface ContainerInfo {
  /** Effective --log-opt map, daemon defaults merged in. */
  Config: Record<string, string>;
  /** Full 64-hex container ID. */
  ContainerID: string;
  /** Name with its leading `/`. */
  ContainerName: string;
  ContainerEntrypoint: string;
  ContainerArgs: string[];
  /** `sha256:` + 64 hex. */
  ContainerImageID: string;
  /** The image reference as the user wrote it. */
  ContainerImageName: string;
  /** RFC 3339 with trimmed nanoseconds (Go's time.Time JSON form). */
  ContainerCreated: string;
  /** `KEY=value` entries; null when the container has no environment. */
  ContainerEnv: string[] | null;
  ContainerLabels: Record<string, string>;
  LogPath: string;
  DaemonName: string;
}
