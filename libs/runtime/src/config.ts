import { z } from 'zod';
import { emailSchema } from '@siteops/contracts';

/**
 * Every environment variable of SPEC §9, validated once at boot. A bad value
 * stops the process with a message that names the variable, never its value.
 */
const prefix = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only (1-40 characters)');

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(' or ')}// URL`);

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port');

const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/siteops'),
  NATS_URL: url(['nats:', 'tls:']).default('nats://127.0.0.1:4222'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  SITEOPS_NATS_PREFIX: prefix.default('siteops'),
  SITEOPS_REDIS_PREFIX: prefix.default('siteops'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  SITEOPS_DATA_DIR: z.string().min(1).default('.siteops'),
  SITEOPS_ADMIN_EMAIL: emailSchema.default('admin@localhost'),
  SITEOPS_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  SITEOPS_MASTER_KEY_FILE: z.string().min(1).optional(),
  DOCKER_HOST: z.string().min(1).optional(),
  SITEOPS_EDGE_LISTEN: listen.default('127.0.0.1:8088'),
  SITEOPS_EDGE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a lower-case DNS name')
    .default('localhost'),
  SITEOPS_EDGE_RELOAD: z.string().min(1).default('nginx -s reload'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface SiteopsConfig {
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
  natsPrefix: string;
  redisPrefix: string;
  port: number;
  host: string;
  dataDir: string;
  adminEmail: string;
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  dockerHost: string | undefined;
  edgeListen: string;
  edgeDomain: string;
  edgeReload: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

/** The file in `SITEOPS_DATA_DIR` the first start writes the platform admin's API key to (SPEC §3). */
export const ADMIN_KEY_FILE = 'admin-api-key';

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from `env`; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SiteopsConfig {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // Only the variable name and the rule go into the message: values may be secret.
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message })),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    natsUrl: e.NATS_URL,
    redisUrl: e.REDIS_URL,
    natsPrefix: e.SITEOPS_NATS_PREFIX,
    redisPrefix: e.SITEOPS_REDIS_PREFIX,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.SITEOPS_DATA_DIR,
    adminEmail: e.SITEOPS_ADMIN_EMAIL,
    masterKey: e.SITEOPS_MASTER_KEY,
    masterKeyFile: e.SITEOPS_MASTER_KEY_FILE,
    dockerHost: e.DOCKER_HOST,
    edgeListen: e.SITEOPS_EDGE_LISTEN,
    edgeDomain: e.SITEOPS_EDGE_DOMAIN,
    edgeReload: e.SITEOPS_EDGE_RELOAD,
    logLevel: e.LOG_LEVEL,
  };
}
