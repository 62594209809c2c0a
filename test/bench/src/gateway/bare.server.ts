/**
 * The baseline of the gateway benchmark: the least a Fastify server can do
 * for `GET /v1/organizations/:orgId`. No auth, no lookup, no schema, no
 * hooks, no logger: it answers with the organization body the gateway gave
 * for the same path (BARE_BODY), the id taken from the path, so both sides
 * put the same JSON on the wire.
 *
 * Run by `gateway.bench.ts` in a process of its own, as the platform is:
 * it reports `{ port }` over IPC once listening and exits when the bench
 * process goes away (IPC disconnect) or sends SIGTERM.
 */
import Fastify from 'fastify';

interface OrgParams {
  orgId: string;
}

async function main(): Promise<void> {
  const template = JSON.parse(process.env['BARE_BODY'] ?? '{}') as Record<string, unknown>;
  const fastify = Fastify({ logger: false });
  fastify.get<{ Params: OrgParams }>('/v1/organizations/:orgId', (request, reply) =>
    reply.send({ ...template, id: request.params.orgId }),
  );
  await fastify.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
  const address = fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  const close = () => {
    void fastify.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', close);
  process.once('disconnect', close);
  process.send?.({ port: address.port });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bare server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
