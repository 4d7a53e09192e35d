/** Where the three servers CountyHub needs can be reached, however they were provisioned. */
export interface Stack {
  kind: 'env' | 'containers' | 'local';
  kafkaBrokers: string[];
  /** Base URL of the Confluent-compatible API (Apicurio: …/apis/ccompat/v7). */
  schemaRegistryUrl: string;
  databaseUrl: string;
  /** Where the stack's own server logs are kept, when we started the servers. */
  logsDir?: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  log?: (msg: string) => void;
  /** Keep the Kafka data folder after stop (for post-mortems). */
  keepRunDir?: boolean;
}

/** The serialisable part of a Stack, handed from vitest's global setup to test workers. */
export type StackAddress = Omit<Stack, 'stop'>;
