/**
 * `ppipe worker`: starts one worker node agent and keeps it running until SIGINT or SIGTERM, when it says
 * `offline` and stops. Logs are pino JSON lines on stderr.
 */
import { parseArgs } from 'node:util';
import type { CommandIo } from './io.ts';
import { assertCudaAvailable } from '../models/index.ts';
import type { Device } from '../models/index.ts';
import { parseDevice } from './profile.ts';
import { DEFAULT_PREFIX } from '../cluster/index.ts';
import { modelServerOrigin, runWorkerProcess } from '../cluster/index.ts';
import type { WorkerProcessOptions } from '../cluster/index.ts';

export const WORKER_USAGE = `Usage: ppipe worker --broker URL --device-class CLASS [options]

  --broker URL          mqtt://, mqtts:// (with --broker-ca) or ws:// URL of the MQTT broker
  --device-class CLASS  device class as named in the profiles (T4, L4, P4, cpu-2t, …)
  --site NAME           site of the node (default: local)
  --gpus N              GPUs of the node (default 1)
  --mps-levels N        largest MPS share denominator (default 4)
  --device D            cpu, cpu:THREADS, cuda or cuda:ID (default cpu)
  --emulate             compute nothing: hold each batch for its profiled latency
  --time-scale X        factor on emulated latencies and link pacing (default 1)
  --id ID               node id (default: <device-class>-<pid>)
  --cache DIR           model partition cache (default: <tmp>/ppipe-model-cache)
  --token TOKEN         cluster token for tensor links (default: $PPIPE_CLUSTER_TOKEN)
  --model-origin URL    the head's model server, http(s)://host:port (required unless --emulate): models are
                        fetched from there only, and the token is sent nowhere else
  --prefix P            MQTT topic prefix (default ${DEFAULT_PREFIX})
  --host H              address the tensor link server listens on (default 127.0.0.1; 0.0.0.0 for other machines)
  --advertise-host H    name other nodes reach this worker by (default: --host, or this machine's name for 0.0.0.0)
  --username U --password P --broker-ca FILE   broker credentials and CA (password default: $PPIPE_BROKER_PASSWORD)
  --tls-cert FILE --tls-key FILE               serve tensor links over wss://
  --link-ca FILE        CA of the wss:// links this worker sends to (peers, frontend) and of the head's https://
                        model server, when their certificates are private
  --stop-with-stdin     stop when standard input closes (a supervising process that died closes it)`;

const OPTIONS = {
  broker: { type: 'string' },
  'device-class': { type: 'string' },
  site: { type: 'string', default: 'local' },
  gpus: { type: 'string', default: '1' },
  'mps-levels': { type: 'string', default: '4' },
  device: { type: 'string', default: 'cpu' },
  emulate: { type: 'boolean', default: false },
  'time-scale': { type: 'string', default: '1' },
  id: { type: 'string' },
  cache: { type: 'string' },
  token: { type: 'string' },
  'model-origin': { type: 'string' },
  prefix: { type: 'string', default: DEFAULT_PREFIX },
  host: { type: 'string', default: '127.0.0.1' },
  'advertise-host': { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'broker-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'link-ca': { type: 'string' },
  'stop-with-stdin': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];

/** The worker node's options from the command line and the environment, or every problem with them. */
function workerOptions(values: Values, env: NodeJS.ProcessEnv): { problems: string[] } | WorkerProcessOptions {
  const problems: string[] = [];
  if (!values.broker) problems.push('--broker URL is required');
  if (!values['device-class']) problems.push('--device-class CLASS is required');
  const gpus = Number(values.gpus);
  if (!Number.isInteger(gpus) || gpus < 1) problems.push(`--gpus expects a positive integer, got "${values.gpus}"`);
  const mpsLevels = Number(values['mps-levels']);
  if (!Number.isInteger(mpsLevels) || mpsLevels < 1 || mpsLevels > 8) {
    problems.push(`--mps-levels expects 1–8, got "${values['mps-levels']}"`);
  }
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0)) problems.push(`--time-scale expects a positive number, got "${values['time-scale']}"`);
  let device: Device = { kind: 'cpu', threads: undefined };
  try {
    device = parseDevice(values.device);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const token = values.token ?? env.PPIPE_CLUSTER_TOKEN;
  if (!token) {
    problems.push('--token TOKEN (or $PPIPE_CLUSTER_TOKEN) is required: tensor links reject clients without it');
  }
  let modelOrigin: string | undefined;
  if (values['model-origin'] !== undefined) {
    try {
      modelOrigin = modelServerOrigin(values['model-origin']);
    } catch (error) {
      problems.push(`--model-origin: ${(error as Error).message}`);
    }
  } else if (!values.emulate) {
    problems.push("--model-origin URL (the head's model server) is required: a real worker fetches its models there");
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    problems.push('--tls-cert and --tls-key go together');
  }
  if (problems.length > 0) return { problems };
  const password = values.password ?? env.PPIPE_BROKER_PASSWORD;
  return {
    brokerUrl: values.broker!,
    prefix: values.prefix,
    ...(values.id !== undefined ? { id: values.id } : {}),
    deviceClass: values['device-class']!,
    site: values.site,
    gpus,
    mpsLevels,
    device,
    emulate: values.emulate,
    timeScale,
    ...(values.cache !== undefined ? { cacheDir: values.cache } : {}),
    token: token!,
    ...(modelOrigin !== undefined ? { modelOrigin } : {}),
    host: values.host,
    ...(values['advertise-host'] !== undefined ? { advertiseHost: values['advertise-host'] } : {}),
    ...(values.username !== undefined ? { brokerUsername: values.username } : {}),
    ...(password !== undefined ? { brokerPassword: password } : {}),
    ...(values['broker-ca'] !== undefined ? { brokerCaFile: values['broker-ca'] } : {}),
    ...(values['link-ca'] !== undefined ? { linkCaFile: values['link-ca'] } : {}),
    ...(values['tls-cert'] !== undefined ? { tls: { certFile: values['tls-cert'], keyFile: values['tls-key']! } } : {}),
  };
}

/**
 * SIGINT, SIGTERM and, with --stop-with-stdin, the end of standard input: before the node has started they
 * exit the process, after it they resolve `stopRequested`. Watched from the start: a supervisor killed
 * outright (SIGKILL, crash) cannot signal us, its end of our stdin closes instead, and that may happen while
 * we are still starting (loading, joining the broker).
 */
function stopRequests(stopWithStdin: boolean): { stopRequested: Promise<void>; started: () => void } {
  let started = false;
  const stopRequested = new Promise<void>((resolve) => {
    const stop = (): void => (started ? resolve() : process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (stopWithStdin) {
      process.stdin.once('end', stop);
      process.stdin.resume();
    }
  });
  return { stopRequested, started: () => void (started = true) };
}

export async function runWorkerCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS }).values;
  } catch (error) {
    io.stderr(`ppipe worker: ${(error as Error).message}\n${WORKER_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${WORKER_USAGE}\n`);
    return 0;
  }
  const options = workerOptions(values, process.env);
  if ('problems' in options) {
    io.stderr(`ppipe worker: ${options.problems.join('; ')}\n${WORKER_USAGE}\n`);
    return 2;
  }
  // A worker that joined as a GPU node and then failed every model load would only confuse the planner.
  if (options.device.kind === 'cuda' && !options.emulate) {
    try {
      assertCudaAvailable();
    } catch (error) {
      io.stderr(`ppipe worker: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const { stopRequested, started } = stopRequests(values['stop-with-stdin']);
  await runWorkerProcess(options, { stopRequested, onStarted: started, onStopTimeout: () => process.exit(0) });
  return 0;
}
